/** The PDF layer's public surface: the reader (revisions, objects, pages, signature fields). */
export { openPdf, PdfDocument } from './document';
export type { Revision, OpenPdfOptions } from './document';
export type { XrefEntry } from './xref';
export type { PdfPage, Box } from './pages';
export type { SignatureField, SignatureValue, Widget, FormField } from './signature-fields';
export { readFormFields, annotationPages } from './signature-fields';
export * from './objects';
export { pdfMalformed, pdfEncrypted } from './pdf-errors';
export { docMdpPermission } from './doc-mdp';
export { imageXObjectToRgba } from './image-xobject';

/**
 * pdf.js loading: the library is bundled, its worker is served from our own origin (CSP
 * worker-src 'self'), and cmaps/standard fonts come from the app too (no network).
 */
import type { PDFDocumentProxy } from 'pdfjs-dist';

let lib: Promise<typeof import('pdfjs-dist')> | null = null;

export async function pdfjs() {
  lib ??= import('pdfjs-dist').then((m) => {
    m.GlobalWorkerOptions.workerSrc = new URL('pdf.worker.mjs', document.baseURI).href;
    return m;
  });
  return lib;
}

export async function loadPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  const m = await pdfjs();
  const base = document.baseURI;
  // pdf.js takes ownership of (and detaches) the buffer it gets: hand it a copy.
  return m.getDocument({
    data: bytes.slice(),
    cMapUrl: new URL('cmaps/', base).href,
    cMapPacked: true,
    standardFontDataUrl: new URL('standard_fonts/', base).href,
    isEvalSupported: false,
    enableXfa: false,
  }).promise;
}

/**
 * The GM (国密) profile for PDF: SES_Signature stamps for SM2 keys (used by src/core/sign) and the
 * verifier the PDF verification engine calls for GM signatures.
 */
export { GM_PDF_FILTER, GM_PDF_SUBFILTER, OID_GM_DATA, OID_GM_SIGNED_DATA, byteRangePropertyInfo, byteRangeFromPropertyInfo, isGmSignature, sniffGmContents, type GmContentsKind } from './pdf-profile';
export { buildSesPdfSignature, type SesPdfSignatureInput } from './build-ses-pdf-signature';
export { parseGmSignedData } from './gm-signed-data';
export { verifyGmSignature, sealOfGmSignature, type GmVerifyContext } from './verify-gm-signature';

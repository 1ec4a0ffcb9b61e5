/**
 * The certificates of every signature in a PDF whose revocation matters: for a PAdES stamp the
 * signer's, the seal maker's and the signature timestamp's TSA; for a document timestamp its TSA.
 * With each, the signature's /Contents (the /VRI key) and the times the chains are judged at. Used
 * to fetch before verifying (online verification) and to gather what a /DSS must hold (LTV).
 * A signature that cannot be parsed contributes nothing (the verifier reports it).
 */
import { decodeSeal } from '../asn1/ses-seal';
import { decodeSesSignature } from '../asn1/ses-signature';
import { derValueLength } from '../cms/der';
import { isGmSignature, parseGmSignedData, sniffGmContents } from '../gm';
import { parseCms } from '../cms/parse-cms';
import type { PdfDocument } from '../pdf/document';
import { DOCUMENT_TIMESTAMP_SUBFILTER } from '../timestamp/document-timestamp';
import { parseTimestampToken } from '../timestamp/verify-timestamp';
import { readDocumentSignatures } from '../verify/signature-dictionaries';
import { parsePdfDate } from '../pdf/pdf-date';
import type { StampCertificates } from './stamp-revocation';

export interface SignatureCertificates extends StampCertificates {
  field: string;
  /** Decoded /Contents, as the /VRI key is computed over it. */
  contents: Uint8Array;
  kind: 'signature' | 'document_timestamp';
  /** The signing time to judge at: the timestamp's, else the claimed /M, else undefined (now). */
  at?: Date;
  timeTrusted: boolean;
}

export function stampCertificatesOf(doc: PdfDocument, roots: Uint8Array[], extra: Uint8Array[] = []): SignatureCertificates[] {
  const out: SignatureCertificates[] = [];
  let fields;
  try { fields = readDocumentSignatures(doc).fields; } catch { return out; }
  for (const f of fields) {
    const v = f.value;
    if (!v) continue;
    try {
      if (v.subFilter === DOCUMENT_TIMESTAMP_SUBFILTER) {
        const token = parseTimestampToken(v.contents);
        out.push({
          field: f.name, contents: v.contents, kind: 'document_timestamp', tsa: token.cms.signerCertificate, tsaAt: token.tst.genTime,
          intermediates: [...token.cms.certificates, ...extra], roots, at: token.tst.genTime, timeTrusted: true,
        });
        continue;
      }
      if (isGmSignature(v)) {
        out.push(gmStamp(f.name, v.contents, v.signingTime, roots, extra));
        continue;
      }
      const cms = parseCms(v.contents);
      let maker: Uint8Array | undefined;
      let makerAt: Date | undefined;
      if (cms.sealDer) {
        try { const seal = decodeSeal(cms.sealDer); maker = seal.cert; makerAt = seal.eSealInfo.property.createDate; } catch { /* no seal to check */ }
      }
      let tsa: Uint8Array | undefined;
      let tsaAt: Date | undefined;
      let tsaCerts: Uint8Array[] = [];
      if (cms.timestampToken) {
        try { const t = parseTimestampToken(cms.timestampToken); tsa = t.cms.signerCertificate; tsaAt = t.tst.genTime; tsaCerts = t.cms.certificates; } catch { /* reported by the verifier */ }
      }
      out.push({
        field: f.name, contents: v.contents, kind: 'signature', signer: cms.signerCertificate, maker, makerAt, tsa, tsaAt,
        intermediates: [...cms.certificates, ...tsaCerts, ...extra], roots,
        at: tsaAt ?? parsePdfDate(v.signingTime) ?? undefined, timeTrusted: !!tsaAt,
      });
    } catch {
      // not a CMS SealDesk reads (GM SES, broken): nothing to collect
    }
  }
  return out;
}

/** A GM stamp (GB/T 38540 SES_Signature or GM/T 0010 SignedData): its signer and seal maker. */
function gmStamp(field: string, contents: Uint8Array, signingTime: string | undefined, roots: Uint8Array[], extra: Uint8Array[]): SignatureCertificates {
  const claimed = parsePdfDate(signingTime) ?? undefined;
  if (sniffGmContents(contents) === 'gm-signed-data') {
    const cms = parseGmSignedData(contents);
    const seal = cms.sealDer ? decodeSeal(cms.sealDer) : undefined;
    return {
      field, contents, kind: 'signature', signer: cms.signerCertificate, maker: seal?.cert, makerAt: seal?.eSealInfo.property.createDate,
      intermediates: [...cms.certificates, ...extra], roots, at: cms.signingTimeAttribute ?? claimed, timeTrusted: false,
    };
  }
  const ses = decodeSesSignature(contents.subarray(0, derValueLength(contents)));
  const seal = ses.toSign.eseal;
  return {
    field, contents, kind: 'signature', signer: ses.cert, maker: seal.cert, makerAt: seal.eSealInfo.property.createDate,
    intermediates: [...extra], roots, at: claimed, timeTrusted: false,
  };
}

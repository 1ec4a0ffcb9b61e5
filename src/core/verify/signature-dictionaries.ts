/**
 * The signatures of a document as the verifier reads them: one broken signature dictionary (no
 * /Contents, a null or malformed /ByteRange, a dummy /V that is no dictionary, /Contents not a
 * string, a direct /V) makes THAT stamp invalid with its reason, and every other stamp is still
 * judged. pdf/signature-fields.ts reads the form strictly for the signer (which must refuse such a
 * file) and throws for the whole document; the verifier reads the fields from it and the /V of each
 * signature field here, tolerantly, so that one bad stamp never makes the file "unreadable".
 */
import type { BilingualText, CheckId, SignatureReport } from '../../api/verification-report';
import type { PdfDocument } from '../pdf/document';
import { PdfArray, PdfDict, PdfRef, PdfString } from '../pdf/objects';
import { readFormFields, type SignatureField, type SignatureValue } from '../pdf/signature-fields';
import { invalidSignatureReport } from './invalid-signature-report';

export interface BrokenSignature {
  field: SignatureField;
  reason: BilingualText;
}

export interface DocumentSignatures {
  /** Signature fields; `value` is null for an empty (unsigned) field. */
  fields: SignatureField[];
  /** Signature fields whose /V is there but cannot be a signature: reported invalid, one by one. */
  broken: BrokenSignature[];
}

const broken = (zh: string, en: string): BilingualText => ({ zh: `签名字典损坏：${zh}`, en: `Broken signature dictionary: ${en}` });

export function readDocumentSignatures(doc: PdfDocument): DocumentSignatures {
  const out: DocumentSignatures = { fields: [], broken: [] };
  for (const f of readFormFields(doc)) {
    if (f.type !== 'Sig') continue;
    const v = f.dict.get('V');
    const resolved = v instanceof PdfRef ? safeResolve(doc, v) : v;
    if (resolved === undefined || resolved === null) {
      out.fields.push({ ...f, value: null });
      continue;
    }
    if (!(resolved instanceof PdfDict)) {
      out.broken.push({ field: { ...f, value: null }, reason: broken('/V 不是字典', 'the signature value (/V) is not a dictionary') });
      continue;
    }
    if (!(v instanceof PdfRef)) {
      out.broken.push({ field: { ...f, value: null }, reason: broken('签名字典不是间接对象，无法定位', 'the signature dictionary is not an indirect object and cannot be located') });
      continue;
    }
    const value = signatureValueOf(v, resolved, doc);
    if ('broken' in value) out.broken.push({ field: { ...f, value: null }, reason: value.broken });
    else out.fields.push({ ...f, value });
  }
  return out;
}

function safeResolve(doc: PdfDocument, ref: PdfRef): unknown {
  try {
    return doc.resolve(ref);
  } catch {
    return undefined;
  }
}

/** A signature dictionary's /ByteRange and /Contents, as written (direct objects: their file positions matter). */
export function signatureValueOf(ref: PdfRef, d: PdfDict, doc?: PdfDocument): SignatureValue | { broken: BilingualText } {
  const br = d.get('ByteRange');
  const contents = d.get('Contents');
  if (contents === undefined) return { broken: broken('没有 /Contents', 'it has no /Contents') };
  if (!(contents instanceof PdfString)) return { broken: broken('/Contents 不是直接写出的字符串', '/Contents is not a direct string') };
  if (br === undefined || br === null) return { broken: broken('没有 /ByteRange', 'it has no /ByteRange') };
  if (!(br instanceof PdfArray)) return { broken: broken('/ByteRange 不是直接写出的数组', '/ByteRange is not a direct array') };
  const text = (k: string): string | undefined => {
    let s = d.get(k);
    if (s instanceof PdfRef && doc) s = safeResolve(doc, s) as typeof s;
    return s instanceof PdfString ? s.text() : undefined;
  };
  return {
    ref,
    dict: d,
    filter: d.getName('Filter'),
    subFilter: d.getName('SubFilter'),
    byteRange: br.items.map((x) => (typeof x === 'number' ? x : Number.NaN)),
    byteRangeSpan: br.span,
    contents: contents.bytes,
    contentsSpan: contents.span,
    contentsIsHex: contents.hex,
    signingTime: text('M'),
    name: text('Name'),
    reason: text('Reason'),
    location: text('Location'),
    compressed: Number.isNaN(br.span.start),
  };
}

const ALL_CHECKS: CheckId[] = ['byte_range', 'digest', 'signature', 'signer_chain', 'seal', 'seal_signer', 'impression', 'timestamp', 'modifications'];

/** The report of a stamp whose dictionary is broken: invalid, the reason on the structure check, nothing else judged. */
export function brokenSignatureReport(b: BrokenSignature): SignatureReport {
  const notChecked: BilingualText = { zh: '签名字典损坏，未检查', en: 'Not checked: the signature dictionary is broken' };
  return invalidSignatureReport(b.field, {
    checks: ALL_CHECKS.map((id) => (id === 'byte_range' ? { id, status: 'failed', message: b.reason } : { id, status: 'not_checked', message: notChecked })),
  });
}

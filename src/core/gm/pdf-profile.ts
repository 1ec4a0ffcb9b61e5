/**
 * The GM (国密) profile for PDF signatures: which dictionary entries SealDesk writes for an SM2
 * stamp, how TBS_Sign.propertyInfo names the protected range, and how a verifier recognises a GM
 * signature whatever /SubFilter another writer chose. (docs/gm-pdf.md explains the choice.)
 *
 * No national standard fixes how a GB/T 38540 SES_Signature sits in a PDF (gm-formats.md §6), so:
 * - /Filter /Adobe.PPKLite: the only handler name every reader knows; a reader that does not know
 *   the SubFilter then reports "unknown signature format" instead of a broken file;
 * - /SubFilter /GBT38540.SES_Signature: names what /Contents holds. adbe.pkcs7.detached (what some
 *   vendors write around an SES_Signature) would send PKCS#7 readers into a parse failure that
 *   looks like tampering; an own name makes them say "unsupported" instead;
 * - /Contents: the DER SES_Signature v4, zero-padded like a CMS;
 * - TBS_Sign.propertyInfo: "ByteRange=[0 b c d]", the same four numbers as /ByteRange, so the
 *   signature also binds which bytes it protects (dataHash = SM3 over exactly those bytes).
 */
import type { SignatureValue } from '../pdf/signature-fields';

export const GM_PDF_FILTER = 'Adobe.PPKLite';
export const GM_PDF_SUBFILTER = 'GBT38540.SES_Signature';

/** GM/T 0010 SM2 CMS content types (gm-formats.md §1.4, §3). */
export const OID_GM_DATA = '1.2.156.10197.6.1.4.2.1';
export const OID_GM_SIGNED_DATA = '1.2.156.10197.6.1.4.2.2';

export type ByteRange = readonly [number, number, number, number];

/** TBS_Sign.propertyInfo for a PDF stamp: the protected range, written like the PDF's /ByteRange. */
export function byteRangePropertyInfo(range: ByteRange): string {
  return `ByteRange=[${range.join(' ')}]`;
}

/** The range named by a propertyInfo SealDesk wrote, or undefined for any other text (other vendors). */
export function byteRangeFromPropertyInfo(text: string): ByteRange | undefined {
  const m = /^ByteRange=\[(\d{1,15}) (\d{1,15}) (\d{1,15}) (\d{1,15})\]$/.exec(text.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
}

/** What /Contents holds when it is a GM signature; undefined for anything else (CMS, garbage). */
export type GmContentsKind = 'ses-signature' | 'gm-signed-data';

/** DER encoding of OID 1.2.156.10197.6.1.4.2.2 (tag and length included). */
const GM_SIGNED_DATA_OID_DER = Uint8Array.from([0x06, 0x0a, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x06, 0x01, 0x04, 0x02, 0x02]);

/** Offset just after a DER tag+length header at `at`, or -1 when there is none. */
function headerEnd(b: Uint8Array, at: number): number {
  if (at + 2 > b.length) return -1;
  const first = b[at + 1]!;
  // 0x80 on a constructed value: a BER indefinite length (BouncyCastle-written GM/T 0010).
  if (first < 0x80 || (first === 0x80 && (b[at]! & 0x20) !== 0)) return at + 2;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || at + 2 + n > b.length) return -1;
  return at + 2 + n;
}

/**
 * Recognises a GM signature from the first bytes of /Contents, without parsing it (so garbage is
 * left to the engine that owns the SubFilter): SEQUENCE { SEQUENCE { INTEGER … } … } is an
 * SES_Signature (v1, v4 and v5 all start with TBS_Sign { version, … }); SEQUENCE { OID
 * 1.2.156.10197.6.1.4.2.2 … } is a GM/T 0010 ContentInfo. A PKCS#7/CMS ContentInfo starts with
 * SEQUENCE { OID 1.2.840.113549.1.7.2 } and is not GM here, whatever algorithms it uses.
 */
export function sniffGmContents(contents: Uint8Array): GmContentsKind | undefined {
  if (contents[0] !== 0x30) return undefined;
  const inner = headerEnd(contents, 0);
  if (inner < 0) return undefined;
  if (contents[inner] === 0x30) {
    const tbs = headerEnd(contents, inner);
    return tbs > 0 && contents[tbs] === 0x02 ? 'ses-signature' : undefined;
  }
  const oid = contents.subarray(inner, inner + GM_SIGNED_DATA_OID_DER.length);
  return oid.length === GM_SIGNED_DATA_OID_DER.length && oid.every((x, i) => x === GM_SIGNED_DATA_OID_DER[i]) ? 'gm-signed-data' : undefined;
}

/** True for a signature the GM verifier handles: SealDesk's GM SubFilter, or GM contents under any SubFilter. */
export function isGmSignature(sig: Pick<SignatureValue, 'subFilter' | 'contents'>): boolean {
  return sig.subFilter === GM_PDF_SUBFILTER || sniffGmContents(sig.contents) !== undefined;
}

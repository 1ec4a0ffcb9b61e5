/**
 * Safe DER reading and writing for the GM structures (SESeal, SES_Signature).
 *
 * Reading: a cheap iterative pre-scan bounds size, nesting depth and every declared length before
 * asn1js sees the bytes, so hostile input (absurd lengths, deep nesting, truncation) ends in a
 * SealDeskError instead of a crash, a hang or a stack overflow. The decoded asn1js blocks keep views
 * on the received bytes, so callers can slice exact DER (signatures are checked over what was
 * received, never over a re-encoding — gm-formats.md §11.3).
 *
 * Writing: small TLV helpers so a structure can be assembled around already-encoded parts (e.g. a
 * received SES_SealInfo) without re-encoding them.
 */
import * as asn1js from 'asn1js';
import { SealDeskError } from '../errors';

/** Which kind of object is being read: picks the error code and the words of the message. */
export type DerSubject = 'seal' | 'signature' | 'certificate';

const SUBJECT_TEXT: Record<DerSubject, { code: string; zh: string; en: string }> = {
  seal: { code: 'SEAL_MALFORMED', zh: '电子印章数据格式不正确', en: 'The electronic seal data is malformed' },
  signature: { code: 'SIGNATURE_MALFORMED', zh: '电子签章数据格式不正确', en: 'The electronic signature data is malformed' },
  certificate: { code: 'CERT_MALFORMED', zh: '数字证书格式不正确', en: 'The certificate is malformed' },
};

/** Larger than any seal or signature seen in the field (pictures are tens of KB), small enough to be safe. */
export const MAX_DER_BYTES = 32 * 1024 * 1024;
/** SES_Signature nests about 7 levels deep; 48 leaves room for vendor extensions and certificates. */
export const MAX_DER_DEPTH = 48;

export function malformed(subject: DerSubject, detail: string, cause?: unknown): SealDeskError {
  const t = SUBJECT_TEXT[subject];
  return new SealDeskError(t.code, `${t.zh}(${detail})`, `${t.en} (${detail})`, { cause, details: { detail } });
}

/** A fresh ArrayBuffer with exactly these bytes (asn1js and pkijs want ArrayBuffers). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

/**
 * Walks the TLV tree iteratively and throws on anything asn1js should never be handed:
 * indefinite lengths (not DER, and no exact slice), lengths past the end, depth beyond the limit,
 * and bytes after the single top-level value.
 */
export function scanDer(bytes: Uint8Array, subject: DerSubject): void {
  if (bytes.length === 0) throw malformed(subject, 'empty input');
  if (bytes.length > MAX_DER_BYTES) throw malformed(subject, `larger than ${MAX_DER_BYTES} bytes`);
  // Stack of end offsets of the constructed values we are inside.
  const ends: number[] = [bytes.length];
  let pos = 0;
  let topLevelValues = 0;
  while (pos < bytes.length) {
    while (ends.length > 1 && pos === ends[ends.length - 1]) ends.pop();
    if (pos === bytes.length) break;
    const limit = ends[ends.length - 1]!;
    if (ends.length === 1) {
      topLevelValues++;
      if (topLevelValues > 1) throw malformed(subject, `unexpected bytes after the value at offset ${pos}`);
    }
    const tagByte = bytes[pos]!;
    let p = pos + 1;
    if ((tagByte & 0x1f) === 0x1f) {
      // High tag number form: at most 4 continuation bytes (tag numbers < 2^28).
      let n = 0;
      while (p < limit && (bytes[p]! & 0x80) !== 0) {
        p++;
        if (++n > 3) throw malformed(subject, `tag too long at offset ${pos}`);
      }
      p++;
    }
    if (p >= limit) throw malformed(subject, `truncated at offset ${pos}`);
    const first = bytes[p++]!;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else if (first === 0x80) {
      throw malformed(subject, `indefinite length at offset ${pos}`);
    } else {
      const n = first & 0x7f;
      if (n > 4) throw malformed(subject, `length field too long at offset ${pos}`);
      if (p + n > limit) throw malformed(subject, `truncated length at offset ${pos}`);
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + bytes[p++]!;
    }
    const end = p + length;
    if (end > limit) throw malformed(subject, `length ${length} at offset ${pos} runs past the end`);
    if ((tagByte & 0x20) !== 0 && length > 0) {
      if (ends.length > MAX_DER_DEPTH) throw malformed(subject, `nested deeper than ${MAX_DER_DEPTH} levels`);
      ends.push(end);
      pos = p;
    } else {
      pos = end;
    }
  }
}

/** Decodes exactly one DER value spanning all of `bytes`. */
export function decodeDer(bytes: Uint8Array, subject: DerSubject): asn1js.AsnType {
  scanDer(bytes, subject);
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(bytes);
  } catch (e) {
    throw malformed(subject, 'not DER', e);
  }
  if (parsed.offset !== bytes.length || parsed.result.error) {
    throw malformed(subject, `not DER: ${parsed.result.error || 'decode error'}`);
  }
  return parsed.result;
}

/** The exact received bytes of a decoded block (a copy, so later changes to the input cannot alter it). */
export function derOf(block: asn1js.AsnType): Uint8Array {
  return new Uint8Array(block.valueBeforeDecodeView);
}

/** Reading helpers over decoded blocks; each failure names the field, under the subject's error code. */
export class DerFields {
  constructor(readonly subject: DerSubject) {}

  fail(detail: string, cause?: unknown): never {
    throw malformed(this.subject, detail, cause);
  }

  private isUniversal(block: asn1js.AsnType | undefined, tag: number): boolean {
    return block !== undefined && block.idBlock.tagClass === 1 && block.idBlock.tagNumber === tag;
  }

  isContext(block: asn1js.AsnType | undefined, tag: number): boolean {
    return block !== undefined && block.idBlock.tagClass === 3 && block.idBlock.tagNumber === tag;
  }

  isSequence(block: asn1js.AsnType | undefined): block is asn1js.Sequence {
    return this.isUniversal(block, 16) && block!.idBlock.isConstructed;
  }

  /** The elements of a SEQUENCE, at least `min` of them. */
  sequence(block: asn1js.AsnType | undefined, what: string, min = 0): asn1js.AsnType[] {
    if (!this.isSequence(block)) this.fail(`${what} is not a SEQUENCE`);
    const items = (block as asn1js.Sequence).valueBlock.value;
    if (items.length < min) this.fail(`${what} has ${items.length} elements, expected at least ${min}`);
    return items;
  }

  /** Content octets of a constructed context-tagged block. */
  children(block: asn1js.AsnType, what: string): asn1js.AsnType[] {
    if (!block.idBlock.isConstructed) this.fail(`${what} is not constructed`);
    return (block as asn1js.Constructed).valueBlock.value;
  }

  integer(block: asn1js.AsnType | undefined, what: string): number {
    if (!this.isUniversal(block, 2)) this.fail(`${what} is not an INTEGER`);
    const view = (block as asn1js.Integer).valueBlock.valueHexView;
    if (view.length === 0 || view.length > 6) this.fail(`${what} is out of range`);
    return (block as asn1js.Integer).valueBlock.valueDec;
  }

  /** IA5String; PrintableString/UTF8String/VisibleString tolerated (vendors mix them up). */
  text(block: asn1js.AsnType | undefined, what: string): string {
    if (block instanceof asn1js.IA5String || block instanceof asn1js.PrintableString || block instanceof asn1js.VisibleString) {
      return block.getValue();
    }
    if (block instanceof asn1js.Utf8String) return block.valueBlock.value;
    return this.fail(`${what} is not a string`);
  }

  utf8(block: asn1js.AsnType | undefined, what: string): string {
    if (block instanceof asn1js.Utf8String) return block.valueBlock.value;
    if (block instanceof asn1js.BmpString) return block.valueBlock.value;
    return this.text(block, what);
  }

  /** OCTET STRING content; a BIT STRING is accepted too (gm-formats.md §1.1: vendors swap them). */
  octets(block: asn1js.AsnType | undefined, what: string): Uint8Array {
    if (this.isUniversal(block, 4) && !block!.idBlock.isConstructed) {
      return new Uint8Array((block as asn1js.OctetString).valueBlock.valueHexView);
    }
    if (this.isUniversal(block, 3) && !block!.idBlock.isConstructed) return this.bitStringContent(block!, what);
    return this.fail(`${what} is not an OCTET STRING`);
  }

  /** BIT STRING content without the unused-bits byte; an OCTET STRING is accepted too. */
  bits(block: asn1js.AsnType | undefined, what: string): Uint8Array {
    if (this.isUniversal(block, 3) && !block!.idBlock.isConstructed) return this.bitStringContent(block!, what);
    if (this.isUniversal(block, 4) && !block!.idBlock.isConstructed) {
      return new Uint8Array((block as asn1js.OctetString).valueBlock.valueHexView);
    }
    return this.fail(`${what} is not a BIT STRING`);
  }

  /** BIT STRING of named bits (keyUsage): unused bits are normal there. */
  namedBits(block: asn1js.AsnType | undefined, what: string): Uint8Array {
    if (!this.isUniversal(block, 3) || block!.idBlock.isConstructed) this.fail(`${what} is not a BIT STRING`);
    return new Uint8Array((block as asn1js.BitString).valueBlock.valueHexView);
  }

  /** Content of a primitive context-tagged [n] IMPLICIT BIT STRING (first byte = unused bits). */
  implicitBits(block: asn1js.AsnType, what: string): Uint8Array {
    const raw = derOf(block);
    const content = contentOf(raw);
    if (content.length === 0 || content[0] !== 0) this.fail(`${what} has unused bits`);
    return content.subarray(1);
  }

  private bitStringContent(block: asn1js.AsnType, what: string): Uint8Array {
    const bs = block as asn1js.BitString;
    if (bs.valueBlock.unusedBits !== 0) this.fail(`${what} has unused bits`);
    return new Uint8Array(bs.valueBlock.valueHexView);
  }

  oid(block: asn1js.AsnType | undefined, what: string): string {
    if (!(block instanceof asn1js.ObjectIdentifier)) this.fail(`${what} is not an OBJECT IDENTIFIER`);
    const value = (block as asn1js.ObjectIdentifier).getValue();
    if (!/^\d+(\.\d+)+$/.test(value)) this.fail(`${what} is not a valid OBJECT IDENTIFIER`);
    return value;
  }

  boolean(block: asn1js.AsnType | undefined, what: string): boolean {
    if (!(block instanceof asn1js.Boolean)) this.fail(`${what} is not a BOOLEAN`);
    return (block as asn1js.Boolean).getValue();
  }

  /** GeneralizedTime or UTCTime (v1 seals use UTCTime, v4 GeneralizedTime; some vendors mix). */
  time(block: asn1js.AsnType | undefined, what: string): Date {
    let date: Date | undefined;
    try {
      if (block instanceof asn1js.GeneralizedTime || block instanceof asn1js.UTCTime) date = block.toDate();
    } catch (e) {
      this.fail(`${what} is not a valid time`, e);
    }
    if (!date) return this.fail(`${what} is not a time`);
    if (Number.isNaN(date.getTime())) this.fail(`${what} is not a valid time`);
    return date;
  }
}

/** Content octets of one DER TLV (the caller has already scanned it). */
export function contentOf(tlv: Uint8Array): Uint8Array {
  let p = 1;
  if ((tlv[0]! & 0x1f) === 0x1f) while ((tlv[p++]! & 0x80) !== 0);
  const first = tlv[p++]!;
  if (first >= 0x80) p += first & 0x7f;
  return tlv.subarray(p);
}

// ---- writing -------------------------------------------------------------------------------

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One DER TLV with a single-byte tag (all GM structures use low tag numbers). */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else if (n < 0x100) header = [tag, 0x81, n];
  else if (n < 0x10000) header = [tag, 0x82, n >> 8, n & 0xff];
  else if (n < 0x1000000) header = [tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  else header = [tag, 0x84, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return concatBytes([Uint8Array.from(header), content]);
}

export const derSequence = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, concatBytes(parts));
export const derOctetString = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);
export const derBitString = (bytes: Uint8Array): Uint8Array => tlv(0x03, concatBytes([Uint8Array.of(0), bytes]));
/** [n] EXPLICIT wrapper (constructed context tag). */
export const derExplicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner);

export function encodeBlock(block: asn1js.AsnType): Uint8Array {
  return new Uint8Array(block.toBER(false));
}

export const derInteger = (value: number): Uint8Array => encodeBlock(new asn1js.Integer({ value }));
export const derIa5 = (value: string): Uint8Array => encodeBlock(new asn1js.IA5String({ value }));
export const derPrintable = (value: string): Uint8Array => encodeBlock(new asn1js.PrintableString({ value }));
export const derUtf8 = (value: string): Uint8Array => encodeBlock(new asn1js.Utf8String({ value }));
export const derOid = (value: string): Uint8Array => encodeBlock(new asn1js.ObjectIdentifier({ value }));
export const derBoolean = (value: boolean): Uint8Array => encodeBlock(new asn1js.Boolean({ value }));

/** GeneralizedTime "YYYYMMDDHHMMSSZ": whole seconds, as DER requires no fraction of zero. */
export function derGeneralizedTime(date: Date): Uint8Array {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date');
  const iso = date.toISOString(); // 2024-01-02T03:04:05.678Z
  const text = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
  return tlv(0x18, new TextEncoder().encode(text));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

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
  // The detail is the parser's English account (field names of the standard): it goes into the
  // English message and the log's details, not into the Chinese sentence.
  return new SealDeskError(t.code, t.zh, `${t.en} (${detail})`, { cause, details: { detail } });
}

/** A fresh ArrayBuffer with exactly these bytes (asn1js and pkijs want ArrayBuffers). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

/** Where a length was written in a form DER does not allow (BER), by offset of its TLV. */
export interface LongLength {
  offset: number;
  /** The whole TLV's end offset (for an indefinite length: after its end-of-contents). */
  end: number;
  /** The length is indefinite (0x80 … 00 00) rather than merely longer than needed. */
  indefinite?: boolean;
}

/**
 * Walks the TLV tree iteratively and throws on anything asn1js should never be handed: lengths
 * past the end, an indefinite length on a primitive value or never closed by its end-of-contents,
 * depth beyond the limit, and bytes after the single top-level value. Lengths DER does not allow —
 * longer than needed, or indefinite on a constructed value (BER, as BouncyCastle's BERSequence and
 * streaming CMS writers emit them) — are returned: the caller decides whether they are harmless
 * (outside the signed bytes, where the end-of-contents is found by the same walk every reader
 * does) or must be refused (inside them).
 */
export function scanDer(bytes: Uint8Array, subject: DerSubject): LongLength[] {
  const longLengths: LongLength[] = [];
  if (bytes.length === 0) throw malformed(subject, 'empty input');
  if (bytes.length > MAX_DER_BYTES) throw malformed(subject, `larger than ${MAX_DER_BYTES} bytes`);
  // The constructed values we are inside: their end offset, or null for an indefinite length (with where it started).
  const frames: Array<{ end: number | null; start: number }> = [{ end: bytes.length, start: 0 }];
  let pos = 0;
  let topLevelValues = 0;
  const limitOf = (): number => {
    for (let i = frames.length - 1; i >= 0; i--) if (frames[i]!.end !== null) return frames[i]!.end!;
    return bytes.length;
  };
  while (pos < bytes.length) {
    while (frames.length > 1 && pos === frames[frames.length - 1]!.end) frames.pop();
    if (pos === bytes.length) break;
    const frame = frames[frames.length - 1]!;
    if (frame.end === null && bytes[pos] === 0 && bytes[pos + 1] === 0) {
      // End-of-contents of an indefinite length.
      pos += 2;
      longLengths.push({ offset: frame.start, end: pos, indefinite: true });
      frames.pop();
      continue;
    }
    const limit = limitOf();
    if (frames.length === 1) {
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
    if (first === 0x80) {
      if ((tagByte & 0x20) === 0) throw malformed(subject, `indefinite length on a primitive value at offset ${pos}`);
      if (frames.length > MAX_DER_DEPTH) throw malformed(subject, `nested deeper than ${MAX_DER_DEPTH} levels`);
      frames.push({ end: null, start: pos });
      pos = p;
      continue;
    }
    let length: number;
    if (first < 0x80) {
      length = first;
    } else {
      const n = first & 0x7f;
      if (n > 4) throw malformed(subject, `length field too long at offset ${pos}`);
      if (p + n > limit) throw malformed(subject, `truncated length at offset ${pos}`);
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + bytes[p++]!;
      if (length < 0x80 || bytes[p - n] === 0) longLengths.push({ offset: pos, end: p + length });
    }
    const end = p + length;
    if (end > limit) throw malformed(subject, `length ${length} at offset ${pos} runs past the end`);
    if ((tagByte & 0x20) !== 0 && length > 0) {
      if (frames.length > MAX_DER_DEPTH) throw malformed(subject, `nested deeper than ${MAX_DER_DEPTH} levels`);
      frames.push({ end, start: pos });
      pos = p;
    } else {
      pos = end;
    }
  }
  if (frames.some((f) => f.end === null)) throw malformed(subject, 'an indefinite length is never closed by its end-of-contents');
  return longLengths;
}

/**
 * Decodes exactly one DER value spanning all of `bytes`. With `f`, lengths in a non-minimal (BER)
 * form are noted on it for the caller to judge (`f.judgeLongLengths`).
 */
export function decodeDer(bytes: Uint8Array, subject: DerSubject, f?: DerFields): asn1js.AsnType {
  const longLengths = scanDer(bytes, subject);
  if (longLengths.length > 0 && f) {
    f.longLengths = longLengths;
    f.input = bytes;
  }
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

/**
 * A vendor encoding habit that SealDesk reads although the standard says otherwise. Each one is
 * reported ("非标准编码 / non-standard encoding: …, accepted as …"), never accepted silently. Only
 * habits with a single possible reading are accepted, and the bytes stay as received for hashing
 * and signature checks; anything that would change the signed bytes or allow two readings is
 * refused with its reason instead (see the callers).
 */
export interface EncodingDeviation {
  /** Stable code, e.g. BITSTRING_UNUSED_BITS, SM2_RAW_SIGNATURE. */
  code: string;
  /** The field, e.g. "SESeal.signedValue". */
  field: string;
  zh: string;
  en: string;
}

export function encodingDeviation(code: string, field: string, what: { zh: string; en: string }, habit: { zh: string; en: string }): EncodingDeviation {
  return {
    code,
    field,
    zh: `非标准编码：${field} ${what.zh}，按${habit.zh}接受`,
    en: `non-standard encoding: ${field} ${what.en}, accepted as ${habit.en}`,
  };
}

/** Reading helpers over decoded blocks; each failure names the field, under the subject's error code. */
export class DerFields {
  /** The vendor habits met while reading (reported, never silent). */
  readonly deviations: EncodingDeviation[] = [];
  /** Non-minimal lengths found by decodeDer, with the input they are offsets into. */
  longLengths: LongLength[] = [];
  input?: Uint8Array;

  constructor(readonly subject: DerSubject) {}

  deviate(code: string, field: string, what: { zh: string; en: string }, habit: { zh: string; en: string }): void {
    if (this.deviations.some((d) => d.code === code && d.field === field)) return;
    this.deviations.push(encodingDeviation(code, field, what, habit));
  }

  /**
   * BER lengths are harmless outside the signed bytes (the values read the same, the signed slice
   * is exact); inside them they are refused: the standard signs DER, and a reader that re-encodes
   * the signed structure (as BouncyCastle-based readers do) would check other bytes than a reader
   * that hashes what it received, so one file would get two verdicts.
   */
  judgeLongLengths(signed: ReadonlyArray<{ name: string; block: asn1js.AsnType }>): void {
    if (this.longLengths.length === 0 || !this.input) return;
    const base = this.input.byteOffset;
    for (const l of this.longLengths) {
      for (const s of signed) {
        const view = s.block.valueBeforeDecodeView;
        const start = view.byteOffset - base;
        if (l.offset >= start && l.end <= start + view.byteLength) {
          this.fail(l.indefinite
            ? `a value inside ${s.name} (offset ${l.offset}) has an indefinite length (BER): the signed bytes are not DER, refused because readers that re-encode them would check different bytes`
            : `a length inside ${s.name} (offset ${l.offset}) is not in the shortest form: the signed bytes are not DER, refused because readers that re-encode them would check different bytes`);
        }
      }
    }
    const long = this.longLengths.filter((l) => !l.indefinite);
    const indefinite = this.longLengths.filter((l) => l.indefinite);
    if (long.length > 0) {
      this.deviate('BER_LENGTH', `offset ${long.map((l) => l.offset).slice(0, 3).join(', ')}`,
        { zh: '长度字段不是最短形式（BER）', en: 'has lengths not in the shortest form (BER)' },
        { zh: 'BER 长度（不在签名数据内）', en: 'BER lengths outside the signed bytes' });
    }
    if (indefinite.length > 0) {
      this.deviate('BER_INDEFINITE_LENGTH', `offset ${indefinite.map((l) => l.offset).slice(0, 3).join(', ')}`,
        { zh: '使用不定长度编码（BER，以 00 00 结束）', en: 'uses indefinite lengths (BER, closed by 00 00)' },
        { zh: 'BER 不定长度（不在签名数据内，BouncyCastle 等流式写法）', en: 'BER indefinite lengths outside the signed bytes (as BouncyCastle streaming writers emit)' });
    }
  }

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
    let view = (block as asn1js.Integer).valueBlock.valueHexView;
    if (view.length > 1 && view[0] === 0 && view[1]! < 0x80) {
      let i = 0;
      while (i < view.length - 1 && view[i] === 0 && view[i + 1]! < 0x80) i++;
      view = view.subarray(i);
      this.deviate('INTEGER_LEADING_ZERO', what, { zh: '的整数有多余的前导零字节', en: 'has a superfluous leading zero byte' }, { zh: '同值整数', en: 'the same integer' });
    }
    if (view.length === 0 || view.length > 6) this.fail(`${what} is out of range`);
    if (view[0]! >= 0x80) this.fail(`${what} is negative`);
    let n = 0;
    for (const b of view) n = n * 256 + b;
    return n;
  }

  /** IA5String; PrintableString/UTF8String/VisibleString read too (vendors mix them up), as a deviation. */
  text(block: asn1js.AsnType | undefined, what: string, due: 'IA5String' | 'PrintableString' = 'IA5String'): string {
    const value = this.anyString(block);
    if (value === undefined) return this.fail(`${what} is not a string`);
    const name = stringTypeName(block!);
    const ok = name === due || (due === 'PrintableString' && name === 'IA5String') || (due === 'IA5String' && name === 'PrintableString');
    if (!ok) this.deviate('STRING_TYPE', what, { zh: `是 ${name} 而不是 ${due}`, en: `is a ${name}, not an ${due}` }, { zh: '文本', en: 'text' });
    return value;
  }

  utf8(block: asn1js.AsnType | undefined, what: string): string {
    if (block instanceof asn1js.Utf8String) return block.valueBlock.value;
    const value = this.anyString(block);
    if (value === undefined) return this.fail(`${what} is not a string`);
    this.deviate('STRING_TYPE', what, { zh: `是 ${stringTypeName(block!)} 而不是 UTF8String`, en: `is a ${stringTypeName(block!)}, not a UTF8String` }, { zh: '文本', en: 'text' });
    return value;
  }

  /** The value of any character string type, undefined for anything else. */
  anyString(block: asn1js.AsnType | undefined): string | undefined {
    if (block instanceof asn1js.IA5String || block instanceof asn1js.PrintableString || block instanceof asn1js.VisibleString) return block.getValue();
    if (block instanceof asn1js.Utf8String || block instanceof asn1js.BmpString) return block.valueBlock.value;
    return undefined;
  }

  /** OCTET STRING content; a BIT STRING is read too (gm-formats.md §1.1: vendors swap them), as a deviation. */
  octets(block: asn1js.AsnType | undefined, what: string): Uint8Array {
    if (this.isUniversal(block, 4) && !block!.idBlock.isConstructed) {
      return new Uint8Array((block as asn1js.OctetString).valueBlock.valueHexView);
    }
    if (this.isUniversal(block, 3) && !block!.idBlock.isConstructed) {
      this.deviate('BITSTRING_FOR_OCTETSTRING', what, { zh: '是 BIT STRING 而不是 OCTET STRING', en: 'is a BIT STRING, not an OCTET STRING' }, { zh: '其字节', en: 'its bytes' });
      return this.bitStringContent(block!, what);
    }
    return this.fail(`${what} is not an OCTET STRING`);
  }

  /** BIT STRING content without the unused-bits byte; an OCTET STRING is read too, as a deviation. */
  bits(block: asn1js.AsnType | undefined, what: string): Uint8Array {
    if (this.isUniversal(block, 3) && !block!.idBlock.isConstructed) return this.bitStringContent(block!, what);
    if (this.isUniversal(block, 4) && !block!.idBlock.isConstructed) {
      this.deviate('OCTETSTRING_FOR_BITSTRING', what, { zh: '是 OCTET STRING 而不是 BIT STRING', en: 'is an OCTET STRING, not a BIT STRING' }, { zh: '其字节', en: 'its bytes' });
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
    return this.wholeBytes(contentOf(derOf(block)), what);
  }

  private bitStringContent(block: asn1js.AsnType, what: string): Uint8Array {
    if (block.idBlock.isConstructed) this.fail(`${what} is a constructed BIT STRING`);
    return this.wholeBytes(contentOf(derOf(block)), what);
  }

  /**
   * The payload of a BIT STRING that carries bytes (a signature, a hash, a time). Some vendors
   * (JHSEC, DAISHUN) write a non-zero unused-bits count although the payload is whole bytes: the
   * bytes are the value (there is no other sensible reading of a hash or a signature), kept exactly
   * as received. A count above 7, or a count with no payload, has no reading at all: refused.
   */
  private wholeBytes(content: Uint8Array, what: string): Uint8Array {
    if (content.length === 0) this.fail(`${what} has no unused-bits byte`);
    const unused = content[0]!;
    if (unused > 7) this.fail(`${what} declares ${unused} unused bits (at most 7 exist)`);
    if (unused !== 0) {
      if (content.length === 1) this.fail(`${what} declares ${unused} unused bits of an empty value`);
      this.deviate('BITSTRING_UNUSED_BITS', what, { zh: `声明了 ${unused} 个未用位，但内容是整字节`, en: `declares ${unused} unused bits though it carries whole bytes` },
        { zh: '整字节（字节按收到的原样使用）', en: 'whole bytes (kept exactly as received)' });
    }
    return new Uint8Array(content.subarray(1));
  }

  /**
   * Dotted decimal, computed here with BigInt from the content octets: asn1js turns arcs above
   * 2^53 into rounded numbers, and an identifier is compared as text, so it must be exact (SCCA
   * seals carry 1.3.6.1.4.1.1740623164284604419). A sub-identifier with a leading 0x80 is a second
   * encoding of the same identifier, which DER forbids and which can slip past comparisons: refused.
   */
  oid(block: asn1js.AsnType | undefined, what: string): string {
    if (!(block instanceof asn1js.ObjectIdentifier) || block.idBlock.isConstructed) this.fail(`${what} is not an OBJECT IDENTIFIER`);
    const value = oidText(contentOf(derOf(block!)));
    if (value === undefined) this.fail(`${what} is not a valid OBJECT IDENTIFIER`);
    if (value!.split('.').some((arc) => arc.length > 15 && BigInt(arc) > BigInt(Number.MAX_SAFE_INTEGER))) {
      this.deviate('OID_LARGE_ARC', what, { zh: `（${value}）有大于 2^53 的弧`, en: `(${value}) has an arc above 2^53` }, { zh: '精确的十进制文本', en: 'its exact decimal text' });
    }
    return value!;
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

function stringTypeName(block: asn1js.AsnType): string {
  if (block instanceof asn1js.IA5String) return 'IA5String';
  if (block instanceof asn1js.PrintableString) return 'PrintableString';
  if (block instanceof asn1js.VisibleString) return 'VisibleString';
  if (block instanceof asn1js.Utf8String) return 'UTF8String';
  if (block instanceof asn1js.BmpString) return 'BMPString';
  return 'string';
}

/** Dotted decimal of OID content octets, exact for any arc size; undefined when not minimal DER. */
export function oidText(content: Uint8Array): string | undefined {
  if (content.length === 0 || content[content.length - 1]! & 0x80) return undefined;
  const arcs: bigint[] = [];
  let v = 0n;
  let start = true;
  for (const b of content) {
    if (start && b === 0x80) return undefined;
    v = (v << 7n) | BigInt(b & 0x7f);
    start = (b & 0x80) === 0;
    if (start) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].map(String).join('.');
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

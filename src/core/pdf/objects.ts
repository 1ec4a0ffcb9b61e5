/**
 * The PDF object model of the reader. Containers remember where they sit in the file (byte
 * offsets), because signature checks need the exact positions of /ByteRange and /Contents.
 * Offsets are file offsets for objects parsed from the file body, NaN for objects that came out of
 * a compressed object stream (those bytes are not in the file as such) and -1 for objects the
 * writer builds.
 */
export type PdfObject = null | boolean | number | PdfName | PdfString | PdfRef | PdfArray | PdfDict | PdfStream;

export interface Span {
  start: number;
  /** exclusive */
  end: number;
}

export class PdfName {
  constructor(readonly name: string) {}
  toString(): string { return `/${this.name}`; }
}

export class PdfString {
  constructor(readonly bytes: Uint8Array, readonly hex: boolean, readonly span: Span) {}
  /** Text strings: UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding (approximated as Latin-1). */
  text(): string {
    const b = this.bytes;
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
      let s = '';
      for (let i = 2; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
      return s;
    }
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return Buffer.from(b.subarray(3)).toString('utf8');
    return Buffer.from(b).toString('latin1');
  }
}

export class PdfRef {
  constructor(readonly num: number, readonly gen: number) {}
  get key(): string { return `${this.num} ${this.gen}`; }
  toString(): string { return `${this.num} ${this.gen} R`; }
}

export class PdfArray {
  constructor(readonly items: PdfObject[], readonly itemSpans: Span[], readonly span: Span) {}
  get length(): number { return this.items.length; }
}

export class PdfDict {
  /**
   * `duplicateKeys`: keys the file wrote more than once in this dictionary. The last value is
   * kept (as poppler, MuPDF and pdf.js do), but the spec does not say which one wins, so the strict reading (revision-anomalies.ts)
   * reports them rather than letting one reader's choice stand.
   */
  constructor(readonly entries: Map<string, PdfObject>, readonly valueSpans: Map<string, Span>, readonly span: Span, readonly duplicateKeys: readonly string[] = []) {}
  get(key: string): PdfObject | undefined { return this.entries.get(key); }
  has(key: string): boolean { return this.entries.has(key); }
  /** /Type and similar: the name's text or undefined. */
  getName(key: string): string | undefined {
    const v = this.entries.get(key);
    return v instanceof PdfName ? v.name : undefined;
  }
  keys(): IterableIterator<string> { return this.entries.keys(); }
}

export class PdfStream {
  /** dataSpan: the raw (still encoded) stream bytes in the file or in the decoded object stream. */
  constructor(readonly dict: PdfDict, readonly raw: Uint8Array, readonly dataSpan: Span) {}
}

export function isRef(o: PdfObject | undefined): o is PdfRef { return o instanceof PdfRef; }
export function isDict(o: PdfObject | undefined): o is PdfDict { return o instanceof PdfDict; }
export function isArray(o: PdfObject | undefined): o is PdfArray { return o instanceof PdfArray; }
export function isName(o: PdfObject | undefined, name?: string): o is PdfName {
  return o instanceof PdfName && (name === undefined || o.name === name);
}
export function isNumber(o: PdfObject | undefined): o is number { return typeof o === 'number' && Number.isFinite(o); }

/** Builders for objects the writer creates (no file position). */
const NO_SPAN: Span = { start: -1, end: -1 };
export function name(n: string): PdfName { return new PdfName(n); }
export function dict(entries: Record<string, PdfObject>): PdfDict {
  return new PdfDict(new Map(Object.entries(entries)), new Map(), NO_SPAN);
}
export function array(items: PdfObject[]): PdfArray { return new PdfArray(items, [], NO_SPAN); }
export function textString(s: string): PdfString {
  // ASCII stays literal-compatible; anything else as UTF-16BE with BOM, as the spec asks for text strings.
  if (/^[\x20-\x7e]*$/.test(s)) return new PdfString(Buffer.from(s, 'latin1'), false, NO_SPAN);
  const out = Buffer.alloc(2 + s.length * 2);
  out[0] = 0xfe; out[1] = 0xff;
  for (let i = 0; i < s.length; i++) out.writeUInt16BE(s.charCodeAt(i), 2 + i * 2);
  return new PdfString(out, true, NO_SPAN);
}
export function withEntries(base: PdfDict, changes: Record<string, PdfObject | undefined>): PdfDict {
  const m = new Map(base.entries);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) m.delete(k); else m.set(k, v);
  }
  return new PdfDict(m, new Map(), NO_SPAN);
}

import { PdfArray, PdfDict, PdfName, PdfObject, PdfRef, PdfStream, PdfString, Span } from './objects';
import { pdfMalformed, pdfTooComplex } from './pdf-errors';
import { WorkBudget } from './work-budget';
import type { ByteSource } from './byte-source';

/** Deeper nesting than this is refused: no real PDF needs it and recursion must stay bounded. */
export const MAX_NESTING = 100;

const WS = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

export function isWhite(c: number): boolean { return WS[c] === 1; }
export function isRegular(c: number): boolean { return WS[c] !== 1 && DELIM[c] !== 1; }

/**
 * Resolves a stream's /Length when it is an indirect reference. Supplied by the document, which
 * guards against loops.
 */
export type LengthResolver = (ref: PdfRef) => PdfObject;

/** Bytes after a stream's data read to find its `endstream` when the data runs past the window. */
const STREAM_TAIL = 4 * 1024;

/**
 * Tokenizer and object parser over the file bytes with exact offsets. It never reads outside
 * `bytes`, never recurses deeper than MAX_NESTING, and charges every token to the work budget.
 *
 * With a `source`, `bytes` is a window of the file starting at file offset `base` (positioned
 * reads, see byte-source.ts): touching the window's end before the file's sets `hitEnd`, and the
 * caller parses again with a larger window (parseWindowed); stream data is not kept but read from
 * the source when used.
 */
export class ObjectParser {
  pos: number;
  /** The parse looked at the end of a window that is not the end of the file: its result is not final. */
  hitEnd = false;

  constructor(public bytes: Uint8Array, start: number, private readonly budget: WorkBudget, private base = 0, private readonly source?: ByteSource) {
    this.pos = start;
  }

  /** The file offset of the current position (pos is relative to the window). */
  get offset(): number { return this.base + this.pos; }

  /** File offset the parse is known to need the window to reach (a size read ahead, e.g. an xref subsection's). */
  wanted = 0;

  /**
   * The next `n` bytes are needed (clipped to the file): when the window is shorter, the parse stops
   * now and parseWindowed retries with a window that holds them, instead of growing step by step.
   */
  need(n: number): void {
    const end = Math.min(this.base + this.pos + n, this.source ? this.source.length : this.base + this.bytes.length);
    if (end <= this.base + this.bytes.length) return;
    this.wanted = end;
    this.hitEnd = true;
    throw pdfMalformed('the object runs past the window read', { offset: this.base + this.pos });
  }

  /** Whether byte `i` of the window exists; noting when a window (not the file) ran out. */
  has(i: number): boolean {
    if (i < this.bytes.length) return true;
    if (this.source && this.base + this.bytes.length < this.source.length) this.hitEnd = true;
    return false;
  }

  skipWhitespace(): void {
    const b = this.bytes;
    for (;;) {
      while (this.has(this.pos) && WS[b[this.pos]!] === 1) this.pos++;
      if (this.has(this.pos) && b[this.pos] === 0x25 /* % */) {
        while (this.has(this.pos) && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
        continue;
      }
      return;
    }
  }

  /** Reads a regular-character run (keyword or number) without consuming anything else. */
  private readRegular(): string {
    const b = this.bytes;
    const s = this.pos;
    while (this.has(this.pos) && isRegular(b[this.pos]!)) this.pos++;
    return Buffer.from(b.buffer, b.byteOffset + s, this.pos - s).toString('latin1');
  }

  peekKeyword(): string {
    const save = this.pos;
    this.skipWhitespace();
    const k = this.readRegular();
    this.pos = save;
    return k;
  }

  expectKeyword(kw: string): void {
    this.skipWhitespace();
    const at = this.pos;
    const k = this.readRegular();
    if (k !== kw) throw pdfMalformed(`expected "${kw}"`, { offset: this.base + at });
  }

  readInt(): number {
    this.skipWhitespace();
    const at = this.pos;
    const k = this.readRegular();
    if (!/^\d{1,15}$/.test(k)) throw pdfMalformed('expected an integer', { offset: this.base + at });
    return Number(k);
  }

  /**
   * Parses one object. `n g R` references are recognised by look-ahead. Streams are only
   * possible at the top level of an indirect object; see parseIndirectObject.
   */
  parseObject(depth = 0): PdfObject {
    if (depth > MAX_NESTING) throw pdfMalformed('objects nested too deeply', { offset: this.base + this.pos });
    this.budget.tick();
    this.skipWhitespace();
    const b = this.bytes;
    if (!this.has(this.pos)) throw pdfMalformed('unexpected end of file', { offset: this.base + this.pos });
    const start = this.pos;
    const c = b[this.pos]!;
    switch (c) {
      case 0x2f: return this.parseName();
      case 0x28: return this.parseLiteralString();
      case 0x5b: { // [
        this.pos++;
        const items: PdfObject[] = [];
        const spans: Span[] = [];
        for (;;) {
          this.skipWhitespace();
          if (!this.has(this.pos)) throw pdfMalformed('unterminated array', { offset: this.base + start });
          if (b[this.pos] === 0x5d) { this.pos++; break; }
          const s = this.pos;
          items.push(this.parseObject(depth + 1));
          spans.push({ start: this.base + s, end: this.base + this.pos });
        }
        return new PdfArray(items, spans, { start: this.base + start, end: this.base + this.pos });
      }
      case 0x3c: // < or <<
        if (this.has(this.pos + 1) && b[this.pos + 1] === 0x3c) return this.parseDict(depth);
        return this.parseHexString();
      case 0x5d: case 0x3e: case 0x29: case 0x7b: case 0x7d:
        throw pdfMalformed('unexpected delimiter', { offset: this.base + start });
      default: break;
    }
    const tok = this.readRegular();
    if (tok.length === 0) throw pdfMalformed('unexpected character', { offset: this.base + start });
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (tok === 'null') return null;
    const num = parseNumber(tok);
    if (num === undefined) throw pdfMalformed(`unexpected token "${tok.slice(0, 20)}"`, { offset: this.base + start });
    // Look ahead for "gen R".
    if (/^\d+$/.test(tok)) {
      const save = this.pos;
      this.skipWhitespace();
      const g = this.readRegular();
      if (/^\d+$/.test(g)) {
        this.skipWhitespace();
        const r = this.readRegular();
        if (r === 'R') return new PdfRef(num, Number(g));
      }
      this.pos = save;
    }
    return num;
  }

  private parseDict(depth: number): PdfDict {
    const b = this.bytes;
    const start = this.pos;
    this.pos += 2;
    const entries = new Map<string, PdfObject>();
    const spans = new Map<string, Span>();
    let duplicates: string[] | undefined;
    for (;;) {
      this.skipWhitespace();
      if (!this.has(this.pos)) throw pdfMalformed('unterminated dictionary', { offset: this.base + start });
      if (b[this.pos] === 0x3e && this.has(this.pos + 1) && b[this.pos + 1] === 0x3e) { this.pos += 2; break; }
      if (b[this.pos] !== 0x2f) throw pdfMalformed('dictionary key is not a name', { offset: this.base + this.pos });
      const key = this.parseName().name;
      this.skipWhitespace();
      const s = this.pos;
      const value = this.parseObject(depth + 1);
      // A repeated key: the last one wins, as in poppler, MuPDF and pdf.js (so the change analysis
      // sees what those viewers show), and the repetition is recorded — the spec does not say
      // which wins, so the strict reading reports it instead of trusting one choice.
      if (entries.has(key) && !(duplicates ??= []).includes(key)) duplicates.push(key);
      entries.set(key, value);
      spans.set(key, { start: this.base + s, end: this.base + this.pos });
    }
    return new PdfDict(entries, spans, { start: this.base + start, end: this.base + this.pos }, duplicates);
  }

  private parseName(): PdfName {
    const b = this.bytes;
    this.pos++; // '/'
    const out: number[] = [];
    const start = this.pos;
    while (this.has(this.pos) && isRegular(b[this.pos]!)) {
      if (out.length > MAX_NAME_BYTES) throw pdfMalformed('name too long', { offset: this.base + start });
      const c = b[this.pos]!;
      if (c === 0x23 && this.has(this.pos + 2)) {
        const h = parseInt(String.fromCharCode(b[this.pos + 1]!, b[this.pos + 2]!), 16);
        if (!Number.isNaN(h)) { out.push(h); this.pos += 3; continue; }
      }
      out.push(c);
      this.pos++;
    }
    return new PdfName(Buffer.from(out).toString('latin1'));
  }

  private parseHexString(): PdfString {
    const b = this.bytes;
    const start = this.pos;
    this.pos++;
    const out = new ByteSink(this.base + start);
    let hi = -1;
    for (;;) {
      if (!this.has(this.pos)) throw pdfMalformed('unterminated hex string', { offset: this.base + start });
      const c = b[this.pos++]!;
      if (c === 0x3e) break;
      if (WS[c] === 1) continue;
      const v = hexValue(c);
      if (v < 0) throw pdfMalformed('bad character in hex string', { offset: this.base + this.pos - 1 });
      if (hi < 0) hi = v; else { out.push((hi << 4) | v); hi = -1; }
    }
    if (hi >= 0) out.push(hi << 4);
    this.budget.tick(out.length >> 10);
    return new PdfString(out.bytes(), true, { start: this.base + start, end: this.base + this.pos });
  }

  private parseLiteralString(): PdfString {
    const b = this.bytes;
    const start = this.pos;
    this.pos++;
    const out = new ByteSink(this.base + start);
    let nest = 1;
    for (;;) {
      if (!this.has(this.pos)) throw pdfMalformed('unterminated string', { offset: this.base + start });
      const c = b[this.pos++]!;
      if (c === 0x5c) { // backslash
        if (!this.has(this.pos)) continue;
        const e = b[this.pos++]!;
        switch (e) {
          case 0x6e: out.push(0x0a); break;
          case 0x72: out.push(0x0d); break;
          case 0x74: out.push(0x09); break;
          case 0x62: out.push(0x08); break;
          case 0x66: out.push(0x0c); break;
          case 0x0d: if (this.has(this.pos) && b[this.pos] === 0x0a) this.pos++; break; // line continuation
          case 0x0a: break;
          default:
            if (e >= 0x30 && e <= 0x37) {
              let v = e - 0x30;
              for (let i = 0; i < 2 && this.has(this.pos) && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; i++) v = v * 8 + (b[this.pos++]! - 0x30);
              out.push(v & 0xff);
            } else out.push(e);
        }
        continue;
      }
      if (c === 0x28) nest++;
      else if (c === 0x29 && --nest === 0) break;
      out.push(c);
    }
    this.budget.tick(out.length >> 10);
    return new PdfString(out.bytes(), false, { start: this.base + start, end: this.base + this.pos });
  }

  /**
   * Parses `num gen obj … endobj` at the current position. For streams, the data is located with
   * /Length (resolved through `resolveLength` when indirect) and must be followed by `endstream`:
   * a wrong /Length is a malformed file, not something to guess around (guessing is how shadow
   * documents hide content from one reader but not another).
   */
  parseIndirectObject(expect: { num: number; gen: number } | undefined, resolveLength: LengthResolver): { num: number; gen: number; value: PdfObject } {
    const at = this.offset;
    const num = this.readInt();
    const gen = this.readInt();
    this.expectKeyword('obj');
    if (expect && (expect.num !== num || expect.gen !== gen)) {
      throw pdfMalformed('cross-reference points to the wrong object', { offset: at, expected: `${expect.num} ${expect.gen}`, found: `${num} ${gen}` });
    }
    const value = this.parseObject(1);
    const kw = this.peekKeyword();
    if (kw === 'stream' && value instanceof PdfDict) {
      this.skipWhitespace();
      this.pos += 6;
      const b = this.bytes;
      // The keyword is followed by CRLF or LF (a lone CR is tolerated).
      if (this.has(this.pos) && b[this.pos] === 0x0d) this.pos++;
      if (this.has(this.pos) && b[this.pos] === 0x0a) this.pos++;
      const dataStart = this.pos;
      const dataAt = this.base + dataStart;
      let lenObj = value.get('Length');
      if (lenObj instanceof PdfRef) lenObj = resolveLength(lenObj);
      if (typeof lenObj !== 'number' || !Number.isInteger(lenObj) || lenObj < 0) throw pdfMalformed('stream without a valid /Length', { offset: at });
      if (this.source ? dataAt + lenObj > this.source.length : dataStart + lenObj > b.length) throw pdfMalformed('stream /Length runs past the end of the file', { offset: at, length: lenObj });
      const source = this.source;
      if (source && dataStart + lenObj >= b.length) {
        // The data runs past the window: continue in a window at its end, the data itself is not read.
        this.bytes = source.read(dataAt + lenObj, STREAM_TAIL);
        this.base = dataAt + lenObj;
        this.pos = 0;
      } else this.pos = dataStart + lenObj;
      if (this.peekKeyword() !== 'endstream') throw pdfMalformed('stream /Length does not end at "endstream"', { offset: at, length: lenObj });
      this.expectKeyword('endstream');
      const raw = source ? (): Uint8Array => source.read(dataAt, lenObj) : b.subarray(dataStart, dataStart + lenObj);
      this.budget.tick(lenObj >> 12);
      const stream = new PdfStream(value, raw, { start: dataAt, end: dataAt + lenObj });
      this.endObject();
      return { num, gen, value: stream };
    }
    this.endObject();
    return { num, gen, value };
  }

  /** `endobj` is expected; a few writers omit it, which is harmless once the object is parsed. */
  private endObject(): void {
    if (this.peekKeyword() === 'endobj') this.expectKeyword('endobj');
  }
}

/**
 * Longest string the reader accepts (decoded bytes). Real strings are short (a signature's
 * /Contents is the largest, a few hundred KB); a hostile 100 MB string is refused rather than held.
 */
/** Names are at most 127 bytes by the spec; far longer ones are refused, not held. */
const MAX_NAME_BYTES = 65536;

export const MAX_STRING_BYTES = 16 * 1024 * 1024;

/** A growable byte buffer for string bodies (a number[] would cost 8+ bytes per byte). */
class ByteSink {
  private buf = new Uint8Array(64);
  length = 0;
  constructor(private readonly at: number) {}
  push(c: number): void {
    if (this.length === this.buf.length) {
      if (this.length >= MAX_STRING_BYTES) throw pdfTooComplex('string', { offset: this.at, limit: MAX_STRING_BYTES });
      const next = new Uint8Array(Math.min(this.buf.length * 2, MAX_STRING_BYTES));
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = c;
  }
  bytes(): Uint8Array { return this.buf.slice(0, this.length); }
}

export function parseNumber(tok: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(tok)) return undefined;
  const n = Number(tok);
  return Number.isFinite(n) ? n : undefined;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** The first window read for an object; it grows fourfold while the object runs past it. */
const FIRST_WINDOW = 16 * 1024;
/** No object but a stream's data (which is not read) may be larger: strings are at most 16 MB decoded. */
const MAX_WINDOW = 64 * 1024 * 1024;

/**
 * Runs `parse` on a parser positioned at file offset `offset` of `source`. A source held in memory
 * is parsed in place; a file is read in windows, again with a larger one while the parse ran into
 * the window's end, so an object costs reads of about its own size.
 */
export function parseWindowed<T>(source: ByteSource, offset: number, budget: WorkBudget, parse: (p: ObjectParser) => T): T {
  const whole = source.inMemory;
  if (whole) return parse(new ObjectParser(whole, offset, budget));
  for (let size = FIRST_WINDOW, wanted = 0; ; size = Math.max(size * 4, wanted - offset + FIRST_WINDOW)) {
    const p = new ObjectParser(source.read(offset, size), 0, budget, offset, source);
    let value: T;
    try {
      value = parse(p);
    } catch (e) {
      if (!p.hitEnd || (e instanceof Error && 'code' in e && e.code === 'PDF_TOO_COMPLEX')) throw e;
      if (size >= MAX_WINDOW || p.wanted - offset > MAX_WINDOW) throw pdfTooComplex('object', { offset, limit: MAX_WINDOW });
      wanted = p.wanted;
      continue;
    }
    if (!p.hitEnd) return value;
    if (size >= MAX_WINDOW) throw pdfTooComplex('object', { offset, limit: MAX_WINDOW });
  }
}

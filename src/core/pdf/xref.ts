import { PdfArray, PdfDict, PdfObject, PdfStream } from './objects';
import { isWhite, ObjectParser, parseWindowed } from './object-parser';
import type { ByteSource } from './byte-source';
import { decodeStream } from './filters';
import { pdfMalformed } from './pdf-errors';
import { WorkBudget } from './work-budget';

export type XrefEntry =
  | { type: 'free'; gen: number }
  | { type: 'offset'; offset: number; gen: number }
  | { type: 'compressed'; stream: number; index: number };

/** One cross-reference section (a classic table with its trailer, or an xref stream). */
export interface XrefSection {
  /** Where the section starts: the `xref` keyword or the xref stream object. */
  offset: number;
  kind: 'table' | 'stream';
  entries: Map<number, XrefEntry>;
  trailer: PdfDict;
  /** First byte after the section (after the trailer dictionary or after `endobj`). */
  end: number;
  /** For a hybrid file: the offset of the /XRefStm stream merged into this section. */
  xrefStm?: number;
  /** End of the /XRefStm stream object (after its `endobj`), for a hybrid file. */
  xrefStmEnd?: number;
  /**
   * Object numbers this section defines twice with different entries (the first is kept). Two
   * readers may take two different objects: the strict reading reports them.
   */
  duplicates: number[];
  /** Hybrid file: objects the table says are in use at one place and the /XRefStm stream elsewhere. */
  hybridConflicts: number[];
}

function sameEntry(a: XrefEntry, b: XrefEntry): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'free') return true;
  if (a.type === 'offset') return b.type === 'offset' && a.offset === b.offset && a.gen === b.gen;
  return b.type === 'compressed' && a.stream === b.stream && a.index === b.index;
}

const MAX_SECTIONS = 10_000;
/** Findings are for a person to read: past this many of one kind, more add nothing (and cost time). */
export const MAX_RECORDED = 1000;

/** Finds the offset recorded after the last `startxref` in the tail of the file. */
export function findStartXref(source: ByteSource): { startxref: number; keywordAt: number } {
  const tailStart = Math.max(0, source.length - 4096);
  const t = source.read(tailStart, source.length - tailStart);
  const tail = Buffer.from(t.buffer, t.byteOffset, t.length).toString('latin1');
  const at = tail.lastIndexOf('startxref');
  if (at < 0) throw pdfMalformed('no "startxref" at the end of the file');
  const m = /^startxref\s+(\d{1,15})/.exec(tail.slice(at));
  if (!m) throw pdfMalformed('"startxref" is not followed by an offset');
  const off = Number(m[1]);
  if (off >= source.length) throw pdfMalformed('"startxref" points past the end of the file', { startxref: off });
  return { startxref: off, keywordAt: tailStart + at };
}

/**
 * Reads the chain of cross-reference sections starting at `start`, following /Prev (and /XRefStm
 * in hybrid files). Returns them newest first. Loops in /Prev are refused.
 */
export function readXrefChain(source: ByteSource, start: number, budget: WorkBudget): XrefSection[] {
  const sections: XrefSection[] = [];
  const seen = new Set<number>();
  let next: number | undefined = start;
  while (next !== undefined) {
    if (seen.has(next)) throw pdfMalformed('cross-reference /Prev chain loops', { offset: next });
    if (sections.length >= MAX_SECTIONS) throw pdfMalformed('too many cross-reference sections');
    seen.add(next);
    const section = readXrefSection(source, next, budget);
    sections.push(section);
    const prev = section.trailer.get('Prev');
    if (prev === undefined || prev === null) next = undefined;
    else if (typeof prev === 'number' && Number.isInteger(prev) && prev >= 0 && prev < source.length) next = prev;
    else throw pdfMalformed('bad /Prev offset', { prev: String(prev) });
  }
  return sections;
}

export function readXrefSection(source: ByteSource, offset: number, budget: WorkBudget): XrefSection {
  return parseWindowed(source, offset, budget, (p) => (p.peekKeyword() === 'xref' ? readXrefTable(source, p, offset, budget) : readXrefStreamAt(p, offset, budget)));
}

function readXrefTable(source: ByteSource, p: ObjectParser, offset: number, budget: WorkBudget): XrefSection {
  p.expectKeyword('xref');
  const entries = new Map<number, XrefEntry>();
  const duplicates: number[] = [];
  const define = (num: number, e: XrefEntry): void => {
    const cur = entries.get(num);
    if (cur === undefined) entries.set(num, e);
    else if (!sameEntry(cur, e) && duplicates.length < MAX_RECORDED && !duplicates.includes(num)) duplicates.push(num);
  };
  for (;;) {
    const kw = p.peekKeyword();
    if (kw === 'trailer') break;
    const first = p.readInt();
    const count = p.readInt();
    // Each entry takes 20 bytes (18 at the very least): a count the file cannot hold is a lie.
    if (count * 18 > source.length - p.offset) throw pdfMalformed('cross-reference subsection larger than the file', { offset, count });
    p.need(count * 20 + 64); // the rows and the next keyword, in one window read rather than step by step
    for (let i = 0; i < count; i++) {
      budget.tick();
      let off: number;
      let gen: number;
      let t: number | undefined;
      p.skipWhitespace();
      const fixed = fixedEntry(p);
      if (fixed) {
        // The standard 20-byte row, read without the tokenizer (a million-object file has a million rows).
        [off, gen, t] = fixed;
        p.pos += 18;
      } else {
        off = p.readInt();
        gen = p.readInt();
        p.skipWhitespace();
        t = p.has(p.pos) ? p.bytes[p.pos] : undefined;
        if (t !== 0x6e && t !== 0x66) throw pdfMalformed('bad cross-reference entry', { offset: p.pos });
        p.pos++;
      }
      const num = first + i;
      if (t === 0x6e) {
        if (num === 0) continue; // object 0 is always free; some writers mark it "n" by mistake
        define(num, { type: 'offset', offset: off, gen });
      } else define(num, { type: 'free', gen });
    }
  }
  p.expectKeyword('trailer');
  const trailer = p.parseObject();
  if (!(trailer instanceof PdfDict)) throw pdfMalformed('trailer is not a dictionary', { offset });
  const section: XrefSection = { offset, kind: 'table', entries, trailer, end: p.offset, duplicates, hybridConflicts: [] };
  const xrefStm = trailer.get('XRefStm');
  if (typeof xrefStm === 'number' && Number.isInteger(xrefStm) && xrefStm >= 0 && xrefStm < source.length) {
    // Hybrid file: the stream lists objects (typically compressed ones) the table does not know.
    // The stream's entries are preferred, as PDF 32000 7.5.8.4 says for such readers.
    const stm = parseWindowed(source, xrefStm, budget, (q) => readXrefStreamAt(q, xrefStm, budget));
    for (const [num, e] of stm.entries) {
      const cur = entries.get(num);
      if (cur === undefined || cur.type === 'free') entries.set(num, e);
      // A reader of the table alone and a reader of the stream would take different objects.
      else if (e.type !== 'free' && !sameEntry(cur, e)) section.hybridConflicts.push(num);
    }
    section.duplicates.push(...stm.duplicates.filter((n) => !section.duplicates.includes(n)));
    section.xrefStm = xrefStm;
    section.xrefStmEnd = stm.end;
  }
  return section;
}

function readXrefStreamAt(p: ObjectParser, offset: number, budget: WorkBudget): XrefSection {
  const obj = p.parseIndirectObject(undefined, () => {
    throw pdfMalformed('xref stream /Length must be direct', { offset });
  });
  const stream = obj.value;
  if (!(stream instanceof PdfStream) || stream.dict.getName('Type') !== 'XRef') throw pdfMalformed('cross-reference offset does not point to an xref table or stream', { offset });
  const d = stream.dict;
  const w = d.get('W');
  if (!(w instanceof PdfArray) || w.length !== 3 || !w.items.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 8)) {
    throw pdfMalformed('xref stream /W is invalid', { offset });
  }
  const [w0, w1, w2] = w.items as number[];
  const rowLen = w0! + w1! + w2!;
  if (rowLen === 0) throw pdfMalformed('xref stream /W is all zeros', { offset });
  const size = d.get('Size');
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw pdfMalformed('xref stream /Size is invalid', { offset });
  const direct = (o: PdfObject | undefined): PdfObject | undefined => o;
  const data = decodeStream(stream, direct, budget).data;
  const index = d.get('Index');
  let ranges: number[];
  if (index === undefined) ranges = [0, size];
  else if (index instanceof PdfArray && index.length % 2 === 0 && index.items.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) ranges = index.items as number[];
  else throw pdfMalformed('xref stream /Index is invalid', { offset });
  const entries = new Map<number, XrefEntry>();
  const duplicates: number[] = [];
  const define = (num: number, e: XrefEntry): void => {
    const cur = entries.get(num);
    if (cur === undefined) entries.set(num, e);
    else if (!sameEntry(cur, e) && duplicates.length < MAX_RECORDED && !duplicates.includes(num)) duplicates.push(num);
  };
  let pos = 0;
  for (let r = 0; r < ranges.length; r += 2) {
    const first = ranges[r]!;
    const count = ranges[r + 1]!;
    if (pos + count * rowLen > data.length) throw pdfMalformed('xref stream shorter than its /Index says', { offset });
    for (let i = 0; i < count; i++) {
      budget.tick();
      const type = w0 === 0 ? 1 : readBE(data, pos, w0!);
      const f2 = readBE(data, pos + w0!, w1!);
      const f3 = readBE(data, pos + w0! + w1!, w2!);
      pos += rowLen;
      const num = first + i;
      if (type === 0) define(num, { type: 'free', gen: f3 });
      else if (type === 1) { if (num !== 0) define(num, { type: 'offset', offset: f2, gen: f3 }); }
      else if (type === 2) define(num, { type: 'compressed', stream: f2, index: f3 });
      // Other types are reserved and mean "null object": ignore them.
    }
  }
  return { offset, kind: 'stream', entries, trailer: d, end: p.offset, duplicates, hybridConflicts: [] };
}

/** `oooooooooo ggggg n` at `at` (10 digits, space, 5 digits, space, n or f), else undefined. */
function fixedEntry(p: ObjectParser): [number, number, number] | undefined {
  const b = p.bytes;
  const at = p.pos;
  if (!p.has(at + 17) || b[at + 10] !== 0x20 || b[at + 16] !== 0x20) return undefined;
  const t = b[at + 17]!;
  if (t !== 0x6e && t !== 0x66) return undefined;
  let off = 0;
  for (let i = 0; i < 10; i++) { const d = b[at + i]! - 0x30; if (d < 0 || d > 9) return undefined; off = off * 10 + d; }
  let gen = 0;
  for (let i = 11; i < 16; i++) { const d = b[at + i]! - 0x30; if (d < 0 || d > 9) return undefined; gen = gen * 10 + d; }
  // The row must end there: a regular character right after would make it another token.
  if (p.has(at + 18) && !isWhite(b[at + 18]!)) return undefined;
  return [off, gen, t];
}

function readBE(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + b[at + i]!;
  return v;
}

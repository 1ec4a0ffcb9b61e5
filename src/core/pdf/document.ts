import { PdfArray, PdfDict, PdfObject, PdfRef, PdfStream, isNumber } from './objects';
import { ObjectParser } from './object-parser';
import { decodeStream, DecodedStream } from './filters';
import { findStartXref, MAX_RECORDED, readXrefChain, XrefEntry, XrefSection } from './xref';
import { pdfEncrypted, pdfMalformed } from './pdf-errors';
import { WorkBudget } from './work-budget';
import { isSealDeskError } from '../errors';
import { checkPageCount, readPages, PdfPage } from './pages';
import { readSignatureFields, SignatureField } from './signature-fields';

/**
 * One revision of the file: the bytes from 0 to `end` form the document as it was saved then.
 * Revision 0 is the original; each incremental update adds one.
 */
export interface Revision {
  index: number;
  /** Offset right after this revision's `%%EOF` (and the end-of-line that follows it, if any). */
  end: number;
  /** Offset right after the `%%EOF` marker itself (before its end-of-line). */
  eofEnd: number;
  /** The cross-reference sections saved in this revision (usually one). */
  xrefOffsets: number[];
  kind: 'table' | 'stream';
  trailer: PdfDict;
  /** The entries this revision's xref sections declare: objects it adds, changes or frees. */
  entries: Map<number, XrefEntry>;
}

export interface OpenPdfOptions {
  /** Wall-clock bound on parsing work (ms); defaults to 30 s. */
  maxMillis?: number;
  /**
   * The document's budget, when one operation opens the same document more than once (stamping
   * re-reads it after each seal): the work and the decoded bytes of all readings count together.
   */
  budget?: WorkBudget;
}

/** One object stream's header as the stream itself gives it. */
export interface ObjectStreamHeader {
  /** [object number, offset after /First] in the order the header lists them. */
  slots: Array<[number, number]>;
  /** Object numbers the header lists more than once. */
  duplicates: number[];
}

const MAX_REF_HOPS = 32;
/** Decoded object streams kept in memory at once. */
const MAX_CACHED_OBJECT_STREAMS = 64 * 1024 * 1024;
/** PDF 32000 Annex C suggests 8,388,607 indirect objects; allow some headroom, refuse absurd sizes. */
const MAX_OBJECTS = 10_000_000;

/**
 * A parsed PDF file. Only the cross-reference data is read up front; objects are parsed on first
 * use and cached. Every failure is a SealDeskError PDF_MALFORMED (or PDF_ENCRYPTED).
 */
export class PdfDocument {
  readonly revisions: Revision[];
  /** The newest trailer. */
  readonly trailer: PdfDict;
  /** The offset the file's last `startxref` gives: where a new update's /Prev must point. */
  readonly startxref: number;
  /** The style of the section `startxref` points to; an update continues in the same style. */
  readonly xrefKind: 'table' | 'stream';
  /** Newest first, as the /Prev chain runs. */
  private readonly chain: { section: XrefSection; revision: number }[];
  private readonly cache = new Map<string, PdfObject>();
  private readonly inProgress = new Set<string>();
  /** Streams with an indirect /Length, by cache key: their parse depends on the revision's length. */
  private readonly lengthDependent = new Map<string, PdfRef>();
  /** Decoded object streams by the file offset of the stream object, bounded in total size. */
  private readonly objStmCache = new Map<number, { data: Uint8Array; offsets: Map<number, number>; first: number; header: ObjectStreamHeader }>();
  private objStmCached = 0;
  private pagesCache: PdfPage[] | undefined;

  constructor(readonly bytes: Uint8Array, readonly budget: WorkBudget) {
    const { startxref } = findStartXref(bytes);
    const sections = readXrefChain(bytes, startxref, budget);
    this.startxref = startxref;
    this.xrefKind = sections[0]!.kind;
    this.trailer = sections[0]!.trailer;
    const declaredSize = this.trailer.get('Size');
    if (!isNumber(declaredSize) || !Number.isInteger(declaredSize) || declaredSize < 1 || declaredSize > MAX_OBJECTS) {
      throw pdfMalformed('the trailer /Size is missing or impossible', { size: String(declaredSize) });
    }
    if (sections.some((s) => s.trailer.has('Encrypt'))) throw pdfEncrypted();
    // Group sections by the %%EOF that closes them; a revision ends at the first %%EOF after its xref.
    // A file whose newest section is not closed by %%EOF was cut off while being written or sent.
    if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf('%%EOF', sections[0]!.end, 'latin1') < 0) {
      throw pdfMalformed('the file is truncated (no %%EOF after the last cross-reference section)');
    }
    const byEnd = new Map<number, { eofEnd: number; sections: XrefSection[] }>();
    for (const s of sections) {
      const { end, eofEnd } = findEofAfter(bytes, s.end);
      const g = byEnd.get(end) ?? { eofEnd, sections: [] };
      g.sections.push(s);
      byEnd.set(end, g);
    }
    const ends = [...byEnd.keys()].sort((a, b) => a - b);
    this.revisions = ends.map((end, index) => {
      const g = byEnd.get(end)!;
      // Sections inside one revision: the one that came first in the chain (newest) has the trailer.
      const ordered = sections.filter((s) => g.sections.includes(s));
      const entries = new Map<number, XrefEntry>();
      for (const s of [...ordered].reverse()) for (const [k, v] of s.entries) entries.set(k, v);
      return { index, end, eofEnd: g.eofEnd, xrefOffsets: ordered.map((s) => s.offset), kind: ordered[0]!.kind, trailer: ordered[0]!.trailer, entries };
    });
    this.chain = sections.map((section) => ({ section, revision: ends.indexOf(findEofAfter(bytes, section.end).end) }));
  }

  /**
   * Parses every object in use in the newest revision (stream data is located, not decoded).
   * Stamping calls it so that a damaged file (a wrong /Length, a dangling offset) is refused
   * before a signature is put on it; it costs one pass over the objects, not over the bytes.
   */
  checkAllObjects(): void {
    const seen = new Set<number>();
    for (const { section } of this.chain) {
      for (const [num, e] of section.entries) {
        if (seen.has(num)) continue;
        seen.add(num);
        if (e.type === 'offset') this.getObject(new PdfRef(num, e.gen));
        else if (e.type === 'compressed') this.getObject(new PdfRef(num, 0));
      }
    }
  }

  /** The cross-reference sections, newest first, each with the revision it belongs to. */
  xrefSections(): ReadonlyArray<{ readonly section: XrefSection; readonly revision: number }> {
    return this.chain;
  }

  /**
   * What starts at a file offset: the `num gen obj` header there and where the object ends
   * (after `endobj`), or undefined when no object header is there.
   */
  objectAt(offset: number): { num: number; gen: number; end: number } | undefined {
    if (offset < 0 || offset >= this.bytes.length) return undefined;
    const p = new ObjectParser(this.bytes, offset, this.budget);
    try {
      const o = p.parseIndirectObject(undefined, (lenRef) => this.resolve(lenRef) ?? null);
      return { num: o.num, gen: o.gen, end: p.pos };
    } catch (e) {
      if (isSealDeskError(e) && e.code === 'PDF_TOO_COMPLEX') throw e;
      return undefined;
    }
  }

  /** The header of the object stream `streamNum` as of a revision (decoded once). */
  objectStreamHeader(streamNum: number, revision?: number): ObjectStreamHeader {
    return this.objectStream(streamNum, revision).header;
  }

  /** The document catalog (/Root). */
  get catalog(): PdfDict {
    const root = this.resolve(this.trailer.get('Root'));
    if (!(root instanceof PdfDict)) throw pdfMalformed('the trailer has no document catalog (/Root)');
    return root;
  }

  /** The xref entry for an object as of a revision (default: the newest). */
  entryOf(num: number, revision = this.revisions.length - 1): XrefEntry | undefined {
    for (const { section, revision: r } of this.chain) {
      if (r > revision) continue;
      const e = section.entries.get(num);
      if (e) return e;
    }
    return undefined;
  }

  /** Parses (once) and returns an indirect object; a missing or free one is null, as the spec says. */
  getObject(ref: PdfRef, opts: { revision?: number } = {}): PdfObject {
    const e = this.entryOf(ref.num, opts.revision);
    if (!e || e.type === 'free') return null;
    if (e.type === 'offset' && e.gen !== ref.gen) return null;
    if (e.type === 'compressed' && ref.gen !== 0) return null;
    // The key names the object as well as the place: an xref entry pointing at another object's
    // bytes must fail on the object header, never be answered from the cache.
    const key = e.type === 'offset' ? `o${e.offset}:${ref.num}:${ref.gen}` : `c${this.objectStreamOffset(e.stream, opts.revision)}:${ref.num}`;
    // A stream whose /Length is indirect reads as far as that length says in the revision asked
    // for: a later revision that rewrites the length object must not change the earlier view.
    const lengthRef = this.lengthDependent.get(key);
    const hit = this.cache.get(lengthRef ? `${key}|${this.entryTag(lengthRef, opts.revision)}` : key);
    if (hit !== undefined) return hit;
    if (this.inProgress.has(key)) throw pdfMalformed('reference loop while reading an object', { object: ref.key });
    this.inProgress.add(key);
    try {
      this.budget.tick();
      const value = e.type === 'offset' ? this.parseAt(e.offset, ref, opts.revision) : this.parseCompressed(e.stream, ref.num, opts.revision);
      const len = value instanceof PdfStream ? value.dict.get('Length') : undefined;
      if (len instanceof PdfRef) {
        this.lengthDependent.set(key, len);
        this.cache.set(`${key}|${this.entryTag(len, opts.revision)}`, value);
      } else this.cache.set(key, value);
      return value;
    } catch (err) {
      if (isSealDeskError(err)) throw err;
      throw pdfMalformed('object cannot be read', { object: ref.key }, err);
    } finally {
      this.inProgress.delete(key);
    }
  }

  /** Follows references until a direct object (bounded: chains of references cannot loop). */
  resolve(o: PdfObject | undefined, opts: { revision?: number } = {}): PdfObject | undefined {
    let cur = o;
    for (let hops = 0; cur instanceof PdfRef; hops++) {
      if (hops >= MAX_REF_HOPS) throw pdfMalformed('reference chain too long or looping');
      cur = this.getObject(cur, opts);
    }
    return cur;
  }

  resolveDict(o: PdfObject | undefined, opts: { revision?: number } = {}): PdfDict | undefined {
    const v = this.resolve(o, opts);
    if (v instanceof PdfDict) return v;
    if (v instanceof PdfStream) return v.dict;
    return undefined;
  }

  resolveArray(o: PdfObject | undefined): PdfArray | undefined {
    const v = this.resolve(o);
    return v instanceof PdfArray ? v : undefined;
  }

  resolveNumber(o: PdfObject | undefined): number | undefined {
    const v = this.resolve(o);
    return isNumber(v) ? v : undefined;
  }

  /** Decoded stream data (image filters such as DCT are left encoded and named), charged to the budget. */
  decode(stream: PdfStream): DecodedStream {
    return decodeStream(stream, (o) => this.resolve(o), this.budget);
  }

  /** The byte offset where an indirect object starts in the file, or undefined if compressed/free. */
  offsetOf(num: number, revision?: number): number | undefined {
    const e = this.entryOf(num, revision);
    return e && e.type === 'offset' ? e.offset : undefined;
  }

  /** The highest object number + 1 known to the newest trailer or xref. */
  get size(): number {
    let max = 0;
    for (const { section } of this.chain) for (const k of section.entries.keys()) if (k + 1 > max) max = k + 1;
    const s = this.trailer.get('Size');
    return isNumber(s) && s > max ? s : max;
  }

  pages(): PdfPage[] {
    if (!this.pagesCache) this.pagesCache = readPages(this);
    return this.pagesCache;
  }

  /** A page's content: its content streams decoded and joined with newlines, as viewers do. */
  pageContent(page: PdfPage): Uint8Array {
    const c = this.resolve(page.dict.get('Contents'));
    const items = c instanceof PdfArray ? c.items : c === undefined ? [] : [c];
    const parts: Uint8Array[] = [];
    for (const item of items) {
      const s = this.resolve(item);
      if (s instanceof PdfStream) parts.push(this.decode(s).data, Buffer.from('\n'));
    }
    return Buffer.concat(parts);
  }

  signatureFields(): SignatureField[] {
    return readSignatureFields(this);
  }

  private parseAt(offset: number, ref: PdfRef, revision?: number): PdfObject {
    if (offset < 0 || offset >= this.bytes.length) throw pdfMalformed('object offset outside the file', { object: ref.key, offset });
    const p = new ObjectParser(this.bytes, offset, this.budget);
    return p.parseIndirectObject(ref, (lenRef) => this.resolve(lenRef, { revision }) ?? null).value;
  }

  /** Which definition of an object a revision sees, as a cache tag. */
  private entryTag(ref: PdfRef, revision?: number): string {
    const e = this.entryOf(ref.num, revision);
    if (!e || e.type === 'free') return 'free';
    if (e.type === 'offset') return `o${e.offset}`;
    try { return `c${this.objectStreamOffset(e.stream, revision)}:${e.index}`; } catch { return 'broken'; }
  }

  /** Where the object stream `streamNum` is, as of a revision: the same number may be rewritten later. */
  private objectStreamOffset(streamNum: number, revision?: number): number {
    const e = this.entryOf(streamNum, revision);
    if (!e || e.type !== 'offset') throw pdfMalformed('object stream is missing or itself compressed', { stream: streamNum });
    return e.offset;
  }

  private objectStream(streamNum: number, revision?: number): { data: Uint8Array; offsets: Map<number, number>; first: number; header: ObjectStreamHeader } {
    const at = this.objectStreamOffset(streamNum, revision);
    let stm = this.objStmCache.get(at);
    if (stm) {
      // most recently used last: eviction takes the least recently used first
      this.objStmCache.delete(at);
      this.objStmCache.set(at, stm);
    } else {
      const e = this.entryOf(streamNum, revision) as Extract<XrefEntry, { type: 'offset' }>;
      const s = this.getObject(new PdfRef(streamNum, e.gen), { revision });
      if (!(s instanceof PdfStream) || s.dict.getName('Type') !== 'ObjStm') throw pdfMalformed('object stream is not an /ObjStm', { stream: streamNum });
      const n = this.resolveNumber(s.dict.get('N'));
      const first = this.resolveNumber(s.dict.get('First'));
      const data = this.decode(s).data;
      if (n === undefined || first === undefined || !Number.isInteger(n) || !Number.isInteger(first) || n < 0 || first < 0 || first > data.length || n * 4 > first + 4) {
        throw pdfMalformed('object stream header is invalid', { stream: streamNum });
      }
      const hp = new ObjectParser(data.subarray(0, first), 0, this.budget);
      const offsets = new Map<number, number>();
      const header: ObjectStreamHeader = { slots: [], duplicates: [] };
      for (let i = 0; i < n; i++) {
        const on = hp.readInt();
        const oo = hp.readInt();
        header.slots.push([on, oo]);
        if (!offsets.has(on)) offsets.set(on, oo);
        else if (header.duplicates.length < MAX_RECORDED && !header.duplicates.includes(on)) header.duplicates.push(on);
      }
      stm = { data, offsets, first, header };
      // Decoded object streams stay cached, but not without bound (nested object-stream bombs).
      for (const [k, v] of this.objStmCache) {
        if (this.objStmCached + data.length <= MAX_CACHED_OBJECT_STREAMS) break;
        this.objStmCache.delete(k);
        this.objStmCached -= v.data.length;
      }
      this.objStmCache.set(at, stm);
      this.objStmCached += data.length;
    }
    return stm;
  }

  private parseCompressed(streamNum: number, num: number, revision?: number): PdfObject {
    const stm = this.objectStream(streamNum, revision);
    const rel = stm.offsets.get(num);
    if (rel === undefined) throw pdfMalformed('object not found in its object stream', { object: num, stream: streamNum });
    const at = stm.first + rel;
    if (at >= stm.data.length) throw pdfMalformed('object stream offset out of range', { object: num, stream: streamNum });
    // The stream's header is authoritative; the index in the xref entry is only a hint.
    // Objects inside a compressed stream have no file position: their spans are NaN.
    const p = new ObjectParser(stm.data, at, this.budget, Number.NaN);
    return p.parseObject(1);
  }
}

/** Finds the `%%EOF` that closes a section and the end-of-line after it. */
function findEofAfter(bytes: Uint8Array, from: number): { end: number; eofEnd: number } {
  const idx = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf('%%EOF', from, 'latin1');
  if (idx < 0) return { end: bytes.length, eofEnd: bytes.length };
  let end = idx + 5;
  const eofEnd = end;
  if (bytes[end] === 0x0d) end++;
  if (bytes[end] === 0x0a) end++;
  return { end, eofEnd };
}

/** Opens a PDF held in memory. Throws PDF_ENCRYPTED for encrypted files and PDF_MALFORMED otherwise. */
export function openPdf(bytes: Uint8Array, opts: OpenPdfOptions = {}): PdfDocument {
  const budget = opts.budget ?? new WorkBudget(bytes.length, { maxMillis: opts.maxMillis });
  try {
    if (bytes.length < 8 || Buffer.from(bytes.subarray(0, 1024)).indexOf('%PDF-') < 0) throw pdfMalformed('no "%PDF-" header');
    const doc = new PdfDocument(bytes, budget);
    void doc.catalog; // a file without a catalog is not a document: fail now rather than later
    checkPageCount(doc); // a million-page tree is refused before anything walks it
    return doc;
  } catch (e) {
    if (isSealDeskError(e)) throw e;
    // Anything unexpected (RangeError from a hostile length, stack overflow) is still a bad file.
    throw pdfMalformed('unexpected structure', {}, e);
  }
}

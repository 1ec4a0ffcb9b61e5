/**
 * The bytes pdf.js needs before it can draw page 1, found by main when the renderer opens a document
 * (issue 13). pdf.js reads a file by range requests, but before the first page it visits the whole
 * page tree (its last-page check walks every /Kids entry): a scan with 500 pages directly under the
 * root /Pages would cost 500 small sequential round trips. Main reads the cross-reference sections
 * and the page tree objects with positioned reads (a few KB each, never the whole file) and answers
 * the chunk-aligned ranges holding them in one response (document-ranges.ts), which the renderer
 * keeps so that pdf.js's requests for them are answered from memory.
 *
 * Parsing is core's (PdfDocument over a sparse buffer: only the windows read are filled); any
 * failure (a damaged file, a tree past the cap) ends the walk with what was found so far — pdf.js
 * then requests the rest itself, as before.
 */
import fs from 'node:fs';
import { PdfDocument } from '../core/pdf/document';
import { MemorySource } from '../core/pdf/byte-source';
import { PdfArray, PdfDict, PdfRef } from '../core/pdf/objects';
import { WorkBudget } from '../core/pdf/work-budget';

/** A byte range [begin, end) of the file. */
export interface ByteRange { begin: number; end: number }

export interface PageTreeOptions {
  /** pdf.js's chunk size: every range begins on a chunk and ends on one (or at the end of the file). */
  chunkSize: number;
  /** The most bytes answered; the walk stops when the page tree needs more. */
  maxBytes: number;
}

/** Files above this are left to pdf.js alone (the sparse buffer is the file's length). */
const MAX_FILE = 2 * 1024 * 1024 * 1024;
/** How far past an xref section's start it may reach (a table of 200,000 entries). */
const XREF_WINDOW = 4 * 1024 * 1024;
/** At most this much of one object is read and sent (page dictionaries are a few hundred bytes; a longer picture comes in part). */
const MAX_NODE = 256 * 1024;
const MAX_XREF_SECTIONS = 32;

class SparseFile {
  readonly bytes: Uint8Array;
  /** Chunk indexes read so far. */
  readonly chunks = new Set<number>();
  constructor(private readonly fd: number, readonly size: number, private readonly chunkSize: number) {
    // Zero-filled lazily by the system: only the pages written to become resident.
    this.bytes = new Uint8Array(size);
  }

  /** Makes bytes [begin, end) present, reading the whole chunks around them. */
  fill(begin: number, end: number): void {
    const first = Math.floor(Math.max(0, begin) / this.chunkSize);
    const last = Math.ceil(Math.min(end, this.size) / this.chunkSize);
    for (let c = first; c < last; c++) {
      if (this.chunks.has(c)) continue;
      const at = c * this.chunkSize;
      const n = Math.min(this.chunkSize, this.size - at);
      fs.readSync(this.fd, this.bytes, at, n, at);
      this.chunks.add(c);
    }
  }
}

/** The /Prev of the xref section starting at `offset`, read from its text (a table's trailer or a stream's dictionary). */
function prevOf(bytes: Uint8Array, offset: number, windowEnd: number): number | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + offset, windowEnd - offset).toString('latin1');
  const trailerAt = text.startsWith('xref') ? text.indexOf('trailer') : 0;
  const m = /\/Prev\s+(\d{1,15})/.exec(text.slice(Math.max(0, trailerAt), trailerAt + 64 * 1024));
  return m ? Number(m[1]) : undefined;
}

/** Merges chunk indexes into ranges of whole chunks (the last may end at the end of the file). */
function toRanges(chunks: Iterable<number>, chunkSize: number, size: number): ByteRange[] {
  const sorted = [...chunks].sort((a, b) => a - b);
  const out: ByteRange[] = [];
  for (const c of sorted) {
    const begin = c * chunkSize;
    const end = Math.min(begin + chunkSize, size);
    const last = out[out.length - 1];
    if (last && last.end === begin) last.end = end;
    else out.push({ begin, end });
  }
  return out;
}

/**
 * The chunk-aligned ranges of `file` that hold its header, cross-reference sections, trailer,
 * catalog, document information, page tree (every /Pages node and page dictionary) and page 1's
 * content streams and XObjects (each up to its first 256 KB), at most
 * opts.maxBytes of them; [] when the file cannot be read this way.
 */
export function pageTreeRanges(file: string, opts: PageTreeOptions): ByteRange[] {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 16 || size > MAX_FILE) return [];
    const sparse = new SparseFile(fd, size, opts.chunkSize);
    // The header and the tail with startxref.
    sparse.fill(0, 1024);
    sparse.fill(size - 4096, size);
    // Every xref section along /Prev, each with a window big enough for its table or stream.
    const tail = Buffer.from(sparse.bytes.buffer, size - Math.min(size, 4096)).toString('latin1');
    const m = /startxref\s+(\d{1,15})\s*%%EOF\s*$/.exec(tail) ?? /startxref\s+(\d{1,15})/.exec(tail.slice(tail.lastIndexOf('startxref')));
    let next = m ? Number(m[1]) : undefined;
    for (let i = 0; next !== undefined && next < size && i < MAX_XREF_SECTIONS; i++) {
      const windowEnd = Math.min(size, next + XREF_WINDOW);
      sparse.fill(next, windowEnd);
      next = prevOf(sparse.bytes, next, windowEnd);
    }
    const doc = new PdfDocument(new MemorySource(sparse.bytes), new WorkBudget(size, { maxMillis: 2000 }));
    // What is answered: the xref sections themselves (not the windows read around them), header, tail.
    const answer = new Set<number>();
    const addRange = (begin: number, end: number) => {
      for (let c = Math.floor(begin / opts.chunkSize); c * opts.chunkSize < end; c++) answer.add(c);
    };
    addRange(0, Math.min(size, 1024));
    addRange(size - Math.min(size, 4096), size);
    for (const { section } of doc.xrefSections()) addRange(section.offset, section.end);
    const budgetChunks = Math.floor(opts.maxBytes / opts.chunkSize);
    // Cross-reference data past the cap alone: pdf.js reads it itself, as it would without this.
    if (answer.size > budgetChunks) return [];

    const offsets = new Set<number>();
    for (const r of doc.revisions) for (const e of r.entries.values()) if (e.type === 'offset') offsets.add(e.offset);
    const sortedOffsets = [...offsets].sort((a, b) => a - b);
    const extentOf = (offset: number): number => {
      let lo = 0;
      let hi = sortedOffsets.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sortedOffsets[mid]! <= offset) lo = mid + 1;
        else hi = mid;
      }
      return Math.min(sortedOffsets[lo] ?? size, offset + MAX_NODE, size);
    };
    /** Reads an object's bytes (or its object stream's); false when the cap would be passed. */
    const bring = (ref: PdfRef): boolean => {
      const e = doc.entryOf(ref.num);
      let offset: number | undefined;
      if (e?.type === 'offset') offset = e.offset;
      else if (e?.type === 'compressed') offset = doc.offsetOf(e.stream);
      if (offset === undefined) return true;
      // An object stream is read whole (to be decoded); only its own extent is answered either way.
      const end = extentOf(offset);
      sparse.fill(offset, end);
      addRange(offset, end);
      return answer.size <= budgetChunks;
    };

    const root = doc.trailer.get('Root');
    const info = doc.trailer.get('Info');
    if (info instanceof PdfRef) bring(info);
    let firstPage: PdfDict | undefined;
    /** Page 1's content streams and the pictures and forms its own /Resources name: what drawing it reads next. */
    const bringFirstPage = (page: PdfDict): void => {
      const contents = page.get('Contents');
      for (const c of contents instanceof PdfArray ? contents.items : [contents]) if (c instanceof PdfRef && !bring(c)) return;
      let resources = page.get('Resources');
      if (resources instanceof PdfRef) {
        if (!bring(resources)) return;
        resources = doc.getObject(resources);
      }
      if (!(resources instanceof PdfDict)) return;
      let xobjects = resources.get('XObject');
      if (xobjects instanceof PdfRef) {
        if (!bring(xobjects)) return;
        xobjects = doc.getObject(xobjects);
      }
      if (!(xobjects instanceof PdfDict)) return;
      for (const x of xobjects.entries.values()) if (x instanceof PdfRef && !bring(x)) return;
    };
    const toVisit: unknown[] = [];
    const seen = new Set<number>();
    try {
      if (root instanceof PdfRef && bring(root)) {
        const catalog = doc.getObject(root);
        if (catalog instanceof PdfDict) toVisit.push(catalog.get('Pages'));
      }
      while (toVisit.length > 0) {
        const node = toVisit.pop();
        if (!(node instanceof PdfRef) || seen.has(node.num)) continue;
        seen.add(node.num);
        if (!bring(node)) break;
        const dict = doc.getObject(node);
        if (!(dict instanceof PdfDict)) continue;
        const kids = dict.get('Kids');
        if (kids instanceof PdfArray) for (let i = kids.items.length - 1; i >= 0; i--) toVisit.push(kids.items[i]);
        else firstPage ??= dict;
      }
      if (firstPage) bringFirstPage(firstPage);
    } catch {
      // A damaged node: pdf.js will find it itself; what was found so far still helps.
    }
    return toRanges(answer, opts.chunkSize, size);
  } catch {
    return [];
  } finally {
    fs.closeSync(fd);
  }
}

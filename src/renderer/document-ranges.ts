/**
 * Documents reach pdf.js by range requests (issue 13): pdf.js asks for the byte ranges it needs
 * (PDFDataRangeTransport), each answered by a GET of document/<docId> with a Range header on the
 * app's own origin (src/main/document-ranges.ts answers it, in Electron and in the e2e harness alike).
 * The first page of a big scan is drawn after the header, the cross-reference table and that page's
 * objects have arrived; pdf.js fetches nothing else until it is needed (disableAutoFetch).
 * The chunks fetched stay with the document while it is shown, so that its stamped copy — the same
 * bytes plus an appended update (DocumentRef.extends) — takes them from memory and fetches only what
 * stamping appended.
 */
import { DOCUMENT_RANGE_CHUNK, type DocumentRef } from '../api/contract';
import { ApiFailure } from './api-client';

/**
 * Small chunks: a page tree with every page directly under the root (most scanners write one) makes
 * pdf.js read every page dictionary before the first page (its last-page check), each in its own
 * chunk; main sends those chunks up front in one response (pageTree below), and big objects (page
 * images) still come in one request of many chunks.
 */
export const RANGE_CHUNK_SIZE = DOCUMENT_RANGE_CHUNK;

interface Loaded {
  docId: string;
  /** Fetched chunks by index (chunk i holds bytes i·RANGE_CHUNK_SIZE …). */
  chunks: Map<number, Uint8Array>;
  /** The document this one extends, and how many of its bytes are this one's too. */
  parent?: { loaded: Loaded; length: number };
}

/** The document shown last: the one a stamped copy may extend. */
let shown: Loaded | undefined;

export function documentUrl(docId: string): string {
  return new URL(`document/${docId}`, document.baseURI).href;
}

/** A whole chunk of this document already in memory (its own, or its parent's where the bytes are the same). */
function chunkInMemory(l: Loaded, index: number): Uint8Array | undefined {
  const own = l.chunks.get(index);
  if (own) return own;
  if (l.parent && (index + 1) * RANGE_CHUNK_SIZE <= l.parent.length) return chunkInMemory(l.parent.loaded, index);
  return undefined;
}

function fromMemory(l: Loaded, begin: number, end: number): Uint8Array | undefined {
  if (begin % RANGE_CHUNK_SIZE !== 0) return undefined;
  const parts: Uint8Array[] = [];
  for (let i = begin / RANGE_CHUNK_SIZE; i * RANGE_CHUNK_SIZE < end; i++) {
    const c = chunkInMemory(l, i);
    if (!c) return undefined;
    parts.push(c);
  }
  const out = new Uint8Array(end - begin);
  let at = 0;
  for (const p of parts) {
    const n = Math.min(p.length, out.length - at);
    out.set(p.subarray(0, n), at);
    at += n;
  }
  return at === out.length ? out : undefined;
}

async function fetchRange(l: Loaded, begin: number, end: number): Promise<Uint8Array> {
  const res = await fetch(documentUrl(l.docId), { headers: { Range: `bytes=${begin}-${end - 1}` }, cache: 'no-store' });
  if (res.status === 404) throw new ApiFailure({ code: 'DOCUMENT_UNREADABLE', zh: '文件无法读取(已被移动或删除?)', en: 'The file cannot be read (moved or deleted?)' });
  if (res.status !== 206) throw new Error(`document range ${begin}-${end - 1}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length !== end - begin) throw new Error(`document range ${begin}-${end - 1}: ${bytes.length} bytes`);
  // Kept by whole chunks (pdf.js asks for chunk-aligned ranges), so a later request can be served from memory.
  if (begin % RANGE_CHUNK_SIZE === 0) {
    for (let off = 0; off < bytes.length; off += RANGE_CHUNK_SIZE) l.chunks.set((begin + off) / RANGE_CHUNK_SIZE, bytes.subarray(off, off + RANGE_CHUNK_SIZE));
  }
  return bytes;
}

/**
 * The page tree main found (src/main/page-tree-ranges.ts), in one response: its chunks join the
 * document's, so pdf.js's walk over every page dictionary is answered from memory. A failure only
 * means pdf.js fetches those chunks itself.
 */
async function pageTree(l: Loaded, size: number): Promise<void> {
  try {
    const res = await fetch(`${documentUrl(l.docId)}/page-tree`, { cache: 'no-store' });
    if (res.status !== 200) return;
    const body = new Uint8Array(await res.arrayBuffer());
    const nl = body.indexOf(0x0a);
    const head: unknown = JSON.parse(new TextDecoder().decode(body.subarray(0, nl)));
    const ranges = (head as { ranges?: unknown }).ranges;
    if (!Array.isArray(ranges)) return;
    let at = nl + 1;
    const chunks = new Map<number, Uint8Array>();
    for (const r of ranges as unknown[]) {
      if (!Array.isArray(r) || typeof r[0] !== 'number' || typeof r[1] !== 'number') return;
      const [begin, end] = r as [number, number];
      // Whole chunks only (the last may end the file): anything else is not kept.
      if (begin % RANGE_CHUNK_SIZE !== 0 || end <= begin || end > size || (end % RANGE_CHUNK_SIZE !== 0 && end !== size) || at + end - begin > body.length) return;
      for (let off = begin; off < end; off += RANGE_CHUNK_SIZE) chunks.set(off / RANGE_CHUNK_SIZE, body.subarray(at + off - begin, at + Math.min(end, off + RANGE_CHUNK_SIZE) - begin));
      at += end - begin;
    }
    for (const [i, c] of chunks) l.chunks.set(i, c);
  } catch {
    // Not there or not readable: pdf.js asks for each range itself.
  }
}

/**
 * What a document's range transport reads from: memory where it can, the app's origin otherwise.
 * An answer from memory runs on over the chunks after it that are in memory too (pdf.js keeps all it
 * receives), so the walk over a page tree written in order takes fewer trips to pdf.js's worker.
 */
export function rangeReader(ref: DocumentRef): { ready: Promise<void>; read(begin: number, end: number): Promise<Uint8Array> } {
  const parent = ref.extends && shown?.docId === ref.extends.docId ? { loaded: shown, length: ref.extends.length } : undefined;
  const l: Loaded = { docId: ref.docId, chunks: new Map(), parent };
  shown = l;
  return {
    ready: parent ? Promise.resolve() : pageTree(l, ref.size),
    read: async (begin, end) => {
      const mem = fromMemory(l, begin, end);
      if (!mem || end >= ref.size || end % RANGE_CHUNK_SIZE !== 0) return mem ?? fetchRange(l, begin, end);
      let last = end / RANGE_CHUNK_SIZE;
      while (last * RANGE_CHUNK_SIZE < ref.size && chunkInMemory(l, last)) last++;
      return last === end / RANGE_CHUNK_SIZE ? mem : (fromMemory(l, begin, Math.min(ref.size, last * RANGE_CHUNK_SIZE)) ?? mem);
    },
  };
}

/**
 * Documents reach the renderer's pdf.js by range requests on the app's own origin (issue 13): a GET
 * of /document/<docId> with a Range header answers that byte range of the file, read from disk for
 * this request only, so a 50 MB scan shows its first page after the few chunks that page needs and
 * never travels whole. Electron's app:// protocol handler and the e2e harness's loopback HTTP server
 * both answer through documentResponse(): one code path. Only documents the registry knows (a
 * person opened them) are served; the renderer never names a file.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { DOCUMENT_RANGE_CHUNK } from '../api/contract';
import type { DocumentRegistry } from './document-registry';
import { pageTreeRanges, type ByteRange } from './page-tree-ranges';

/** The path prefix of document data on the app's origin. */
export const DOCUMENT_PATH = '/document/';
/**
 * document/<docId>/page-tree: in one response, the chunk-aligned ranges pdf.js needs before page 1
 * (xref, catalog, every page dictionary: page-tree-ranges.ts). The body is one JSON line
 * {"ranges":[[begin,end],...]} followed by those ranges' bytes in that order.
 */
export const PAGE_TREE_SUFFIX = '/page-tree';
/** At most this much is sent up front; pdf.js requests whatever else it needs. */
export const PAGE_TREE_MAX_BYTES = 4 * 1024 * 1024;

export interface DocumentResponse {
  status: 200 | 206 | 404 | 416;
  headers: Record<string, string>;
  /** Bytes start..end (inclusive) of this file, or bytes made for this answer, when there is a body. */
  body?: { path: string; start: number; end: number } | { bytes: Uint8Array };
}

const COMMON_HEADERS = {
  'Accept-Ranges': 'bytes',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
} as const;

/** The docId of a document data path, or undefined when the path is not one. */
export function documentIdOf(pathname: string): string | undefined {
  if (!pathname.startsWith(DOCUMENT_PATH)) return undefined;
  const rest = pathname.slice(DOCUMENT_PATH.length);
  const id = rest.endsWith(PAGE_TREE_SUFFIX) ? rest.slice(0, -PAGE_TREE_SUFFIX.length) : rest;
  return /^[0-9a-f]{1,64}$/.test(id) ? id : undefined;
}

/** The page-tree answer's body: the JSON line of ranges, then their bytes, read by positioned reads. */
async function pageTreeBody(file: string): Promise<Uint8Array> {
  const ranges: ByteRange[] = pageTreeRanges(file, { chunkSize: DOCUMENT_RANGE_CHUNK, maxBytes: PAGE_TREE_MAX_BYTES });
  const head = Buffer.from(`${JSON.stringify({ ranges: ranges.map((r) => [r.begin, r.end]) })}\n`, 'latin1');
  const total = ranges.reduce((n, r) => n + r.end - r.begin, 0);
  const out = Buffer.alloc(head.length + total);
  head.copy(out, 0);
  const fh = await fs.promises.open(file, 'r');
  try {
    let at = head.length;
    for (const r of ranges) {
      const { bytesRead } = await fh.read(out, at, r.end - r.begin, r.begin);
      if (bytesRead !== r.end - r.begin) throw new Error('the file changed while it was read');
      at += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return out;
}

/** How many bytes a response's body has. */
export function bodyLength(body: NonNullable<DocumentResponse['body']>): number {
  return 'bytes' in body ? body.bytes.length : body.end - body.start + 1;
}

/**
 * One byte range of a single-range header ("bytes=a-b", "bytes=a-", "bytes=-n"), clamped to the
 * file; null for anything else (several ranges, units other than bytes, a start past the end).
 */
export function parseRange(header: string, size: number): { start: number; end: number } | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '') || size === 0) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    return n > 0 ? { start: Math.max(0, size - n), end: size - 1 } : null;
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return Number.isSafeInteger(start) && start <= end ? { start, end } : null;
}

/** What to answer a GET of `pathname` (with its Range header, if any). */
export async function documentResponse(documents: DocumentRegistry, pathname: string, range: string | null | undefined): Promise<DocumentResponse> {
  const docId = documentIdOf(pathname);
  let file: string;
  let size: number;
  try {
    if (!docId) throw new Error('not a document path');
    file = documents.pathOf(docId);
    const st = await fs.promises.stat(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    return { status: 404, headers: { ...COMMON_HEADERS } };
  }
  const headers = { ...COMMON_HEADERS, 'Content-Type': 'application/pdf' };
  documents.noteRead(docId);
  if (pathname.endsWith(PAGE_TREE_SUFFIX)) {
    let bytes: Uint8Array;
    try {
      bytes = await pageTreeBody(file);
    } catch {
      return { status: 404, headers: { ...COMMON_HEADERS } };
    }
    return { status: 200, headers: { ...COMMON_HEADERS, 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) }, body: { bytes } };
  }
  if (!range) {
    return { status: 200, headers: { ...headers, 'Content-Length': String(size) }, body: size > 0 ? { path: file, start: 0, end: size - 1 } : undefined };
  }
  const r = parseRange(range, size);
  if (!r) return { status: 416, headers: { ...COMMON_HEADERS, 'Content-Range': `bytes */${size}` } };
  return {
    status: 206,
    headers: { ...headers, 'Content-Length': String(r.end - r.start + 1), 'Content-Range': `bytes ${r.start}-${r.end}/${size}` },
    body: { path: file, start: r.start, end: r.end },
  };
}

/** The body as a Node stream: a file's range is read from disk as it is sent, never the whole file in memory. */
export function documentBodyStream(body: NonNullable<DocumentResponse['body']>): Readable {
  if ('bytes' in body) return Readable.from([body.bytes]);
  return fs.createReadStream(body.path, { start: body.start, end: body.end, highWaterMark: 64 * 1024 });
}

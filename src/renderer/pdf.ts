/**
 * pdf.js loading: the library is bundled, its worker is served from our own origin (CSP
 * worker-src 'self'), and cmaps/standard fonts come from the app too (no network).
 */
import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { DocumentRef } from '../api/contract';
import { RANGE_CHUNK_SIZE, rangeReader } from './document-ranges';

let lib: Promise<typeof import('pdfjs-dist')> | null = null;

export async function pdfjs() {
  lib ??= import('pdfjs-dist').then((m) => {
    m.GlobalWorkerOptions.workerSrc = new URL('pdf.worker.mjs', document.baseURI).href;
    return m;
  });
  return lib;
}

function commonOptions() {
  const base = document.baseURI;
  return {
    cMapUrl: new URL('cmaps/', base).href,
    cMapPacked: true,
    standardFontDataUrl: new URL('standard_fonts/', base).href,
    isEvalSupported: false,
    enableXfa: false,
  };
}

/** A document from bytes the renderer holds. */
export async function loadPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  const m = await pdfjs();
  // pdf.js takes ownership of (and detaches) the buffer it gets: hand it a copy.
  return m.getDocument({ data: bytes.slice(), ...commonOptions() }).promise;
}

/**
 * An open document, read by byte ranges as pdf.js needs them (document-ranges.ts): the first page is
 * drawn long before a big file has arrived, and nothing is fetched that no page needs.
 */
export async function openDocumentByRanges(ref: DocumentRef): Promise<PDFDocumentProxy> {
  // The page tree first (one response, fetched while pdf.js loads), so that pdf.js's walk before page 1 needs no round trips.
  const reader = rangeReader(ref);
  const m = await pdfjs();
  await reader.ready;
  let failed: ((e: unknown) => void) | undefined;
  const failure = new Promise<never>((_, reject) => { failed = reject; });
  class Transport extends m.PDFDataRangeTransport {
    override requestDataRange(begin: number, end: number): void {
      // A copy: pdf.js transfers what it gets to its worker, which would empty the chunks kept for a stamped copy.
      reader.read(begin, end).then((chunk) => {
        if (this.closed) return;
        try {
          this.onDataRange(begin, chunk.slice());
        } catch {
          // pdf.js cancelled that range meanwhile (the page scrolled away, or another document
          // replaced this one) and asserts on data nobody asked for: it is not wanted any more.
        }
      }, (e: unknown) => failed?.(e));
    }

    closed = false;

    override abort(): void {
      this.closed = true;
      super.abort();
    }
  }
  const task = m.getDocument({
    range: new Transport(ref.size, null),
    length: ref.size,
    rangeChunkSize: RANGE_CHUNK_SIZE,
    disableAutoFetch: true,
    disableStream: true,
    ...commonOptions(),
  });
  try {
    // A range that cannot be read before the document opens fails the opening (pdf.js would wait for it).
    return await Promise.race([task.promise, failure]);
  } catch (e) {
    void task.destroy();
    throw e;
  }
}

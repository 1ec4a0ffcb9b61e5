import crypto from 'node:crypto';
import type { PdfDocument } from '../pdf/document';
import type { PdfPage } from '../pdf/pages';
import { PdfArray, PdfDict, PdfName, PdfString, array, dict, name, textString, type PdfObject } from '../pdf/objects';
import { STRADDLE_EDGES, STRADDLE_KEY, type StraddleEdge } from './straddle-strips';

/**
 * The mark each strip widget of a straddle seal carries, inside the signed revision:
 * `/SealDeskStraddle << /I 2 /N 5 /Edge /right /Page 3 /Pages [1 2 3 4 5] /Digest (…) >>` —
 * which strip it is, of how many, on which edge, on which page of which range, and the SHA-256 of
 * that page's content when it was stamped. The verifier reads it from the revision the signature
 * covers (signed bytes, so it cannot be altered unnoticed) and, for a file rewritten as a whole,
 * from the widgets as they are now, to name the page that went missing, moved or was replaced.
 */
export interface StripMark {
  index: number;
  count: number;
  edge: StraddleEdge;
  /** 1-based page number the strip was stamped on. */
  page: number;
  /** 1-based page numbers of the whole range, in order. */
  pages: number[];
  /** Hex SHA-256 of the page's content streams (decoded) at stamping. */
  digest: string;
}

export function pageContentDigest(doc: PdfDocument, page: PdfPage): string {
  return crypto.createHash('sha256').update(doc.pageContent(page)).digest('hex');
}

export function stripMarkEntry(m: StripMark): Record<string, PdfObject> {
  return {
    [STRADDLE_KEY]: dict({
      I: m.index, N: m.count, Edge: name(m.edge), Page: m.page, Pages: array(m.pages), Digest: textString(m.digest),
    }),
  };
}

/** The strip mark of a widget, or undefined when it has none or it is not well formed. */
export function readStripMark(doc: PdfDocument, widget: PdfDict): StripMark | undefined {
  const d = doc.resolveDict(widget.get(STRADDLE_KEY));
  if (!d) return undefined;
  const index = doc.resolveNumber(d.get('I'));
  const count = doc.resolveNumber(d.get('N'));
  const page = doc.resolveNumber(d.get('Page'));
  const edge = doc.resolve(d.get('Edge'));
  const pagesArr = doc.resolve(d.get('Pages'));
  const digest = doc.resolve(d.get('Digest'));
  if (index === undefined || count === undefined || page === undefined || !(edge instanceof PdfName) || !(pagesArr instanceof PdfArray) || !(digest instanceof PdfString)) return undefined;
  const pages = pagesArr.items.map((x) => doc.resolveNumber(x));
  if (!STRADDLE_EDGES.includes(edge.name as StraddleEdge) || !Number.isInteger(index) || !Number.isInteger(count) || count < 2 || count > 100_000
    || index < 0 || index >= count || pages.length !== count || pages.some((p) => p === undefined || !Number.isInteger(p) || p < 1)) return undefined;
  return { index, count, edge: edge.name as StraddleEdge, page, pages: pages as number[], digest: Buffer.from(digest.bytes).toString('latin1') };
}

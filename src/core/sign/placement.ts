import type { PdfDocument } from '../pdf/document';
import { findKeyword } from './keyword-locator';
import { assertTextExtractionWithinBudget } from '../pdf/text-extraction-budget';
import { keywordNotFound, placementInvalid } from './sign-errors';

/**
 * Where the seal goes (one definition, in the API types the UI shares). A point is the seal's
 * centre in PDF user space (points) on a 1-based page; a keyword centres the seal on the text
 * (自动定位), one occurrence (1-based) or all of them.
 */
import type { Placement } from '../../api/contract';

export type { Placement };

export interface SealCentre {
  pageIndex: number;
  x: number;
  y: number;
}

/** `bytes`: the file, or how to read it whole — only a keyword search needs it (pdf.js reads the text). */
export async function resolvePlacement(doc: PdfDocument, bytes: Uint8Array | (() => Uint8Array), placement: Placement): Promise<SealCentre[]> {
  const pages = doc.pages();
  if (placement.kind === 'point') {
    const { page, x, y } = placement;
    if (!Number.isInteger(page) || page < 1 || page > pages.length) {
      throw placementInvalid(`第 ${page} 页不存在（共 ${pages.length} 页）`, `page ${page} does not exist (the document has ${pages.length})`, { page });
    }
    return [pointOnPage(doc, page - 1, x, y)];
  }
  if (placement.kind !== 'keyword') throw placementInvalid('此处只能用坐标或关键字定位', 'only a point or a keyword places a single seal here', { kind: placement.kind });
  const { text, occurrence } = placement;
  if (occurrence !== 'all' && (!Number.isInteger(occurrence) || occurrence < 1)) {
    throw placementInvalid('关键字序号必须是正整数或 all', 'the occurrence must be a positive integer or "all"', { occurrence });
  }
  assertTextExtractionWithinBudget(doc); // pdf.js decodes without our limits: bombs stop here
  const hits = await findKeyword(typeof bytes === 'function' ? bytes() : bytes, text);
  if (hits.length === 0) throw keywordNotFound(text, occurrence, 0);
  const { dx, dy } = placement.offset ?? { dx: 0, dy: 0 };
  if (!Number.isFinite(dx) || !Number.isFinite(dy)) throw placementInvalid('偏移不是数字', 'the offset is not a number');
  // The offset moves the seal from the keyword (e.g. to the right of "盖章处"); it must stay on the page.
  const moved = (h: SealCentre): SealCentre => (dx === 0 && dy === 0 ? h : pointOnPage(doc, h.pageIndex, h.x + dx, h.y + dy));
  if (occurrence === 'all') return hits.map(moved);
  const hit = hits[occurrence - 1];
  if (!hit) throw keywordNotFound(text, occurrence, hits.length);
  return [moved(hit)];
}

/** A seal centre on a (0-based) page: it must be on the visible part of the page (the crop box), or nobody would see the seal. */
export function pointOnPage(doc: PdfDocument, pageIndex: number, x: number, y: number): SealCentre {
  if (!Number.isFinite(x) || !Number.isFinite(y)) throw placementInvalid('坐标不是数字', 'the coordinates are not numbers');
  const box = doc.pages()[pageIndex]!.cropBox;
  if (x < box[0] || x > box[2] || y < box[1] || y > box[3]) {
    throw placementInvalid(`位置 (${x}, ${y}) 不在第 ${pageIndex + 1} 页的可见区域内`, `(${x}, ${y}) is outside the visible area of page ${pageIndex + 1} [${box.join(' ')}]`, { page: pageIndex + 1, x, y, cropBox: box });
  }
  return { pageIndex, x, y };
}

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

export async function resolvePlacement(doc: PdfDocument, bytes: Uint8Array, placement: Placement): Promise<SealCentre[]> {
  const pages = doc.pages();
  if (placement.kind === 'point') {
    const { page, x, y } = placement;
    if (!Number.isInteger(page) || page < 1 || page > pages.length) {
      throw placementInvalid(`第 ${page} 页不存在（共 ${pages.length} 页）`, `page ${page} does not exist (the document has ${pages.length})`, { page });
    }
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw placementInvalid('坐标不是数字', 'the coordinates are not numbers');
    const box = pages[page - 1]!.cropBox;
    // The centre must be on the visible part of the page (the crop box), or nobody would see the seal.
    if (x < box[0] || x > box[2] || y < box[1] || y > box[3]) {
      throw placementInvalid(`位置 (${x}, ${y}) 不在页面可见区域内`, `(${x}, ${y}) is outside the visible page area [${box.join(' ')}]`, { page, x, y, cropBox: box });
    }
    return [{ pageIndex: page - 1, x, y }];
  }
  const { text, occurrence } = placement;
  if (occurrence !== 'all' && (!Number.isInteger(occurrence) || occurrence < 1)) {
    throw placementInvalid('关键字序号必须是正整数或 all', 'the occurrence must be a positive integer or "all"', { occurrence });
  }
  assertTextExtractionWithinBudget(doc); // pdf.js decodes without our limits: bombs stop here
  const hits = await findKeyword(bytes, text);
  if (hits.length === 0) throw keywordNotFound(text, occurrence, 0);
  if (occurrence === 'all') return hits;
  const hit = hits[occurrence - 1];
  if (!hit) throw keywordNotFound(text, occurrence, hits.length);
  return [hit];
}

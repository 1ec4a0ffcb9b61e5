import { SealDeskError } from '../errors';
import type { PdfDocument } from '../pdf/document';
import type { Box } from '../pdf/pages';
import { addRgba } from '../pdf/image-xobject';
import { POINTS_PER_MM, addImageAppearance } from '../pdf/seal-appearance';
import type { Placement } from './placement';
import type { PlannedWidget } from './impression-plan';
import { displayedPage } from './page-display';
import { selectPages } from './page-selection';
import { placementInvalid } from './sign-errors';
import { cutStrip, maxStrips, picturePixels, stripSlice } from './straddle-strips';
import { pageContentDigest, stripMarkEntry } from './straddle-marker';

type StraddlePlacement = Extract<Placement, { kind: 'straddle' }>;

/**
 * 骑缝章: one strip of the seal picture on the chosen edge of each page of the range, flush with the
 * visible edge (the crop box) as the page is shown (after /Rotate), at `offsetMm` from the top
 * (left and right edges) or the left (top and bottom edges) — the middle of the edge by default.
 * All strips become widgets of one signature (docs/straddle.md says why).
 */
export function planStraddle(doc: PdfDocument, placement: StraddlePlacement, picture: { type: string; data: Uint8Array; widthMm: number; heightMm: number }): PlannedWidget[] {
  const pages = doc.pages();
  const chosen = selectPages(placement.pages, pages.length);
  if (chosen.length < 2) {
    throw new SealDeskError('STRADDLE_NEEDS_TWO_PAGES', `骑缝章至少要盖在两页上：所选范围“${placement.pages}”只有 ${chosen.length} 页，一页上的骑缝章无法把页与页连在一起`,
      `A straddle seal needs at least two pages: the range "${placement.pages}" has ${chosen.length}, and a straddle seal on one page ties no pages together`,
      { details: { pages: placement.pages, count: chosen.length } });
  }
  const pixels = picturePixels(picture);
  const edge = placement.edge;
  if (chosen.length > maxStrips(pixels.width, pixels.height, edge)) {
    throw new SealDeskError('STRADDLE_TOO_MANY_PAGES', `印模图片只有 ${maxStrips(pixels.width, pixels.height, edge)} 像素宽，不能分成 ${chosen.length} 条`,
      `The seal picture is ${maxStrips(pixels.width, pixels.height, edge)} pixels across; it cannot be cut into ${chosen.length} strips`, { details: { pages: chosen.length } });
  }
  const sealW = picture.widthMm * POINTS_PER_MM;
  const sealH = picture.heightMm * POINTS_PER_MM;
  const pageNumbers = chosen.map((i) => i + 1);
  return chosen.map((pageIndex, position) => {
    const page = pages[pageIndex]!;
    const slice = stripSlice(pixels.width, pixels.height, edge, chosen.length, position);
    const w = (sealW * slice.width) / pixels.width;
    const h = (sealH * slice.height) / pixels.height;
    const shown = displayedPage(page);
    const along = placement.offsetMm === undefined ? undefined : placement.offsetMm * POINTS_PER_MM;
    let rect: Box;
    if (edge === 'right' || edge === 'left') {
      const cy = along === undefined ? shown.height / 2 : shown.height - along;
      const x0 = edge === 'right' ? shown.width - w : 0;
      rect = [x0, cy - h / 2, x0 + w, cy + h / 2];
      if (rect[1] < -0.01 || rect[3] > shown.height + 0.01 || w > shown.width) throw offPage(pageIndex, placement);
    } else {
      const cx = along === undefined ? shown.width / 2 : along;
      const y0 = edge === 'top' ? shown.height - h : 0;
      rect = [cx - w / 2, y0, cx + w / 2, y0 + h];
      if (rect[0] < -0.01 || rect[2] > shown.width + 0.01 || h > shown.height) throw offPage(pageIndex, placement);
    }
    const userRect = shown.toUser(rect).map(round2) as Box;
    const digest = pageContentDigest(doc, page);
    return {
      pageIndex,
      draw(update) {
        const img = addRgba(update, cutStrip(pixels, slice));
        const ap = addImageAppearance(update, { image: img.ref, width: w, height: h, pageRotate: page.rotate });
        return {
          appearance: ap.ref, rect: userRect,
          extra: stripMarkEntry({ index: position, count: chosen.length, edge, page: pageIndex + 1, pages: pageNumbers, digest }),
        };
      },
    };
  });
}

function offPage(pageIndex: number, placement: StraddlePlacement): SealDeskError {
  return placementInvalid(`第 ${pageIndex + 1} 页放不下骑缝章的这一条（页面太小，或 --at-offset ${placement.offsetMm ?? ''} 毫米超出了页边）`,
    `the straddle strip does not fit on page ${pageIndex + 1} (the page is too small, or the offset of ${placement.offsetMm ?? ''} mm runs off the edge)`, { page: pageIndex + 1 });
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

import type { Box, PdfPage } from '../pdf/pages';

/**
 * A page as the reader sees it: its visible area (the crop box) turned clockwise by /Rotate.
 * Display coordinates run from the lower-left corner of the shown page, x to the right and y up,
 * in points; `toUser` maps a rectangle given that way back to PDF user space (the widget's /Rect).
 */
export interface DisplayedPage {
  width: number;
  height: number;
  toUser(rect: Box): Box;
}

export function displayedPage(page: Pick<PdfPage, 'cropBox' | 'rotate'>): DisplayedPage {
  const [x0, y0, x1, y1] = page.cropBox;
  const w = x1 - x0;
  const h = y1 - y0;
  const r = page.rotate;
  const turned = r === 90 || r === 270;
  // (u, v) on the shown page → (x, y) in user space; the inverse of turning clockwise by r.
  const point = (u: number, v: number): [number, number] => {
    if (r === 90) return [x0 + w - v, y0 + u];
    if (r === 180) return [x0 + w - u, y0 + h - v];
    if (r === 270) return [x0 + v, y0 + h - u];
    return [x0 + u, y0 + v];
  };
  return {
    width: turned ? h : w,
    height: turned ? w : h,
    toUser(rect: Box): Box {
      const [ax, ay] = point(rect[0], rect[1]);
      const [bx, by] = point(rect[2], rect[3]);
      return [Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by)];
    },
  };
}

/**
 * Units and coordinates. pdf.js renders each page through a viewport (scale, rotation, crop box
 * offset); the same viewport converts a point on screen back to PDF user space exactly, so a seal
 * lands where it was dropped at any zoom and on rotated pages.
 */

/** CSS pixels per PDF point at 100 %: 96 dpi screen over 72 points per inch (real size on screen). */
export const CSS_PX_PER_POINT = 96 / 72;

export const mmToPoints = (mm: number): number => (mm * 72) / 25.4;

/** The pdf.js viewport methods we rely on (PageViewport). */
export interface ViewportLike {
  width: number;
  height: number;
  scale: number;
  rotation: number;
  convertToPdfPoint(x: number, y: number): number[];
  convertToViewportPoint(x: number, y: number): number[];
  convertToViewportRectangle(rect: number[]): number[];
}

/** A point in page CSS pixels (relative to the page's top-left corner) → PDF user space. */
export function cssToPdf(vp: ViewportLike, cssX: number, cssY: number): { x: number; y: number } {
  const [x, y] = vp.convertToPdfPoint(cssX, cssY);
  return { x: round2(x), y: round2(y) };
}

export function pdfToCss(vp: ViewportLike, x: number, y: number): { left: number; top: number } {
  const [left, top] = vp.convertToViewportPoint(x, y);
  return { left, top };
}

/** A PDF rectangle [x1,y1,x2,y2] → CSS box on the page, normalized. */
export function pdfRectToCss(vp: ViewportLike, rect: readonly number[]): { left: number; top: number; width: number; height: number } {
  const [a, b, c, d] = vp.convertToViewportRectangle([...rect]);
  return { left: Math.min(a, c), top: Math.min(b, d), width: Math.abs(c - a), height: Math.abs(d - b) };
}

/** The seal sample's size on screen: its real size in mm at the current zoom (always upright). */
export function sealCssSize(widthMm: number, heightMm: number, scale: number): { width: number; height: number } {
  return { width: mmToPoints(widthMm) * scale, height: mmToPoints(heightMm) * scale };
}

const round2 = (v: number) => Math.round(v * 100) / 100;

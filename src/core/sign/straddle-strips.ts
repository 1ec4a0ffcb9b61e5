import { decodePng, decodeJpeg, imageUnsupported, type RgbaImage } from '../image';

/**
 * Cutting the seal picture into a straddle seal's strips, by the rule of src/api/straddle-strips.ts
 * (shared with the desktop client's preview), and the mark a strip widget carries.
 */
export { STRADDLE_EDGES, maxStrips, stripSlice, type PixelRect, type StraddleEdge } from '../../api/straddle-strips';
import type { PixelRect } from '../../api/straddle-strips';

/** The widget entry that marks a strip (second-class name, kept by qpdf and other rewriters). */
export const STRADDLE_KEY = 'SealDeskStraddle';

export function cutStrip(img: RgbaImage, r: PixelRect): RgbaImage {
  const out = new Uint8Array(r.width * r.height * 4);
  for (let row = 0; row < r.height; row++) {
    const src = ((r.y + row) * img.width + r.x) * 4;
    out.set(img.rgba.subarray(src, src + r.width * 4), row * r.width * 4);
  }
  return { width: r.width, height: r.height, rgba: out };
}

/** The seal picture as pixels: PNG and JPEG (decoded the same way on both sides, so strips compare exactly). */
export function picturePixels(picture: { type: string; data: Uint8Array }): RgbaImage {
  const type = picture.type.toUpperCase();
  if (type === 'PNG') return decodePng(picture.data);
  if (type === 'JPG' || type === 'JPEG') return decodeJpeg(picture.data);
  throw imageUnsupported(`picture type ${picture.type}; use PNG or JPG`);
}

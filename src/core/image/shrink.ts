import type { RgbaImage } from './png';

/**
 * Box-averages a picture down to at most `maxSide` pixels on its longer side (smaller pictures
 * are returned as they are). Colours are averaged by their alpha, so transparent pixels lend no
 * colour to the ink next to them. The copied-seal checks work on such a copy: a seal's features
 * survive at a few hundred pixels, and every later pass then costs the same for any input size.
 */
export function shrinkRgba(img: RgbaImage, maxSide: number): RgbaImage {
  const { width, height, rgba } = img;
  if (width <= maxSide && height <= maxSide) return img;
  const scale = Math.max(width, height) / maxSide;
  const w = Math.max(1, Math.round(width / scale));
  const h = Math.max(1, Math.round(height / scale));
  const acc = new Float64Array(w * h * 4);
  const cnt = new Uint32Array(w * h);
  const colOf = new Uint32Array(width);
  for (let x = 0; x < width; x++) colOf[x] = Math.min(w - 1, Math.floor((x * w) / width));
  for (let y = 0; y < height; y++) {
    const row = Math.min(h - 1, Math.floor((y * h) / height)) * w;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const a = rgba[o + 3]!;
      const t = row + colOf[x]!;
      acc[t * 4] += rgba[o]! * a; acc[t * 4 + 1] += rgba[o + 1]! * a; acc[t * 4 + 2] += rgba[o + 2]! * a; acc[t * 4 + 3] += a;
      cnt[t]++;
    }
  }
  const out = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const a = acc[i * 4 + 3]!;
    if (a > 0) for (let c = 0; c < 3; c++) out[i * 4 + c] = Math.round(acc[i * 4 + c]! / a);
    out[i * 4 + 3] = Math.round(a / (cnt[i] || 1));
  }
  return { width: w, height: h, rgba: out };
}

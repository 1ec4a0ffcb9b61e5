import type { RgbaImage } from './png';

/**
 * Where a seal might sit inside a larger picture — a scanned page with a seal printed or stamped
 * on it, a photograph of a contract. Works on a copy already shrunk to a few hundred pixels per
 * side (shrink.ts), so it costs the same for any scan:
 *  1. red ink: composited on white, R ≥ 100, R − max(G, B) ≥ 40 and R ≥ 1.25 max(G, B) (scanned and
 *     JPEG-compressed seal ink is paler and less pure than a drawn one);
 *  2. the red mask is grown by one pixel (a ring broken by compression joins up again) and split
 *     into connected parts; a part whose box is at least MIN_SIDE pixels a side, at most 2 : 1,
 *     and not most of the picture is a region — parts inside another region's box (the name and
 *     the star inside a seal's ring) belong to it;
 *  3. each region is cut out with a margin, everything that is not red ink turned to paper (the
 *     black text under a stamped seal goes), ready for seal-likeness.ts and seal-fingerprint.ts.
 * Written by hand: no maintained Node library labels connected regions of a pixel mask without a
 * native build (OpenCV bindings), and the task is forty lines.
 */

export interface SealRegion {
  /** The region's box as fractions of the picture: [left, top, right, bottom], top-left origin. */
  box: [number, number, number, number];
  /** The region's pixels, red ink only, on white paper. */
  crop: RgbaImage;
}

const MIN_SIDE = 20;
const MARGIN = 0.08;
const MAX_REGIONS = 24;

function isRed(r: number, g: number, b: number, a: number): boolean {
  const k = a / 255;
  const R = r * k + 255 * (1 - k), G = g * k + 255 * (1 - k), B = b * k + 255 * (1 - k);
  const gb = Math.max(G, B);
  return R >= 100 && R - gb >= 40 && R >= 1.25 * gb;
}

export function findSealRegions(img: RgbaImage): SealRegion[] {
  const { width: w, height: h, rgba } = img;
  const n = w * h;
  const red = new Uint8Array(n);
  for (let i = 0; i < n; i++) red[i] = isRed(rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!, rgba[i * 4 + 3]!) ? 1 : 0;
  const grown = new Uint8Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!red[y * w + x]) continue;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w) grown[yy * w + xx] = 1;
        }
      }
    }
  }
  // Connected parts (4-neighbours) of the grown mask, with their boxes.
  const label = new Int32Array(n);
  const boxes: Array<[number, number, number, number]> = [];
  const stack = new Int32Array(n);
  for (let start = 0; start < n; start++) {
    if (!grown[start] || label[start]) continue;
    const id = boxes.length + 1;
    let top = 0;
    stack[top++] = start;
    label[start] = id;
    let x0 = w, y0 = h, x1 = -1, y1 = -1;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % w, y = (p - x) / w;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      const next = [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1];
      for (const q of next) {
        if (q >= 0 && grown[q] && !label[q]) { label[q] = id; stack[top++] = q; }
      }
    }
    boxes.push([x0, y0, x1 + 1, y1 + 1]);
  }
  const kept = boxes.filter(([x0, y0, x1, y1]) => {
    const bw = x1 - x0, bh = y1 - y0;
    return bw >= MIN_SIDE && bh >= MIN_SIDE && bw <= 2 * bh && bh <= 2 * bw && bw * bh <= 0.6 * n;
  });
  const inside = (a: number[], b: number[]) => a !== b && a[0]! >= b[0]! && a[1]! >= b[1]! && a[2]! <= b[2]! && a[3]! <= b[3]!;
  const regions = kept.filter((b) => !kept.some((o) => inside(b, o))).sort((a, b) => (b[2] - b[0]) * (b[3] - b[1]) - (a[2] - a[0]) * (a[3] - a[1])).slice(0, MAX_REGIONS);
  return regions.map(([x0, y0, x1, y1]) => {
    const mx = Math.round((x1 - x0) * MARGIN), my = Math.round((y1 - y0) * MARGIN);
    const cx0 = Math.max(0, x0 - mx), cy0 = Math.max(0, y0 - my), cx1 = Math.min(w, x1 + mx), cy1 = Math.min(h, y1 + my);
    const cw = cx1 - cx0, ch = cy1 - cy0;
    const out = new Uint8Array(cw * ch * 4);
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) {
        const s = ((cy0 + y) * w + cx0 + x) * 4, t = (y * cw + x) * 4;
        const keep = red[(cy0 + y) * w + cx0 + x];
        out[t] = keep ? rgba[s]! : 255; out[t + 1] = keep ? rgba[s + 1]! : 255; out[t + 2] = keep ? rgba[s + 2]! : 255; out[t + 3] = 255;
      }
    }
    return { box: [cx0 / w, cy0 / h, cx1 / w, cy1 / h], crop: { width: cw, height: ch, rgba: out } };
  });
}

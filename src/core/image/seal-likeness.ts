import type { RgbaImage } from './png';

/**
 * Whether a picture looks like a seal impression (印模) — red ink in a round or oval ring on a
 * transparent or white background — without knowing which seal. A heuristic on decoded pixels,
 * measured on a thumbnail of at most THUMB pixels a side, composited on white:
 *
 *  - paper: transparent (alpha < 64) or near white (every channel ≥ 200, spread ≤ 40);
 *    red ink: R ≥ 110 and R − max(G, B) ≥ 60 and max(G, B) ≤ 0.7 R (a hue within about ±25° of red);
 *    reddish: R − max(G, B) ≥ 25 and R ≥ 1.15 max(G, B) (red ink blended with paper at the edges
 *    of the strokes of a small or re-encoded copy); other ink: everything else.
 *  1. Ink covers 3–65 % of the picture and paper at least 30 %: a photograph or a filled logo
 *     has no paper, a speck has no ink.
 *  2. At least 75 % of the ink is red or reddish.
 *  3. The red ink's box has an aspect between 1 : 2 and 2 : 1 (round and oval seals; a line of
 *     red text is much wider than high).
 *  4. Ellipse: 95 % of the red ink lies inside the ellipse inscribed in that box (radius ≤ 1.06);
 *     a red rectangle or a square logo has its corners outside.
 *  5. Ring: in at least 85 % of 48 angular sectors there is red ink near the ellipse's edge
 *     (radius 0.86–1.06): the border ring of a seal, unbroken or nearly.
 *  6. Content: inside the ring (radius < 0.8) red ink covers 2–55 % of the area: a seal has a
 *     name, a star or a number there; an empty ring or a filled disc does not.
 * A red round logo with writing inside (a ring with a word in it) passes: on a document without a
 * stamp that is a picture worth a second look, and the warning says it matches no known seal.
 */

const THUMB = 160;

export interface SealLikeness {
  sealLike: boolean;
  /** The first rule that failed, for tests and diagnostics. */
  failed?: 'coverage' | 'red' | 'aspect' | 'ellipse' | 'ring' | 'content';
}

/** Box-averages a picture composited on white to at most THUMB pixels a side (alpha kept as coverage). */
function thumbnail(img: RgbaImage): { w: number; h: number; rgb: Uint8Array; paper: Uint8Array } {
  const scale = Math.max(1, Math.max(img.width, img.height) / THUMB);
  const w = Math.max(1, Math.round(img.width / scale));
  const h = Math.max(1, Math.round(img.height / scale));
  const acc = new Float64Array(w * h * 4);
  const cnt = new Float64Array(w * h);
  for (let y = 0; y < img.height; y++) {
    const ty = Math.min(h - 1, Math.floor((y * h) / img.height));
    for (let x = 0; x < img.width; x++) {
      const tx = Math.min(w - 1, Math.floor((x * w) / img.width));
      const o = (y * img.width + x) * 4;
      const a = img.rgba[o + 3]! / 255;
      const t = (ty * w + tx) * 4;
      for (let c = 0; c < 3; c++) acc[t + c] += img.rgba[o + c]! * a + 255 * (1 - a);
      acc[t + 3] += a;
      cnt[ty * w + tx]++;
    }
  }
  const rgb = new Uint8Array(w * h * 3);
  const paper = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const n = cnt[i] || 1;
    const r = acc[i * 4]! / n, g = acc[i * 4 + 1]! / n, b = acc[i * 4 + 2]! / n;
    rgb[i * 3] = r; rgb[i * 3 + 1] = g; rgb[i * 3 + 2] = b;
    const mn = Math.min(r, g, b), mx = Math.max(r, g, b);
    paper[i] = acc[i * 4 + 3]! / n < 0.25 || (mn >= 200 && mx - mn <= 40) ? 1 : 0;
  }
  return { w, h, rgb, paper };
}

export function sealLikeness(img: RgbaImage): SealLikeness {
  const { w, h, rgb, paper } = thumbnail(img);
  const n = w * h;
  const red = new Uint8Array(n);
  let paperCount = 0, inkCount = 0, redCount = 0, reddish = 0;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let i = 0; i < n; i++) {
    if (paper[i]) { paperCount++; continue; }
    inkCount++;
    const r = rgb[i * 3]!, gb = Math.max(rgb[i * 3 + 1]!, rgb[i * 3 + 2]!);
    if (r - gb >= 25 && r >= 1.15 * gb) reddish++;
    if (r >= 110 && r - gb >= 60 && gb <= 0.7 * r) {
      red[i] = 1;
      redCount++;
      const x = i % w, y = (i - x) / w;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
  }
  if (inkCount < 0.03 * n || inkCount > 0.65 * n || paperCount < 0.3 * n) return { sealLike: false, failed: 'coverage' };
  if (reddish < 0.75 * inkCount) return { sealLike: false, failed: 'red' };
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  if (bw < 12 || bh < 12 || bw > 2 * bh || bh > 2 * bw) return { sealLike: false, failed: 'aspect' };
  const cx = x0 + bw / 2, cy = y0 + bh / 2, rx = bw / 2, ry = bh / 2;
  const SECTORS = 48;
  const ring = new Uint8Array(SECTORS);
  let outside = 0, innerRed = 0, innerArea = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
      const rho = Math.sqrt(dx * dx + dy * dy);
      if (rho < 0.8) { innerArea++; if (red[y * w + x]) innerRed++; }
      if (!red[y * w + x]) continue;
      if (rho > 1.06) outside++;
      else if (rho >= 0.86) ring[Math.min(SECTORS - 1, Math.floor(((Math.atan2(dy, dx) + Math.PI) / (2 * Math.PI)) * SECTORS))] = 1;
    }
  }
  if (outside > 0.05 * redCount) return { sealLike: false, failed: 'ellipse' };
  let sectors = 0;
  for (const s of ring) sectors += s;
  if (sectors < 0.85 * SECTORS) return { sealLike: false, failed: 'ring' };
  if (innerArea === 0 || innerRed < 0.02 * innerArea || innerRed > 0.55 * innerArea) return { sealLike: false, failed: 'content' };
  return { sealLike: true };
}

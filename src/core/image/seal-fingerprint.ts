import type { RgbaImage } from './png';
import { shrinkRgba } from './shrink';

/**
 * Compares seal pictures by what they show, not by their bytes, so that a copy survives JPEG
 * re-encoding, rescaling, a pixel cropped off an edge, a flattened alpha channel or a grey copy.
 *
 * A picture becomes an "ink" map: composited on white paper, ink = 255 − the darkest channel
 * (red and black ink both count; paper is 0), and a second "red ink" map (R − max(G, B)), which
 * still finds a seal cut out of a scan together with the black text under it. A map is cut to the
 * box holding its ink (trimmed by 0.2 % of the ink mass on each side, so JPEG specks and empty
 * margins do not move it) and averaged down to small thumbnails. Two pictures match when
 *  - their ink boxes have roughly the same shape (aspect within a factor e^ASPECT_TOLERANCE: a copy
 *    squeezed into another box is still the seal, a round and an oval seal are not the same),
 *  - the difference hashes of 9 × 8 thumbnails differ in at most MAX_HASH_DISTANCE of 64 bits
 *    (the quick test of perceptual-hash image search),
 *  - the GRID × GRID thumbnails inside the ellipse of the box (the outer ring, which every round
 *    seal shares, left out) correlate (Pearson) at MIN_CORRELATION or better, and
 *  - the BITS × BITS ink/no-ink thumbnails agree: at most MAX_MISMATCH of the inked cells of either
 *    have no inked cell of the other within one cell.
 * Thresholds measured on the test seal (test/fixtures/pdf/seal-red.png) and its copies made with
 * ImageMagick — JPEG quality 60–95, 60 to 800 pixels wide, one pixel smaller, cropped by a pixel,
 * grey, alpha flattened, stretched 1.5×: correlation 0.945–1.000 and mismatch ≤ 0.004 on the ink
 * map — against another company's seal drawn in the same style (same ring, same star, other words:
 * 0.87 and 0.026–0.03) and real vendors' seals (../shared/testdata/gm-vendor: ≤ 0.82 and ≥ 0.04).
 */

export const GRID = 32;
export const BITS = 48;
export const MIN_CORRELATION = 0.92;
export const MAX_MISMATCH = 0.01;
export const MAX_HASH_DISTANCE = 14;
export const ASPECT_TOLERANCE = 0.45;
/** Ink weaker than this does not count when finding the ink box. */
const INK_THRESHOLD = 48;
const TRIM = 0.002;
/** The correlation looks inside this share of the box's inscribed ellipse. */
const INNER = 0.86;

export interface SealFingerprint {
  /** Width / height of the ink box. */
  aspect: number;
  /** GRID × GRID ink thumbnail, zero mean and unit length (ready for correlation). */
  grid: Float64Array;
  /** 64-bit difference hash as two 32-bit halves. */
  hash: [number, number];
  /** BITS × BITS: 1 where the cell holds ink. */
  bits: Uint8Array;
}

/** The fingerprints of a picture: of all its ink, and of its red ink alone (when it has any). */
export interface PictureFingerprints {
  ink?: SealFingerprint;
  red?: SealFingerprint;
}

/** Ink of each pixel composited on white: 0 (paper) … 255 (full ink); `red` counts red ink only. */
export function inkMap(img: RgbaImage, red = false): Uint8Array {
  const n = img.width * img.height;
  const ink = new Uint8Array(n);
  const px = img.rgba;
  for (let i = 0; i < n; i++) {
    const a = px[i * 4 + 3]!;
    const r = px[i * 4]!, g = px[i * 4 + 1]!, b = px[i * 4 + 2]!;
    const v = red ? Math.max(0, r - Math.max(g, b)) : 255 - Math.min(r, g, b);
    ink[i] = Math.round((v * a) / 255);
  }
  return ink;
}

/** The box holding the ink, trimmed by a small share of the ink mass on each side; undefined when blank. */
export function inkBox(ink: Uint8Array, width: number, height: number): [number, number, number, number] | undefined {
  const cols = new Float64Array(width);
  const rows = new Float64Array(height);
  let total = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = ink[y * width + x]!;
      if (v < INK_THRESHOLD) continue;
      cols[x] += v; rows[y] += v; total += v;
    }
  }
  if (total === 0) return undefined;
  const span = (a: Float64Array): [number, number] => {
    let lo = 0, acc = 0;
    while (lo < a.length - 1 && acc + a[lo]! <= total * TRIM) acc += a[lo++]!;
    let hi = a.length - 1;
    acc = 0;
    while (hi > lo && acc + a[hi]! <= total * TRIM) acc += a[hi--]!;
    return [lo, hi + 1];
  };
  const [x0, x1] = span(cols);
  const [y0, y1] = span(rows);
  return [x0, y0, x1, y1];
}

/** Area-averages the box of the ink map down to w × h cells. */
function thumbnail(ink: Uint8Array, width: number, box: [number, number, number, number], w: number, h: number): Float64Array {
  const [x0, y0, x1, y1] = box;
  const bw = x1 - x0;
  const bh = y1 - y0;
  const sum = new Float64Array(w * h);
  const count = new Float64Array(w * h);
  for (let y = y0; y < y1; y++) {
    const cy = Math.min(h - 1, Math.floor(((y - y0 + 0.5) * h) / bh));
    for (let x = x0; x < x1; x++) {
      const cx = Math.min(w - 1, Math.floor(((x - x0 + 0.5) * w) / bw));
      sum[cy * w + cx] += ink[y * width + x]!;
      count[cy * w + cx]++;
    }
  }
  // Cells no source pixel fell in (pictures smaller than the grid) take their left neighbour.
  for (let i = 0; i < sum.length; i++) sum[i] = count[i]! > 0 ? sum[i]! / count[i]! : i > 0 ? sum[i - 1]! : 0;
  return sum;
}

/** Fingerprints are taken from a copy at most this many pixels a side (shrink.ts), whatever the input size. */
export const FINGERPRINT_SIDE = 256;

export function fingerprints(picture: RgbaImage): PictureFingerprints {
  const img = shrinkRgba(picture, FINGERPRINT_SIDE);
  return { ink: fingerprintOf(inkMap(img), img.width, img.height), red: fingerprintOf(inkMap(img, true), img.width, img.height) };
}

function fingerprintOf(ink: Uint8Array, width: number, height: number): SealFingerprint | undefined {
  const box = inkBox(ink, width, height);
  if (!box || box[2] - box[0] < 8 || box[3] - box[1] < 8) return undefined;
  const grid = thumbnail(ink, width, box, GRID, GRID);
  const weight = new Float64Array(GRID * GRID);
  let mean = 0;
  let wsum = 0;
  for (let y = 0; y < GRID; y++) {
    for (let x = 0; x < GRID; x++) {
      const dx = ((x + 0.5) / GRID) * 2 - 1, dy = ((y + 0.5) / GRID) * 2 - 1;
      const w = dx * dx + dy * dy < INNER * INNER ? 1 : 0;
      weight[y * GRID + x] = w;
      mean += grid[y * GRID + x]! * w;
      wsum += w;
    }
  }
  mean /= wsum;
  let norm = 0;
  for (let i = 0; i < grid.length; i++) { grid[i] = (grid[i]! - mean) * weight[i]!; norm += grid[i]! * grid[i]!; }
  if (norm === 0) return undefined;
  norm = Math.sqrt(norm);
  for (let i = 0; i < grid.length; i++) grid[i] /= norm;
  const small = thumbnail(ink, width, box, 9, 8);
  const hash: [number, number] = [0, 0];
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      if (small[y * 9 + x + 1]! > small[y * 9 + x]!) {
        const bit = y * 8 + x;
        hash[bit >> 5] = (hash[bit >> 5]! | (1 << (bit & 31))) >>> 0;
      }
    }
  }
  const fine = thumbnail(ink, width, box, BITS, BITS);
  let total = 0;
  for (const v of fine) total += v;
  // Inked: above the mean ink of the box (adapts to faint copies), and above the ink threshold.
  const cut = Math.max(INK_THRESHOLD * 0.8, total / fine.length);
  const bits = new Uint8Array(BITS * BITS);
  for (let i = 0; i < fine.length; i++) bits[i] = fine[i]! > cut ? 1 : 0;
  return { aspect: (box[2] - box[0]) / (box[3] - box[1]), grid, hash, bits };
}

/** The share of inked cells of either map with no inked cell of the other within one cell. */
export function mismatch(a: SealFingerprint, b: SealFingerprint): number {
  const near = (m: Uint8Array, x: number, y: number): boolean => {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < BITS && yy < BITS && m[yy * BITS + xx]) return true;
      }
    }
    return false;
  };
  let bad = 0, all = 0;
  for (let y = 0; y < BITS; y++) {
    for (let x = 0; x < BITS; x++) {
      const i = y * BITS + x;
      if (a.bits[i]) { all++; if (!near(b.bits, x, y)) bad++; }
      if (b.bits[i]) { all++; if (!near(a.bits, x, y)) bad++; }
    }
  }
  return all === 0 ? 1 : bad / all;
}

function popcount(v: number): number {
  let c = 0;
  for (let x = v >>> 0; x; x &= x - 1) c++;
  return c;
}

export function hashDistance(a: SealFingerprint, b: SealFingerprint): number {
  return popcount(a.hash[0] ^ b.hash[0]) + popcount(a.hash[1] ^ b.hash[1]);
}

export function correlation(a: SealFingerprint, b: SealFingerprint): number {
  let s = 0;
  for (let i = 0; i < a.grid.length; i++) s += a.grid[i]! * b.grid[i]!;
  return s;
}

/** Whether two fingerprints show the same seal picture (see the module comment for the tests). */
export function sameFingerprint(a: SealFingerprint, b: SealFingerprint): boolean {
  if (Math.abs(Math.log(a.aspect / b.aspect)) > ASPECT_TOLERANCE) return false;
  if (hashDistance(a, b) > MAX_HASH_DISTANCE) return false;
  return correlation(a, b) >= MIN_CORRELATION && mismatch(a, b) <= MAX_MISMATCH;
}

/** A picture on the page shows a known seal picture: by all its ink, or by its red ink alone. */
export function samePicture(page: PictureFingerprints, known: PictureFingerprints): boolean {
  if (page.ink && known.ink && sameFingerprint(page.ink, known.ink)) return true;
  return !!(page.red && known.red && sameFingerprint(page.red, known.red));
}

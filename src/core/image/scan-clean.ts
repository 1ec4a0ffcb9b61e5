import { SealDeskError } from '../errors';
import type { RgbaImage } from './png';
import { shrinkRgba } from './shrink';

/**
 * Turns a scan or photo of a stamped impression into a seal picture: the paper (its tint and the
 * uneven light of a photo) is modelled by a smooth surface fitted to the brightest pixels of each
 * block, every pixel is divided by it, and the red ink's coverage becomes the alpha channel (the
 * ink's texture stays; black print and paper grain drop out). The impression is then straightened
 * (the rotation that makes it most mirror-symmetric about the vertical axis, as every standard
 * layout is), cropped to its ink, squared (or given the requested aspect) and scaled to the size
 * in millimetres at the requested resolution. Written by hand: no maintained library does seal
 * extraction, and the steps are a few passes over typed arrays.
 */
export interface ScanCleanOptions {
  widthMm: number;
  heightMm: number;
  dpi: number;
  /** Largest rotation searched, degrees (default 20). */
  maxSkewDeg?: number;
}

export interface ScanCleanReport {
  inputPx: [number, number];
  workingPx: [number, number];
  paper: { centre: [number, number, number]; spread: number };
  ink: [number, number, number];
  inkCoverage: number;
  rotationDeg: number;
  symmetry: number;
  deskewed: boolean;
  cropPx: { x: number; y: number; width: number; height: number };
  outputPx: [number, number];
}

const WORKING_SIDE = 1600;

function noInk(): SealDeskError {
  return new SealDeskError('SCAN_NO_INK', '图片中找不到红色印迹', 'No red seal ink was found in the picture');
}

/** Least squares over a quadratic surface in (x, y), with weights: the light and tint of the paper. */
function fitSurface(xs: number[], ys: number[], vs: number[], ws: number[]): (x: number, y: number) => number {
  const terms = (x: number, y: number) => [1, x, y, x * x, x * y, y * y];
  const m = 6;
  const A = Array.from({ length: m }, () => new Float64Array(m + 1));
  for (let i = 0; i < xs.length; i++) {
    if (!ws[i]) continue;
    const t = terms(xs[i]!, ys[i]!);
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < m; c++) A[r]![c]! += ws[i]! * t[r]! * t[c]!;
      A[r]![m]! += ws[i]! * t[r]! * vs[i]!;
    }
  }
  for (let r = 0; r < m; r++) A[r]![r]! += 1e-9;
  // Gaussian elimination with partial pivoting.
  for (let col = 0; col < m; col++) {
    let piv = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[piv]![col]!)) piv = r;
    [A[col], A[piv]] = [A[piv]!, A[col]!];
    const p = A[col]![col]! || 1e-12;
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const f = A[r]![col]! / p;
      for (let c = col; c <= m; c++) A[r]![c]! -= f * A[col]![c]!;
    }
  }
  const coef = A.map((row, i) => row[m]! / (row[i] || 1e-12));
  return (x, y) => terms(x, y).reduce((s, t, i) => s + t * coef[i]!, 0);
}

/** Per-pixel paper colour: brightest quarter of each block, fitted by a smooth surface, dark blocks (ink) rejected. */
function paperModel(img: RgbaImage): { paper: Float32Array; centre: [number, number, number]; spread: number } {
  const { width: w, height: h, rgba } = img;
  const B = Math.max(8, Math.round(Math.max(w, h) / 40));
  const xs: number[] = []; const ys: number[] = []; const est: [number, number, number][] = [];
  for (let by = 0; by < h; by += B) {
    for (let bx = 0; bx < w; bx += B) {
      const px: number[] = [];
      for (let y = by; y < Math.min(h, by + B); y++) for (let x = bx; x < Math.min(w, bx + B); x++) px.push((y * w + x) * 4);
      px.sort((a, b) => (rgba[b + 1]! + rgba[b + 2]!) - (rgba[a + 1]! + rgba[a + 2]!));
      const top = px.slice(0, Math.max(1, px.length >> 2));
      const mean: [number, number, number] = [0, 0, 0];
      for (const o of top) for (let c = 0; c < 3; c++) mean[c] += rgba[o + c]! / top.length;
      xs.push((bx + B / 2) / w); ys.push((by + B / 2) / h); est.push(mean);
    }
  }
  let weights = est.map(() => 1);
  let fits: ((x: number, y: number) => number)[] = [];
  for (let iter = 0; iter < 4; iter++) {
    fits = [0, 1, 2].map((c) => fitSurface(xs, ys, est.map((e) => e[c]!), weights));
    // Blocks clearly darker in green+blue than the surface hold ink everywhere: leave them out.
    weights = est.map((e, i) => {
      const gb = fits[1]!(xs[i]!, ys[i]!) + fits[2]!(xs[i]!, ys[i]!);
      return e[1]! + e[2]! >= gb * 0.75 ? 1 : 0;
    });
  }
  // The paper's own unevenness (a tinted patch, a fold's shade) is finer than the surface: blocks
  // that hold paper keep their own estimate, ink blocks take the surface's, and the grid is smoothed.
  const gw = Math.ceil(w / B); const gh = Math.ceil(h / B);
  const grid = new Float32Array(gw * gh * 3);
  est.forEach((e, i) => {
    for (let c = 0; c < 3; c++) grid[i * 3 + c] = weights[i] ? e[c]! : fits[c]!(xs[i]!, ys[i]!);
  });
  const smooth = new Float32Array(grid.length);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      for (let c = 0; c < 3; c++) {
        const near: number[] = [];
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const x = gx + dx; const y = gy + dy;
          if (x >= 0 && y >= 0 && x < gw && y < gh) near.push(grid[(y * gw + x) * 3 + c]!);
        }
        near.sort((a, b) => a - b);
        smooth[(gy * gw + gx) * 3 + c] = near[near.length >> 1]!;
      }
    }
  }
  const paper = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(gh - 1, Math.max(0, (y + 0.5) / B - 0.5));
    const y0 = Math.floor(fy); const y1 = Math.min(gh - 1, y0 + 1); const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(gw - 1, Math.max(0, (x + 0.5) / B - 0.5));
      const x0 = Math.floor(fx); const x1 = Math.min(gw - 1, x0 + 1); const tx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const g = (gx: number, gy: number) => smooth[(gy * gw + gx) * 3 + c]!;
        const v = (g(x0, y0) * (1 - tx) + g(x1, y0) * tx) * (1 - ty) + (g(x0, y1) * (1 - tx) + g(x1, y1) * tx) * ty;
        paper[(y * w + x) * 3 + c] = Math.max(8, v);
      }
    }
  }
  const used = est.filter((_, i) => weights[i]);
  const centre = [0, 1, 2].map((c) => used.reduce((s, e) => s + e[c]!, 0) / Math.max(1, used.length)) as [number, number, number];
  const spread = Math.sqrt(used.reduce((s, e) => s + (e[1]! - centre[1]) ** 2, 0) / Math.max(1, used.length));
  return { paper, centre, spread };
}

function percentile(values: Float32Array | number[], q: number): number {
  const a = Float32Array.from(values).sort();
  return a.length ? a[Math.min(a.length - 1, Math.max(0, Math.floor(q * (a.length - 1))))]! : 0;
}

/**
 * Coverage of red ink per pixel. With the paper divided out, ink of transmittance (r, g, b) covering
 * a fraction α gives R = 1 − α(1 − r), G/B alike: α from the loss of green and blue, and again from
 * red standing above green/blue; black print loses all three and so scores low on the second.
 */
function inkAlpha(img: RgbaImage, paper: Float32Array): { alpha: Float32Array; ink: [number, number, number] } {
  const n = img.width * img.height;
  const R = new Float32Array(n); const GB = new Float32Array(n);
  const G = new Float32Array(n); const Bl = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    R[i] = img.rgba[i * 4]! / paper[i * 3]!;
    G[i] = img.rgba[i * 4 + 1]! / paper[i * 3 + 1]!;
    Bl[i] = img.rgba[i * 4 + 2]! / paper[i * 3 + 2]!;
    GB[i] = (G[i]! + Bl[i]!) / 2;
  }
  const reddish: number[] = [];
  for (let i = 0; i < n; i++) if (R[i]! - GB[i]! > 0.25 && GB[i]! < 0.75) reddish.push(i);
  if (reddish.length < Math.max(50, n * 0.001)) throw noInk();
  const inkGb = Math.min(0.7, percentile(reddish.map((i) => GB[i]!), 0.1));
  const strong = reddish.filter((i) => GB[i]! <= inkGb + 0.1);
  const inkR = Math.min(1, percentile(strong.map((i) => R[i]!), 0.5));
  const inkG = percentile(strong.map((i) => G[i]!), 0.5);
  const inkB = percentile(strong.map((i) => Bl[i]!), 0.5);
  const alpha = new Float32Array(n);
  const floor = 0.12;
  for (let i = 0; i < n; i++) {
    const a1 = (1 - GB[i]!) / (1 - inkGb);
    const a2 = (R[i]! - GB[i]!) / Math.max(0.05, inkR - inkGb);
    // Coverage comes from the green/blue loss (sharp: JPEG keeps luminance at full resolution);
    // the red-above-green/blue estimate (chroma, often halved by JPEG) only says whether it is red.
    const redness = a1 > 0 ? Math.min(1, Math.max(0, (a2 / a1 - 0.2) / 0.4)) : 0;
    const a = a1 * redness;
    alpha[i] = Math.min(1, Math.max(0, (a - floor) / (0.9 - floor)));
  }
  const to8 = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
  return { alpha, ink: [to8(inkR), to8(inkG), to8(inkB)] };
}

function sampler(alpha: Float32Array, w: number, h: number): (x: number, y: number) => number {
  return (x, y) => {
    if (x < 0 || y < 0 || x > w - 1 || y > h - 1) return 0;
    const x0 = Math.floor(x); const y0 = Math.floor(y);
    const x1 = Math.min(w - 1, x0 + 1); const y1 = Math.min(h - 1, y0 + 1);
    const fx = x - x0; const fy = y - y0;
    const a = alpha[y0 * w + x0]! * (1 - fx) + alpha[y0 * w + x1]! * fx;
    const b = alpha[y1 * w + x0]! * (1 - fx) + alpha[y1 * w + x1]! * fx;
    return a * (1 - fy) + b * fy;
  };
}

/** Ink extent in a frame rotated by θ about (cx, cy), trimmed of stray specks (0.05 % each side). */
function extent(alpha: Float32Array, w: number, h: number, cx: number, cy: number, theta: number): { u0: number; u1: number; v0: number; v1: number } {
  const us: number[] = []; const vs: number[] = [];
  const c = Math.cos(theta); const s = Math.sin(theta);
  const step = Math.max(1, Math.round(Math.max(w, h) / 800));
  for (let y = 0; y < h; y += step) {
    for (let x = 0; x < w; x += step) {
      if (alpha[y * w + x]! < 0.5) continue;
      const dx = x - cx; const dy = y - cy;
      us.push(dx * c + dy * s); vs.push(-dx * s + dy * c);
    }
  }
  return { u0: percentile(us, 0.0005), u1: percentile(us, 0.9995), v0: percentile(vs, 0.0005), v1: percentile(vs, 0.9995) };
}

/** How alike the ink is to its mirror image about the vertical axis of the frame rotated by θ (soft IoU). */
function mirrorScore(at: (x: number, y: number) => number, cx: number, cy: number, half: number, theta: number): number {
  const N = 96;
  const c = Math.cos(theta); const s = Math.sin(theta);
  let inter = 0; let union = 0;
  for (let j = 0; j < N; j++) {
    const v = ((j + 0.5) / N * 2 - 1) * half;
    for (let i = 0; i < N / 2; i++) {
      const u = ((i + 0.5) / N * 2 - 1) * half;
      const a = at(cx + u * c - v * s, cy + u * s + v * c);
      const b = at(cx - u * c - v * s, cy - u * s + v * c);
      inter += Math.min(a, b); union += Math.max(a, b);
    }
  }
  return union > 0 ? inter / union : 0;
}

export function cleanSealScan(input: RgbaImage, o: ScanCleanOptions): { image: RgbaImage; report: ScanCleanReport } {
  const img = shrinkRgba(input, WORKING_SIDE);
  const { width: w, height: h } = img;
  const { paper, centre, spread } = paperModel(img);
  const { alpha, ink } = inkAlpha(img, paper);
  const at = sampler(alpha, w, h);
  let covered = 0;
  for (const a of alpha) covered += a;

  // Straighten: the rotation whose frame shows the most mirror-symmetric impression.
  const first = extent(alpha, w, h, w / 2, h / 2, 0);
  const cx0 = w / 2 + (first.u0 + first.u1) / 2;
  const cy0 = h / 2 + (first.v0 + first.v1) / 2;
  const half0 = Math.max(first.u1 - first.u0, first.v1 - first.v0) / 2 * 1.05;
  const maxSkew = o.maxSkewDeg ?? 20;
  let best = { deg: 0, score: mirrorScore(at, cx0, cy0, half0, 0) };
  const unrotated = best.score;
  for (let deg = -maxSkew; deg <= maxSkew; deg += 1) {
    const score = mirrorScore(at, cx0, cy0, half0, (deg * Math.PI) / 180);
    if (score > best.score + 1e-6) best = { deg, score };
  }
  for (let deg = best.deg - 0.9; deg <= best.deg + 0.9; deg += 0.1) {
    const score = mirrorScore(at, cx0, cy0, half0, (deg * Math.PI) / 180);
    if (score > best.score + 1e-6) best = { deg, score };
  }
  // Only turn the picture when turning makes it clearly more symmetric.
  const deskewed = Math.abs(best.deg) >= 0.3 && best.score > unrotated + 0.01;
  const theta = deskewed ? (best.deg * Math.PI) / 180 : 0;

  const e = extent(alpha, w, h, cx0, cy0, theta);
  const cu = (e.u0 + e.u1) / 2; const cv = (e.v0 + e.v1) / 2;
  const c = Math.cos(theta); const s = Math.sin(theta);
  const cx = cx0 + cu * c - cv * s; const cy = cy0 + cu * s + cv * c;
  const aspect = o.widthMm / o.heightMm;
  let spanU = e.u1 - e.u0 + 1; let spanV = e.v1 - e.v0 + 1;
  if (spanU / spanV < aspect) spanU = spanV * aspect; else spanV = spanU / aspect;
  const outW = Math.max(16, Math.round((o.widthMm / 25.4) * o.dpi));
  const outH = Math.max(16, Math.round((o.heightMm / 25.4) * o.dpi));
  const out = new Uint8Array(outW * outH * 4);
  const SS = 3;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const u = ((x + (sx + 0.5) / SS) / outW - 0.5) * spanU;
          const v = ((y + (sy + 0.5) / SS) / outH - 0.5) * spanV;
          a += at(cx + u * c - v * s, cy + u * s + v * c);
        }
      }
      const o8 = (y * outW + x) * 4;
      // 16 levels of coverage keep the ink's texture and let the PNG stay small; faint haze goes.
      const cover = a / (SS * SS);
      const alpha8 = cover < 0.12 ? 0 : Math.round(cover * 15) * 17;
      if (alpha8 === 0) continue;
      out[o8] = ink[0]; out[o8 + 1] = ink[1]; out[o8 + 2] = ink[2]; out[o8 + 3] = alpha8;
    }
  }
  const scale = input.width / w;
  return {
    image: { width: outW, height: outH, rgba: out },
    report: {
      inputPx: [input.width, input.height], workingPx: [w, h],
      paper: { centre: centre.map(Math.round) as [number, number, number], spread: Math.round(spread * 10) / 10 },
      ink, inkCoverage: Math.round((covered / (w * h)) * 1000) / 1000,
      rotationDeg: deskewed ? Math.round(best.deg * 10) / 10 : 0, symmetry: Math.round(best.score * 1000) / 1000, deskewed,
      cropPx: { x: Math.round((cx - spanU / 2) * scale), y: Math.round((cy - spanV / 2) * scale), width: Math.round(spanU * scale), height: Math.round(spanV * scale) },
      outputPx: [outW, outH],
    },
  };
}

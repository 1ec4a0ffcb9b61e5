import { SealDeskError } from '../errors';

/**
 * The standard layouts of a seal impression (印模) built from text, as SVG in millimetres:
 * - round official seal (公章, 40–42 mm): unit name along the upper arc, left to right, glyphs
 *   standing outward; a five-pointed star of about 14 mm in the centre; the seal's purpose
 *   (合同专用章 …) across below the star; an optional seal code along the lower arc;
 * - oval invoice seal (发票专用章, 40×30 mm): the name along the upper arc of the ellipse, the
 *   taxpayer number across the centre, 发票专用章 below;
 * - square name seal (名章, 20 mm): the name in columns read right to left, 印 added to a
 *   three-character name to fill the square.
 * Characters along an arc are placed one by one (evenly by arc length, each rotated to the curve's
 * normal) rather than with textPath, so the spacing does not depend on the font's advances.
 */
export type TextSealLayout =
  | { kind: 'round'; name: string; purpose?: string; code?: string; star?: boolean; sizeMm?: number }
  | { kind: 'oval'; name: string; taxNumber: string; purpose?: string; widthMm?: number; heightMm?: number }
  | { kind: 'square'; name: string; sizeMm?: number };

export const SEAL_RED = '#e0201b';

export interface SealSvg {
  svg: string;
  widthMm: number;
  heightMm: number;
}

function invalid(zh: string, en: string): SealDeskError {
  return new SealDeskError('SEAL_TEXT_INVALID', `印章文字无效:${zh}`, `The seal text is invalid: ${en}`);
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (v: number): string => (Math.round(v * 1000) / 1000).toString();
/** The characters to place: a run of spaces stays as one gap (Latin names), the ends are trimmed. */
const chars = (s: string): string[] => [...s.trim().replace(/\s+/g, ' ')];

function checkText(what: string, s: string | undefined, max: number): void {
  if (s === undefined) return;
  const c = chars(s);
  if (c.length === 0) throw invalid(`${what}为空`, `the ${what === '单位名称' ? 'name' : what} is empty`);
  if (c.length > max) throw invalid(`${what}超过 ${max} 个字`, `more than ${max} characters (${what})`);
  if (/[\u0000-\u001f\u007f]/.test(s)) throw invalid(`${what}含有控制字符`, 'control characters');
}

function checkSize(v: number, lo: number, hi: number, what: string): number {
  if (!Number.isFinite(v) || v < lo || v > hi) throw invalid(`${what} ${v} 毫米不在 ${lo}–${hi} 毫米之间`, `${what} ${v} mm is outside ${lo}–${hi} mm`);
  return v;
}

/**
 * Points along an ellipse (centre cx,cy, radii a,b) at equal arc-length steps between two angles
 * (0 = top, clockwise positive, in degrees), each with the outward normal's rotation in degrees.
 */
function alongEllipse(cx: number, cy: number, a: number, b: number, from: number, to: number, count: number): { x: number; y: number; rot: number }[] {
  const at = (deg: number) => { const t = (deg * Math.PI) / 180; return { x: cx + a * Math.sin(t), y: cy - b * Math.cos(t) }; };
  const steps = 720;
  const cum: number[] = [0];
  let prev = at(from);
  for (let i = 1; i <= steps; i++) {
    const p = at(from + ((to - from) * i) / steps);
    cum.push(cum[i - 1]! + Math.hypot(p.x - prev.x, p.y - prev.y));
    prev = p;
  }
  const total = cum[steps]!;
  const out: { x: number; y: number; rot: number }[] = [];
  for (let k = 0; k < count; k++) {
    const target = count === 1 ? total / 2 : (total * k) / (count - 1);
    let i = cum.findIndex((c) => c >= target);
    if (i < 0) i = steps;
    const deg = from + ((to - from) * i) / steps;
    const t = (deg * Math.PI) / 180;
    const p = at(deg);
    // Outward normal of the ellipse at parameter t: (sin t / a, -cos t / b).
    const rot = (Math.atan2(Math.sin(t) / a, Math.cos(t) / b) * 180) / Math.PI;
    out.push({ ...p, rot });
  }
  return out;
}

/** Glyphs along the upper arc standing outward (baseline on the curve), or along the lower arc standing inward. */
function arcText(text: string, cx: number, cy: number, a: number, b: number, spanDeg: number, size: number, o: { lower?: boolean; squeeze?: number }): string {
  const c = chars(text);
  const half = spanDeg / 2;
  const pts = o.lower ? alongEllipse(cx, cy, a, b, 180 + half, 180 - half, c.length) : alongEllipse(cx, cy, a, b, -half, half, c.length);
  return c.map((ch, i) => {
    const p = pts[i]!;
    const rot = o.lower ? p.rot + 180 : p.rot;
    return `<text transform="translate(${n(p.x)} ${n(p.y)}) rotate(${n(rot)}) scale(${n(o.squeeze ?? 1)} 1)" font-size="${n(size)}" text-anchor="middle">${esc(ch)}</text>`;
  }).join('');
}

function star(cx: number, cy: number, r: number): string {
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const rr = i % 2 === 0 ? r : r * 0.382;
    const t = (i * Math.PI) / 5;
    pts.push(`${n(cx + rr * Math.sin(t))},${n(cy - rr * Math.cos(t))}`);
  }
  return `<polygon points="${pts.join(' ')}"/>`;
}

function wrap(w: number, h: number, family: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${n(w)}mm" height="${n(h)}mm" viewBox="0 0 ${n(w)} ${n(h)}">`
    + `<g fill="${SEAL_RED}" stroke="none" font-family="${esc(family)}" font-weight="bold">${body}</g></svg>`;
}

/** Font size for `count` glyphs on an arc of `length` mm, each glyph `squeeze` as wide as tall. */
function fitSize(length: number, count: number, squeeze: number, max: number): number {
  return Math.min(max, length / Math.max(1, count) / (squeeze * 1.02));
}

export function textSealSvg(layout: TextSealLayout, fontFamily: string): SealSvg {
  if (layout.kind === 'round') {
    checkText('单位名称', layout.name, 40);
    checkText('印章用途', layout.purpose, 12);
    checkText('印章编码', layout.code, 20);
    const d = checkSize(layout.sizeMm ?? 42, 20, 80, '直径');
    const k = d / 42; // every measure below is for 42 mm, scaled
    const c = d / 2;
    const border = 1.2 * k;
    const rOuter = c - border / 2; // the size is the impression's outer diameter
    const name = chars(layout.name);
    const squeeze = 0.78;
    const base = rOuter - border / 2 - 6.6 * k; // baseline radius: glyphs stand out to just inside the border
    const span = Math.min(225, Math.max(120, name.length * 20));
    const arcLen = (Math.PI * base * span) / 180;
    const nameSize = fitSize(arcLen, name.length, squeeze, 7 * k);
    let body = `<circle cx="${n(c)}" cy="${n(c)}" r="${n(rOuter)}" fill="none" stroke="${SEAL_RED}" stroke-width="${n(border)}"/>`;
    // The glyphs' tops (about 0.88 em above the baseline) keep 0.6 mm from the border.
    const nameBase = rOuter - border / 2 - 0.6 * k - 0.88 * nameSize;
    body += arcText(layout.name, c, c, nameBase, nameBase, span, nameSize, { squeeze });
    if (layout.star !== false) body += star(c, c - 0.6 * k, 7 * k);
    if (layout.purpose) {
      const p = chars(layout.purpose);
      const size = Math.min(4.6 * k, (18 * k) / p.length / 0.9);
      body += `<text x="${n(c)}" y="${n(c + 11.2 * k)}" font-size="${n(size)}" text-anchor="middle" textLength="${n(Math.min(18 * k, p.length * size * 0.95))}" lengthAdjust="spacingAndGlyphs">${esc(layout.purpose)}</text>`;
    }
    if (layout.code) {
      const code = chars(layout.code);
      const rCode = rOuter - border / 2 - 0.9 * k;
      body += arcText(layout.code, c, c, rCode, rCode, Math.min(100, code.length * 6.5), 2.3 * k, { lower: true, squeeze: 0.8 });
    }
    return { svg: wrap(d, d, fontFamily, body), widthMm: d, heightMm: d };
  }
  if (layout.kind === 'oval') {
    checkText('单位名称', layout.name, 30);
    checkText('纳税人识别号', layout.taxNumber, 20);
    checkText('印章用途', layout.purpose, 8);
    if (!/^[0-9A-Z]{15,20}$/.test(layout.taxNumber)) throw invalid('纳税人识别号应为 15–20 位数字或大写字母', 'the taxpayer number must be 15–20 digits or capital letters');
    const w = checkSize(layout.widthMm ?? 40, 20, 80, '宽度');
    const h = checkSize(layout.heightMm ?? 30, 15, 60, '高度');
    const k = h / 30;
    const border = 1.0 * k;
    const a = w / 2 - border / 2;
    const b = h / 2 - border / 2;
    const name = chars(layout.name);
    const squeeze = 0.75;
    const inset = 5.2 * k;
    const span = Math.min(175, Math.max(100, name.length * 15));
    // Arc length of the name's ellipse, approximated by Ramanujan's perimeter times the span share.
    const ea = a - border / 2 - inset;
    const eb = b - border / 2 - inset;
    const perim = Math.PI * (3 * (ea + eb) - Math.sqrt((3 * ea + eb) * (ea + 3 * eb)));
    const nameSize = fitSize((perim * span) / 360, name.length, squeeze, 5.2 * k);
    let body = `<ellipse cx="${n(w / 2)}" cy="${n(h / 2)}" rx="${n(a)}" ry="${n(b)}" fill="none" stroke="${SEAL_RED}" stroke-width="${n(border)}"/>`;
    const lift = inset - 0.5 * k - 0.88 * nameSize;
    body += arcText(layout.name, w / 2, h / 2, ea + lift, eb + lift, span, nameSize, { squeeze });
    const taxW = Math.min(w * 0.58, layout.taxNumber.length * 2.2 * k);
    body += `<text x="${n(w / 2)}" y="${n(h / 2 + 1.3 * k)}" font-size="${n(3.6 * k)}" text-anchor="middle" textLength="${n(taxW)}" lengthAdjust="spacingAndGlyphs">${esc(layout.taxNumber)}</text>`;
    const purpose = layout.purpose ?? '发票专用章';
    body += `<text x="${n(w / 2)}" y="${n(h / 2 + 8.6 * k)}" font-size="${n(4 * k)}" text-anchor="middle" textLength="${n(Math.min(w * 0.5, chars(purpose).length * 3.9 * k))}" lengthAdjust="spacingAndGlyphs">${esc(purpose)}</text>`;
    return { svg: wrap(w, h, fontFamily, body), widthMm: w, heightMm: h };
  }
  checkText('姓名', layout.name, 4);
  const s = checkSize(layout.sizeMm ?? 20, 10, 40, '边长');
  let c = chars(layout.name).filter((ch) => ch !== ' ');
  if (c.length === 3) c = [...c, '印'];
  const border = s * 0.07;
  const inner = s - 2 * border - s * 0.06;
  const cols = c.length === 1 ? 1 : 2;
  const perCol = Math.ceil(c.length / cols);
  const cellW = inner / cols;
  const cellH = inner / perCol;
  const off = border + s * 0.03;
  let body = `<rect x="${n(border / 2)}" y="${n(border / 2)}" width="${n(s - border)}" height="${n(s - border)}" fill="none" stroke="${SEAL_RED}" stroke-width="${n(border)}"/>`;
  c.forEach((ch, i) => {
    const col = cols - 1 - Math.floor(i / perCol); // columns right to left
    const row = i % perCol;
    const cx = off + cellW * (col + 0.5);
    const size = Math.min(cellW, cellH) * 1.0;
    // A glyph's ink sits about 0.88 em above the baseline; stretch it to fill the cell's height.
    const sy = cellH / size;
    const baseline = off + cellH * row + cellH * 0.9;
    body += `<text transform="translate(${n(cx)} ${n(baseline)}) scale(${n(cellW / size)} ${n(sy * 0.98)})" font-size="${n(size)}" text-anchor="middle">${esc(ch)}</text>`;
  });
  return { svg: wrap(s, s, fontFamily, body), widthMm: s, heightMm: s };
}

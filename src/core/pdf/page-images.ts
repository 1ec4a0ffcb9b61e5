import { contentOperations } from './content-operations';
import type { PdfDocument } from './document';
import { PdfDict, PdfName, PdfObject, PdfRef, PdfStream } from './objects';
import type { Box, PdfPage } from './pages';
import { toBox } from './pages';

/**
 * Every picture a page can draw, with the rectangle it covers on the page: image XObjects drawn by
 * the page content (directly or through form XObjects nested to any depth), inline images,
 * images inside tiling patterns used to fill or stroke, images inside the glyphs of Type3 fonts
 * (at the position the text starts), and the normal appearances of annotations
 * (a Stamp annotation showing a seal, for instance). Positions follow the graphics state (q/Q, cm,
 * Do with each form's /Matrix, clipped to its /BBox; annotation appearances mapped onto /Rect as
 * PDF 32000 12.5.5 describes) and are given in the page's default user space, unrotated, like a
 * widget's /Rect.
 *
 * Each form XObject and pattern is walked once, in its own space, and its pictures are then placed
 * wherever it is drawn, so a form drawn a thousand times costs one walk; forms that draw themselves
 * are cut off. All work is charged to the document's WorkBudget.
 */

/** Where the picture came from. */
export type PictureSource = 'page' | 'form' | 'pattern' | 'annotation' | 'type3';

export interface PageImage {
  /** 0-based page index. */
  pageIndex: number;
  /** [x1, y1, x2, y2] on the page, user space, unrotated. */
  rect: Box;
  /** The image (an XObject, or an inline image as a stream with the full key names). */
  image: PdfStream;
  /** Stable per image: the object key, or the content stream and offset of an inline image; plus the fill colour for stencil masks. */
  key: string;
  inline: boolean;
  source: PictureSource;
  /** The colour spaces of the resources the image was drawn with (inline images may name them). */
  colorSpaces?: PdfDict;
  /** The fill colour when the image is a stencil mask. */
  fill?: [number, number, number];
  /** The annotation whose appearance draws it, when source is 'annotation'. */
  annotation?: { ref?: PdfRef; subtype?: string };
}

export interface PageImagesOptions {
  /** Annotations to leave out (a signed signature's widget: its impression is checked elsewhere). */
  skipAnnotation?: (annot: PdfDict, ref: PdfRef | undefined) => boolean;
  /** Stop collecting after this many pictures on a page. */
  maxPerPage?: number;
}

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
/** Deeper than this a form or pattern is not followed (real files nest a handful of levels). */
const MAX_DEPTH = 64;
const DEFAULT_MAX_PER_PAGE = 10_000;

/** a then b (row vectors, as PDF writes matrices). */
function mul(a: Matrix, b: Matrix): Matrix {
  return [
    a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
    a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
    a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5],
  ];
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]];
}

/** The bounding box of a box under a matrix. */
function boxUnder(m: Matrix, b: Box): Box {
  const pts = [apply(m, b[0], b[1]), apply(m, b[2], b[1]), apply(m, b[0], b[3]), apply(m, b[2], b[3])];
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function intersect(a: Box, b: Box): Box | undefined {
  const r: Box = [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
  return r[0] <= r[2] && r[1] <= r[3] ? r : undefined;
}

function matrixOf(doc: PdfDocument, o: PdfObject | undefined, dflt: Matrix = IDENTITY): Matrix {
  const a = doc.resolveArray(o);
  if (!a || a.length !== 6) return dflt;
  const n = a.items.map((x) => doc.resolveNumber(x));
  return n.every((x) => x !== undefined) && finite(n as Matrix) ? (n as Matrix) : dflt;
}

const finite = (m: Matrix): boolean => m.every((v) => Number.isFinite(v));

/** A picture in the space of the stream that draws it: the unit square under `m`, clipped to `clip`. */
interface Placement {
  image: PdfStream;
  key: string;
  inline: boolean;
  source: PictureSource;
  m: Matrix;
  clip?: Box;
  colorSpaces?: PdfDict;
  fill?: [number, number, number];
}

/** Moves placements from a child space into its parent's through `t`, clipping to the child's box. */
function lift(ps: Placement[], t: Matrix, clipInChild: Box | undefined, source: PictureSource | undefined, out: Placement[], max: number, force = false): void {
  const clipParent = clipInChild ? boxUnder(t, clipInChild) : undefined;
  for (const p of ps) {
    if (out.length >= max) return;
    const m = mul(p.m, t);
    let clip = p.clip ? boxUnder(t, p.clip) : undefined;
    if (clipParent) clip = clip ? intersect(clip, clipParent) : clipParent;
    if (clip === undefined && (p.clip || clipParent)) continue; // clipped away entirely
    out.push({ ...p, m, clip, source: source && (force || p.source === 'page') ? source : p.source });
  }
}

class Walker {
  private readonly formCache = new Map<string, Placement[]>();
  private readonly active = new Set<string>();

  constructor(private readonly doc: PdfDocument, private readonly max: number) {}

  /** The placements a content stream makes, in its own space. */
  walk(content: Uint8Array, resources: PdfDict | undefined, streamKey: string, depth: number): Placement[] {
    const doc = this.doc;
    const out: Placement[] = [];
    let ctm: Matrix = IDENTITY;
    let fill: [number, number, number] = [0, 0, 0];
    let fillPattern: string | undefined;
    let strokePattern: string | undefined;
    const stack: Array<{ ctm: Matrix; fill: [number, number, number]; fillPattern?: string; strokePattern?: string }> = [];
    let path: Box | undefined;
    const addPoint = (x: number, y: number): void => {
      const [px, py] = apply(ctm, x, y);
      path = path ? [Math.min(path[0], px), Math.min(path[1], py), Math.max(path[2], px), Math.max(path[3], py)] : [px, py, px, py];
    };
    // Text state, for Type3 fonts whose glyphs draw pictures.
    let tm: Matrix = IDENTITY;
    let tlm: Matrix = IDENTITY;
    let font: { dict: PdfDict; key: string } | undefined;
    let fontSize = 1, leading = 0, hScale = 1, rise = 0;
    const fonts = doc.resolveDict(resources?.get('Font'));
    const showType3 = (): void => {
      if (!font || font.dict.getName('Subtype') !== 'Type3') return;
      const inner = this.type3(font.dict, font.key, depth + 1);
      if (inner.length === 0) return;
      const t = mul(mul(matrixOf(doc, font.dict.get('FontMatrix'), [0.001, 0, 0, 0.001, 0, 0]), [fontSize * hScale, 0, 0, fontSize, 0, rise]), mul(tm, ctm));
      if (finite(t)) lift(inner, t, undefined, 'type3', out, this.max, true);
    };
    const xobjects = doc.resolveDict(resources?.get('XObject'));
    const colorSpaces = doc.resolveDict(resources?.get('ColorSpace'));
    const patterns = doc.resolveDict(resources?.get('Pattern'));
    const nums = (ops: PdfObject[]): number[] => ops.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    const paintPattern = (name: string | undefined): void => {
      if (!name || !path || !patterns) return;
      const pref = patterns.get(name);
      const pat = doc.resolve(pref);
      if (!(pat instanceof PdfStream) || doc.resolveNumber(pat.dict.get('PatternType')) !== 1) return;
      const key = pref instanceof PdfRef ? pref.key : `${streamKey}/Pattern/${name}`;
      const inner = this.form(pat, key, depth + 1, resources);
      // The tiles repeat across the painted area: each picture in a tile is reported at the area.
      const area = path;
      const w = area[2] - area[0];
      const h = area[3] - area[1];
      for (const p of inner) {
        if (out.length >= this.max) return;
        out.push({ ...p, m: [w, 0, 0, h, area[0], area[1]], clip: undefined, source: 'pattern' });
      }
    };
    for (const o of contentOperations(doc, content)) {
      if (out.length >= this.max) break;
      const ops = o.operands;
      switch (o.op) {
        case 'q': if (stack.length < 256) stack.push({ ctm, fill, fillPattern, strokePattern }); break;
        case 'Q': { const s = stack.pop(); if (s) ({ ctm, fill, fillPattern, strokePattern } = s); break; }
        case 'cm': {
          const n = nums(ops);
          if (n.length === 6) { const next = mul(n as Matrix, ctm); if (finite(next)) ctm = next; }
          break;
        }
        case 'g': { const n = nums(ops); if (n.length === 1) { const v = c8(n[0]!); fill = [v, v, v]; fillPattern = undefined; } break; }
        case 'rg': { const n = nums(ops); if (n.length === 3) { fill = [c8(n[0]!), c8(n[1]!), c8(n[2]!)]; fillPattern = undefined; } break; }
        case 'k': { const n = nums(ops); if (n.length === 4) { const k = 1 - n[3]!; fill = [c8((1 - n[0]!) * k), c8((1 - n[1]!) * k), c8((1 - n[2]!) * k)]; fillPattern = undefined; } break; }
        case 'sc': case 'scn': {
          const last = ops[ops.length - 1];
          if (last instanceof PdfName) fillPattern = last.name;
          else {
            const n = nums(ops);
            if (n.length === 3) fill = [c8(n[0]!), c8(n[1]!), c8(n[2]!)];
            else if (n.length === 1) { const v = c8(n[0]!); fill = [v, v, v]; }
            fillPattern = undefined;
          }
          break;
        }
        case 'SCN': { const last = ops[ops.length - 1]; strokePattern = last instanceof PdfName ? last.name : undefined; break; }
        case 're': {
          const n = nums(ops);
          if (n.length === 4) { addPoint(n[0]!, n[1]!); addPoint(n[0]! + n[2]!, n[1]! + n[3]!); addPoint(n[0]!, n[1]! + n[3]!); addPoint(n[0]! + n[2]!, n[1]!); }
          break;
        }
        case 'm': case 'l': case 'c': case 'v': case 'y': {
          const n = nums(ops);
          for (let i = 0; i + 1 < n.length; i += 2) addPoint(n[i]!, n[i + 1]!);
          break;
        }
        case 'f': case 'F': case 'f*': case 'B': case 'B*': case 'b': case 'b*':
          paintPattern(fillPattern);
          if (o.op.startsWith('B') || o.op.startsWith('b')) paintPattern(strokePattern);
          path = undefined;
          break;
        case 'S': case 's': paintPattern(strokePattern); path = undefined; break;
        case 'n': path = undefined; break;
        case 'BT': tm = tlm = IDENTITY; break;
        case 'Tf': {
          const nm = ops[0];
          const size = nums(ops)[0];
          if (size !== undefined) fontSize = size;
          const ref = nm instanceof PdfName ? fonts?.get(nm.name) : undefined;
          const fd = doc.resolveDict(ref);
          font = fd ? { dict: fd, key: ref instanceof PdfRef ? ref.key : `${streamKey}/Font/${(nm as PdfName).name}` } : undefined;
          break;
        }
        case 'TL': { const n = nums(ops); if (n.length === 1) leading = n[0]!; break; }
        case 'Tz': { const n = nums(ops); if (n.length === 1) hScale = n[0]! / 100; break; }
        case 'Ts': { const n = nums(ops); if (n.length === 1) rise = n[0]!; break; }
        case 'Tm': { const n = nums(ops); if (n.length === 6 && finite(n as Matrix)) tm = tlm = n as Matrix; break; }
        case 'Td': case 'TD': {
          const n = nums(ops);
          if (n.length === 2) { tm = tlm = mul([1, 0, 0, 1, n[0]!, n[1]!], tlm); if (o.op === 'TD') leading = -n[1]!; }
          break;
        }
        case 'T*': tm = tlm = mul([1, 0, 0, 1, 0, -leading], tlm); break;
        case "'": case '"': tm = tlm = mul([1, 0, 0, 1, 0, -leading], tlm); showType3(); break;
        case 'Tj': case 'TJ': showType3(); break;
        case 'BI': {
          const img = o.inlineImage!;
          const mask = img.dict.get('ImageMask') === true;
          out.push({
            image: img, key: `${streamKey}@${o.offset}${mask ? `|${fill.join(',')}` : ''}`, inline: true, source: 'page', m: ctm,
            colorSpaces, fill: mask ? fill : undefined,
          });
          break;
        }
        case 'Do': {
          const nm = ops[ops.length - 1];
          if (!(nm instanceof PdfName) || !xobjects) break;
          const ref = xobjects.get(nm.name);
          const x = doc.resolve(ref);
          if (!(x instanceof PdfStream)) break;
          const key = ref instanceof PdfRef ? ref.key : `${streamKey}/XObject/${nm.name}`;
          const sub = x.dict.getName('Subtype');
          if (sub === 'Image') {
            const mask = doc.resolve(x.dict.get('ImageMask')) === true;
            out.push({ image: x, key: mask ? `${key}|${fill.join(',')}` : key, inline: false, source: 'page', m: ctm, colorSpaces, fill: mask ? fill : undefined });
          } else if (sub === 'Form') {
            const inner = this.form(x, key, depth + 1, resources);
            const t = mul(matrixOf(doc, x.dict.get('Matrix')), ctm);
            if (finite(t)) lift(inner, t, toBox(doc, x.dict.get('BBox')), 'form', out, this.max);
          }
          break;
        }
        default: break;
      }
    }
    return out;
  }

  /**
   * The pictures a Type3 font's glyph procedures draw, in glyph space. Every glyph of the font is
   * walked (once per font), and each is reported where the text shown with it starts: a seal
   * hidden in a glyph is found, its rectangle is the first glyph's.
   */
  type3(font: PdfDict, key: string, depth: number): Placement[] {
    const cacheKey = `${key}#type3`;
    const hit = this.formCache.get(cacheKey);
    if (hit) return hit;
    const out: Placement[] = [];
    this.formCache.set(cacheKey, out);
    const procs = this.doc.resolveDict(font.get('CharProcs'));
    const res = this.doc.resolveDict(font.get('Resources'));
    let n = 0;
    for (const [glyph, v] of procs?.entries ?? []) {
      if (n++ >= 256 || out.length >= this.max) break;
      const s = this.doc.resolve(v);
      if (!(s instanceof PdfStream)) continue;
      out.push(...this.form(s, v instanceof PdfRef ? v.key : `${key}/CharProcs/${glyph}`, depth, res));
    }
    return out;
  }

  /** A form XObject's or tiling pattern's placements in its own content space (walked once). */
  form(stream: PdfStream, key: string, depth: number, parentResources?: PdfDict): Placement[] {
    const hit = this.formCache.get(key);
    if (hit) return hit;
    if (depth > MAX_DEPTH || this.active.has(key)) return []; // a form that draws itself draws nothing more
    this.active.add(key);
    try {
      let content: Uint8Array;
      try {
        content = this.doc.decode(stream).data;
      } catch {
        content = new Uint8Array(0);
      }
      // Forms without /Resources use their parent's (PDF 1.1 files do this).
      const res = this.doc.resolveDict(stream.dict.get('Resources')) ?? parentResources;
      const ps = this.walk(content, res, key, depth);
      this.formCache.set(key, ps);
      return ps;
    } finally {
      this.active.delete(key);
    }
  }
}

const c8 = (v: number): number => Math.max(0, Math.min(255, Math.round(v * 255)));

/** Every picture the page draws: its content, then each annotation's normal appearance. */
export function pageImages(doc: PdfDocument, page: PdfPage, opts: PageImagesOptions = {}): PageImage[] {
  const max = opts.maxPerPage ?? DEFAULT_MAX_PER_PAGE;
  const walker = new Walker(doc, max);
  const placements: Placement[] = [];
  let content: Uint8Array;
  try {
    content = doc.pageContent(page);
  } catch {
    content = new Uint8Array(0);
  }
  lift(walker.walk(content, doc.resolveDict(page.resources), `page${page.index}`, 0), IDENTITY, undefined, undefined, placements, max);

  const annots = doc.resolveArray(page.dict.get('Annots'));
  for (const a of annots?.items ?? []) {
    if (placements.length >= max) break;
    const ref = a instanceof PdfRef ? a : undefined;
    const annot = doc.resolveDict(a);
    if (!annot) continue;
    const flags = doc.resolveNumber(annot.get('F')) ?? 0;
    if (flags & 2) continue; // hidden: never drawn
    if (opts.skipAnnotation?.(annot, ref)) continue;
    const ap = appearanceOf(doc, annot);
    const rect = toBox(doc, annot.get('Rect'));
    if (!ap || !rect) continue;
    const key = ap.ref ? ap.ref.key : `${ref?.key ?? 'annot'}/AP`;
    const inner = walker.form(ap.stream, key, 1);
    if (inner.length === 0) continue;
    const t = appearanceMatrix(doc, ap.stream, rect);
    if (!t) continue;
    const before = placements.length;
    lift(inner, t, toBox(doc, ap.stream.dict.get('BBox')), 'annotation', placements, max, true);
    for (let i = before; i < placements.length; i++) {
      (placements[i] as Placement & { annotation?: PageImage['annotation'] }).annotation = { ref, subtype: annot.getName('Subtype') };
    }
  }

  const out: PageImage[] = [];
  for (const p of placements) {
    let rect = boxUnder(p.m, [0, 0, 1, 1]);
    if (p.clip) {
      const r = intersect(rect, p.clip);
      if (!r) continue;
      rect = r;
    }
    out.push({
      pageIndex: page.index, rect, image: p.image, key: p.key, inline: p.inline, source: p.source,
      colorSpaces: p.colorSpaces, fill: p.fill, annotation: (p as Placement & { annotation?: PageImage['annotation'] }).annotation,
    });
  }
  return out;
}

/** The normal appearance: /AP /N as a stream, or the state /AS names in a dictionary of states. */
function appearanceOf(doc: PdfDocument, annot: PdfDict): { stream: PdfStream; ref?: PdfRef } | undefined {
  const ap = doc.resolveDict(annot.get('AP'));
  const nObj = ap?.get('N');
  const n = doc.resolve(nObj);
  if (n instanceof PdfStream) return { stream: n, ref: nObj instanceof PdfRef ? nObj : undefined };
  if (n instanceof PdfDict) {
    const as = annot.get('AS');
    const state = as instanceof PdfName ? as.name : undefined;
    const chosen = state !== undefined ? n.get(state) : n.entries.size === 1 ? [...n.entries.values()][0] : undefined;
    const s = doc.resolve(chosen);
    if (s instanceof PdfStream) return { stream: s, ref: chosen instanceof PdfRef ? chosen : undefined };
  }
  return undefined;
}

/** PDF 32000 12.5.5: the appearance's BBox under its Matrix is fitted onto the annotation's Rect. */
function appearanceMatrix(doc: PdfDocument, form: PdfStream, rect: Box): Matrix | undefined {
  const bbox = toBox(doc, form.dict.get('BBox'));
  if (!bbox) return undefined;
  const m = matrixOf(doc, form.dict.get('Matrix'));
  const tb = boxUnder(m, bbox);
  const w = tb[2] - tb[0];
  const h = tb[3] - tb[1];
  if (!(w > 0) || !(h > 0)) return undefined;
  const a: Matrix = [(rect[2] - rect[0]) / w, 0, 0, (rect[3] - rect[1]) / h, rect[0] - (tb[0] * (rect[2] - rect[0])) / w, rect[1] - (tb[1] * (rect[3] - rect[1])) / h];
  const t = mul(m, a);
  return finite(t) ? t : undefined;
}


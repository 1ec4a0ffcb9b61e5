import crypto from 'node:crypto';
import type { BilingualText, CopiedSealMatch, FileWarning, Rect } from '../../api/verification-report';
import type { SESeal } from '../asn1/ses-seal';
import { isSealDeskError } from '../errors';
import { decodeJpeg } from '../image/jpeg-decode';
import { decodePng, type RgbaImage } from '../image/png';
import { FINGERPRINT_SIDE, fingerprints, samePicture, type PictureFingerprints } from '../image/seal-fingerprint';
import { shrinkRgba } from '../image/shrink';
import { sealLikeness } from '../image/seal-likeness';
import { findSealRegions } from '../image/seal-regions';
import type { PdfDocument } from '../pdf/document';
import { MAX_IMAGE_PIXELS, declaredSize, filterNames, imagePixels } from '../pdf/image-pixels';
import { PdfArray, PdfName, type PdfDict, type PdfRef } from '../pdf/objects';
import { pageImages, type PageImage } from '../pdf/page-images';
import type { Widget } from '../pdf/signature-fields';
import { WorkBudget } from '../pdf/work-budget';

/**
 * A seal picture drawn on a page without a signature behind it (a copied seal, 复制的印章图像) is a
 * warning: it looks like a stamp but proves nothing. Every picture every page can draw
 * (page-images.ts: content, forms at any depth, inline images, patterns, annotation appearances —
 * but not the widget of a signed signature, whose impression the impression check judges) is
 *  1. compared by content with the seal pictures the client knows (the file's own stamps, the
 *     inserted tokens', the configured catalog, later the platform's registry): re-encoded,
 *     rescaled and cropped copies still match (seal-fingerprint.ts); and otherwise
 *  2. judged by its look: a red round or oval impression (seal-likeness.ts) is reported as a
 *     seal-like picture matching no known seal.
 * Pictures whose pixel size and drawn shape could be a seal are decoded (CANDIDATE_* below), each
 * image once however often it is drawn. Larger ones — a scanned page with a seal on it — are
 * decoded up to MAX_IMAGE_PIXELS, shrunk at once to SCAN_SIDE pixels a side, and searched for
 * seal-shaped red regions (seal-regions.ts), each judged like a picture of its own and reported at
 * its place on the page. The decoding is bounded by its own work budget; a picture once decoded is
 * always judged (the budget stops the scan between pictures), and a scan that runs out says so
 * instead of failing the verification.
 */

/** A seal picture the client knows, by whatever route (a decoded SESeal, the platform registry). */
export interface KnownSealPicture {
  esID?: string;
  name?: string;
  picture: { type: string; data: Uint8Array };
}

export interface CopiedSealOptions {
  known: KnownSealPicture[];
  /** The widgets of signed signatures: their appearance is the genuine impression, not a copy. */
  genuineWidgets?: Widget[];
  /** Bound on the decoding work (ms); default 5 s: a hostile file of many large pictures stops there. */
  maxMillis?: number;
}

/** Pictures smaller than this (pixels a side) cannot be told apart from a speck. */
const CANDIDATE_MIN_PIXELS = 24;
/** Decoding is bounded: seal pictures are a few hundred pixels a side, about 1000 at 600 dpi. */
const CANDIDATE_MAX_PIXELS = 1600 * 1600;
/** Round seals are 1 : 1, oval ones up to 3 : 2; allow margins and a stretched copy. */
const CANDIDATE_MAX_ASPECT = 2.5;
/**
 * Drawn smaller than 8 pt a side (about 3 mm) it is no impression anyone reads as a seal; drawn
 * larger than 340 pt (120 mm) it is not shown as one either (official seals are 38–58 mm, oval
 * ones up to 50 × 35 mm): large pictures are photographs and scans, and decoding them is costly.
 */
const CANDIDATE_MIN_DRAWN = 8;
const CANDIDATE_MAX_DRAWN = 340;
const MAX_WARNINGS = 200;
/** A picture drawn at least this large (pt a side) and this many pixels can hold a seal inside it. */
const SCAN_MIN_DRAWN = 40;
const SCAN_MIN_PIXELS = 200;
/** Scans are searched on a copy this many pixels on its longer side (A4: about 1.7 px per point, a 40 mm seal ≈ 190 px). */
const SCAN_SIDE = 1400;
/** A seal inside a scan is 15 mm or more across (small name seals; official ones 38–58 mm): smaller red shapes are letters. */
const SCAN_SEAL_MIN_PT = 42;

export function knownSealOf(seal: SESeal): KnownSealPicture {
  const info = seal.eSealInfo;
  return { esID: info.esID, name: info.property.name, picture: info.picture };
}

type Analysis =
  | { kind: 'skip' }
  | { kind: 'not_checked'; reason: BilingualText }
  | { kind: 'checked'; known?: KnownSealPicture; sealLike: boolean }
  /** A large picture searched for seals inside it: each hit's box as fractions of the picture (top-left origin). */
  | { kind: 'regions'; hits: Array<{ box: [number, number, number, number]; known?: KnownSealPicture }> };

interface PreparedKnown { seal: KnownSealPicture; prints: PictureFingerprints }

/** Fingerprints of known pictures survive between verifications (a catalog is the same each time). */
const knownCache = new Map<string, PictureFingerprints | null>();
const KNOWN_CACHE_LIMIT = 1024;

function decodePicture(p: { type: string; data: Uint8Array }): RgbaImage {
  const type = p.type.toUpperCase();
  if (type === 'PNG') return decodePng(p.data);
  if (type === 'JPG' || type === 'JPEG') return decodeJpeg(p.data);
  // Some makers label the type loosely; the bytes decide.
  if (p.data[0] === 0x89 && p.data[1] === 0x50) return decodePng(p.data);
  return decodeJpeg(p.data);
}

function prepareKnown(known: KnownSealPicture[]): PreparedKnown[] {
  const out: PreparedKnown[] = [];
  const seen = new Set<string>();
  for (const seal of known) {
    const digest = crypto.createHash('sha256').update(seal.picture.data).digest('hex');
    const id = `${seal.esID ?? ''}|${digest}`;
    if (seen.has(id)) continue;
    seen.add(id);
    let prints = knownCache.get(digest);
    if (prints === undefined) {
      try {
        prints = fingerprints(decodePicture(seal.picture));
      } catch {
        prints = null; // a picture that does not decode recognises nothing
      }
      if (knownCache.size >= KNOWN_CACHE_LIMIT) knownCache.delete(knownCache.keys().next().value!);
      knownCache.set(digest, prints);
    }
    if (prints) out.push({ seal, prints });
  }
  return out;
}

function isCandidate(doc: PdfDocument, img: PageImage): boolean {
  const size = declaredSize(doc, img.image.dict);
  if (!size) return false;
  const { width, height } = size;
  if (width < CANDIDATE_MIN_PIXELS || height < CANDIDATE_MIN_PIXELS || width * height > CANDIDATE_MAX_PIXELS) return false;
  if (width > height * CANDIDATE_MAX_ASPECT || height > width * CANDIDATE_MAX_ASPECT) return false;
  const w = img.rect[2] - img.rect[0];
  const h = img.rect[3] - img.rect[1];
  if (w < CANDIDATE_MIN_DRAWN || h < CANDIDATE_MIN_DRAWN) return false;
  // Patterns report the painted area, which has its own shape and size.
  if (img.source !== 'pattern' && (w > h * 3 || h > w * 3 || w > CANDIDATE_MAX_DRAWN || h > CANDIDATE_MAX_DRAWN)) return false;
  return true;
}

/** A picture too large for a seal but large enough to hold one: a scanned page, a photographed contract. */
function isScan(doc: PdfDocument, img: PageImage): boolean {
  const size = declaredSize(doc, img.image.dict);
  if (!size || size.width < SCAN_MIN_PIXELS || size.height < SCAN_MIN_PIXELS) return false;
  return img.rect[2] - img.rect[0] >= SCAN_MIN_DRAWN && img.rect[3] - img.rect[1] >= SCAN_MIN_DRAWN;
}

/** A stencil mask, or a grey or one-bit picture: no red anywhere in it. */
function withoutColour(doc: PdfDocument, d: PdfDict): boolean {
  if (doc.resolve(d.get('ImageMask')) === true) return true;
  const cs = doc.resolve(d.get('ColorSpace'));
  const family = cs instanceof PdfName ? cs.name : cs instanceof PdfArray ? (doc.resolve(cs.items[0]) as PdfName | undefined)?.name : undefined;
  return family === 'DeviceGray' || family === 'CalGray' || family === 'G';
}

/** The seals inside a large picture, each judged on its own red ink (known seal, or seal-like). */
function analyseScan(doc: PdfDocument, img: PageImage, known: () => PreparedKnown[], budget: WorkBudget): Analysis {
  const size = declaredSize(doc, img.image.dict)!;
  // The search inside a scan looks for red ink: a picture without colour cannot hold one, and is not
  // decoded at all (a grey 600 dpi scan would otherwise cost its full size in memory for nothing).
  if (withoutColour(doc, img.image.dict)) return { kind: 'skip' };
  if (size.width * size.height > MAX_IMAGE_PIXELS) {
    return { kind: 'not_checked', reason: { zh: `图像过大（${size.width}×${size.height} 像素）`, en: `image too large (${size.width}×${size.height} pixels)` } };
  }
  const decoded = decodeForCheck(doc, img, budget, MAX_IMAGE_PIXELS);
  if ('kind' in decoded) return decoded;
  // Shrunk before anything else looks at it: every later pass costs the same for any scan size.
  const small = shrinkRgba(decoded, SCAN_SIDE);
  const hits: Array<{ box: [number, number, number, number]; known?: KnownSealPicture }> = [];
  const drawnW = img.rect[2] - img.rect[0], drawnH = img.rect[3] - img.rect[1];
  for (const region of findSealRegions(small)) {
    const [l, t, r, b] = region.box;
    const w = (r - l) * drawnW, h = (b - t) * drawnH;
    if (w < SCAN_SEAL_MIN_PT || h < SCAN_SEAL_MIN_PT || w > CANDIDATE_MAX_DRAWN || h > CANDIDATE_MAX_DRAWN) continue;
    const prints = fingerprints(region.crop);
    const hit = known().find((k) => samePicture(prints, k.prints));
    if (hit) hits.push({ box: region.box, known: hit.seal });
    else if (sealLikeness(region.crop).sealLike) hits.push({ box: region.box });
  }
  return hits.length > 0 ? { kind: 'regions', hits } : { kind: 'skip' };
}

/** The picture's pixels, or why it is not judged (unsupported kind: not checked; damaged: nothing to see). */
function decodeForCheck(doc: PdfDocument, img: PageImage, budget: WorkBudget, maxPixels: number): RgbaImage | Exclude<Analysis, { kind: 'checked' } | { kind: 'regions' }> {
  const filters = filterNames(doc, img.image.dict);
  const last = filters[filters.length - 1];
  if (last === 'JPXDecode') return { kind: 'not_checked', reason: { zh: 'JPEG 2000 图像', en: 'JPEG 2000 image' } };
  if (last === 'JBIG2Decode' || last === 'CCITTFaxDecode' || last === 'CCF') {
    // Black-and-white fax data (the QR code of an e-invoice, a scanned page): no red ink, unless
    // it is a stencil painted in a colour — that one could be a seal and is reported unchecked.
    const colouredStencil = img.fill !== undefined && !(img.fill[0] === img.fill[1] && img.fill[1] === img.fill[2]);
    if (!colouredStencil) return { kind: 'skip' };
    return { kind: 'not_checked', reason: { zh: `${last} 图像`, en: `${last} image` } };
  }
  try {
    return imagePixels(doc, img.image, { colorSpaces: img.colorSpaces, fill: img.fill, maxPixels, tick: (n) => budget.tick(n) });
  } catch (e) {
    if (isSealDeskError(e) && e.code === 'IMAGE_UNSUPPORTED') {
      return { kind: 'not_checked', reason: { zh: String(e.details.zhReason ?? e.details.reason), en: String(e.details.reason) } };
    }
    if (isOutOfBudget(e)) throw e;
    // A damaged image draws nothing a reader could take for a seal.
    return { kind: 'skip' };
  }
}

function analyse(doc: PdfDocument, img: PageImage, known: () => PreparedKnown[], budget: WorkBudget): Analysis {
  const decoded = decodeForCheck(doc, img, budget, CANDIDATE_MAX_PIXELS);
  if ('kind' in decoded) return decoded;
  // Shrunk first; the decoding was charged before it ran, so a picture decoded is always judged.
  const small = shrinkRgba(decoded, FINGERPRINT_SIDE);
  // No paper around the ink (a photograph, a filled logo): no seal picture, copied or not.
  const look = sealLikeness(small);
  if (look.failed === 'coverage') return { kind: 'checked', sealLike: false };
  const prints = fingerprints(small);
  const hit = known().find((k) => samePicture(prints, k.prints));
  if (hit) return { kind: 'checked', known: hit.seal, sealLike: true };
  return { kind: 'checked', sealLike: look.sealLike };
}

function area(b: readonly number[]): number {
  return Math.max(0, b[2]! - b[0]!) * Math.max(0, b[3]! - b[1]!);
}

function overlap(a: readonly number[], b: readonly number[]): number {
  return area([Math.max(a[0]!, b[0]!), Math.max(a[1]!, b[1]!), Math.min(a[2]!, b[2]!), Math.min(a[3]!, b[3]!)]);
}

/** Drawn where the widget is: 80 % of the picture inside the widget, covering half of it or more. */
function underWidget(picture: readonly number[], widget: readonly number[]): boolean {
  const o = overlap(picture, widget);
  return o >= 0.8 * area(picture) && o >= 0.5 * area(widget);
}

/** The WorkBudget's refusal (it reports as a malformed file; here it means "stop scanning"). */
function isOutOfBudget(e: unknown): boolean {
  // The scan's own budget is spent (work, time or decoded bytes in total); one oversized stream is
  // only that picture's problem.
  if (!isSealDeskError(e) || e.code !== 'PDF_TOO_COMPLEX') return false;
  const limit = (e.details as { limit?: string } | undefined)?.limit;
  return limit === 'work' || limit === 'time' || limit === 'decoded';
}

function rectOf(img: PageImage): Rect {
  return img.rect.map((v) => Math.round(v * 100) / 100) as Rect;
}

function copiedWarning(page: number, rect: Rect, match: CopiedSealMatch): FileWarning {
  const zhLabel = match.name ? `${match.name}${match.esID ? `（${match.esID}）` : ''}` : match.esID;
  const label = match.name ? `${match.name}${match.esID ? ` (${match.esID})` : ''}` : match.esID;
  const message = match.match === 'known_seal'
    ? {
      zh: `第 ${page} 页有疑似复制的印章图像：${zhLabel ?? '已知印章'}，此处没有对应的电子签章`,
      en: `Page ${page} shows a copied seal picture: ${label ?? 'a known seal'}, with no electronic stamp behind it`,
    }
    : {
      zh: `第 ${page} 页有疑似印章的图像（红色圆形或椭圆形印模），与已知印章均不匹配，且没有对应的电子签章`,
      en: `Page ${page} shows a seal-like image (a red round or oval impression) matching no known seal, with no electronic stamp behind it`,
    };
  return { id: 'copied_seal_image', page, rect, message, copiedSeal: match };
}

/**
 * Where a region of a picture lies on the page: its corners through the matrix that draws the
 * picture's unit square (image row 0 at the top, v = 1), as a box, cut by the picture's clip.
 */
function regionRect(img: PageImage, box: [number, number, number, number]): Rect {
  const m = img.matrix;
  if (!m) return rectOf(img);
  const [l, t, r, b] = box;
  const corners = [[l, 1 - t], [r, 1 - t], [l, 1 - b], [r, 1 - b]].map(([u, v]) => [m[0] * u! + m[2] * v! + m[4], m[1] * u! + m[3] * v! + m[5]] as const);
  const xs = corners.map((c) => c[0]), ys = corners.map((c) => c[1]);
  const clip = img.rect;
  const out = [Math.max(Math.min(...xs), clip[0]), Math.max(Math.min(...ys), clip[1]), Math.min(Math.max(...xs), clip[2]), Math.min(Math.max(...ys), clip[3])];
  if (out[0]! >= out[2]! || out[1]! >= out[3]!) return rectOf(img);
  return out.map((v) => Math.round(v * 100) / 100) as Rect;
}

/** What a picture's analysis means where it is drawn: copied or seal-like pictures, one not checked, or nothing. */
function warningsFor(a: Analysis, img: PageImage, page: number): FileWarning[] {
  if (a.kind === 'regions') {
    return a.hits.map((h) => copiedWarning(page, regionRect(img, h.box), h.known ? { match: 'known_seal', esID: h.known.esID, name: h.known.name, drawnBy: img.source } : { match: 'seal_like', drawnBy: img.source }));
  }
  const w = warningFor(a, img, page);
  return w ? [w] : [];
}

function warningFor(a: Exclude<Analysis, { kind: 'regions' }>, img: PageImage, page: number): FileWarning | undefined {
  const rect = rectOf(img);
  if (a.kind === 'skip') return undefined;
  if (a.kind === 'not_checked') {
    return {
      id: 'image_not_checked', page, rect,
      message: {
        zh: `第 ${page} 页有一幅无法检查的图像（${a.reason.zh}），未能确认它是否为复制的印章`,
        en: `Page ${page} has an image that could not be checked for a copied seal (${a.reason.en})`,
      },
    };
  }
  if (a.known) return copiedWarning(page, rect, { match: 'known_seal', esID: a.known.esID, name: a.known.name, drawnBy: img.source });
  return a.sealLike ? copiedWarning(page, rect, { match: 'seal_like', drawnBy: img.source }) : undefined;
}

export function findCopiedSeals(doc: PdfDocument, opts: CopiedSealOptions): FileWarning[] {
  // The catalog's pictures are decoded only when the file has a picture worth comparing.
  let prepared: PreparedKnown[] | undefined;
  const known = (): PreparedKnown[] => (prepared ??= prepareKnown(opts.known));
  const genuineRefs = new Set<string>();
  const genuineDicts = new Set<PdfDict>();
  for (const w of opts.genuineWidgets ?? []) {
    if (w.ref) genuineRefs.add(w.ref.key);
    genuineDicts.add(w.dict);
  }
  const skipAnnotation = (annot: PdfDict, ref: PdfRef | undefined): boolean => genuineDicts.has(annot) || (ref !== undefined && genuineRefs.has(ref.key));
  const budget = new WorkBudget(doc.source.length, { maxMillis: opts.maxMillis ?? 5_000 });
  const analyses = new Map<string, Analysis>();
  const warnings: FileWarning[] = [];
  const reported = new Set<string>();
  let stopped = false;
  const widgetsOn = (pageIndex: number): Widget[] => (opts.genuineWidgets ?? []).filter((w) => w.pageIndex === pageIndex);
  for (const page of doc.pages()) {
    if (warnings.length >= MAX_WARNINGS) break;
    const stamps = widgetsOn(page.index);
    let images: PageImage[];
    try {
      images = pageImages(doc, page, { skipAnnotation });
    } catch (e) {
      if (isOutOfBudget(e)) { stopped = true; break; }
      continue; // an unreadable page draws nothing to recognise
    }
    for (const img of images) {
      if (warnings.length >= MAX_WARNINGS) break;
      const candidate = isCandidate(doc, img);
      if (!candidate && !isScan(doc, img)) continue;
      // Off the visible page nothing is seen; under a signed stamp's widget it is that stamp's own
      // impression (some writers also flatten it into the page), judged by the impression check.
      if (overlap(img.rect, page.cropBox) === 0) continue;
      if (stamps.some((w) => underWidget(img.rect, w.rect))) continue;
      let a = analyses.get(img.key);
      if (!a) {
        try {
          a = candidate ? analyse(doc, img, known, budget) : analyseScan(doc, img, known, budget);
        } catch (e) {
          if (isOutOfBudget(e)) { stopped = true; break; }
          a = { kind: 'skip' }; // a damaged image dictionary draws nothing
        }
        analyses.set(img.key, a);
      }
      for (const w of warningsFor(a, img, page.index + 1)) {
        const dedupe = `${w.page}|${w.rect?.join(',')}|${img.key}`;
        if (reported.has(dedupe) || warnings.length >= MAX_WARNINGS) continue;
        reported.add(dedupe);
        warnings.push(w);
      }
    }
    if (stopped) break;
  }
  if (stopped) {
    warnings.push({
      id: 'image_not_checked',
      message: { zh: '文件中的图像过多，复制印章图像的检查未能完成', en: 'The file has too many pictures: the check for copied seal pictures did not finish' },
    });
  }
  return warnings;
}

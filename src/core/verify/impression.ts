import crypto from 'node:crypto';
import type { BilingualText, CheckStatus } from '../../api/verification-report';
import { decodePng, type RgbaImage } from '../image/png';
import type { PdfDocument } from '../pdf/document';
import { imageXObjectToRgba } from '../pdf/image-xobject';
import { PdfRef, PdfStream, type PdfObject } from '../pdf/objects';
import { PAINTING_OPERATORS, contentOperators } from './content-operators';

/**
 * The impression check (印章印模验证): the picture a widget shows must be the seal's picture. Images
 * are compared as decoded pixels (RGB where visible, plus alpha), not as bytes, because a PNG becomes
 * a Flate RGB image with an /SMask in the PDF. JPEG pictures are embedded as-is, so they are compared
 * by their bytes (no JPEG decoder ships with the app). The appearance must draw the seal picture and
 * nothing else: a stamp whose appearance paints text, a box or another picture over (or beside) the
 * seal is not "the seal", even though the seal image is among its resources.
 */
export interface SealPictureRef {
  type: string;
  data: Uint8Array;
}

/** A seal picture ready for comparison. */
export interface PreparedPicture {
  kind: 'pixels' | 'jpeg';
  pixels?: RgbaImage;
  jpeg?: Uint8Array;
}

/**
 * Decoded seal pictures by their exact bytes: verifying many files stamped with the same seal in one
 * process (`sealdesk verify FILE...`) decodes its picture once. Bounded, oldest dropped first.
 */
const preparedPictures = new Map<string, PreparedPicture | undefined>();
const PREPARED_MAX = 32;

export function preparePicture(picture: SealPictureRef): PreparedPicture | undefined {
  const key = `${picture.type.toUpperCase()}:${crypto.createHash('sha256').update(picture.data).digest('hex')}`;
  if (preparedPictures.has(key)) return preparedPictures.get(key);
  const p = decodePicture(picture);
  if (preparedPictures.size >= PREPARED_MAX) preparedPictures.delete(preparedPictures.keys().next().value!);
  preparedPictures.set(key, p);
  return p;
}

function decodePicture(picture: SealPictureRef): PreparedPicture | undefined {
  const type = picture.type.toUpperCase();
  try {
    if (type === 'PNG') return { kind: 'pixels', pixels: decodePng(picture.data) };
    if (type === 'JPG' || type === 'JPEG') return { kind: 'jpeg', jpeg: picture.data };
  } catch {
    return undefined;
  }
  return undefined;
}

/** Max difference per channel still counted equal (rounding in other writers' colour conversion). */
const CHANNEL_TOLERANCE = 2;

export function samePixels(a: RgbaImage, b: RgbaImage): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  // The usual case (SealDesk's own stamps) is byte-identical pixels: one memcmp instead of the loop.
  if (Buffer.from(a.rgba.buffer, a.rgba.byteOffset, a.rgba.byteLength).equals(Buffer.from(b.rgba.buffer, b.rgba.byteOffset, b.rgba.byteLength))) return true;
  const n = a.width * a.height;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const alphaA = a.rgba[o + 3]!;
    const alphaB = b.rgba[o + 3]!;
    if (Math.abs(alphaA - alphaB) > CHANNEL_TOLERANCE) { bad++; continue; }
    if (alphaA === 0) continue; // invisible: colour does not matter
    for (let c = 0; c < 3; c++) {
      if (Math.abs(a.rgba[o + c]! - b.rgba[o + c]!) > CHANNEL_TOLERANCE) { bad++; break; }
    }
  }
  return bad === 0;
}

export interface ImageXObjectFound {
  ref?: PdfRef;
  stream: PdfStream;
}

/** Image XObjects reachable from a form or page resources (nested forms followed, bounded). */
export function imagesIn(doc: PdfDocument, resources: PdfObject | undefined, depth = 0, seen = new Set<string>()): ImageXObjectFound[] {
  if (depth > 4) return [];
  const res = doc.resolveDict(resources);
  const xobjects = doc.resolveDict(res?.get('XObject'));
  if (!xobjects) return [];
  const out: ImageXObjectFound[] = [];
  for (const v of xobjects.entries.values()) {
    const key = v instanceof PdfRef ? v.key : undefined;
    if (key) {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const s = doc.resolve(v);
    if (!(s instanceof PdfStream)) continue;
    const sub = s.dict.getName('Subtype');
    if (sub === 'Image') out.push({ ref: v instanceof PdfRef ? v : undefined, stream: s });
    else if (sub === 'Form') out.push(...imagesIn(doc, s.dict.get('Resources'), depth + 1, seen));
  }
  return out;
}

/** Results per picture and image object: a seal on 300 pages shares one image, decoded once. */
const matched = new WeakMap<PdfDocument, WeakMap<PreparedPicture, Map<string, boolean>>>();

export function imageMatches(doc: PdfDocument, image: PdfStream, picture: PreparedPicture): boolean {
  let byPicture = matched.get(doc);
  if (!byPicture) matched.set(doc, (byPicture = new WeakMap()));
  let seen = byPicture.get(picture);
  if (!seen) byPicture.set(picture, (seen = new Map()));
  // An image object is known by where its data sits in the file (streams are never in object streams).
  const key = `${image.dataSpan.start}:${image.dataSpan.end}`;
  const known = image.dataSpan.start >= 0 ? seen.get(key) : undefined;
  if (known !== undefined) return known;
  const result = compareImage(doc, image, picture);
  if (image.dataSpan.start >= 0) seen.set(key, result);
  return result;
}

function compareImage(doc: PdfDocument, image: PdfStream, picture: PreparedPicture): boolean {
  try {
    if (picture.kind === 'jpeg') return image.dict.getName('Filter') === 'DCTDecode' && Buffer.from(image.raw).equals(Buffer.from(picture.jpeg!));
    const w = doc.resolveNumber(image.dict.get('Width'));
    const h = doc.resolveNumber(image.dict.get('Height'));
    if (w !== picture.pixels!.width || h !== picture.pixels!.height) return false; // cheap reject before decoding
    return samePixels(imageXObjectToRgba(doc, image), picture.pixels!);
  } catch {
    return false;
  }
}

export function checkImpression(doc: PdfDocument, appearance: PdfStream | undefined, picture: SealPictureRef | undefined): { status: CheckStatus; message: BilingualText } {
  if (!picture) return { status: 'not_checked', message: { zh: '签名中没有印章，无法核对印模', en: 'No seal in the signature: the impression cannot be checked' } };
  const picturePrepared = preparePicture(picture);
  if (!picturePrepared) {
    return { status: 'not_checked', message: { zh: `印章图片类型 ${picture.type} 无法比对`, en: `The seal picture type ${picture.type} cannot be compared` } };
  }
  return checkAppearanceShows(doc, appearance, picturePrepared);
}

/** The appearance draws `prepared` (the seal picture, or a straddle strip's slice of it) and nothing else. */
export function checkAppearanceShows(doc: PdfDocument, appearance: PdfStream | undefined, prepared: PreparedPicture): { status: CheckStatus; message: BilingualText } {
  if (!appearance) return { status: 'failed', message: { zh: '签章控件没有外观，看不到印模', en: 'The stamp widget has no appearance: no impression is shown' } };
  const images = imagesIn(doc, appearance.dict.get('Resources'));
  if (images.length === 0) return { status: 'failed', message: { zh: '签章外观中没有印章图片', en: 'The stamp appearance shows no seal image' } };
  // The image found among the resources is usually the one drawn: decode and compare it once.
  const seen = new Map<PdfStream, boolean>();
  const matches = (image: PdfStream): boolean => {
    if (!seen.has(image)) seen.set(image, imageMatches(doc, image, prepared));
    return seen.get(image)!;
  };
  if (!images.some((i) => matches(i.stream))) {
    return { status: 'failed', message: { zh: '显示的印模与印章中的图片不一致', en: 'The impression shown differs from the seal picture' } };
  }
  const painted = whatIsPainted(doc, appearance, matches, 0);
  if (painted.other) {
    return { status: 'failed', message: { zh: `签章外观除印章图片外还绘制了其他内容（${painted.other.zh}）`, en: `The stamp appearance paints other content besides the seal picture (${painted.other.en})` } };
  }
  if (!painted.seal) return { status: 'failed', message: { zh: '签章外观没有绘制印章图片', en: 'The stamp appearance does not draw the seal picture' } };
  return { status: 'ok', message: { zh: '显示的印模与印章中的图片一致（逐像素比对）', en: 'The impression shown is the seal picture (pixel comparison)' } };
}

const MAX_FORM_DEPTH = 4;

/** What a form XObject draws: the seal picture (matching pixels), and the first other mark it makes. */
function whatIsPainted(doc: PdfDocument, form: PdfStream, matches: (image: PdfStream) => boolean, depth: number): { seal: boolean; other?: BilingualText } {
  if (depth > MAX_FORM_DEPTH) return { seal: false, other: { zh: '嵌套过深的表单', en: 'forms nested too deep' } };
  let ops;
  try {
    ops = contentOperators(doc.decode(form).data);
  } catch {
    return { seal: false, other: { zh: '无法读取的外观内容', en: 'unreadable appearance content' } };
  }
  const xobjects = doc.resolveDict(doc.resolveDict(form.dict.get('Resources'))?.get('XObject'));
  let seal = false;
  for (const o of ops) {
    if (o.op === 'unparsable') return { seal, other: { zh: '无法解析的外观内容', en: 'appearance content that cannot be parsed' } };
    if (PAINTING_OPERATORS.has(o.op)) return { seal, other: { zh: `绘制操作 ${o.op}`, en: `painting operator ${o.op}` } };
    if (o.op !== 'Do') continue;
    const x = o.name !== undefined ? doc.resolve(xobjects?.get(o.name)) : undefined;
    if (!(x instanceof PdfStream)) continue; // a missing XObject draws nothing
    const sub = x.dict.getName('Subtype');
    if (sub === 'Image') {
      if (!matches(x)) return { seal, other: { zh: `另一幅图片 /${o.name}`, en: `another image /${o.name}` } };
      seal = true;
    } else if (sub === 'Form') {
      const inner = whatIsPainted(doc, x, matches, depth + 1);
      seal ||= inner.seal;
      if (inner.other) return { seal, other: inner.other };
    } else return { seal, other: { zh: `/${o.name}(${sub ?? '未知类型'})`, en: `/${o.name} (${sub ?? 'unknown type'})` } };
  }
  return { seal };
}

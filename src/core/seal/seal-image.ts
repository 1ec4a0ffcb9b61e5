/**
 * Seal impressions (印模): a seal's picture must be a PNG or a JPEG. The type is decided by the
 * file's magic bytes and confirmed by parsing its header (pixel size), never by its name; the size
 * in millimetres comes from explicit options, else the image's own resolution (PNG pHYs, JFIF
 * density), else the usual 42 mm round official seal (domain.md) on the longer side.
 */
import { SealDeskError } from '../errors';

export type SealImageType = 'PNG' | 'JPG';

export interface SealImage {
  /** The value written to SES_ESPictureInfo.type. */
  type: SealImageType;
  bytes: Uint8Array;
  widthPx: number;
  heightPx: number;
  widthMm: number;
  heightMm: number;
  /** Resolution read from the image, when it states one. */
  dpi?: { x: number; y: number };
}

export interface SealImageOptions {
  widthMm?: number;
  heightMm?: number;
}

export const DEFAULT_SEAL_SIZE_MM = 42;
/** Seal pictures are tens of KB; 8 MiB leaves room for high-resolution scans and refuses abuse. */
export const MAX_SEAL_IMAGE_BYTES = 8 * 1024 * 1024;
const MAX_PIXELS_PER_SIDE = 20000;
const MAX_SIZE_MM = 500;

export function sealImageInvalid(detailZh: string, detailEn: string): SealDeskError {
  return new SealDeskError('SEAL_IMAGE_INVALID', `印章图片无效：${detailZh}`, `The seal image is invalid: ${detailEn}`);
}

const NOT_AN_IMAGE = (): SealDeskError => sealImageInvalid('只支持 PNG 或 JPEG 图片', 'only PNG and JPEG images are accepted');

/** Reads and checks a seal impression; anything but a well-formed PNG/JPEG header ⇒ SEAL_IMAGE_INVALID. */
export function readSealImage(bytes: Uint8Array, options: SealImageOptions = {}): SealImage {
  if (bytes.length > MAX_SEAL_IMAGE_BYTES) throw sealImageInvalid(`文件超过 ${MAX_SEAL_IMAGE_BYTES >> 20} MB`, `larger than ${MAX_SEAL_IMAGE_BYTES >> 20} MB`);
  const header = isPng(bytes) ? readPngHeader(bytes) : isJpeg(bytes) ? readJpegHeader(bytes) : undefined;
  if (!header) throw NOT_AN_IMAGE();
  if (header.width < 1 || header.height < 1 || header.width > MAX_PIXELS_PER_SIDE || header.height > MAX_PIXELS_PER_SIDE) {
    throw sealImageInvalid(`像素尺寸 ${header.width}×${header.height} 不合理`, `pixel size ${header.width}x${header.height} is not plausible`);
  }
  const { widthMm, heightMm } = sizeInMm(header.width, header.height, header.dpi, options);
  return { type: header.type, bytes, widthPx: header.width, heightPx: header.height, widthMm, heightMm, ...(header.dpi ? { dpi: header.dpi } : {}) };
}

interface Header {
  type: SealImageType;
  width: number;
  height: number;
  dpi?: { x: number; y: number };
}

function sizeInMm(w: number, h: number, dpi: Header['dpi'], o: SealImageOptions): { widthMm: number; heightMm: number } {
  for (const v of [o.widthMm, o.heightMm]) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0 && v <= MAX_SIZE_MM)) {
      throw sealImageInvalid(`尺寸 ${v} 毫米不合理`, `a size of ${v} mm is not plausible`);
    }
  }
  let widthMm: number;
  let heightMm: number;
  if (o.widthMm !== undefined || o.heightMm !== undefined) {
    widthMm = o.widthMm ?? (o.heightMm! * w) / h;
    heightMm = o.heightMm ?? (o.widthMm! * h) / w;
  } else if (dpi) {
    widthMm = (w / dpi.x) * 25.4;
    heightMm = (h / dpi.y) * 25.4;
  } else {
    const scale = DEFAULT_SEAL_SIZE_MM / Math.max(w, h);
    widthMm = w * scale;
    heightMm = h * scale;
  }
  // SES_ESPictureInfo holds whole millimetres.
  const round = (mm: number): number => Math.min(MAX_SIZE_MM, Math.max(1, Math.round(mm)));
  return { widthMm: round(widthMm), heightMm: round(heightMm) };
}

// ---- PNG -----------------------------------------------------------------------------------

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && PNG_MAGIC.every((v, i) => b[i] === v);
}

const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;
const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) + b[o + 1]!;
const ascii = (b: Uint8Array, o: number, n: number): string => String.fromCharCode(...b.subarray(o, o + n));

function readPngHeader(b: Uint8Array): Header | undefined {
  // IHDR must be the first chunk, 13 bytes long.
  if (b.length < 33 || u32(b, 8) !== 13 || ascii(b, 12, 4) !== 'IHDR') return undefined;
  const header: Header = { type: 'PNG', width: u32(b, 16), height: u32(b, 20) };
  let p = 33;
  let sawIdat = false;
  while (p + 12 <= b.length) {
    const len = u32(b, p);
    const type = ascii(b, p + 4, 4);
    if (p + 12 + len > b.length) return undefined; // truncated chunk
    if (type === 'pHYs' && len === 9 && b[p + 16] === 1) {
      const perMetreX = u32(b, p + 8);
      const perMetreY = u32(b, p + 12);
      if (perMetreX > 0 && perMetreY > 0) header.dpi = { x: perMetreX * 0.0254, y: perMetreY * 0.0254 };
    }
    if (type === 'IDAT') sawIdat = true;
    if (type === 'IEND') return sawIdat ? header : undefined;
    p += 12 + len;
  }
  return undefined; // no IEND: truncated
}

// ---- JPEG ----------------------------------------------------------------------------------

function isJpeg(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function readJpegHeader(b: Uint8Array): Header | undefined {
  let p = 2;
  let dpi: Header['dpi'];
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1]!;
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      p += 2;
      continue;
    }
    const len = u16(b, p + 2);
    if (len < 2 || p + 2 + len > b.length) return undefined;
    const seg = p + 4;
    if (marker === 0xe0 && len >= 16 && ascii(b, seg, 5) === 'JFIF\0') {
      const units = b[seg + 7];
      const x = u16(b, seg + 8);
      const y = u16(b, seg + 10);
      if (x > 0 && y > 0 && units === 1) dpi = { x, y };
      if (x > 0 && y > 0 && units === 2) dpi = { x: x * 2.54, y: y * 2.54 };
    }
    if (SOF_MARKERS.has(marker)) {
      if (len < 7) return undefined;
      return { type: 'JPG', height: u16(b, seg + 1), width: u16(b, seg + 3), ...(dpi ? { dpi } : {}) };
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // image data before any frame header
    p += 2 + len;
  }
  return undefined;
}

/** The picture type names vendors write for PNG and JPEG (SES_ESPictureInfo.type is free text). */
export function isPictureTypeImage(type: string): boolean {
  return ['PNG', 'JPG', 'JPEG'].includes(type.trim().toUpperCase());
}

import zlib from 'node:zlib';
import { imageMalformed, imageUnsupported } from './image-errors';
import { unfilterPngRows } from './png-filters';

export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes, 8 bits per channel, not premultiplied. */
  rgba: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Seal pictures are a few hundred pixels wide; anything beyond this is hostile or a mistake. */
const MAX_PIXELS = 64 * 1024 * 1024;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).equals(SIGNATURE);
}

/**
 * Decodes a PNG into 8-bit RGBA: colour types 0, 2, 3, 4, 6 at every legal bit depth, with tRNS
 * transparency. Interlaced (Adam7) files are refused: seal pictures are never interlaced and a
 * refusal is clearer than a second decoder path.
 */
export function decodePng(bytes: Uint8Array): RgbaImage {
  if (!isPng(bytes)) throw imageMalformed('not a PNG file');
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let pos = 8;
  let ihdr: Buffer | undefined;
  let plte: Buffer | undefined;
  let trns: Buffer | undefined;
  const idat: Buffer[] = [];
  while (pos + 12 <= buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (len > buf.length - pos - 12) throw imageMalformed('chunk runs past the end of the file');
    const data = buf.subarray(pos + 8, pos + 8 + len);
    pos += 12 + len;
    if (type === 'IHDR') ihdr = data;
    else if (type === 'PLTE') plte = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
  }
  if (!ihdr || ihdr.length < 13) throw imageMalformed('no IHDR chunk');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const depth = ihdr[8]!;
  const colorType = ihdr[9]!;
  const interlace = ihdr[12]!;
  if (width === 0 || height === 0 || width * height > MAX_PIXELS) throw imageMalformed('bad image size');
  if (interlace !== 0) throw imageUnsupported('interlaced PNG; save the picture without interlacing');
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (channels === undefined) throw imageMalformed(`bad colour type ${colorType}`);
  const legalDepths: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
  if (!legalDepths[colorType]!.includes(depth)) throw imageMalformed(`bit depth ${depth} not allowed for colour type ${colorType}`);
  if (colorType === 3 && !plte) throw imageMalformed('palette image without PLTE');
  if (idat.length === 0) throw imageMalformed('no image data');

  const rowLen = Math.ceil((width * channels * depth) / 8);
  let raw: Buffer;
  try {
    raw = zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: (rowLen + 1) * height + 1024 });
  } catch (e) {
    throw imageMalformed('image data cannot be decompressed', e);
  }
  if (raw.length < (rowLen + 1) * height) throw imageMalformed('image data is truncated');
  const rows = unfilterPngRows(raw, rowLen, height, Math.max(1, Math.ceil((channels * depth) / 8)));

  const rgba = new Uint8Array(width * height * 4);
  const sample = (row: number, i: number): number => {
    // i-th sample of a row, scaled to 8 bits (16-bit keeps the high byte).
    const o = row * rowLen;
    if (depth === 8) return rows[o + i]!;
    if (depth === 16) return rows[o + i * 2]!;
    const perByte = 8 / depth;
    const byte = rows[o + Math.floor(i / perByte)]!;
    const shift = 8 - depth * ((i % perByte) + 1);
    return (byte >> shift) & ((1 << depth) - 1);
  };
  const rawSample16 = (row: number, i: number): number => (depth === 16 ? (rows[row * rowLen + i * 2]! << 8) | rows[row * rowLen + i * 2 + 1]! : sample(row, i));
  const scale = depth < 8 ? 255 / ((1 << depth) - 1) : 1;
  const trnsGray = trns && colorType === 0 && trns.length >= 2 ? trns.readUInt16BE(0) : -1;
  const trnsRgb = trns && colorType === 2 && trns.length >= 6 ? [trns.readUInt16BE(0), trns.readUInt16BE(2), trns.readUInt16BE(4)] : undefined;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      let r: number, g: number, b: number, a = 255;
      switch (colorType) {
        case 0: {
          const v = sample(y, x);
          r = g = b = Math.round(v * scale);
          if (rawSample16(y, x) === trnsGray) a = 0;
          break;
        }
        case 2:
          r = sample(y, x * 3); g = sample(y, x * 3 + 1); b = sample(y, x * 3 + 2);
          if (trnsRgb && rawSample16(y, x * 3) === trnsRgb[0] && rawSample16(y, x * 3 + 1) === trnsRgb[1] && rawSample16(y, x * 3 + 2) === trnsRgb[2]) a = 0;
          break;
        case 3: {
          const idx = sample(y, x);
          if (idx * 3 + 2 >= plte!.length) throw imageMalformed('palette index out of range');
          r = plte![idx * 3]!; g = plte![idx * 3 + 1]!; b = plte![idx * 3 + 2]!;
          if (trns && idx < trns.length) a = trns[idx]!;
          break;
        }
        case 4:
          r = g = b = sample(y, x * 2); a = sample(y, x * 2 + 1);
          break;
        default:
          r = sample(y, x * 4); g = sample(y, x * 4 + 1); b = sample(y, x * 4 + 2); a = sample(y, x * 4 + 3);
      }
      rgba[o] = r; rgba[o + 1] = g; rgba[o + 2] = b; rgba[o + 3] = a;
    }
  }
  return { width, height, rgba };
}

/**
 * Encodes RGBA as a PNG (colour type 6, 8-bit): used for seal pictures, previews and test pictures.
 * With a dpi the pHYs chunk states the resolution, so the picture's size in millimetres travels with it.
 */
export function encodePng(img: RgbaImage, o: { dpi?: number } = {}): Uint8Array {
  const { width, height, rgba } = img;
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 6;
  const phys: Buffer[] = [];
  if (o.dpi !== undefined) {
    const perMetre = Math.round(o.dpi / 0.0254);
    const b = Buffer.alloc(9);
    b.writeUInt32BE(perMetre, 0); b.writeUInt32BE(perMetre, 4); b[8] = 1;
    phys.push(chunk('pHYs', b));
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), ...phys, chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32 ? zlib.crc32(td) : crc32(td));
  return Buffer.concat([len, td, crc]);
}

let crcTable: Uint32Array | undefined;
function crc32(b: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

import zlib from 'node:zlib';
import { decodeJpeg } from '../image/jpeg-decode';
import { imageMalformed, imageUnsupported } from '../image/image-errors';
import type { RgbaImage } from '../image/png';
import type { PdfDocument } from './document';
import { applyPredictor, decodeStream, inflate } from './filters';
import { DEFAULT_MAX_STREAM_BYTES } from './work-budget';
import { PdfArray, PdfDict, PdfName, PdfObject, PdfStream, PdfString, dict } from './objects';

/**
 * Turns any image a page can draw (an image XObject or an inline image) into 8-bit RGBA the way a
 * viewer paints it: every bit depth (1/2/4/8/16), /Decode arrays, DeviceGray/RGB/CMYK, Cal*, Lab,
 * ICCBased (by its component count or /Alternate), Indexed over any of those, Separation with an
 * exponential tint function, stencil masks in the fill colour, /SMask and /Mask (stencil or colour
 * key) as alpha, and the filters Flate, LZW, RunLength, ASCIIHex/85 and DCT (jpeg-js). JPEG 2000,
 * CCITT and JBIG2 are refused with IMAGE_UNSUPPORTED: the caller reports them as not checked.
 *
 * Written here rather than taken from pdf.js because pdf.js decodes only inside its rendering
 * pipeline (worker, canvas, fonts) and the verifier needs the pixels of one image in Node without
 * rendering the page. Colour management is approximate (no ICC transforms): the pixels feed a
 * comparison that tolerates colour shifts, not a display.
 */

export interface ImagePixelsOptions {
  /** Named colour spaces of the content stream's resources (inline images may use them). */
  colorSpaces?: PdfDict;
  /** The fill colour for stencil masks (/ImageMask true), 0–255 RGB. */
  fill?: [number, number, number];
  /** Refuse images with more pixels than this (before anything is decoded). */
  maxPixels?: number;
  /** Charged with the work (pixels / 64), so that many large images stop at the budget. */
  tick?: (n: number) => void;
}

export const MAX_IMAGE_PIXELS = 16 * 1024 * 1024;

/** The width and height an image dictionary declares, or undefined when they are not positive integers. */
export function declaredSize(doc: PdfDocument, d: PdfDict): { width: number; height: number } | undefined {
  const width = doc.resolveNumber(d.get('Width'));
  const height = doc.resolveNumber(d.get('Height'));
  if (!width || !height || !Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) return undefined;
  return { width, height };
}

/** The filter names of a stream, resolved, in order. */
export function filterNames(doc: PdfDocument, d: PdfDict): string[] {
  const f = doc.resolve(d.get('Filter'));
  const list = f instanceof PdfArray ? f.items : f === undefined || f === null ? [] : [f];
  return list.map((x) => { const v = doc.resolve(x); return v instanceof PdfName ? v.name : '?'; });
}

export function imagePixels(doc: PdfDocument, stream: PdfStream, opts: ImagePixelsOptions = {}): RgbaImage {
  const d = stream.dict;
  const size = declaredSize(doc, d);
  if (!size) throw imageMalformed('image without a valid /Width and /Height');
  const { width, height } = size;
  const maxPixels = opts.maxPixels ?? MAX_IMAGE_PIXELS;
  if (width * height > maxPixels) throw imageMalformed(`image of ${width}×${height} pixels is too large to check`);
  opts.tick?.(Math.ceil((width * height) / 64));
  const filters = filterNames(doc, d);
  const last = filters[filters.length - 1];
  if (last === 'JPXDecode') throw imageUnsupported('JPEG 2000 (JPXDecode) image', 'JPEG 2000 图像');
  if (last === 'CCITTFaxDecode' || last === 'CCF' || last === 'JBIG2Decode') throw imageUnsupported(`${last} image`, `${last} 黑白图像`);
  // Decoded data can never need more than 16 bits × 4 components per pixel (plus predictor bytes).
  const data = decodeData(doc, stream, filters, width * height * 8 + height * 2 + 4096);
  const isMask = doc.resolve(d.get('ImageMask') ?? d.get('IM')) === true;
  let rgba: Uint8Array;
  if (last === 'DCTDecode' || last === 'DCT') {
    const parms = lastParms(doc, d, filters.length);
    const ct = parms ? doc.resolveNumber(parms.get('ColorTransform')) : undefined;
    const img = decodeJpeg(data, { colorTransform: ct === undefined ? undefined : ct !== 0, maxPixels });
    if (img.width !== width || img.height !== height) throw imageMalformed('JPEG size differs from the image dictionary');
    rgba = img.rgba;
    if (isMask) throw imageMalformed('a stencil mask cannot be a JPEG');
  } else if (isMask) {
    rgba = stencil(doc, d, data, width, height, opts.fill ?? [0, 0, 0]);
  } else {
    const bpc = doc.resolveNumber(d.get('BitsPerComponent') ?? d.get('BPC')) ?? 8;
    if (![1, 2, 4, 8, 16].includes(bpc)) throw imageMalformed(`${bpc} bits per component`);
    const cs = colourSpace(doc, d.get('ColorSpace') ?? d.get('CS'), opts.colorSpaces, 0);
    const samples = readSamples(data, width, height, cs.components, bpc);
    const decode = decodeArray(doc, d, cs, bpc);
    rgba = new Uint8Array(width * height * 4);
    const n = width * height;
    const comps = new Float64Array(cs.components);
    const maxV = (1 << bpc) - 1;
    const keyMask = colourKeyMask(doc, d, cs.components);
    const plain = bpc === 8 && !keyMask && (cs === RGB || cs === GRAY) && decode.every((v, i) => v === (i % 2));
    for (let i = 0; plain && i < n; i++) {
      // The common case (8-bit RGB or grey as written): copy, no colour conversion.
      const o = i * 4;
      if (cs === RGB) { rgba[o] = samples[i * 3]!; rgba[o + 1] = samples[i * 3 + 1]!; rgba[o + 2] = samples[i * 3 + 2]!; } else rgba[o] = rgba[o + 1] = rgba[o + 2] = samples[i]!;
      rgba[o + 3] = 255;
    }
    for (let i = 0; !plain && i < n; i++) {
      let keyed = keyMask !== undefined;
      for (let c = 0; c < cs.components; c++) {
        const s = samples[i * cs.components + c]!;
        if (keyMask && (s < keyMask[c * 2]! || s > keyMask[c * 2 + 1]!)) keyed = false;
        comps[c] = decode[c * 2]! + (s * (decode[c * 2 + 1]! - decode[c * 2]!)) / maxV;
      }
      const [r, g, b] = cs.toRgb(comps);
      rgba[i * 4] = r; rgba[i * 4 + 1] = g; rgba[i * 4 + 2] = b; rgba[i * 4 + 3] = keyed ? 0 : 255;
    }
  }
  applyMasks(doc, d, rgba, width, height, opts);
  return { width, height, rgba };
}

function lastParms(doc: PdfDocument, d: PdfDict, count: number): PdfDict | undefined {
  const p = doc.resolve(d.get('DecodeParms') ?? d.get('DP'));
  const item = p instanceof PdfArray ? doc.resolve(p.items[count - 1]) : p;
  return item instanceof PdfDict ? item : undefined;
}

/**
 * Runs the filter chain; LZW and RunLength are decoded here, the rest by the PDF layer. A lone
 * Flate filter (the usual case) is inflated here with the image's own bound, so a small picture
 * whose data inflates to hundreds of megabytes stops at the first few.
 */
function decodeData(doc: PdfDocument, stream: PdfStream, filters: string[], maxBytes: number): Uint8Array {
  if (filters.length === 1 && (filters[0] === 'FlateDecode' || filters[0] === 'Fl')) {
    let inflated: Uint8Array;
    try {
      inflated = zlib.inflateSync(stream.raw, { maxOutputLength: maxBytes, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (e) {
      throw imageMalformed('image data cannot be decompressed within its size', e);
    }
    return applyPredictor(inflated, lastParms(doc, stream.dict, 1), (o) => doc.resolve(o));
  }
  if (!filters.some((f) => f === 'LZWDecode' || f === 'LZW' || f === 'RunLengthDecode' || f === 'RL')) {
    return doc.decode(stream).data;
  }
  const parmsObj = doc.resolve(stream.dict.get('DecodeParms') ?? stream.dict.get('DP'));
  const parmsAt = (i: number): PdfDict | undefined => {
    const p = parmsObj instanceof PdfArray ? doc.resolve(parmsObj.items[i]) : i === 0 ? parmsObj : undefined;
    return p instanceof PdfDict ? p : undefined;
  };
  let data: Uint8Array = stream.raw;
  const resolve = (o: PdfObject | undefined): PdfObject | undefined => doc.resolve(o);
  for (let i = 0; i < filters.length; i++) {
    const f = filters[i]!;
    const parms = parmsAt(i);
    if (f === 'LZWDecode' || f === 'LZW') {
      const early = parms ? doc.resolveNumber(parms.get('EarlyChange')) ?? 1 : 1;
      data = applyPredictor(lzwDecode(data, early !== 0, maxBytes), parms, resolve);
    } else if (f === 'RunLengthDecode' || f === 'RL') data = runLengthDecode(data, maxBytes);
    else if (f === 'FlateDecode' || f === 'Fl') data = applyPredictor(inflate(data, doc.budget), parms, resolve);
    else if (f === 'DCTDecode' || f === 'DCT') return data;
    else data = decodeStream(new PdfStream(dict({ Filter: new PdfName(f) }), data, stream.dataSpan), resolve, doc.budget).data;
  }
  return data;
}

export function lzwDecode(data: Uint8Array, earlyChange: boolean, maxBytes = DEFAULT_MAX_STREAM_BYTES): Uint8Array {
  const out: number[] = [];
  let dictTable: number[][] = [];
  const reset = (): void => { dictTable = []; for (let i = 0; i < 256; i++) dictTable.push([i]); dictTable.push([], []); };
  reset();
  let codeLen = 9;
  let bitBuf = 0;
  let bitCount = 0;
  let prev: number[] | undefined;
  for (let pos = 0; ;) {
    while (bitCount < codeLen && pos < data.length) { bitBuf = ((bitBuf << 8) | data[pos++]!) >>> 0; bitCount += 8; }
    if (bitCount < codeLen) break;
    const code = (bitBuf >>> (bitCount - codeLen)) & ((1 << codeLen) - 1);
    bitCount -= codeLen;
    bitBuf &= (1 << bitCount) - 1;
    if (code === 256) { reset(); codeLen = 9; prev = undefined; continue; }
    if (code === 257) break;
    let entry: number[];
    if (code < dictTable.length && (code < 256 || dictTable[code]!.length > 0)) entry = dictTable[code]!;
    else if (code === dictTable.length && prev) entry = [...prev, prev[0]!];
    else throw imageMalformed('bad LZW code');
    for (const b of entry) out.push(b);
    if (out.length > maxBytes) throw imageMalformed('LZW data expands too far');
    // A full table (4096 codes) stays as it is until the encoder sends a clear code.
    if (prev && dictTable.length < 4096) dictTable.push([...prev, entry[0]!]);
    prev = entry;
    const next = dictTable.length + (earlyChange ? 1 : 0);
    codeLen = next >= 2048 ? 12 : next >= 1024 ? 11 : next >= 512 ? 10 : 9;
  }
  return Uint8Array.from(out);
}

export function runLengthDecode(data: Uint8Array, maxBytes = DEFAULT_MAX_STREAM_BYTES): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length;) {
    const n = data[i++]!;
    if (n === 128) break;
    if (n < 128) { for (let k = 0; k <= n && i < data.length; k++) out.push(data[i++]!); } else {
      const v = data[i++] ?? 0;
      for (let k = 0; k < 257 - n; k++) out.push(v);
    }
    if (out.length > maxBytes) throw imageMalformed('RunLength data expands too far');
  }
  return Uint8Array.from(out);
}

/** Unpacks samples (rows padded to whole bytes) to one number per sample at its own bit depth. */
function readSamples(data: Uint8Array, width: number, height: number, comps: number, bpc: number): Uint16Array | Uint8Array {
  const rowBytes = Math.ceil((width * comps * bpc) / 8);
  if (data.length < rowBytes * height) throw imageMalformed('image data shorter than its size');
  const perRow = width * comps;
  if (bpc === 8) {
    if (rowBytes === perRow) return data.subarray(0, perRow * height);
  }
  const out = bpc === 16 ? new Uint16Array(perRow * height) : new Uint8Array(perRow * height);
  for (let y = 0; y < height; y++) {
    const o = y * rowBytes;
    for (let i = 0; i < perRow; i++) {
      if (bpc === 8) out[y * perRow + i] = data[o + i]!;
      else if (bpc === 16) out[y * perRow + i] = (data[o + i * 2]! << 8) | data[o + i * 2 + 1]!;
      else {
        const bit = i * bpc;
        out[y * perRow + i] = (data[o + (bit >> 3)]! >> (8 - bpc - (bit & 7))) & ((1 << bpc) - 1);
      }
    }
  }
  return out;
}

interface ColourSpace {
  components: number;
  /** Indexed spaces take the raw index; their /Decode default is [0 2^bpc−1]. */
  indexed?: boolean;
  toRgb(c: Float64Array | number[]): [number, number, number];
}

const clamp8 = (v: number): number => (v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255));
const GRAY: ColourSpace = { components: 1, toRgb: (c) => { const v = clamp8(c[0]!); return [v, v, v]; } };
const RGB: ColourSpace = { components: 3, toRgb: (c) => [clamp8(c[0]!), clamp8(c[1]!), clamp8(c[2]!)] };
const CMYK: ColourSpace = {
  components: 4,
  toRgb: (c) => { const k = 1 - c[3]!; return [clamp8((1 - c[0]!) * k), clamp8((1 - c[1]!) * k), clamp8((1 - c[2]!) * k)]; },
};
const LAB: ColourSpace = {
  components: 3,
  toRgb: (c) => {
    // CIE L*a*b* (D65 approximately) to sRGB; /Range defaults are taken as given by /Decode.
    const fy = (c[0]! + 16) / 116, fx = fy + c[1]! / 500, fz = fy - c[2]! / 200;
    const inv = (t: number): number => (t > 6 / 29 ? t * t * t : 3 * (6 / 29) ** 2 * (t - 4 / 29));
    const X = 0.9505 * inv(fx), Y = inv(fy), Z = 1.089 * inv(fz);
    const lin = [3.2406 * X - 1.5372 * Y - 0.4986 * Z, -0.9689 * X + 1.8758 * Y + 0.0415 * Z, 0.0557 * X - 0.204 * Y + 1.057 * Z];
    const g = lin.map((v) => (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055));
    return [clamp8(g[0]!), clamp8(g[1]!), clamp8(g[2]!)];
  },
};

function byComponents(n: number | undefined): ColourSpace | undefined {
  return n === 1 ? GRAY : n === 3 ? RGB : n === 4 ? CMYK : undefined;
}

function colourSpace(doc: PdfDocument, o: PdfObject | undefined, named: PdfDict | undefined, depth: number): ColourSpace {
  if (depth > 4) throw imageMalformed('colour space nested too deeply');
  const cs = doc.resolve(o);
  if (cs instanceof PdfName) {
    switch (cs.name) {
      case 'DeviceGray': case 'CalGray': case 'G': return GRAY;
      case 'DeviceRGB': case 'CalRGB': case 'RGB': return RGB;
      case 'DeviceCMYK': case 'CMYK': return CMYK;
      case 'Indexed': case 'I': throw imageMalformed('Indexed colour space without its parameters');
      default: {
        const res = named ? doc.resolve(named.get(cs.name)) : undefined;
        if (res !== undefined) return colourSpace(doc, res, undefined, depth + 1);
        throw imageUnsupported(`colour space ${cs.name}`, `色彩空间 ${cs.name}`);
      }
    }
  }
  if (cs instanceof PdfArray && cs.items.length > 0) {
    const kind = doc.resolve(cs.items[0]);
    const family = kind instanceof PdfName ? kind.name : '';
    switch (family) {
      case 'DeviceGray': case 'CalGray': case 'G': return GRAY;
      case 'DeviceRGB': case 'CalRGB': case 'RGB': return RGB;
      case 'DeviceCMYK': case 'CMYK': return CMYK;
      case 'Lab': return LAB;
      case 'ICCBased': {
        const s = doc.resolve(cs.items[1]);
        if (!(s instanceof PdfStream)) throw imageMalformed('ICCBased colour space without a profile');
        const alt = s.dict.get('Alternate');
        if (alt !== undefined) {
          try { return colourSpace(doc, alt, named, depth + 1); } catch { /* fall back to the component count */ }
        }
        const byN = byComponents(doc.resolveNumber(s.dict.get('N')));
        if (!byN) throw imageMalformed('ICCBased colour space with a bad /N');
        return byN;
      }
      case 'Indexed': case 'I': return indexed(doc, cs, named, depth);
      case 'Separation': return separation(doc, cs, named, depth);
      default: throw imageUnsupported(`colour space ${family || '(unnamed)'}`, `色彩空间 ${family || '（无名称）'}`);
    }
  }
  // A soft mask written without a colour space is grey.
  if (cs === undefined) return GRAY;
  throw imageMalformed('colour space is not a name or an array');
}

function indexed(doc: PdfDocument, cs: PdfArray, named: PdfDict | undefined, depth: number): ColourSpace {
  const base = colourSpace(doc, cs.items[1], named, depth + 1);
  if (base.indexed) throw imageMalformed('Indexed colour space over another Indexed space');
  const hival = doc.resolveNumber(cs.items[2]);
  if (hival === undefined || !Number.isInteger(hival) || hival < 0 || hival > 255) throw imageMalformed('Indexed colour space with a bad /hival');
  const lookupObj = doc.resolve(cs.items[3]);
  const lookup = lookupObj instanceof PdfStream ? doc.decode(lookupObj).data : lookupObj instanceof PdfString ? lookupObj.bytes : undefined;
  if (!lookup) throw imageMalformed('Indexed colour space without a lookup table');
  const table: Array<[number, number, number]> = [];
  const comps = new Array<number>(base.components);
  for (let i = 0; i <= hival; i++) {
    for (let c = 0; c < base.components; c++) comps[c] = (lookup[i * base.components + c] ?? 0) / 255;
    table.push(base.toRgb(comps));
  }
  return { components: 1, indexed: true, toRgb: (c) => table[Math.max(0, Math.min(hival, Math.round(c[0]!)))]! };
}

/** Separation with an exponential (type 2) tint transform, the form seal spot colours take. */
function separation(doc: PdfDocument, cs: PdfArray, named: PdfDict | undefined, depth: number): ColourSpace {
  const colorant = doc.resolve(cs.items[1]);
  if (colorant instanceof PdfName && colorant.name === 'None') return { components: 1, toRgb: () => [255, 255, 255] };
  const alt = colourSpace(doc, cs.items[2], named, depth + 1);
  const fn = doc.resolveDict(cs.items[3]);
  if (colorant instanceof PdfName && colorant.name === 'All') return { components: 1, toRgb: (c) => { const v = clamp8(1 - c[0]!); return [v, v, v]; } };
  if (!fn || doc.resolveNumber(fn.get('FunctionType')) !== 2) throw imageUnsupported('Separation colour space with a tint function other than type 2', '专色的色调函数不是指数函数（类型 2）');
  const nums = (k: string, dflt: number[]): number[] => doc.resolveArray(fn.get(k))?.items.map((x) => doc.resolveNumber(x) ?? 0) ?? dflt;
  const c0 = nums('C0', [0]);
  const c1 = nums('C1', [1]);
  const n = doc.resolveNumber(fn.get('N')) ?? 1;
  if (c0.length !== alt.components || c1.length !== alt.components) throw imageMalformed('tint function does not fit its alternate space');
  const out = new Array<number>(alt.components);
  return {
    components: 1,
    toRgb: (c) => {
      const t = Math.max(0, Math.min(1, c[0]!)) ** n;
      for (let k = 0; k < out.length; k++) out[k] = c0[k]! + t * (c1[k]! - c0[k]!);
      return alt.toRgb(out);
    },
  };
}

function decodeArray(doc: PdfDocument, d: PdfDict, cs: ColourSpace, bpc: number): number[] {
  const dflt: number[] = [];
  for (let c = 0; c < cs.components; c++) dflt.push(0, cs.indexed ? (1 << bpc) - 1 : cs === LAB && c > 0 ? 100 : 1);
  if (cs === LAB) { dflt[0] = 0; dflt[1] = 100; dflt[2] = -100; dflt[3] = 100; dflt[4] = -100; dflt[5] = 100; }
  const a = doc.resolveArray(d.get('Decode') ?? d.get('D'));
  if (!a || a.length !== dflt.length) return dflt;
  const v = a.items.map((x) => doc.resolveNumber(x));
  return v.some((x) => x === undefined) ? dflt : (v as number[]);
}

/** /Mask as an array: sample ranges that are painted transparent (colour-key masking). */
function colourKeyMask(doc: PdfDocument, d: PdfDict, comps: number): number[] | undefined {
  const m = doc.resolve(d.get('Mask'));
  if (!(m instanceof PdfArray) || m.length !== comps * 2) return undefined;
  const v = m.items.map((x) => doc.resolveNumber(x));
  return v.some((x) => x === undefined) ? undefined : (v as number[]);
}

function stencil(doc: PdfDocument, d: PdfDict, data: Uint8Array, width: number, height: number, fill: [number, number, number]): Uint8Array {
  const bits = readSamples(data, width, height, 1, 1);
  const dec = doc.resolveArray(d.get('Decode') ?? d.get('D'));
  const inverted = dec !== undefined && doc.resolveNumber(dec.items[0]) === 1;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    // A sample of 0 paints (Decode [0 1]); [1 0] paints the ones.
    const paint = inverted ? bits[i] === 1 : bits[i] === 0;
    rgba[i * 4] = fill[0]; rgba[i * 4 + 1] = fill[1]; rgba[i * 4 + 2] = fill[2]; rgba[i * 4 + 3] = paint ? 255 : 0;
  }
  return rgba;
}

/** Applies /SMask (grey levels as alpha) or a stencil /Mask stream, resampled to the image's size. */
function applyMasks(doc: PdfDocument, d: PdfDict, rgba: Uint8Array, width: number, height: number, opts: ImagePixelsOptions): void {
  const smask = doc.resolve(d.get('SMask'));
  const mask = doc.resolve(d.get('Mask'));
  let alpha: RgbaImage | undefined;
  let fromStencil = false;
  if (smask instanceof PdfStream) {
    alpha = imagePixels(doc, new PdfStream(withoutMasks(smask.dict), smask.raw, smask.dataSpan), { ...opts, fill: undefined });
  } else if (mask instanceof PdfStream) {
    const md = withoutMasks(mask.dict);
    alpha = imagePixels(doc, new PdfStream(md, mask.raw, mask.dataSpan), { ...opts, fill: [0, 0, 0] });
    fromStencil = true;
  }
  if (!alpha) return;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(alpha.height - 1, Math.floor((y * alpha.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(alpha.width - 1, Math.floor((x * alpha.width) / width));
      const s = (sy * alpha.width + sx) * 4;
      // Stencil masks paint where their alpha is set; soft masks give alpha as their grey level.
      const a = fromStencil ? alpha.rgba[s + 3]! : alpha.rgba[s]!;
      const o = (y * width + x) * 4 + 3;
      rgba[o] = Math.min(rgba[o]!, a);
    }
  }
}

function withoutMasks(d: PdfDict): PdfDict {
  const m = new Map(d.entries);
  m.delete('SMask');
  m.delete('Mask');
  return new PdfDict(m, new Map(), d.span);
}

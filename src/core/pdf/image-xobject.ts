import zlib from 'node:zlib';
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, array, dict, name } from './objects';
import { decodePng, RgbaImage } from '../image/png';
import { readJpegInfo } from '../image/jpeg';
import { imageMalformed, imageUnsupported } from '../image/image-errors';
import type { PdfDocument } from './document';
import type { IncrementalUpdate } from './incremental-writer';

export interface SealPicture {
  /** As in SES_ESPictureInfo.type: "PNG", "JPG"/"JPEG" (case-insensitive). */
  type: string;
  data: Uint8Array;
}

export interface ImageXObjectRef {
  ref: PdfRef;
  width: number;
  height: number;
}

/**
 * Adds the seal picture as an image XObject. PNG becomes Flate-compressed RGB with the alpha
 * channel as an /SMask, so the paper shows through around the red ink; JPEG goes in unchanged
 * as DCTDecode.
 */
export function addImageXObject(update: IncrementalUpdate, picture: SealPicture): ImageXObjectRef {
  const type = picture.type.toUpperCase();
  if (type === 'PNG') return addRgba(update, decodePng(picture.data));
  if (type === 'JPG' || type === 'JPEG') {
    const info = readJpegInfo(picture.data);
    const cs = info.components === 1 ? 'DeviceGray' : info.components === 3 ? 'DeviceRGB' : 'DeviceCMYK';
    const d = dict({
      Type: name('XObject'), Subtype: name('Image'), Width: info.width, Height: info.height,
      ColorSpace: name(cs), BitsPerComponent: 8, Filter: name('DCTDecode'),
      ...(info.components === 4 && info.adobe ? { Decode: array([1, 0, 1, 0, 1, 0, 1, 0]) } : {}),
    });
    return { ref: update.add(new PdfStream(d, picture.data, d.span)), width: info.width, height: info.height };
  }
  throw imageUnsupported(`picture type ${picture.type}; use PNG or JPG`);
}

/** Adds pixels as a Flate RGB image with its alpha as an /SMask (a straddle strip, a PNG seal). */
export function addRgba(update: IncrementalUpdate, img: RgbaImage): ImageXObjectRef {
  const n = img.width * img.height;
  const rgb = Buffer.alloc(n * 3);
  const alpha = Buffer.alloc(n);
  let opaque = true;
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = img.rgba[i * 4]!;
    rgb[i * 3 + 1] = img.rgba[i * 4 + 1]!;
    rgb[i * 3 + 2] = img.rgba[i * 4 + 2]!;
    alpha[i] = img.rgba[i * 4 + 3]!;
    if (alpha[i] !== 255) opaque = false;
  }
  let smask: PdfRef | undefined;
  if (!opaque) {
    const md = dict({ Type: name('XObject'), Subtype: name('Image'), Width: img.width, Height: img.height, ColorSpace: name('DeviceGray'), BitsPerComponent: 8, Filter: name('FlateDecode') });
    smask = update.add(new PdfStream(md, zlib.deflateSync(alpha), md.span));
  }
  const d = dict({
    Type: name('XObject'), Subtype: name('Image'), Width: img.width, Height: img.height,
    ColorSpace: name('DeviceRGB'), BitsPerComponent: 8, Filter: name('FlateDecode'),
    ...(smask ? { SMask: smask } : {}),
  });
  return { ref: update.add(new PdfStream(d, zlib.deflateSync(rgb), d.span)), width: img.width, height: img.height };
}

/**
 * Turns an image XObject back into RGBA pixels (with its /SMask as alpha), for the verifier's
 * impression check. Supports 8-bit DeviceRGB, DeviceGray, ICCBased (by component count) and
 * Indexed over those, Flate or uncompressed. DCT images are refused with IMAGE_UNSUPPORTED: no
 * JPEG decoder ships with the app; compare their encoded bytes instead.
 */
export function imageXObjectToRgba(doc: PdfDocument, stream: PdfStream): RgbaImage {
  const d = stream.dict;
  const width = doc.resolveNumber(d.get('Width'));
  const height = doc.resolveNumber(d.get('Height'));
  const bpc = doc.resolveNumber(d.get('BitsPerComponent')) ?? 8;
  if (!width || !height || !Number.isInteger(width) || !Number.isInteger(height) || width * height > 64 * 1024 * 1024) throw imageMalformed('image XObject without a valid size');
  if (bpc !== 8) throw imageUnsupported(`${bpc}-bit image XObject`);
  const decoded = doc.decode(stream);
  if (decoded.remainingFilter) throw imageUnsupported(`${decoded.remainingFilter} image XObject`);
  const cs = colourSpace(doc, d.get('ColorSpace'));
  const data = decoded.data;
  const rgba = new Uint8Array(width * height * 4);
  const n = width * height;
  if (data.length < n * (cs.palette ? 1 : cs.components)) throw imageMalformed('image data shorter than its size');
  for (let i = 0; i < n; i++) {
    let r: number, g: number, b: number;
    if (cs.palette) {
      const idx = data[i]!;
      const c = cs.components;
      const at = idx * c;
      [r, g, b] = c === 1 ? [cs.palette[at]!, cs.palette[at]!, cs.palette[at]!] : [cs.palette[at]!, cs.palette[at + 1]!, cs.palette[at + 2]!];
    } else if (cs.components === 1) r = g = b = data[i]!;
    else [r, g, b] = [data[i * 3]!, data[i * 3 + 1]!, data[i * 3 + 2]!];
    rgba[i * 4] = r ?? 0; rgba[i * 4 + 1] = g ?? 0; rgba[i * 4 + 2] = b ?? 0; rgba[i * 4 + 3] = 255;
  }
  const smask = doc.resolve(d.get('SMask'));
  if (smask instanceof PdfStream) {
    const m = imageXObjectToRgba(doc, new PdfStream(withoutSMask(smask.dict), smask.raw, smask.dataSpan));
    if (m.width === width && m.height === height) for (let i = 0; i < n; i++) rgba[i * 4 + 3] = m.rgba[i * 4]!;
    else throw imageUnsupported('soft mask of a different size than its image');
  }
  return { width, height, rgba };
}

function withoutSMask(d: PdfDict): PdfDict {
  const m = new Map(d.entries);
  m.delete('SMask');
  return new PdfDict(m, new Map(), d.span);
}

function colourSpace(doc: PdfDocument, o: ReturnType<PdfDict['get']>): { components: number; palette?: Uint8Array } {
  const cs = doc.resolve(o);
  if (cs instanceof PdfName) {
    if (cs.name === 'DeviceRGB' || cs.name === 'CalRGB') return { components: 3 };
    if (cs.name === 'DeviceGray' || cs.name === 'CalGray') return { components: 1 };
    throw imageUnsupported(`colour space ${cs.name}`);
  }
  if (cs instanceof PdfArray && cs.items[0] instanceof PdfName) {
    const kind = cs.items[0].name;
    if (kind === 'ICCBased') {
      const s = doc.resolve(cs.items[1]);
      const nComp = s instanceof PdfStream ? doc.resolveNumber(s.dict.get('N')) : undefined;
      if (nComp === 1 || nComp === 3) return { components: nComp };
      throw imageUnsupported('ICC colour space with other than 1 or 3 components');
    }
    if (kind === 'CalRGB') return { components: 3 };
    if (kind === 'CalGray') return { components: 1 };
    if (kind === 'Indexed') {
      const base = colourSpace(doc, cs.items[1]);
      const lookup = doc.resolve(cs.items[3]);
      const palette = lookup instanceof PdfStream ? doc.decode(lookup).data : lookup && typeof lookup === 'object' && 'bytes' in lookup ? (lookup as { bytes: Uint8Array }).bytes : undefined;
      if (!palette || base.palette) throw imageMalformed('indexed colour space without a lookup table');
      return { components: base.components, palette };
    }
  }
  // A soft mask has no colour space of its own in some writers: it is grey.
  if (cs === undefined) return { components: 1 };
  throw imageUnsupported('colour space');
}

import jpeg from 'jpeg-js';
import { isSealDeskError } from '../errors';
import { imageMalformed, imageUnsupported } from './image-errors';
import { readJpegInfo } from './jpeg';
import type { RgbaImage } from './png';

/** Decoded JPEGs are bounded like PNGs: seal pictures are far smaller, anything larger is refused. */
export const MAX_JPEG_PIXELS = 16 * 1024 * 1024;

/**
 * Decodes a baseline or progressive JPEG to RGBA with jpeg-js (the header is read first, so a
 * size bomb is refused before any pixel is allocated). Grey and YCbCr/RGB files decode as such;
 * four-component files decode only with Adobe's APP14 marker (Adobe CMYK/YCCK, stored inverted,
 * which jpeg-js undoes); a CMYK JPEG without it has no agreed meaning and is refused.
 */
export function decodeJpeg(bytes: Uint8Array, opts: { colorTransform?: boolean; maxPixels?: number } = {}): RgbaImage {
  const info = readJpegInfo(bytes);
  const maxPixels = opts.maxPixels ?? MAX_JPEG_PIXELS;
  if (info.width * info.height > maxPixels) throw imageMalformed(`JPEG of ${info.width}×${info.height} pixels is too large`);
  if (info.components === 4 && !info.adobe) throw imageUnsupported('CMYK JPEG without an Adobe marker', '没有 Adobe 标记的 CMYK JPEG');
  try {
    const img = jpeg.decode(bytes, {
      useTArray: true, formatAsRGBA: true, tolerantDecoding: true,
      maxResolutionInMP: Math.ceil(maxPixels / 1_000_000), maxMemoryUsageInMB: 256,
      ...(opts.colorTransform === undefined ? {} : { colorTransform: opts.colorTransform }),
    });
    if (img.width !== info.width || img.height !== info.height) throw imageMalformed('JPEG size differs from its frame header');
    return { width: img.width, height: img.height, rgba: img.data };
  } catch (e) {
    if (isSealDeskError(e)) throw e;
    throw imageMalformed('JPEG data cannot be decoded', e);
  }
}

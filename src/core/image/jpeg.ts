import { imageMalformed, imageUnsupported } from './image-errors';

export interface JpegInfo {
  width: number;
  height: number;
  /** 1 = grey, 3 = YCbCr/RGB, 4 = CMYK/YCCK */
  components: number;
  bitsPerComponent: number;
  /** An APP14 Adobe marker: CMYK from Adobe tools is stored inverted. */
  adobe: boolean;
}

/** Reads the frame header of a baseline or progressive JPEG; the data itself goes into PDF as DCTDecode. */
export function readJpegInfo(bytes: Uint8Array): JpegInfo {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw imageMalformed('not a JPEG file');
  let pos = 2;
  let adobe = false;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) throw imageMalformed('bad JPEG marker');
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) { pos++; continue; }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { pos += 2; continue; }
    if (marker === 0xd9 || marker === 0xda) break;
    const len = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    if (len < 2 || pos + 2 + len > bytes.length) throw imageMalformed('JPEG segment runs past the end');
    if (marker === 0xee && len >= 7 && Buffer.from(bytes.subarray(pos + 4, pos + 9)).toString('latin1') === 'Adobe') adobe = true;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (len < 8) throw imageMalformed('short JPEG frame header');
      if (marker === 0xc3 || marker === 0xc7 || marker === 0xcb || marker === 0xcf) throw imageUnsupported('lossless JPEG');
      const bitsPerComponent = bytes[pos + 4]!;
      const height = (bytes[pos + 5]! << 8) | bytes[pos + 6]!;
      const width = (bytes[pos + 7]! << 8) | bytes[pos + 8]!;
      const components = bytes[pos + 9]!;
      if (!width || !height || ![1, 3, 4].includes(components) || bitsPerComponent !== 8) throw imageMalformed('unsupported JPEG frame');
      return { width, height, components, bitsPerComponent, adobe };
    }
    pos += 2 + len;
  }
  throw imageMalformed('no JPEG frame header');
}

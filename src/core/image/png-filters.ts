import { imageMalformed } from './image-errors';

/**
 * Undoes PNG row filters (each row starts with its filter type byte). Used by the PNG decoder
 * and by PDF streams with PNG predictors (xref streams, images).
 */
export function unfilterPngRows(data: Uint8Array, rowLen: number, rows: number, bpp: number): Uint8Array {
  const out = new Uint8Array(rowLen * rows);
  for (let r = 0; r < rows; r++) {
    const inOff = r * (rowLen + 1);
    const type = data[inOff]!;
    const o = r * rowLen;
    for (let i = 0; i < rowLen; i++) {
      const x = data[inOff + 1 + i]!;
      const a = i >= bpp ? out[o + i - bpp]! : 0;
      const b = r > 0 ? out[o - rowLen + i]! : 0;
      const c = r > 0 && i >= bpp ? out[o - rowLen + i - bpp]! : 0;
      let v: number;
      switch (type) {
        case 0: v = x; break;
        case 1: v = x + a; break;
        case 2: v = x + b; break;
        case 3: v = x + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw imageMalformed(`bad PNG row filter ${type}`);
      }
      out[o + i] = v & 0xff;
    }
  }
  return out;
}

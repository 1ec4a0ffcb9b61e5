import { Resvg } from '@resvg/resvg-js';
import { SealDeskError } from '../errors';
import { decodePng, encodePng, type RgbaImage } from '../image';
import { sealFontFamily } from './font-family';
import type { SealSvg } from './text-seal-svg';

/**
 * Renders a seal's SVG to the PNG that goes into the seal (SES_ESPictureInfo): resvg with only the
 * chosen font file loaded (no system fonts, so the picture is the same on every machine), at a
 * stated resolution written into the PNG's pHYs chunk, so `seal make --image` reads its size in mm.
 */
export const DEFAULT_SEAL_DPI = 300;

export interface SealPicture {
  png: Uint8Array;
  image: RgbaImage;
  widthMm: number;
  heightMm: number;
  dpi: number;
}

export function renderSealPicture(svg: SealSvg, o: { fontFile: string; family?: string; dpi?: number }): SealPicture {
  const dpi = o.dpi ?? DEFAULT_SEAL_DPI;
  if (!Number.isFinite(dpi) || dpi < 72 || dpi > 1200) {
    throw new SealDeskError('SEAL_TEXT_INVALID', `分辨率 ${dpi} dpi 不在 72–1200 之间`, `a resolution of ${dpi} dpi is outside 72–1200`);
  }
  const family = o.family ?? sealFontFamily(o.fontFile);
  let png: Buffer;
  try {
    const r = new Resvg(svg.svg, {
      font: { loadSystemFonts: false, fontFiles: [o.fontFile], defaultFontFamily: family },
      fitTo: { mode: 'width', value: Math.round((svg.widthMm / 25.4) * dpi) },
      shapeRendering: 2, textRendering: 2,
    });
    png = r.render().asPng();
  } catch (e) {
    throw new SealDeskError('SEAL_RENDER_FAILED', '印模图片生成失败', 'The seal picture could not be rendered', { cause: e });
  }
  return { ...pictureFromRgba(decodePng(png), dpi), widthMm: svg.widthMm, heightMm: svg.heightMm };
}

/** One ink colour under a varying alpha compresses to a small PNG; fully transparent pixels carry no colour. */
export function pictureFromRgba(img: RgbaImage, dpi: number, ink?: [number, number, number]): { png: Uint8Array; image: RgbaImage; dpi: number } {
  const px = img.rgba;
  let colour = ink;
  if (!colour) {
    // The opaque pixels' mean colour.
    let r = 0; let g = 0; let b = 0; let w = 0;
    for (let i = 0; i < px.length; i += 4) { const a = px[i + 3]!; if (a > 200) { r += px[i]!; g += px[i + 1]!; b += px[i + 2]!; w++; } }
    colour = w ? [Math.round(r / w), Math.round(g / w), Math.round(b / w)] : [0, 0, 0];
  }
  const out = new Uint8Array(px.length);
  for (let i = 0; i < px.length; i += 4) {
    const a = px[i + 3]!;
    if (a === 0) continue;
    out[i] = colour[0]; out[i + 1] = colour[1]; out[i + 2] = colour[2]; out[i + 3] = a;
  }
  const image = { width: img.width, height: img.height, rgba: out };
  return { png: encodePng(image, { dpi }), image, dpi };
}

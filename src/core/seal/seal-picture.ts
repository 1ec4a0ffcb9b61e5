import fs from 'node:fs';
import { SealDeskError } from '../errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { decodeJpeg, decodePng, isPng, type RgbaImage } from '../image';
import { cleanSealScan, type ScanCleanReport } from '../image/scan-clean';
import { DEFAULT_SEAL_FONT, missingGlyphs, sealFontFamily } from './font-family';
import { VENDOR_PICTURE_LIMIT_BYTES } from './make-seal';
import { DEFAULT_SEAL_DPI, pictureFromRgba, renderSealPicture } from './render-seal-picture';
import { MAX_SEAL_IMAGE_BYTES, sealImageInvalid } from './seal-image';
import { textSealSvg, type TextSealLayout } from './text-seal-svg';

/**
 * Making a seal's picture (印模), the one use case behind `sealdesk seal image` and the desktop's
 * picture maker: from a scan or photo of the physical impression, or from text in a standard
 * layout. The result is a PNG whose pHYs states its resolution, so `seal make --image` reads its
 * size in millimetres; pictures above the 50 KB that vendor readers accept are flagged.
 */
export type SealPictureRequest =
  | { from: 'scan'; file?: string; bytes?: Uint8Array; size?: { widthMm: number; heightMm: number }; dpi?: number }
  | { from: 'text'; layout: TextSealLayout; size?: { widthMm: number; heightMm: number }; dpi?: number; fontFile?: string };

export interface SealPictureResult {
  png: Uint8Array;
  svg?: string;
  widthMm: number;
  heightMm: number;
  /** What was done, one line each, Chinese / English. */
  steps: string[];
  warnings: { code: string; zh: string; en: string }[];
  summary: { widthMm: number; heightMm: number; widthPx: number; heightPx: number; dpi: number; bytes: number; scan?: ScanCleanReport; layout?: TextSealLayout['kind']; font?: string };
}

/** "42mm", "42", "40x30mm", "40×30" → millimetres. */
export function parseSealSize(v: string): { widthMm: number; heightMm: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:[x×*]\s*(\d+(?:\.\d+)?))?\s*(?:mm)?\s*$/i.exec(v);
  const w = m ? Number(m[1]) : NaN;
  const h = m?.[2] ? Number(m[2]) : w;
  if (!(w >= 10 && w <= 80 && h >= 10 && h <= 80)) {
    throw new SealDeskError('SEAL_SIZE_INVALID', `印章尺寸应为 10–80 毫米,例如 42mm 或 40x30mm: ${v}`, `The seal size must be 10–80 mm, e.g. 42mm or 40x30mm: ${v}`);
  }
  return { widthMm: w, heightMm: h };
}

function readScan(req: Extract<SealPictureRequest, { from: 'scan' }>): RgbaImage {
  let bytes = req.bytes;
  if (!bytes) {
    try {
      bytes = fs.readFileSync(req.file!);
    } catch (e) {
      throw new SealDeskError('FILE_UNREADABLE', `无法读取文件 ${req.file}`, `Cannot read the file ${req.file}`, { cause: e });
    }
  }
  if (bytes.length > MAX_SEAL_IMAGE_BYTES * 4) throw sealImageInvalid('扫描图片过大', 'the scan is too large');
  const isJpeg = bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng(bytes) && !isJpeg) throw sealImageInvalid('扫描件只支持 PNG 或 JPEG 图片', 'a scan must be a PNG or JPEG image');
  try {
    return isJpeg ? decodeJpeg(bytes) : decodePng(bytes);
  } catch (e) {
    if (e instanceof SealDeskError) throw e;
    throw sealImageInvalid('图片数据损坏', 'the image data is damaged');
  }
}

function sizeWarning(png: Uint8Array): SealPictureResult['warnings'] {
  if (png.length <= VENDOR_PICTURE_LIMIT_BYTES) return [];
  const kb = Math.ceil(png.length / 1024);
  return [{ code: 'SEAL_PICTURE_LARGE', zh: `印章图片 ${kb} KB,超过许多厂商阅读器接受的 50 KB;可降低 --dpi`, en: `The seal picture is ${kb} KB, above the 50 KB many vendor readers accept; lower --dpi` }];
}

export function sealPicture(req: SealPictureRequest): SealPictureResult {
  const dpi = req.dpi ?? DEFAULT_SEAL_DPI;
  if (!Number.isFinite(dpi) || dpi < 72 || dpi > 1200) {
    throw new SealDeskError('SEAL_SIZE_INVALID', `分辨率 ${dpi} dpi 不在 72–1200 之间`, `a resolution of ${dpi} dpi is outside 72–1200`);
  }
  if (req.from === 'scan') {
    const size = req.size ?? { widthMm: 42, heightMm: 42 };
    const { image, report } = cleanSealScan(readScan(req), { ...size, dpi });
    const { png } = pictureFromRgba(image, dpi, report.ink);
    const r = report;
    const steps = [
      `读取 / read: ${r.inputPx[0]}×${r.inputPx[1]} px${r.workingPx[0] !== r.inputPx[0] ? ` (处理于 / worked at ${r.workingPx[0]}×${r.workingPx[1]})` : ''}`,
      `去除纸张底色 / paper removed: 纸色 paper rgb(${r.paper.centre.join(',')}), 光照模型 lighting modelled (spread ${r.paper.spread})`,
      `保留红色印迹 / red ink kept as alpha: 印色 ink rgb(${r.ink.join(',')}), 覆盖 coverage ${(r.inkCoverage * 100).toFixed(1)}%`,
      r.deskewed ? `纠正倾斜 / deskewed: ${r.rotationDeg}° (对称度 symmetry ${r.symmetry})` : `未旋转 / not rotated (对称度 symmetry ${r.symmetry})`,
      `裁剪 / cropped: ${r.cropPx.width}×${r.cropPx.height} px at (${r.cropPx.x}, ${r.cropPx.y})`,
      `缩放 / scaled: ${size.widthMm}×${size.heightMm} mm @ ${dpi} dpi = ${r.outputPx[0]}×${r.outputPx[1]} px, ${png.length} bytes`,
    ];
    return { png, ...size, steps, warnings: sizeWarning(png), summary: { ...size, widthPx: r.outputPx[0], heightPx: r.outputPx[1], dpi, bytes: png.length, scan: r } };
  }
  const fontFile = req.fontFile ?? DEFAULT_SEAL_FONT;
  const layout: TextSealLayout = req.size
    ? req.layout.kind === 'oval' ? { ...req.layout, widthMm: req.size.widthMm, heightMm: req.size.heightMm } : { ...req.layout, sizeMm: req.size.widthMm }
    : req.layout;
  const family = sealFontFamily(fontFile);
  const l = req.layout;
  const missing = missingGlyphs(fontFile, family, [l.name, 'purpose' in l ? l.purpose : '', 'code' in l ? l.code : '', 'taxNumber' in l ? l.taxNumber : '', l.kind === 'oval' && !l.purpose ? '发票专用章' : '', l.kind === 'square' ? '印' : ''].join(''));
  if (missing.length > 0) {
    throw new SealDeskError('SEAL_FONT_GLYPH_MISSING', `字体 ${family} 中没有这些字:${missing.join(' ')};请用 --font 选择包含它们的字体`, `The font ${family} has no glyph for: ${missing.join(' ')}; choose a font that has them with --font`, { details: { missing } });
  }
  const svg = textSealSvg(layout, family);
  const pic = renderSealPicture(svg, { fontFile, family, dpi });
  const names = { round: '圆形公章 round official seal', oval: '椭圆发票专用章 oval invoice seal', square: '方形名章 square name seal' };
  const steps = [
    `版式 / layout: ${names[layout.kind]}, ${pic.widthMm}×${pic.heightMm} mm`,
    `字体 / font: ${family} (${fontFile})`,
    `生成 / rendered: ${pic.image.width}×${pic.image.height} px @ ${dpi} dpi, ${pic.png.length} bytes`,
  ];
  return { png: pic.png, svg: svg.svg, widthMm: pic.widthMm, heightMm: pic.heightMm, steps, warnings: sizeWarning(pic.png), summary: { widthMm: pic.widthMm, heightMm: pic.heightMm, widthPx: pic.image.width, heightPx: pic.image.height, dpi, bytes: pic.png.length, layout: layout.kind, font: fontFile } };
}

/** Makes the picture and writes it (and the SVG, if asked) atomically. */
export function makeSealPicture(req: SealPictureRequest, o: { output: string; svgOutput?: string }): SealPictureResult {
  const r = sealPicture(req);
  writeFileAtomic(o.output, r.png);
  if (o.svgOutput && r.svg) writeFileAtomic(o.svgOutput, Buffer.from(r.svg, 'utf8'));
  return r;
}

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { decodePng, type RgbaImage } from '../../src/core/image/png';
import { buildPdf, type HandmadeObject } from '../pdf/support/handmade-pdf';
import { repoRoot } from './world';

/**
 * Pictures and PDFs for the copied-seal tests. Copies of the test seal are made by ImageMagick
 * `convert` (JPEG re-encoding, resizing, cropping, flattening, CMYK), the way a forger's tools
 * would; the PDFs are written by hand so each test controls how the picture is drawn (image
 * XObject, nested forms, inline image, Stamp annotation, tiling pattern).
 */

export const fixtureDir = path.join(repoRoot, 'test/fixtures/copied-seals');
export const sealPngPath = path.join(repoRoot, 'test/fixtures/pdf/seal-red.png');
export const otherRoundSealPng = path.join(fixtureDir, 'seal-other-round.png');
export const ovalSealPng = path.join(fixtureDir, 'seal-oval.png');

/** Runs ImageMagick convert; returns the output file's bytes. */
export function convert(dir: string, args: string[], outName: string): Buffer {
  const out = path.join(dir, outName);
  const r = spawnSync('convert', [...args, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`convert ${args.join(' ')} failed: ${r.stderr}`);
  // Its own ArrayBuffer: a small file read by Node sits inside a shared pool at some offset, and
  // pdf-lib's embedJpg reads the buffer from offset 0 ("SOI not found in JPEG").
  return Buffer.from(new Uint8Array(fs.readFileSync(out)).buffer);
}

export function rgbaOf(png: Buffer): RgbaImage {
  return decodePng(png);
}

/** An image XObject body: Flate RGB (or grey) with the alpha channel as an /SMask object. */
export function flateImage(img: RgbaImage, smaskNum?: number, opts: { gray?: boolean } = {}): { body: Buffer; smask?: Buffer } {
  const n = img.width * img.height;
  const comps = opts.gray ? 1 : 3;
  const px = Buffer.alloc(n * comps);
  const alpha = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    if (opts.gray) px[i] = Math.round(0.299 * img.rgba[i * 4]! + 0.587 * img.rgba[i * 4 + 1]! + 0.114 * img.rgba[i * 4 + 2]!);
    else for (let c = 0; c < 3; c++) px[i * 3 + c] = img.rgba[i * 4 + c]!;
    alpha[i] = img.rgba[i * 4 + 3]!;
  }
  const data = zlib.deflateSync(px);
  const cs = opts.gray ? '/DeviceGray' : '/DeviceRGB';
  const head = `<< /Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} /ColorSpace ${cs} /BitsPerComponent 8 /Filter /FlateDecode /Length ${data.length}${smaskNum ? ` /SMask ${smaskNum} 0 R` : ''} >>\nstream\n`;
  const body = Buffer.concat([Buffer.from(head, 'latin1'), data, Buffer.from('\nendstream')]);
  if (!smaskNum) return { body };
  const a = zlib.deflateSync(alpha);
  const mhead = `<< /Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${a.length} >>\nstream\n`;
  return { body, smask: Buffer.concat([Buffer.from(mhead, 'latin1'), a, Buffer.from('\nendstream')]) };
}

/** A DCTDecode image XObject body for JPEG bytes. */
export function jpegImage(jpeg: Buffer, width: number, height: number, opts: { cs?: string; decode?: string } = {}): Buffer {
  const head = `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace ${opts.cs ?? '/DeviceRGB'} /BitsPerComponent 8 /Filter /DCTDecode${opts.decode ? ` /Decode ${opts.decode}` : ''} /Length ${jpeg.length} >>\nstream\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), jpeg, Buffer.from('\nendstream')]);
}

export function streamObj(dictBody: string, data: Buffer | string): Buffer {
  const d = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
  return Buffer.concat([Buffer.from(`<< ${dictBody} /Length ${d.length} >>\nstream\n`, 'latin1'), d, Buffer.from('\nendstream')]);
}

/**
 * A one-page A4 document: catalog 1, pages 2, page 3, content 4; `resources` is the page's
 * resource dictionary body; objects from 10 on are the caller's.
 */
export function pagePdf(opts: { content: Buffer | string; resources?: string; objects?: HandmadeObject[]; pageExtra?: string }): Buffer {
  return buildPdf([
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>' },
    { num: 3, body: `<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << ${opts.resources ?? ''} >> ${opts.pageExtra ?? ''} >>` },
    { num: 4, body: streamObj('', opts.content) },
    ...(opts.objects ?? []),
  ], `<< /Size ${Math.max(5, ...(opts.objects ?? []).map((o) => o.num + 1))} /Root 1 0 R >>`);
}

/** A page drawing one image XObject (object 10, its soft mask 11) at `rect` [x, y, w, h]. */
export function pdfDrawing(image: { body: Buffer; smask?: Buffer }, rect: [number, number, number, number]): Buffer {
  const [x, y, w, h] = rect;
  return pagePdf({
    content: `q ${w} 0 0 ${h} ${x} ${y} cm /Im1 Do Q`,
    resources: '/XObject << /Im1 10 0 R >>',
    objects: [{ num: 10, body: image.body }, ...(image.smask ? [{ num: 11, body: image.smask }] : [])],
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { decodePng, encodePng, readJpegInfo } from '../../src/core/image';
import { isSealDeskError } from '../../src/core/errors';
import { workDir } from '../sign/support/stamp-fixtures';

/** Writes a PNG with unfiltered rows from raw samples, so each colour type and depth can be tested. */
function rawPng(o: { width: number; height: number; colorType: number; depth: number; rows: number[][]; plte?: number[]; trns?: number[]; interlace?: number }): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(o.width, 0); ihdr.writeUInt32BE(o.height, 4);
  ihdr[8] = o.depth; ihdr[9] = o.colorType; ihdr[12] = o.interlace ?? 0;
  const raw = Buffer.concat(o.rows.map((r) => Buffer.from([0, ...r])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    ...(o.plte ? [chunk('PLTE', Buffer.from(o.plte))] : []), ...(o.trns ? [chunk('tRNS', Buffer.from(o.trns))] : []),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

const px = (img: { width: number; rgba: Uint8Array }, x: number, y: number): number[] => [...img.rgba.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4)];

test('grey PNGs at 1, 2, 4, 8 and 16 bits decode to the same grey levels', () => {
  // Two pixels: black and white, at every depth.
  const cases: [number, number[]][] = [[1, [0b01000000]], [2, [0b00110000]], [4, [0x0f]], [8, [0, 255]], [16, [0, 0, 255, 255]]];
  for (const [depth, row] of cases) {
    const img = decodePng(rawPng({ width: 2, height: 1, colorType: 0, depth, rows: [row] }));
    assert.deepEqual(px(img, 0, 0), [0, 0, 0, 255], `depth ${depth}`);
    assert.deepEqual(px(img, 1, 0), [255, 255, 255, 255], `depth ${depth}`);
  }
});

test('RGB, RGBA, grey+alpha and palette PNGs keep colour and transparency', () => {
  assert.deepEqual(px(decodePng(rawPng({ width: 1, height: 1, colorType: 2, depth: 8, rows: [[200, 10, 20]] })), 0, 0), [200, 10, 20, 255]);
  assert.deepEqual(px(decodePng(rawPng({ width: 1, height: 1, colorType: 2, depth: 16, rows: [[200, 1, 10, 2, 20, 3]] })), 0, 0), [200, 10, 20, 255]);
  assert.deepEqual(px(decodePng(rawPng({ width: 1, height: 1, colorType: 6, depth: 8, rows: [[200, 10, 20, 0]] })), 0, 0), [200, 10, 20, 0]);
  assert.deepEqual(px(decodePng(rawPng({ width: 1, height: 1, colorType: 4, depth: 8, rows: [[90, 128]] })), 0, 0), [90, 90, 90, 128]);
  const pal = decodePng(rawPng({ width: 2, height: 1, colorType: 3, depth: 4, rows: [[0x01]], plte: [255, 255, 255, 208, 2, 27], trns: [0] }));
  assert.deepEqual(px(pal, 0, 0), [255, 255, 255, 0], 'palette entry 0 is transparent through tRNS');
  assert.deepEqual(px(pal, 1, 0), [208, 2, 27, 255]);
  const keyed = decodePng(rawPng({ width: 2, height: 1, colorType: 2, depth: 8, rows: [[255, 255, 255, 1, 2, 3]], trns: [0, 255, 0, 255, 0, 255] }));
  assert.equal(px(keyed, 0, 0)[3], 0, 'the tRNS colour key makes white transparent');
  assert.equal(px(keyed, 1, 0)[3], 255);
});

test('an encoded RGBA picture decodes back to the same pixels', () => {
  const rgba = new Uint8Array(7 * 5 * 4).map((_, i) => (i * 37) & 0xff);
  const img = decodePng(encodePng({ width: 7, height: 5, rgba }));
  assert.ok(Buffer.from(img.rgba).equals(Buffer.from(rgba)));
});

test('interlaced and broken PNGs are refused with a clear error', () => {
  const check = (bytes: Uint8Array, code: string): void => {
    assert.throws(() => decodePng(bytes), (e: unknown) => isSealDeskError(e) && e.code === code);
  };
  check(rawPng({ width: 1, height: 1, colorType: 2, depth: 8, rows: [[1, 2, 3]], interlace: 1 }), 'IMAGE_UNSUPPORTED');
  check(Buffer.from('not a png'), 'IMAGE_MALFORMED');
  const good = rawPng({ width: 4, height: 4, colorType: 6, depth: 8, rows: Array.from({ length: 4 }, () => new Array(16).fill(9)) });
  check(good.subarray(0, 40), 'IMAGE_MALFORMED');
  check(rawPng({ width: 1, height: 1, colorType: 2, depth: 4, rows: [[0]] }), 'IMAGE_MALFORMED');
  check(rawPng({ width: 2, height: 1, colorType: 3, depth: 8, rows: [[0, 5]], plte: [1, 2, 3] }), 'IMAGE_MALFORMED');
  check(rawPng({ width: 100000, height: 100000, colorType: 0, depth: 8, rows: [[0]] }), 'IMAGE_MALFORMED');
});

test('the JPEG header gives size and components; other bytes are refused', () => {
  const dir = workDir('jpeg');
  const pdf = path.join(dir, 'p.pdf');
  fs.writeFileSync(pdf, '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 144 72]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  execFileSync('pdftoppm', ['-jpeg', '-r', '50', '-singlefile', pdf, path.join(dir, 'page')]);
  const info = readJpegInfo(fs.readFileSync(path.join(dir, 'page.jpg')));
  assert.deepEqual([info.width, info.height, info.components, info.bitsPerComponent], [100, 50, 3, 8]);
  assert.throws(() => readJpegInfo(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff])), (e: unknown) => isSealDeskError(e) && e.code === 'IMAGE_MALFORMED');
});

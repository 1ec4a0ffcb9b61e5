import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { test } from 'node:test';
import { readSealImage } from '../../src/core/seal/seal-image';

const demoPng = new Uint8Array(fs.readFileSync(path.resolve(__dirname, '../../resources/seals/demo-seal.png')));
// A real JPEG (Chromium's encoder), 160×120 px, JFIF without a resolution.
const jpeg = new Uint8Array(fs.readFileSync(path.join(__dirname, 'fixtures/oval-160x120.jpg')));

/** The PNG with a pHYs chunk (pixels per metre) inserted after IHDR. */
function withPhys(png: Uint8Array, dpi: number): Uint8Array {
  const ppm = Math.round(dpi / 0.0254);
  const body = Buffer.alloc(13);
  body.write('pHYs', 0, 'latin1');
  body.writeUInt32BE(ppm, 4);
  body.writeUInt32BE(ppm, 8);
  body[12] = 1;
  const chunk = Buffer.alloc(21);
  chunk.writeUInt32BE(9, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(zlib.crc32(body), 17);
  return new Uint8Array(Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]));
}

test('the demo seal is a 496 px PNG that becomes a 42 mm seal by default', () => {
  const img = readSealImage(demoPng);
  assert.equal(img.type, 'PNG');
  assert.deepEqual([img.widthPx, img.heightPx, img.widthMm, img.heightMm], [496, 496, 42, 42]);
  assert.equal(img.dpi, undefined);
});

test('a PNG that states 300 dpi is sized from its resolution', () => {
  const img = readSealImage(withPhys(demoPng, 300));
  assert.equal(Math.round(img.dpi!.x), 300);
  assert.deepEqual([img.widthMm, img.heightMm], [42, 42]); // 496 px / 300 dpi = 42.0 mm
  const img150 = readSealImage(withPhys(demoPng, 150));
  assert.deepEqual([img150.widthMm, img150.heightMm], [84, 84]);
});

test('explicit millimetres win, and one side alone keeps the aspect ratio', () => {
  assert.deepEqual(Object.values(pick(readSealImage(jpeg, { widthMm: 40, heightMm: 30 }))), [40, 30]);
  assert.deepEqual(Object.values(pick(readSealImage(jpeg, { widthMm: 40 }))), [40, 30]);
  assert.throws(() => readSealImage(jpeg, { widthMm: -1 }), { code: 'SEAL_IMAGE_INVALID' });
  assert.throws(() => readSealImage(jpeg, { heightMm: Number.NaN }), { code: 'SEAL_IMAGE_INVALID' });
});

function pick(i: { widthMm: number; heightMm: number }): { w: number; h: number } {
  return { w: i.widthMm, h: i.heightMm };
}

test('a JPEG is read from its frame header; without a resolution its longer side is 42 mm', () => {
  const img = readSealImage(jpeg);
  assert.equal(img.type, 'JPG');
  assert.deepEqual([img.widthPx, img.heightPx, img.widthMm, img.heightMm], [160, 120, 42, 32]);
});

test('a JPEG whose JFIF header says 96 dpi is sized from it', () => {
  const copy = new Uint8Array(jpeg);
  // JFIF APP0 at offset 2: FF E0 len(2) "JFIF\0" ver(2) units(1) Xdensity(2) Ydensity(2)
  assert.equal(Buffer.from(copy.subarray(6, 11)).toString('latin1'), 'JFIF\0');
  copy[13] = 1;
  copy.set([0, 96, 0, 96], 14);
  const img = readSealImage(copy);
  assert.deepEqual(img.dpi, { x: 96, y: 96 });
  assert.deepEqual([img.widthMm, img.heightMm], [42, 32]); // 160 px at 96 dpi = 42.3 mm
});

test('anything but PNG or JPEG is refused as a seal picture, whatever it claims to be', () => {
  const cases: [string, Uint8Array][] = [
    ['a PDF', new TextEncoder().encode('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n')],
    ['a GIF', new TextEncoder().encode('GIF89a\x10\x00\x10\x00')],
    ['a BMP', Uint8Array.of(0x42, 0x4d, 0, 0, 0, 0, 0, 0)],
    ['an SVG', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['nothing', new Uint8Array(0)],
    ['a PNG cut after the header', demoPng.subarray(0, 200)],
    ['a PNG with no IHDR', Uint8Array.of(...demoPng.subarray(0, 8), 0, 0, 0, 0)],
    ['a JPEG cut before its frame header', jpeg.subarray(0, 20)],
    ['a PNG magic followed by garbage', Uint8Array.of(...demoPng.subarray(0, 8), ...new Uint8Array(100).fill(0xff))],
  ];
  for (const [label, bytes] of cases) {
    assert.throws(() => readSealImage(bytes), (e: { code?: string; zh?: string; en?: string }) => {
      assert.equal(e.code, 'SEAL_IMAGE_INVALID', label);
      assert.match(e.zh!, /印章图片无效/);
      assert.match(e.en!, /seal image is invalid/);
      return true;
    }, label);
  }
});

test('a PNG claiming 100000 pixels across is refused', () => {
  const copy = new Uint8Array(demoPng);
  new DataView(copy.buffer).setUint32(16, 100000);
  assert.throws(() => readSealImage(copy), { code: 'SEAL_IMAGE_INVALID' });
});

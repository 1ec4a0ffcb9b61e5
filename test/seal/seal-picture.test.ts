import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { sealPicture, parseSealSize } from '../../src/core/seal/seal-picture';
import { readSealImage } from '../../src/core/seal/seal-image';
import { decodePng, type RgbaImage } from '../../src/core/image';
import { VENDOR_PICTURE_LIMIT_BYTES } from '../../src/core/seal/make-seal';
import type { SealDeskError } from '../../src/core/errors';

/**
 * Seal pictures (印模) from text in the standard layouts, rendered with Debian's Noto Serif CJK by
 * resvg, and from photos of a stamped impression. The photos are made here with ImageMagick: the
 * generated seal multiplied onto textured, tinted paper under uneven light, rotated, overprinted
 * with black text, blurred, with Gaussian noise, saved as JPEG.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-seal-picture-'));
const ROUND = { kind: 'round', name: '北京演示科技有限公司', purpose: '合同专用章', code: '1101080012345' } as const;
const OVAL = { kind: 'oval', name: '上海示例商贸有限公司', taxNumber: '91310000MA1FL0ABCD' } as const;

const alphaAt = (img: RgbaImage, x: number, y: number): number => img.rgba[(Math.round(y) * img.width + Math.round(x)) * 4 + 3]!;

function inkPixels(img: RgbaImage, inside: (x: number, y: number) => boolean = () => true): number {
  let n = 0;
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) if (inside(x, y) && alphaAt(img, x, y) >= 128) n++;
  return n;
}

/** IoU of two ink masks (alpha ≥ 128) of the same size, at the best shift of up to ±s pixels. */
function inkIoU(a: RgbaImage, b: RgbaImage, s = 4): number {
  assert.deepEqual([a.width, a.height], [b.width, b.height]);
  let best = 0;
  for (let dy = -s; dy <= s; dy++) {
    for (let dx = -s; dx <= s; dx++) {
      let inter = 0; let union = 0;
      for (let y = 0; y < a.height; y++) {
        for (let x = 0; x < a.width; x++) {
          const bx = x + dx; const by = y + dy;
          const ia = alphaAt(a, x, y) >= 128;
          const ib = bx >= 0 && by >= 0 && bx < b.width && by < b.height && alphaAt(b, bx, by) >= 128;
          if (ia && ib) inter++;
          if (ia || ib) union++;
        }
      }
      best = Math.max(best, inter / union);
    }
  }
  return best;
}

/** Mean colour of the opaque ink. */
function inkColour(img: RgbaImage): [number, number, number] {
  const sum = [0, 0, 0]; let n = 0;
  for (let i = 0; i < img.rgba.length; i += 4) if (img.rgba[i + 3]! >= 200) { for (let c = 0; c < 3; c++) sum[c]! += img.rgba[i + c]!; n++; }
  return sum.map((v) => v / n) as [number, number, number];
}

function photograph(seal: string, out: string, o: { rotate: number; tint: [string, string]; light: string; text?: string; seed: number }): void {
  execFileSync('convert', [
    '-seed', String(o.seed), '-size', '1100x1000', `plasma:${o.tint[0]}-${o.tint[1]}`, '-colorspace', 'gray', '-blur', '0x2', '-colorspace', 'sRGB', '-type', 'TrueColor',
    '(', '-size', '1100x1000', `xc:${o.tint[0]}`, ')', '-compose', 'multiply', '-composite',
    '(', '-size', '1100x1000', `radial-gradient:#ffffff-${o.light}`, ')', '-compose', 'multiply', '-composite',
    '(', seal, '-background', 'white', '-flatten', '-resize', '560x560', '-background', 'white', '-rotate', String(o.rotate), ')',
    '-gravity', 'center', '-geometry', '+40-20', '-compose', 'multiply', '-composite',
    ...(o.text ? ['-font', 'DejaVu-Sans', '-pointsize', '34', '-fill', '#222222', '-compose', 'over', '-annotate', '+0+250', o.text] : []),
    '-blur', '0x1.1', '-attenuate', '0.6', '+noise', 'Gaussian', '-quality', '85', out,
  ]);
}

test('a round official seal from text: 42 mm at 300 dpi, star in the centre, name along the upper arc, small and sized in its PNG', () => {
  const r = sealPicture({ from: 'text', layout: ROUND });
  const img = decodePng(r.png);
  assert.deepEqual([img.width, img.height], [496, 496]);
  const read = readSealImage(r.png);
  assert.deepEqual([read.widthMm, read.heightMm], [42, 42], 'seal make --image reads 42 mm from the pHYs chunk');
  assert.ok(r.png.length < VENDOR_PICTURE_LIMIT_BYTES, `${r.png.length} bytes`);
  assert.deepEqual(r.warnings, []);
  assert.ok(alphaAt(img, 248, 248) > 200, 'the star fills the centre');
  assert.equal(alphaAt(img, 3, 3), 0, 'the corners are transparent');
  assert.ok(alphaAt(img, 248, 5) > 200, 'the border runs along the top edge');
  const upperBand = (x: number, y: number) => { const d = Math.hypot(x - 248, y - 248); return d > 150 && d < 220 && y < 200; };
  const named = inkPixels(img, upperBand);
  const other = decodePng(sealPicture({ from: 'text', layout: { ...ROUND, name: '广州另一家贸易有限公司' } }).png);
  assert.ok(named > 3000, `the name is drawn along the upper arc (${named} ink pixels)`);
  assert.ok(inkIoU(img, other, 0) < 0.9, 'another unit name draws other glyphs');
  const noCode = decodePng(sealPicture({ from: 'text', layout: { ...ROUND, code: undefined } }).png);
  const lowerBand = (x: number, y: number) => Math.hypot(x - 248, y - 248) > 200 && y > 330;
  assert.ok(inkPixels(img, lowerBand) > inkPixels(noCode, lowerBand) + 300, 'the seal code runs along the lower arc');
});

test('an oval invoice seal is 40×30 mm with the taxpayer number across the centre; a bad number is refused', () => {
  const r = sealPicture({ from: 'text', layout: OVAL });
  const img = decodePng(r.png);
  assert.deepEqual([img.width, img.height], [472, 354]);
  assert.deepEqual([readSealImage(r.png).widthMm, readSealImage(r.png).heightMm], [40, 30]);
  const centreRow = (x: number, y: number) => Math.abs(y - 177) < 20 && Math.abs(x - 236) < 130;
  assert.ok(inkPixels(img, centreRow) > 1500, 'the taxpayer number is across the centre');
  assert.throws(() => sealPicture({ from: 'text', layout: { ...OVAL, taxNumber: '123' } }), (e: SealDeskError) => e.code === 'SEAL_TEXT_INVALID' && /纳税人识别号/.test(e.zh));
});

test('a square name seal of three characters adds 印 and fills four cells, read right to left', () => {
  const img = decodePng(sealPicture({ from: 'text', layout: { kind: 'square', name: '张三丰' } }).png);
  assert.deepEqual([img.width, img.height], [236, 236], '20 mm at 300 dpi');
  const q = (qx: number, qy: number) => inkPixels(img, (x, y) => x > 30 + qx * 88 && x < 118 + qx * 88 && y > 30 + qy * 88 && y < 118 + qy * 88 && x < 206 && y < 206);
  for (const [qx, qy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) assert.ok(q(qx, qy) > 400, `cell ${qx},${qy} holds a glyph`);
  const two = decodePng(sealPicture({ from: 'text', layout: { kind: 'square', name: '李四' } }).png);
  assert.ok(inkIoU(img, two, 0) < 0.8);
});

test('the font is chosen explicitly: a missing font file is a clear error, sizes are checked', () => {
  assert.throws(() => sealPicture({ from: 'text', layout: ROUND, fontFile: path.join(dir, 'no-such-font.ttc') }), (e: SealDeskError) => e.code === 'SEAL_FONT_MISSING');
  fs.writeFileSync(path.join(dir, 'not-a-font.ttf'), 'hello');
  assert.throws(() => sealPicture({ from: 'text', layout: ROUND, fontFile: path.join(dir, 'not-a-font.ttf') }), (e: SealDeskError) => e.code === 'SEAL_FONT_INVALID');
  assert.deepEqual(parseSealSize('40x30mm'), { widthMm: 40, heightMm: 30 });
  assert.throws(() => parseSealSize('2mm'), (e: SealDeskError) => e.code === 'SEAL_SIZE_INVALID');
  assert.throws(() => sealPicture({ from: 'text', layout: { ...ROUND, name: '   ' } }), (e: SealDeskError) => e.code === 'SEAL_TEXT_INVALID');
});

test('a character the chosen font has no glyph for is refused by name, never drawn as an empty box', () => {
  assert.throws(() => sealPicture({ from: 'text', layout: { ...ROUND, name: '北京演示😀有限公司' } }), (e: SealDeskError) => e.code === 'SEAL_FONT_GLYPH_MISSING' && e.zh.includes('😀') && !e.zh.includes('北'));
  const dejavu = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
  assert.throws(() => sealPicture({ from: 'text', layout: { kind: 'square', name: '李四' }, fontFile: dejavu }), (e: SealDeskError) => e.code === 'SEAL_FONT_GLYPH_MISSING' && /李 四 印|李 四/.test(e.en));
  const latin = sealPicture({ from: 'text', layout: { kind: 'round', name: 'SEALDESK DEMO COMPANY LTD', purpose: 'CONTRACTS', star: true }, fontFile: dejavu });
  assert.match(latin.steps.join('\n'), /DejaVu Sans/, 'another font file, chosen explicitly, is used by its family name');
  assert.ok(inkPixels(decodePng(latin.png)) > 10_000);
});

/**
 * Tolerances, stated: the cleaned ink mask (alpha ≥ 128) overlaps the original's with IoU ≥ 0.85
 * (at the best shift of ±4 px), the ink colour is within 45 (Euclidean, 0–255 RGB) of the original
 * red, the rotation found is within 1° of the one applied, and the picture stays under 50 KB.
 */
for (const c of [
  { name: 'a round seal photographed at 7° on cream paper under a vignette, with black print across it', layout: ROUND, rotate: 7, tint: ['#f4ecd9', '#cfc3a8'], light: '#8c8c8c', text: 'Signed and sealed on 4 Dec 2026', size: '42mm', seed: 7 },
  { name: 'an oval invoice seal photographed at −4° on grey-blue paper', layout: OVAL, rotate: -4, tint: ['#e6ebf0', '#bcc4cc'], light: '#a0a0a0', size: '40x30mm', seed: 11 },
  { name: 'a round seal scanned straight on bright white paper', layout: { ...ROUND, code: undefined }, rotate: 0, tint: ['#fdfdfb', '#f2f2ee'], light: '#e8e8e8', size: '42mm', seed: 3 },
] as const) {
  test(`the scan cleaner: ${c.name} comes out transparent and matches the original ink`, (t) => {
    const original = sealPicture({ from: 'text', layout: c.layout });
    const seal = path.join(dir, `${c.seed}-seal.png`);
    const photo = path.join(dir, `${c.seed}-photo.jpg`);
    fs.writeFileSync(seal, original.png);
    photograph(seal, photo, { rotate: c.rotate, tint: [c.tint[0], c.tint[1]], light: c.light, text: 'text' in c ? c.text : undefined, seed: c.seed });
    const before = fs.readFileSync(photo);
    const cleaned = sealPicture({ from: 'scan', file: photo, size: parseSealSize(c.size) });
    assert.ok(fs.readFileSync(photo).equals(before), 'the photo is not modified');
    const got = decodePng(cleaned.png);
    const want = decodePng(original.png);
    const iou = inkIoU(got, want);
    assert.ok(iou >= 0.85, `ink IoU ${iou.toFixed(3)} ≥ 0.85`);
    const [a, b] = [inkColour(got), inkColour(want)];
    const dist = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    assert.ok(dist <= 45, `ink colour ${a.map(Math.round)} vs ${b.map(Math.round)}: distance ${dist.toFixed(1)} ≤ 45`);
    assert.ok(Math.abs(cleaned.summary.scan!.rotationDeg - c.rotate) <= 1, `rotation found ${cleaned.summary.scan!.rotationDeg}° for ${c.rotate}°`);
    assert.equal(alphaAt(got, 2, 2), 0, 'the paper is gone: corners transparent');
    let paperLeft = 0;
    for (let i = 3; i < got.rgba.length; i += 4) if (got.rgba[i]! > 0 && alphaAt(want, ((i - 3) / 4) % want.width, Math.floor((i - 3) / 4 / want.width)) === 0) paperLeft++;
    assert.ok(paperLeft / (got.width * got.height) < 0.06, `little stray ink where the original has none (${(100 * paperLeft / (got.width * got.height)).toFixed(1)} %)`);
    assert.ok(cleaned.png.length < VENDOR_PICTURE_LIMIT_BYTES, `${cleaned.png.length} bytes`);
    assert.deepEqual([readSealImage(cleaned.png).widthMm, readSealImage(cleaned.png).heightMm], [parseSealSize(c.size).widthMm, parseSealSize(c.size).heightMm]);
    fs.writeFileSync(path.join(dir, `${c.seed}-cleaned.png`), cleaned.png);
    t.diagnostic(`IoU ${iou.toFixed(3)}, colour distance ${dist.toFixed(1)}, rotation ${cleaned.summary.scan!.rotationDeg}° for ${c.rotate}°, ${cleaned.png.length} bytes`);
  });
}

test('a picture without red ink, or not an image at all, is refused with a reason', () => {
  const grey = path.join(dir, 'grey.png');
  execFileSync('convert', ['-size', '300x300', 'xc:#dddddd', '-fill', '#222', '-draw', 'circle 150,150 150,60', grey]);
  assert.throws(() => sealPicture({ from: 'scan', file: grey }), (e: SealDeskError) => e.code === 'SCAN_NO_INK');
  const text = path.join(dir, 'note.jpg');
  fs.writeFileSync(text, 'not an image');
  assert.throws(() => sealPicture({ from: 'scan', file: text }), (e: SealDeskError) => e.code === 'SEAL_IMAGE_INVALID');
});

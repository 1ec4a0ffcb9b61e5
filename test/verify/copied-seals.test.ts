import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import type { FileWarning, VerificationReport } from '../../src/api/verification-report';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { makeWorld, sealPng, type World } from './world';
import {
  convert, flateImage, jpegImage, otherRoundSealPng, ovalSealPng, pagePdf, pdfDrawing, rgbaOf, sealPngPath, streamObj,
} from './copied-seals-fixtures';

/**
 * A seal picture on a page without a signature behind it is found however it was copied and
 * however the page draws it, and named when the seal is known. The file never holds a real stamp
 * unless the test says so: the known seals come from the catalog, as on a recipient's desk.
 */

let world: World;
before(async () => { world = await makeWorld('copied-seals'); });
after(() => world.cleanup());

const seal = (): ReturnType<typeof rgbaOf> => rgbaOf(sealPng);
/** The test seal as image XObject 10 with its soft mask 11, for the hand-made pages below. */
const sealObjects = (): Array<{ num: number; body: Buffer }> => {
  const img = flateImage(seal(), 11);
  return [{ num: 10, body: img.body }, { num: 11, body: img.smask! }];
};
const verifyBytes = (bytes: Uint8Array, catalog = true): VerificationReport =>
  verifyPdf(bytes, { trustRoots: [world.ca.certificate], ...(catalog ? { sealCatalog: [world.sealDer] } : {}) });
const copies = (r: VerificationReport): FileWarning[] => r.warnings.filter((w) => w.id === 'copied_seal_image');

function assertRect(actual: number[] | undefined, expected: number[], slack = 0.5): void {
  assert.ok(actual, 'the warning has a rectangle');
  assert.equal(actual.length, 4);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= slack, `rect ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`));
}

function assertKnownCopy(r: VerificationReport, rect: number[], drawnBy = 'page'): FileWarning {
  const found = copies(r);
  assert.equal(found.length, 1, JSON.stringify(r.warnings));
  const w = found[0]!;
  assert.equal(w.page, 1);
  assert.equal(w.copiedSeal?.match, 'known_seal');
  assert.equal(w.copiedSeal?.esID, world.esID);
  assert.equal(w.copiedSeal?.drawnBy, drawnBy);
  assert.match(w.message.zh, /疑似复制的印章图像：SealDesk 演示有限公司合同专用章/);
  assert.match(w.message.en, /copied seal picture: SealDesk 演示有限公司合同专用章/);
  assertRect(w.rect, rect);
  assert.equal(r.verdict, 'warning');
  return w;
}

test('a seal picture pasted with pdf-lib into a file with no stamp is named as a copy of the known seal, where it is drawn', async () => {
  const d = await PDFDocument.create();
  const page = d.addPage([595, 842]);
  page.drawImage(await d.embedPng(sealPng), { x: 320, y: 120, width: 113, height: 113 });
  const r = verifyBytes(await d.save());
  assert.equal(r.signatures.length, 0);
  assertKnownCopy(r, [320, 120, 433, 233]);
});

test('JPEG re-encodings of the seal at quality 60 and 92 are still the known seal', async () => {
  for (const q of [60, 92]) {
    const jpeg = convert(world.dir, [sealPngPath, '-background', 'white', '-flatten', '-quality', String(q)], `q${q}.jpg`);
    const d = await PDFDocument.create();
    const page = d.addPage([595, 842]);
    page.drawImage(await d.embedJpg(jpeg), { x: 100, y: 500, width: 120, height: 120 });
    assertKnownCopy(verifyBytes(await d.save()), [100, 500, 220, 620]);
  }
});

test('rescaled copies — a thumbnail, one pixel smaller, twice the size, cropped by a pixel, alpha flattened on white — are the known seal', () => {
  const variants: Array<[string, string[]]> = [
    ['small.png', ['-resize', '113x113']],
    ['minus-one.png', ['-resize', '399x399']],
    ['double.png', ['-resize', '800x800']],
    ['cropped.png', ['-crop', '399x399+1+0', '+repage']],
    ['flat.png', ['-background', 'white', '-flatten']],
  ];
  for (const [name, args] of variants) {
    const img = rgbaOf(convert(world.dir, [sealPngPath, ...args], name));
    const r = verifyBytes(pdfDrawing(flateImage(img, 11), [200, 200, 110, 110]));
    assertKnownCopy(r, [200, 200, 310, 310]);
  }
});

test('a grey copy, a CMYK JPEG copy and a red stencil mask of the seal are the known seal', () => {
  const img = seal();
  assertKnownCopy(verifyBytes(pdfDrawing(flateImage(img, 11, { gray: true }), [50, 50, 100, 100])), [50, 50, 150, 150]);

  const cmyk = convert(world.dir, [sealPngPath, '-background', 'white', '-flatten', '-colorspace', 'CMYK', '-quality', '85'], 'cmyk.jpg');
  const body = jpegImage(cmyk, 400, 400, { cs: '/DeviceCMYK', decode: '[1 0 1 0 1 0 1 0]' });
  assertKnownCopy(verifyBytes(pdfDrawing({ body }, [60, 60, 100, 100])), [60, 60, 160, 160]);

  // 1 bit per pixel, painted in the fill colour: a seal as a stencil, as some converters write it.
  const rowBytes = Math.ceil(img.width / 8);
  const bits = Buffer.alloc(rowBytes * img.height, 0xff);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) if (img.rgba[(y * img.width + x) * 4 + 3]! > 128) bits[y * rowBytes + (x >> 3)]! &= ~(0x80 >> (x & 7));
  }
  const data = zlib.deflateSync(bits);
  const stencil = streamObj(`/Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} /ImageMask true /Filter /FlateDecode`, data);
  const r = verifyBytes(pagePdf({ content: 'q 0.82 0.01 0.1 rg 90 0 0 90 70 70 cm /Im1 Do Q', resources: '/XObject << /Im1 10 0 R >>', objects: [{ num: 10, body: stencil }] }));
  assertKnownCopy(r, [70, 70, 160, 160]);
});

test('a seal drawn through form XObjects nested four deep is found at the rectangle the matrices give', () => {
  const r = verifyBytes(pagePdf({
    content: 'q 1 0 0 1 50 60 cm /Fm1 Do Q',
    resources: '/XObject << /Fm1 20 0 R >>',
    objects: [
      ...sealObjects(),
      { num: 20, body: streamObj('/Type /XObject /Subtype /Form /BBox [0 0 500 500] /Matrix [1 0 0 1 10 0] /Resources << /XObject << /Fm2 21 0 R >> >>', '/Fm2 Do') },
      { num: 21, body: streamObj('/Type /XObject /Subtype /Form /BBox [0 0 1000 1000] /Matrix [0.5 0 0 0.5 0 0] /Resources << /XObject << /Fm3 22 0 R >> >>', 'q 200 0 0 200 100 100 cm /Fm3 Do Q') },
      { num: 22, body: streamObj('/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /Fm4 23 0 R >> >>', '/Fm4 Do') },
      { num: 23, body: streamObj('/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /Im1 10 0 R >> >>', '/Im1 Do') },
    ],
  }));
  // unit square → Fm2 space [100,100]-[300,300] → ×0.5 → +10 in x → +(50,60) on the page
  assertKnownCopy(r, [110, 110, 210, 210], 'form');
});

test('inline images (BI … ID … EI), hex-encoded and raw, are found', () => {
  const img = rgbaOf(convert(world.dir, [sealPngPath, '-background', 'white', '-flatten', '-resize', '100x100'], 'inline.png'));
  const rgb = Buffer.alloc(100 * 100 * 3);
  for (let i = 0; i < 100 * 100; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = img.rgba[i * 4 + c]!;
  const hex = Buffer.from(`q 80 0 0 80 400 700 cm BI /W 100 /H 100 /CS /RGB /BPC 8 /F /AHx ID\n${rgb.toString('hex')}>\nEI Q`, 'latin1');
  assertKnownCopy(verifyBytes(pagePdf({ content: hex })), [400, 700, 480, 780]);
  const raw = Buffer.concat([Buffer.from('q 80 0 0 80 40 30 cm BI /W 100 /H 100 /CS /RGB /BPC 8 ID ', 'latin1'), rgb, Buffer.from('\nEI Q', 'latin1')]);
  assertKnownCopy(verifyBytes(pagePdf({ content: raw })), [40, 30, 120, 110]);
});

test('a Stamp annotation whose appearance shows the seal is a copy, reported at the annotation', () => {
  const r = verifyBytes(pagePdf({
    content: 'BT /F1 12 Tf 72 800 Td (contract) Tj ET',
    pageExtra: '/Annots [30 0 R]',
    objects: [
      ...sealObjects(),
      { num: 30, body: '<< /Type /Annot /Subtype /Stamp /Rect [300 400 420 520] /F 4 /AP << /N 31 0 R >> >>' },
      { num: 31, body: streamObj('/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /Im1 10 0 R >> >>', 'q 100 0 0 100 0 0 cm /Im1 Do Q') },
    ],
  }));
  assertKnownCopy(r, [300, 400, 420, 520], 'annotation');
});

test('a tiling pattern tiled with the seal is reported over the area it paints', () => {
  const r = verifyBytes(pagePdf({
    content: '/Pattern cs /P1 scn 50 50 240 240 re f',
    resources: '/Pattern << /P1 40 0 R >>',
    objects: [
      ...sealObjects(),
      { num: 40, body: streamObj('/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 120 120] /XStep 120 /YStep 120 /Resources << /XObject << /Im1 10 0 R >> >>', 'q 120 0 0 120 0 0 cm /Im1 Do Q') },
    ],
  }));
  assertKnownCopy(r, [50, 50, 290, 290], 'pattern');
});

test("the genuine stamp's own impression is not a copy, a copy of its seal elsewhere on the page is — without any catalog", async () => {
  const input = await classicPdf(world.file('contract.pdf'), 1);
  const stamped = await world.stamp(input, world.file('contract-stamped.pdf'));
  const clean = verifyPdf(stamped, { trustRoots: [world.ca.certificate] });
  assert.equal(clean.verdict, 'valid', JSON.stringify(clean.warnings));
  assert.deepEqual(copies(clean), []);

  // The forger draws the seal picture beside the real stamp, then the file is stamped for real.
  const d = await PDFDocument.load(fs.readFileSync(input));
  d.getPage(0).drawImage(await d.embedPng(sealPng), { x: 60, y: 520, width: 113, height: 113 });
  fs.writeFileSync(world.file('forged.pdf'), await d.save({ useObjectStreams: false }));
  const forged = await world.stamp(world.file('forged.pdf'), world.file('forged-stamped.pdf'));
  const r = verifyPdf(forged, { trustRoots: [world.ca.certificate] });
  assert.equal(r.signatures.length, 1);
  assertKnownCopy(r, [60, 520, 173, 633]);
});

test('seal-like pictures that match no known seal are flagged as such, without a name', () => {
  for (const file of [otherRoundSealPng, ovalSealPng]) {
    const img = rgbaOf(fs.readFileSync(file));
    const r = verifyBytes(pdfDrawing(flateImage(img, 11), [100, 100, img.width / 4, img.height / 4]));
    const found = copies(r);
    assert.equal(found.length, 1, `${file}: ${JSON.stringify(r.warnings)}`);
    // the catalog holds the test seal: another company's seal must not be named as it
    assert.equal(found[0]!.copiedSeal?.match, 'seal_like');
    assert.equal(found[0]!.copiedSeal?.esID, undefined);
    assert.match(found[0]!.message.zh, /疑似印章的图像/);
    assert.match(found[0]!.message.en, /seal-like image .* matching no known seal/);
    assertRect(found[0]!.rect, [100, 100, 100 + img.width / 4, 100 + img.height / 4]);
  }
});

test('a JPEG re-encoding of another seal in the same style is not named as the known seal', async () => {
  const jpeg = convert(world.dir, [otherRoundSealPng, '-background', 'white', '-flatten', '-resize', '113x113', '-quality', '75'], 'other.jpg');
  const d = await PDFDocument.create();
  d.addPage([595, 842]).drawImage(await d.embedJpg(jpeg), { x: 100, y: 100, width: 113, height: 113 });
  const found = copies(verifyBytes(await d.save()));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.copiedSeal?.match, 'seal_like');
});

test('a seal hidden in the glyph of a Type3 font is found where the text is shown', () => {
  const r = verifyBytes(pagePdf({
    content: 'BT /T3 100 Tf 200 300 Td (a) Tj ET',
    resources: '/Font << /T3 50 0 R >>',
    objects: [
      ...sealObjects(),
      { num: 50, body: '<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /a 51 0 R >> /Encoding << /Type /Encoding /Differences [97 /a] >> /FirstChar 97 /LastChar 97 /Widths [1000] /Resources << /XObject << /Im1 10 0 R >> >> >>' },
      { num: 51, body: streamObj('', '1000 0 0 0 1000 1000 d1 q 1000 0 0 1000 0 0 cm /Im1 Do Q') },
    ],
  }));
  assertKnownCopy(r, [200, 300, 300, 400], 'type3');
});

test('copies written with other colour spaces and encodings — 16-bit ICC RGB, a 16-colour palette, inverted grey, RunLength — are the known seal', () => {
  const flat = rgbaOf(convert(world.dir, [sealPngPath, '-background', 'white', '-flatten', '-resize', '200x200'], 'flat200.png'));
  const n = 200 * 200;
  const draw = (dictBody: string, data: Buffer, extra: Array<{ num: number; body: string | Buffer }> = []): VerificationReport => verifyBytes(pagePdf({
    content: 'q 100 0 0 100 250 250 cm /Im1 Do Q', resources: '/XObject << /Im1 10 0 R >>',
    objects: [{ num: 10, body: streamObj(`/Type /XObject /Subtype /Image /Width 200 /Height 200 ${dictBody}`, data) }, ...extra],
  }));

  const rgb16 = Buffer.alloc(n * 6);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) rgb16.writeUInt16BE(flat.rgba[i * 4 + c]! * 257, i * 6 + c * 2);
  const icc = draw('/ColorSpace [/ICCBased 12 0 R] /BitsPerComponent 16 /Filter /FlateDecode', zlib.deflateSync(rgb16), [{ num: 12, body: streamObj('/N 3', Buffer.alloc(16)) }]);
  assertKnownCopy(icc, [250, 250, 350, 350]);

  const palette = rgbaOf(convert(world.dir, [sealPngPath, '-background', 'white', '-flatten', '-resize', '200x200', '-colors', '16'], 'palette.png'));
  const colours: number[] = [];
  const index = Buffer.alloc(n / 2);
  for (let i = 0; i < n; i++) {
    const key = (palette.rgba[i * 4]! << 16) | (palette.rgba[i * 4 + 1]! << 8) | palette.rgba[i * 4 + 2]!;
    let k = colours.indexOf(key);
    if (k < 0) { k = colours.length; colours.push(key); }
    index[i >> 1]! |= (i & 1) ? k : k << 4;
  }
  assert.ok(colours.length <= 16);
  const lookup = Buffer.from(colours.flatMap((c) => [c >> 16, (c >> 8) & 0xff, c & 0xff]));
  assertKnownCopy(draw(`/ColorSpace [/Indexed /DeviceRGB ${colours.length - 1} <${lookup.toString('hex')}>] /BitsPerComponent 4 /Filter /FlateDecode`, zlib.deflateSync(index)), [250, 250, 350, 350]);

  const inverted = Buffer.alloc(n);
  for (let i = 0; i < n; i++) inverted[i] = 255 - Math.min(flat.rgba[i * 4]!, flat.rgba[i * 4 + 1]!, flat.rgba[i * 4 + 2]!);
  assertKnownCopy(draw('/ColorSpace /DeviceGray /BitsPerComponent 8 /Decode [1 0] /Filter /FlateDecode', zlib.deflateSync(inverted)), [250, 250, 350, 350]);

  const rgb = Buffer.alloc(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = flat.rgba[i * 4 + c]!;
  const runs: Buffer[] = [];
  for (let o = 0; o < rgb.length; o += 128) { const chunk = rgb.subarray(o, o + 128); runs.push(Buffer.from([chunk.length - 1]), chunk); }
  runs.push(Buffer.from([128]));
  assertKnownCopy(draw('/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /RunLengthDecode', Buffer.concat(runs)), [250, 250, 350, 350]);
});

test('an LZW-compressed copy (the strip of a TIFF written by ImageMagick) is the known seal', () => {
  const tif = convert(world.dir, [sealPngPath, '-background', 'white', '-flatten', '-alpha', 'off', '-resize', '240x240', '-compress', 'LZW', '-define', 'tiff:rows-per-strip=240', '-type', 'TrueColor'], 'seal.tif');
  // TIFF LZW is PDF's LZWDecode with EarlyChange 1 (and TIFF's predictor 2 is PDF's): take the one strip as the image data.
  assert.equal(tif.toString('latin1', 0, 2), 'II');
  const ifd = tif.readUInt32LE(4);
  const tags = new Map<number, number>();
  for (let i = 0; i < tif.readUInt16LE(ifd); i++) {
    const e = ifd + 2 + i * 12;
    tags.set(tif.readUInt16LE(e), tif.readUInt16LE(e + 2) === 3 ? tif.readUInt16LE(e + 8) : tif.readUInt32LE(e + 8));
  }
  assert.equal(tags.get(259), 5, 'LZW compression');
  assert.equal(tags.get(277), 3, 'three samples a pixel');
  const predictor = tags.get(317) === 2 ? ' /DecodeParms << /Predictor 2 /Colors 3 /Columns 240 >>' : '';
  const strip = tif.subarray(tags.get(273)!, tags.get(273)! + tags.get(279)!);
  const r = verifyBytes(pagePdf({
    content: 'q 90 0 0 90 30 700 cm /Im1 Do Q', resources: '/XObject << /Im1 10 0 R >>',
    objects: [{ num: 10, body: streamObj(`/Type /XObject /Subtype /Image /Width 240 /Height 240 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /LZWDecode${predictor}`, strip) }],
  }));
  assertKnownCopy(r, [30, 700, 120, 790]);
});

test("the stamp's impression flattened into the page under its own widget is not a copy; a seal drawn off the page is not seen", async () => {
  const input = await classicPdf(world.file('flatten.pdf'), 1);
  const probe = verifyPdf(await world.stamp(input, world.file('flatten-probe.pdf')), { trustRoots: [world.ca.certificate] });
  const [x1, y1, x2, y2] = probe.signatures[0]!.rect!;
  const d = await PDFDocument.load(fs.readFileSync(input));
  const png = await d.embedPng(sealPng);
  d.getPage(0).drawImage(png, { x: x1, y: y1, width: x2 - x1, height: y2 - y1 });
  d.getPage(0).drawImage(png, { x: 700, y: 300, width: 100, height: 100 }); // beyond the 595 pt wide page
  fs.writeFileSync(world.file('flatten-drawn.pdf'), await d.save({ useObjectStreams: false }));
  const stamped = await world.stamp(world.file('flatten-drawn.pdf'), world.file('flatten-stamped.pdf'));
  const r = verifyPdf(stamped, { trustRoots: [world.ca.certificate] });
  assert.deepEqual(r.signatures[0]!.rect, probe.signatures[0]!.rect);
  assert.deepEqual(copies(r), []);
  assert.equal(r.verdict, 'valid', JSON.stringify(r.warnings));
});

test("a seal cut out of a stamped paper with the contract's black text under it is still the known seal", async () => {
  const text = convert(world.dir, ['-size', '400x400', 'xc:white', '-fill', 'black', '-pointsize', '22',
    '-draw', "text 10,60 'This contract is signed by both'", '-draw', "text 10,140 'parties on the date below and'",
    '-draw', "text 10,220 'takes effect upon stamping by'", '-draw', "text 10,300 'the seller and the buyer hereof'"], 'paper.png');
  assert.ok(text.length > 0);
  const scan = convert(world.dir, [`${world.dir}/paper.png`, '-colorspace', 'sRGB', '-type', 'TrueColor', sealPngPath, '-composite', '-type', 'TrueColor', '-quality', '80'], 'scan.jpg');
  const d = await PDFDocument.create();
  d.addPage([595, 842]).drawImage(await d.embedJpg(scan), { x: 300, y: 600, width: 110, height: 110 });
  assertKnownCopy(verifyBytes(await d.save()), [300, 600, 410, 710]);
});

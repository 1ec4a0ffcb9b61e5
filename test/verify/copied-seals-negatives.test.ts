import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import type { VerificationReport } from '../../src/api/verification-report';
import { sealLikeness } from '../../src/core/image/seal-likeness';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { findCopiedSeals, knownSealOf } from '../../src/core/verify/copied-seals';
import { decodeSeal } from '../../src/core/asn1/ses-seal';
import { openPdf } from '../../src/core/pdf/document';
import { makeWorld, sealPng, type World } from './world';
import { convert, flateImage, jpegImage, pagePdf, pdfDrawing, rgbaOf, sealPngPath, streamObj } from './copied-seals-fixtures';

/**
 * What is not a copied seal stays unflagged (a red logo, a photograph, a red heading, an empty
 * red ring), and what cannot be read — broken JPEGs, short data, size bombs, forms drawing
 * themselves — never breaks verification.
 */

let world: World;
before(async () => { world = await makeWorld('copied-seals-neg'); });
after(() => world.cleanup());

const verifyBytes = (bytes: Uint8Array): VerificationReport => verifyPdf(bytes, { trustRoots: [world.ca.certificate], sealCatalog: [world.sealDer] });
const flagged = (r: VerificationReport): string[] => r.warnings.filter((w) => w.id === 'copied_seal_image' || w.id === 'image_not_checked').map((w) => w.message.en);

test('a red rectangle logo, a photograph, a red heading and an empty red ring are not seals', async () => {
  const pictures: Array<[string, string[], string]> = [
    ['logo.png', ['-size', '300x200', 'xc:none', '-fill', '#d0021b', '-draw', 'rectangle 0,0 299,199', '-fill', 'white', '-pointsize', '60', '-draw', "text 50,120 'LOGO'"], 'coverage'],
    ['logo-margin.png', ['-size', '300x300', 'xc:white', '-fill', '#d0021b', '-draw', 'rectangle 40,40 260,260', '-fill', 'white', '-pointsize', '50', '-draw', "text 70,170 'ACME'"], 'ellipse'],
    ['photo.jpg', ['-size', '400x300', '-seed', '7', 'plasma:red-orange', '-quality', '85'], 'coverage'],
    ['heading.png', ['-size', '600x80', 'xc:none', '-fill', '#d0021b', '-pointsize', '48', '-draw', "text 10,60 'Contract of Sale'"], 'aspect'],
    ['ring.png', ['-size', '300x300', 'xc:none', '-fill', 'none', '-stroke', '#d0021b', '-strokewidth', '10', '-draw', 'circle 150,150 150,10'], 'content'],
  ];
  for (const [name, args, rule] of pictures) {
    const bytes = convert(world.dir, args, name);
    const img = name.endsWith('.jpg') ? undefined : rgbaOf(bytes);
    const d = await PDFDocument.create();
    const page = d.addPage([595, 842]);
    const embedded = img ? await d.embedPng(bytes) : await d.embedJpg(bytes);
    page.drawImage(embedded, { x: 100, y: 400, width: embedded.width / 2, height: embedded.height / 2 });
    const r = verifyBytes(await d.save());
    assert.deepEqual(flagged(r), [], name);
    if (img) assert.equal(sealLikeness(img).failed, rule, `${name} fails the ${rule} rule`);
  }
});

test('red text and a red ring drawn as vector graphics are not pictures, so never a copied seal', async () => {
  const d = await PDFDocument.create();
  const page = d.addPage([595, 842]);
  page.drawText('SEAL', { x: 100, y: 700, size: 60, font: await d.embedFont(StandardFonts.Helvetica), color: rgb(0.82, 0, 0.1) });
  page.drawEllipse({ x: 300, y: 300, xScale: 60, yScale: 60, borderColor: rgb(0.82, 0, 0.1), borderWidth: 4 });
  assert.deepEqual(flagged(verifyBytes(await d.save())), []);
});

test('broken pictures never throw: a bad JPEG, data shorter than the size, a size bomb, a deflate bomb, a form drawing itself', () => {
  const img = rgbaOf(sealPng);
  const real = flateImage(img, 11);
  const cases: Array<[string, Buffer]> = [
    ['bad JPEG', pdfDrawing({ body: jpegImage(Buffer.from('ffd8ffe000104a46494600garbage', 'hex'), 400, 400) }, [100, 100, 100, 100])],
    ['truncated JPEG', pdfDrawing({ body: jpegImage(convert(world.dir, [sealPngPath, '-background', 'white', '-flatten'], 't.jpg').subarray(0, 900), 400, 400) }, [100, 100, 100, 100])],
    ['JPEG of another size than declared', pdfDrawing({ body: jpegImage(convert(world.dir, [sealPngPath, '-background', 'white', '-flatten', '-resize', '200x200'], 's.jpg'), 400, 400) }, [100, 100, 100, 100])],
    ['short data', pdfDrawing({ body: streamObj('/Type /XObject /Subtype /Image /Width 400 /Height 400 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode', zlib.deflateSync(Buffer.alloc(1000))) }, [100, 100, 100, 100])],
    ['size bomb', pdfDrawing({ body: streamObj('/Type /XObject /Subtype /Image /Width 100000 /Height 100000 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode', zlib.deflateSync(Buffer.alloc(10))) }, [100, 100, 100, 100])],
    ['deflate bomb', pdfDrawing({ body: streamObj('/Type /XObject /Subtype /Image /Width 400 /Height 400 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode', zlib.deflateSync(Buffer.alloc(64 * 1024 * 1024))) }, [100, 100, 100, 100])],
    ['bad colour space', pdfDrawing({ body: streamObj('/Type /XObject /Subtype /Image /Width 400 /Height 400 /ColorSpace [/Indexed /DeviceRGB 300 <00>] /BitsPerComponent 8', Buffer.alloc(160000)) }, [100, 100, 100, 100])],
    ['zero and negative sizes', pdfDrawing({ body: streamObj('/Type /XObject /Subtype /Image /Width 0 /Height -4 /ColorSpace /DeviceRGB /BitsPerComponent 8', '') }, [100, 100, 100, 100])],
    ['a form that draws itself', pagePdf({
      content: '/Fm1 Do', resources: '/XObject << /Fm1 20 0 R >>',
      objects: [{ num: 20, body: streamObj('/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /Fm1 20 0 R /Im1 10 0 R >> >>', '/Fm1 Do q 50 0 0 50 0 0 cm /Im1 Do Q /Fm1 Do') }, { num: 10, body: real.body }, { num: 11, body: real.smask! }],
    })],
    ['an unterminated inline image', pagePdf({ content: 'q 50 0 0 50 0 0 cm BI /W 400 /H 400 /CS /RGB /BPC 8 /F /Fl ID xxxxxxxxxxxx' })],
    ['garbage content', pagePdf({ content: Buffer.from('q 1 0 0 cm ] } >> /Im1 Do ( unclosed', 'latin1'), resources: '/XObject << /Im1 99 0 R >>' })],
  ];
  for (const [name, bytes] of cases) {
    let r: VerificationReport | undefined;
    assert.doesNotThrow(() => { r = verifyBytes(bytes); }, name);
    const found = r!.warnings.filter((w) => w.id === 'copied_seal_image');
    // the self-drawing form still shows the seal once it is cut off; everything else shows nothing
    if (name === 'a form that draws itself') assert.equal(found[0]?.copiedSeal?.match, 'known_seal', name);
    else assert.deepEqual(found, [], name);
  }
});

test('a JPEG 2000 picture the size of a seal is reported as not checked, with its place', () => {
  const r = verifyBytes(pdfDrawing({ body: streamObj('/Type /XObject /Subtype /Image /Width 400 /Height 400 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /JPXDecode', Buffer.from('0000000c6a5020200d0a870a', 'hex')) }, [10, 20, 110, 110]));
  const w = r.warnings.find((x) => x.id === 'image_not_checked');
  assert.ok(w, JSON.stringify(r.warnings));
  assert.equal(w.page, 1);
  assert.deepEqual(w.rect, [10, 20, 120, 130]);
  assert.match(w.message.zh, /JPEG 2000/);
  assert.equal(r.verdict, 'warning');
});

test('a picture drawn three thousand times is reported at each place, up to 200 warnings', () => {
  const img = flateImage(rgbaOf(sealPng), 11);
  let content = '';
  for (let i = 0; i < 3000; i++) content += `q 20 0 0 20 ${(i % 25) * 22} ${Math.floor(i / 25) * 7} cm /Im1 Do Q\n`;
  const r = verifyBytes(pagePdf({ content, resources: '/XObject << /Im1 10 0 R >>', objects: [{ num: 10, body: img.body }, { num: 11, body: img.smask! }] }));
  const found = r.warnings.filter((w) => w.id === 'copied_seal_image');
  // at most 200 warnings are kept; each is the known seal at its own place
  assert.equal(found.length, 200);
  assert.ok(found.every((w) => w.copiedSeal?.match === 'known_seal'));
  assert.equal(new Set(found.map((w) => w.rect!.join(','))).size, 200);
});

test('a CMYK JPEG without the Adobe marker has no agreed colours: reported as not checked, not guessed', () => {
  const adobe = convert(world.dir, [sealPngPath, '-background', 'white', '-flatten', '-colorspace', 'CMYK', '-quality', '85'], 'cmyk.jpg');
  // cut the APP14 "Adobe" segment out of the file
  let at = 2;
  while (at < adobe.length && !(adobe[at] === 0xff && adobe[at + 1] === 0xee)) at += 2 + adobe.readUInt16BE(at + 2);
  assert.ok(at < adobe.length, 'ImageMagick wrote an Adobe marker');
  const bare = Buffer.concat([adobe.subarray(0, at), adobe.subarray(at + 2 + adobe.readUInt16BE(at + 2))]);
  const r = verifyBytes(pdfDrawing({ body: jpegImage(bare, 400, 400, { cs: '/DeviceCMYK' }) }, [100, 100, 100, 100]));
  const w = r.warnings.find((x) => x.id === 'image_not_checked');
  assert.match(w?.message.en ?? '', /CMYK JPEG without an Adobe marker/);
  assert.deepEqual(w?.rect, [100, 100, 200, 200]);
});

test("a real vendor's stamped e-invoice (its QR code a JBIG2 image, its seal in the stamp's widget) shows no copied seal", () => {
  const r = verifyPdf('/work/shared/testdata/gm-vendor/gomain_xilou_invoice.pdf', { trustRoots: [] });
  assert.ok(r.signatures.length >= 1);
  assert.deepEqual(flagged(r), []);
});

test('a scan that runs out of its time budget stops and says so, keeping what it found', () => {
  const img = flateImage(rgbaOf(sealPng), 11);
  const names: string[] = [];
  let content = '';
  const objects: Array<{ num: number; body: Buffer }> = [{ num: 11, body: img.smask! }];
  for (let i = 0; i < 40; i++) {
    // forty separate copies of the picture: each is decoded on its own
    objects.push({ num: 100 + i, body: img.body });
    names.push(`/I${i} ${100 + i} 0 R`);
    content += `q 60 0 0 60 ${(i % 8) * 70} ${Math.floor(i / 8) * 70} cm /I${i} Do Q\n`;
  }
  const doc = openPdf(pagePdf({ content, resources: `/XObject << ${names.join(' ')} >>`, objects }));
  const warnings = findCopiedSeals(doc, { known: [knownSealOf(decodeSeal(world.sealDer))], maxMillis: 1 });
  const last = warnings[warnings.length - 1]!;
  assert.equal(last.id, 'image_not_checked');
  assert.match(last.message.en, /did not finish/);
  assert.ok(warnings.length < 41, 'the scan stopped before the end');
});

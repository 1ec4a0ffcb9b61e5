/**
 * Stamping end to end with real verifiers (poppler pdfsig, qpdf, pdftoppm). The USB-Key is replaced
 * by a software key here: these tests are about the PDF and the signature in it; signing on a real
 * PKCS#11 token is tested in test/pkcs11.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { stampPdf, findKeyword } from '../../src/core/sign';
import { openPdf, PdfStream } from '../../src/core/pdf';
import { imageXObjectToRgba } from '../../src/core/pdf/image-xobject';
import { decodePng, encodePng } from '../../src/core/image';
import type { Signer } from '../../src/core/signer';
import { softwareKeeper } from '../cms/software-signer';
import { startTestTsa } from '../support/tsa';
import { buildPdf, onePagePdf } from '../pdf/support/handmade-pdf';
import {
  classicPdf, formPdf, objectStreamPdf, pdfsig, qpdfCheck, renderPage, sampleContract, sealDer, sealPicture, sha256File, workDir,
} from './support/stamp-fixtures';

const dir = workDir('stamp');
const keepers = { rsa: softwareKeeper('RSA'), ec: softwareKeeper('EC-P256') };

function counting(signer: Signer): Signer & { calls: number } {
  const s = { ...signer, calls: 0, sign: async (m: Uint8Array, scheme?: Parameters<Signer['sign']>[1]) => { s.calls++; return signer.sign(m, scheme); } };
  return s;
}

/** The invariants every stamped file must meet. */
function assertGoodStamp(input: string, output: string, inputHashBefore: string, signatures: number): void {
  assert.equal(sha256File(input), inputHashBefore, 'the original file must be untouched');
  const inBytes = fs.readFileSync(input);
  const outBytes = fs.readFileSync(output);
  assert.ok(outBytes.subarray(0, inBytes.length).equals(inBytes), 'the original must be a byte prefix of the stamped file');
  const sig = pdfsig(output);
  assert.equal(sig.total, signatures, sig.text);
  assert.equal(sig.valid, signatures, sig.text);
  const check = qpdfCheck(output);
  assert.ok(check.ok, check.text);
}

test('a seal stamped on a classic-xref PDF is a PAdES signature pdfsig and qpdf accept, appended after the untouched original', async () => {
  const input = await classicPdf(path.join(dir, 'classic.pdf'));
  const before = sha256File(input);
  const output = path.join(dir, 'classic-stamped.pdf');
  const { signer } = await keepers.rsa;
  const r = await stampPdf({ input, output, placement: { kind: 'point', page: 2, x: 300, y: 200 }, sealDer, sealPicture, signer, signingTime: new Date('2025-05-01T08:00:00Z') });
  assertGoodStamp(input, output, before, 1);
  assert.equal(r.page, 2);
  const doc = openPdf(fs.readFileSync(output));
  assert.equal(doc.revisions.length, 2);
  assert.equal(doc.revisions[1]!.kind, 'table', 'a classic file gets a classic xref table');
  const [field] = doc.signatureFields();
  assert.ok(field && field.value);
  assert.equal(field.name, r.fieldName);
  assert.equal(field.value.subFilter, 'ETSI.CAdES.detached');
  assert.equal(field.value.filter, 'Adobe.PPKLite');
  assert.equal(field.value.signingTime, "D:20250501080000+00'00'");
  assert.deepEqual(field.value.byteRange, r.byteRange);
  const w = field.widgets[0]!;
  assert.equal(w.pageIndex, 1);
  assert.equal(w.flags & 4, 4, 'the seal must print');
  // 40 mm = 113.39 pt, centred on the placement.
  assert.deepEqual(w.rect, r.rect);
  assert.ok(Math.abs((w.rect[0] + w.rect[2]) / 2 - 300) < 0.01 && Math.abs((w.rect[1] + w.rect[3]) / 2 - 200) < 0.01);
  assert.ok(Math.abs(w.rect[2] - w.rect[0] - 113.39) < 0.02);
  assert.equal(r.documentHash.length, 64);
});

test('on xref streams with object streams the update is an xref stream chained by /Prev, and it stays valid', async () => {
  const input = await objectStreamPdf(path.join(dir, 'objstm.pdf'));
  const before = sha256File(input);
  const output = path.join(dir, 'objstm-stamped.pdf');
  await stampPdf({ input, output, placement: { kind: 'point', page: 3, x: 400, y: 150 }, sealDer, sealPicture, signer: (await keepers.ec).signer });
  assertGoodStamp(input, output, before, 1);
  const doc = openPdf(fs.readFileSync(output));
  assert.equal(doc.revisions[1]!.kind, 'stream');
  assert.equal(doc.revisions[1]!.trailer.get('Prev'), doc.revisions[0]!.xrefOffsets[0]);
  assert.equal(doc.signatureFields()[0]!.widgets[0]!.pageIndex, 2);
});

test('a document with a form keeps its fields and gains the seal field next to them', async () => {
  const input = await formPdf(path.join(dir, 'form.pdf'));
  const before = sha256File(input);
  const output = path.join(dir, 'form-stamped.pdf');
  await stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 400, y: 400 }, sealDer, sealPicture, signer: (await keepers.rsa).signer });
  assertGoodStamp(input, output, before, 1);
  const doc = openPdf(fs.readFileSync(output));
  const acro = doc.resolveDict(doc.catalog.get('AcroForm'))!;
  assert.equal(doc.resolveNumber(acro.get('SigFlags')), 3);
  const names = doc.resolveArray(acro.get('Fields'))!.items.map((f) => doc.resolveDict(f)!.get('T'));
  assert.equal(names.length, 2);
});

test('a second and a third stamp leave the earlier signatures valid', async () => {
  const first = await classicPdf(path.join(dir, 'multi.pdf'));
  const { signer } = await keepers.ec;
  let input = first;
  for (let n = 1; n <= 3; n++) {
    const before = sha256File(input);
    const output = path.join(dir, `multi-${n}.pdf`);
    const r = await stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 100 + 130 * n, y: 300 }, sealDer, sealPicture, signer });
    assertGoodStamp(input, output, before, n);
    assert.equal(r.fieldName, `SealDesk_Seal_${n}`);
    input = output;
  }
  const doc = openPdf(fs.readFileSync(input));
  assert.equal(doc.revisions.length, 4);
  const fields = doc.signatureFields();
  assert.deepEqual(fields.map((f) => f.value!.byteRange[0]), [0, 0, 0]);
  // Each signature ends exactly at the %%EOF of its own revision.
  fields.forEach((f, i) => {
    const [, , b, lb] = f.value!.byteRange;
    assert.equal(b! + lb!, doc.revisions[i + 1]!.end);
  });
});

for (const rotate of [0, 90, 180, 270]) {
  test(`on a page turned by /Rotate ${rotate} with a crop box the seal sits where placed and stands upright at its real size`, async () => {
    // A 40×30 mm picture whose top half is red and bottom half transparent shows its orientation.
    const w = 80, h = 60;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) if (Math.floor(i / w) < h / 2) rgba.set([220, 0, 0, 255], i * 4);
    const halfRed = { type: 'PNG', data: encodePng({ width: w, height: h, rgba }), widthMm: 40, heightMm: 30 };
    const crop = [50, 60, 545, 800] as const;
    const input = path.join(dir, `rotated-${rotate}.pdf`);
    fs.writeFileSync(input, onePagePdf({ pageExtra: `/Rotate ${rotate} /CropBox [${crop.join(' ')}]` }));
    const before = sha256File(input);
    const output = path.join(dir, `rotated-${rotate}-stamped.pdf`);
    const [x, y] = [300, 400];
    const r = await stampPdf({ input, output, placement: { kind: 'point', page: 1, x, y }, sealDer, sealPicture: halfRed, signer: (await keepers.rsa).signer });
    assertGoodStamp(input, output, before, 1);
    assert.deepEqual(openPdf(fs.readFileSync(output)).signatureFields()[0]!.widgets[0]!.rect, r.rect);

    // Rendered at 72 dpi, 1 px = 1 pt; where the user-space point (x, y) shows on the turned page:
    const screen: Record<number, [number, number]> = {
      0: [x - crop[0], crop[3] - y], 90: [y - crop[1], x - crop[0]], 180: [crop[2] - x, y - crop[1]], 270: [crop[3] - y, crop[2] - x],
    };
    const [cx, cy] = screen[rotate]!;
    const png = decodePng(fs.readFileSync(renderPage(output, 1, 72, path.join(dir, `rotated-${rotate}-render`))));
    assert.equal(png.width, rotate % 180 ? crop[3] - crop[1] : crop[2] - crop[0]);
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let py = 0; py < png.height; py++) for (let px = 0; px < png.width; px++) {
      const o = (py * png.width + px) * 4;
      if (png.rgba[o]! > 180 && png.rgba[o + 1]! < 80 && png.rgba[o + 2]! < 80) {
        minX = Math.min(minX, px); maxX = Math.max(maxX, px); minY = Math.min(minY, py); maxY = Math.max(maxY, py);
      }
    }
    const halfW = (40 * 72) / 25.4 / 2, halfH = (30 * 72) / 25.4 / 2;
    assert.ok(Math.abs(minX - (cx - halfW)) <= 2 && Math.abs(maxX - (cx + halfW)) <= 2, `red spans x ${minX}..${maxX}, expected ${cx} ± ${halfW}`);
    // Upright: the red half is the upper half of the seal as the reader sees the page.
    assert.ok(Math.abs(minY - (cy - halfH)) <= 2 && Math.abs(maxY - cy) <= 2, `red spans y ${minY}..${maxY}, expected ${cy - halfH}..${cy}`);
  });
}

test('the widget shows the seal picture pixel for pixel, transparency kept', async () => {
  const input = await classicPdf(path.join(dir, 'pixels.pdf'), 1);
  const output = path.join(dir, 'pixels-stamped.pdf');
  await stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 300, y: 400 }, sealDer, sealPicture, signer: (await keepers.ec).signer });
  const doc = openPdf(fs.readFileSync(output));
  const ap = doc.signatureFields()[0]!.widgets[0]!.appearance!;
  const xobjects = doc.resolveDict(doc.resolveDict(ap.dict.get('Resources'))!.get('XObject'))!;
  const image = doc.resolve(xobjects.get('Seal'));
  assert.ok(image instanceof PdfStream);
  assert.ok(image.dict.get('SMask'), 'a transparent PNG needs a soft mask');
  const shown = imageXObjectToRgba(doc, image);
  const original = decodePng(sealPicture.data);
  assert.equal(shown.width, original.width);
  assert.ok(Buffer.from(shown.rgba).equals(Buffer.from(original.rgba)));
  // And in a real rendering the seal's red ink is there, the text under it still visible.
  const png = decodePng(fs.readFileSync(renderPage(output, 1, 72, path.join(dir, 'pixels-render'))));
  const px = (x: number, y: number): number[] => [...png.rgba.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3)];
  const ring = px(300, 842 - 400 - 54); // on the seal's outer ring, near its top
  assert.ok(ring[0]! > 150 && ring[1]! < 90, `expected red ink, got ${ring}`);
});

test('a JPEG seal picture goes into the PDF unchanged as DCTDecode', async () => {
  const input = await classicPdf(path.join(dir, 'jpeg.pdf'), 1);
  execFileSync('pdftoppm', ['-jpeg', '-r', '20', '-singlefile', input, path.join(dir, 'seal-jpeg')]);
  const jpeg = fs.readFileSync(path.join(dir, 'seal-jpeg.jpg'));
  const output = path.join(dir, 'jpeg-stamped.pdf');
  await stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 300, y: 400 }, sealDer, sealPicture: { type: 'JPG', data: jpeg, widthMm: 30, heightMm: 40 }, signer: (await keepers.rsa).signer });
  assert.equal(pdfsig(output).valid, 1);
  const doc = openPdf(fs.readFileSync(output));
  const ap = doc.signatureFields()[0]!.widgets[0]!.appearance!;
  const image = doc.resolve(doc.resolveDict(doc.resolveDict(ap.dict.get('Resources'))!.get('XObject'))!.get('Seal'));
  assert.ok(image instanceof PdfStream);
  assert.equal(image.dict.getName('Filter'), 'DCTDecode');
  assert.ok(Buffer.from(image.raw).equals(jpeg));
});

test('自动定位: the seal is centred on "盖章处" of the sample contract, and "all" stamps both parties', async () => {
  const hits = await findKeyword(fs.readFileSync(sampleContract), '盖章处');
  assert.equal(hits.length, 2);
  const before = sha256File(sampleContract);
  const output = path.join(dir, 'contract-all.pdf');
  const r = await stampPdf({ input: sampleContract, output, placement: { kind: 'keyword', text: '盖章处', occurrence: 'all' }, sealDer, sealPicture, signer: (await keepers.ec).signer });
  assertGoodStamp(sampleContract, output, before, 2);
  assert.equal(r.stamps.length, 2);
  r.stamps.forEach((s, i) => {
    assert.equal(s.page, hits[i]!.pageIndex + 1);
    assert.ok(Math.abs((s.rect[0] + s.rect[2]) / 2 - hits[i]!.x) < 0.01);
    assert.ok(Math.abs((s.rect[1] + s.rect[3]) / 2 - hits[i]!.y) < 0.01);
  });
  // The second party's keyword is to the right of the first on the same line.
  assert.ok(hits[1]!.x > hits[0]!.x + 100 && Math.abs(hits[1]!.y - hits[0]!.y) < 1);
  const second = path.join(dir, 'contract-second.pdf');
  const r2 = await stampPdf({ input: sampleContract, output: second, placement: { kind: 'keyword', text: '盖章处', occurrence: 2 }, sealDer, sealPicture, signer: (await keepers.ec).signer });
  assert.deepEqual(r2.rect, r.stamps[1]!.rect);
});

test('a keyword that is not in the document is KEYWORD_NOT_FOUND and nothing is written', async () => {
  const output = path.join(dir, 'nokeyword.pdf');
  const k = counting((await keepers.rsa).signer);
  await assert.rejects(stampPdf({ input: sampleContract, output, placement: { kind: 'keyword', text: '不存在的关键字', occurrence: 1 }, sealDer, sealPicture, signer: k }),
    (e: { code?: string }) => e.code === 'KEYWORD_NOT_FOUND');
  await assert.rejects(stampPdf({ input: sampleContract, output, placement: { kind: 'keyword', text: '盖章处', occurrence: 3 }, sealDer, sealPicture, signer: k }),
    (e: { code?: string }) => e.code === 'KEYWORD_NOT_FOUND');
  assert.equal(fs.existsSync(output), false);
  assert.equal(k.calls, 0);
});

test('a signer that fails leaves no output file and no temporary file behind', async () => {
  const input = await classicPdf(path.join(dir, 'fail.pdf'), 1);
  const outDir = workDir('stamp-fail');
  const output = path.join(outDir, 'never.pdf');
  const good = (await keepers.rsa).signer;
  const failing: Signer = { ...good, sign: async () => { throw new Error('token removed'); } };
  await assert.rejects(stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 300, y: 400 }, sealDer, sealPicture, signer: failing }),
    (e: { code?: string }) => e.code === 'SIGN_FAILED');
  assert.deepEqual(fs.readdirSync(outDir), []);
});

test('a cancelled stamp stops before the key is asked to sign', async () => {
  const input = await classicPdf(path.join(dir, 'cancel.pdf'), 1);
  const output = path.join(dir, 'cancel-out.pdf');
  const k = counting((await keepers.rsa).signer);
  const ac = new AbortController();
  await assert.rejects(stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 300, y: 400 }, sealDer, sealPicture, signer: k, signal: ac.signal,
    onProgress: (p) => { if (p.stage === 'hashing') ac.abort(); } }), (e: { code?: string }) => e.code === 'STAMP_CANCELLED');
  assert.equal(k.calls, 0);
  assert.equal(fs.existsSync(output), false);
});

test('an encrypted PDF is refused before anything else, and the output is never the input', async () => {
  const plain = await classicPdf(path.join(dir, 'toenc.pdf'), 1);
  const input = path.join(dir, 'encrypted.pdf');
  execFileSync('qpdf', ['--encrypt', '', 'owner', '256', '--', plain, input]);
  const k = counting((await keepers.rsa).signer);
  const output = path.join(dir, 'enc-out.pdf');
  await assert.rejects(stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 300, y: 400 }, sealDer, sealPicture, signer: k }),
    (e: { code?: string }) => e.code === 'PDF_ENCRYPTED');
  assert.equal(k.calls, 0);
  assert.equal(fs.existsSync(output), false);
  await assert.rejects(stampPdf({ input: plain, output: plain, placement: { kind: 'point', page: 1, x: 300, y: 400 }, sealDer, sealPicture, signer: k }),
    (e: { code?: string }) => e.code === 'OUTPUT_IS_INPUT');
});

test('a seal centred outside the visible page is refused', async () => {
  const input = path.join(dir, 'cropped.pdf');
  fs.writeFileSync(input, onePagePdf({ pageExtra: '/CropBox [100 100 400 400]' }));
  const output = path.join(dir, 'cropped-out.pdf');
  await assert.rejects(stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 50, y: 500 }, sealDer, sealPicture, signer: (await keepers.rsa).signer }),
    (e: { code?: string }) => e.code === 'PLACEMENT_INVALID');
  await assert.rejects(stampPdf({ input, output, placement: { kind: 'point', page: 2, x: 200, y: 200 }, sealDer, sealPicture, signer: (await keepers.rsa).signer }),
    (e: { code?: string }) => e.code === 'PLACEMENT_INVALID');
  assert.equal(fs.existsSync(output), false);
});

test('with a timestamp authority the stamp carries a signature timestamp (PAdES B-T) and stays valid', async () => {
  const tsa = await startTestTsa();
  try {
    const input = await classicPdf(path.join(dir, 'tsa.pdf'), 1);
    const before = sha256File(input);
    const output = path.join(dir, 'tsa-stamped.pdf');
    await stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 300, y: 400 }, sealDer, sealPicture, signer: (await keepers.rsa).signer, tsa: { url: tsa.url } });
    assertGoodStamp(input, output, before, 1);
    assert.equal(tsa.requests, 1);
    const cms = openPdf(fs.readFileSync(output)).signatureFields()[0]!.value!.contents;
    // id-aa-signatureTimeStampToken 1.2.840.113549.1.9.16.2.14 as an unsigned attribute.
    assert.ok(Buffer.from(cms).includes(Buffer.from('060b2a864886f70d010910020e', 'hex')));
  } finally {
    await tsa.close();
  }
});

test('a document certified with "no changes allowed" is not stamped', async () => {
  const input = path.join(dir, 'certified.pdf');
  fs.writeFileSync(input, buildPdf([
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R /Perms << /DocMDP 4 0 R >> >>' },
    { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>' },
    { num: 3, body: '<< /Type /Page /Parent 2 0 R >>' },
    { num: 4, body: '<< /Type /Sig /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 1 /V /1.2 >> >>] /ByteRange [0 0 0 0] /Contents <00> >>' },
  ], '<< /Size 5 /Root 1 0 R >>'));
  const output = path.join(dir, 'certified-out.pdf');
  await assert.rejects(stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 300, y: 400 }, sealDer, sealPicture, signer: (await keepers.rsa).signer }),
    (e: { code?: string }) => e.code === 'PDF_CERTIFIED_NO_CHANGES');
  assert.equal(fs.existsSync(output), false);
  // P 2 (form filling and signing) allows a stamp.
  fs.writeFileSync(input, fs.readFileSync(input, 'latin1').replace('/P 1 ', '/P 2 '), 'latin1');
  await stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 300, y: 400 }, sealDer, sealPicture, signer: (await keepers.rsa).signer });
  assert.ok(fs.existsSync(output));
});

test('a linearized file is stamped with /Prev pointing where its startxref points, and stays valid', async () => {
  const plain = await classicPdf(path.join(dir, 'tolinearize.pdf'), 3);
  const input = path.join(dir, 'linearized.pdf');
  execFileSync('qpdf', ['--linearize', plain, input]);
  const before = sha256File(input);
  const original = openPdf(fs.readFileSync(input));
  const output = path.join(dir, 'linearized-stamped.pdf');
  await stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 300, y: 400 }, sealDer, sealPicture, signer: (await keepers.ec).signer });
  assertGoodStamp(input, output, before, 1);
  const doc = openPdf(fs.readFileSync(output));
  assert.equal(doc.trailer.get('Prev'), original.startxref);
  assert.equal(doc.pages().length, 3);
});

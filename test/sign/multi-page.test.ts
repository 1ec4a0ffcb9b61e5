/**
 * Several pages in one go: the same seal on every page, odd or even pages or a list, in one
 * signature (one token signature, so one PIN); every keyword occurrence, moved by an offset. Each
 * impression is checked by the verifier. Software keys stand in for the USB-Key here (one PIN for
 * the whole operation is shown on a real SoftHSM token in test/cli/straddle.test.ts).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { findKeyword, stampPdf } from '../../src/core/sign';
import { selectPages } from '../../src/core/sign/page-selection';
import { openPdf } from '../../src/core/pdf';
import { IncrementalUpdate } from '../../src/core/pdf/incremental-writer';
import { dict, withEntries } from '../../src/core/pdf/objects';
import { addImageAppearance } from '../../src/core/pdf/seal-appearance';
import { addImageXObject } from '../../src/core/pdf/image-xobject';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import type { Signer } from '../../src/core/signer';
import { makeWorld, sealPng } from '../verify/world';
import { pageBook } from './support/page-book';
import { pdfsig, qpdfCheck, sampleContract } from './support/stamp-fixtures';

const worldP = makeWorld('multi-page');
after(async () => (await worldP).cleanup());

function counting(signer: Signer): Signer & { calls: number } {
  const s = { ...signer, calls: 0, sign: async (m: Uint8Array, scheme?: Parameters<Signer['sign']>[1]) => { s.calls++; return signer.sign(m, scheme); } };
  return s;
}

test('page selections: all, odd, even and lists with ranges, each page once and in order; nonsense is refused', () => {
  assert.deepEqual(selectPages('all', 4), [0, 1, 2, 3]);
  assert.deepEqual(selectPages('odd', 5), [0, 2, 4]);
  assert.deepEqual(selectPages('even', 5), [1, 3]);
  assert.deepEqual(selectPages('5-7, 1,3,6', 8), [0, 2, 4, 5, 6]);
  for (const bad of ['0', '3-1', '1,,2', 'first', '9', '2-9']) {
    assert.throws(() => selectPages(bad, 8), (e: { code?: string }) => e.code === 'PLACEMENT_INVALID', bad);
  }
});

test('the same seal on every page is one signature with a widget per page; SealDesk checks every impression, pdfsig and qpdf accept it', async () => {
  const w = await worldP;
  const input = await pageBook(w.file('five.pdf'), [{}, { rotate: 90 }, {}, { size: [420, 595] }, {}]);
  const output = w.file('five-all.pdf');
  const signer = counting(w.keeper.signer);
  const r = await stampPdf({ input, output, placement: { kind: 'pages', pages: 'all', x: 200, y: 200 }, sealDer: w.sealDer, sealPicture: { type: 'PNG', data: sealPng, widthMm: 40, heightMm: 40 }, signer });
  assert.equal(signer.calls, 1, 'one token signature for all pages');
  assert.deepEqual(r.stamps.map((s) => s.page), [1, 2, 3, 4, 5]);
  const report = verifyPdf(output, { trustRoots: [w.ca.certificate] });
  assert.equal(report.verdict, 'valid', JSON.stringify(report.signatures[0]?.checks));
  assert.equal(report.signatures.length, 1);
  const imp = report.signatures[0]!.checks.find((c) => c.id === 'impression')!;
  assert.equal(imp.status, 'ok');
  assert.match(imp.message.en, /All 5 impressions/);
  assert.deepEqual(report.signatures[0]!.impressions?.map((i) => i.page), [1, 2, 3, 4, 5]);
  assert.equal(report.signatures[0]!.checks.some((c) => c.id === 'straddle'), false, 'not a straddle seal');
  const ps = pdfsig(output);
  assert.equal(ps.total, 1, ps.text);
  assert.equal(ps.valid, 1, ps.text);
  assert.ok(qpdfCheck(output).ok);
});

test('odd pages, even pages and a list each get the seal on exactly those pages', async () => {
  const w = await worldP;
  const input = await pageBook(w.file('seven.pdf'), 7);
  for (const [pages, expected] of [['odd', [1, 3, 5, 7]], ['even', [2, 4, 6]], ['1,3,5-7', [1, 3, 5, 6, 7]]] as const) {
    const output = w.file(`seven-${pages}.pdf`);
    await w.stamp(input, output, { kind: 'pages', pages, x: 300, y: 150 });
    const report = verifyPdf(output, { trustRoots: [w.ca.certificate] });
    assert.equal(report.verdict, 'valid', pages);
    assert.deepEqual(report.signatures[0]!.impressions?.map((i) => i.page), expected, pages);
  }
});

test('a point that is off one of the chosen pages is refused, naming that page, and nothing is written', async () => {
  const w = await worldP;
  const input = await pageBook(w.file('mixed.pdf'), [{}, { size: [200, 200] }, {}]);
  const output = w.file('mixed-all.pdf');
  await assert.rejects(w.stamp(input, output, { kind: 'pages', pages: 'all', x: 400, y: 400 }), (e: { code?: string; en?: string }) => e.code === 'PLACEMENT_INVALID' && /page 2/.test(e.en ?? ''));
  assert.equal(fs.existsSync(output), false);
});

test('one impression of a several-pages stamp replaced by a later update fails the impression check, naming its page', async () => {
  const w = await worldP;
  const input = await pageBook(w.file('three.pdf'), 3);
  const stamped = await w.stamp(input, w.file('three-all.pdf'), { kind: 'pages', pages: 'all', x: 300, y: 300 });
  const doc = openPdf(fs.readFileSync(stamped));
  const widget = doc.signatureFields()[0]!.widgets[2]!;
  const update = new IncrementalUpdate(doc);
  // Another picture in its place: a 1×1 red dot.
  const dot = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
  const img = addImageXObject(update, { type: 'PNG', data: dot });
  const ap = addImageAppearance(update, { image: img.ref, width: 100, height: 100, pageRotate: 0 });
  update.set(widget.ref!, withEntries(widget.dict, { AP: dict({ N: ap.ref }) }));
  const forged = w.file('three-forged.pdf');
  fs.writeFileSync(forged, update.write().bytes);
  const report = verifyPdf(forged, { trustRoots: [w.ca.certificate] });
  assert.equal(report.verdict, 'invalid');
  const imp = report.signatures[0]!.checks.find((c) => c.id === 'impression')!;
  assert.equal(imp.status, 'failed');
  assert.match(imp.message.en, /^page 3:/);
});

test('every occurrence of a keyword, moved by an offset, gets the seal; each stamp verifies', async () => {
  const w = await worldP;
  const hits = await findKeyword(fs.readFileSync(sampleContract), '盖章处');
  const output = w.file('contract-offset.pdf');
  const signer = counting(w.keeper.signer);
  const r = await stampPdf({
    input: sampleContract, output, placement: { kind: 'keyword', text: '盖章处', occurrence: 'all', offset: { dx: 40, dy: -10 } }, sealDer: w.sealDer,
    sealPicture: { type: 'PNG', data: sealPng, widthMm: 40, heightMm: 40 }, signer,
  });
  assert.equal(r.stamps.length, hits.length);
  r.stamps.forEach((s, i) => {
    assert.ok(Math.abs((s.rect[0] + s.rect[2]) / 2 - (hits[i]!.x + 40)) < 0.01, 'moved 40 pt to the right');
    assert.ok(Math.abs((s.rect[1] + s.rect[3]) / 2 - (hits[i]!.y - 10)) < 0.01, 'moved 10 pt down');
  });
  const report = verifyPdf(output, { trustRoots: [w.ca.certificate] });
  assert.equal(report.verdict, 'valid');
  assert.equal(report.signatures.length, hits.length);
  for (const s of report.signatures) assert.equal(s.checks.find((c) => c.id === 'impression')?.status, 'ok');
  await assert.rejects(stampPdf({
    input: sampleContract, output: w.file('contract-off.pdf'), placement: { kind: 'keyword', text: '盖章处', occurrence: 1, offset: { dx: 5000, dy: 0 } }, sealDer: w.sealDer,
    sealPicture: { type: 'PNG', data: sealPng, widthMm: 40, heightMm: 40 }, signer,
  }), (e: { code?: string }) => e.code === 'PLACEMENT_INVALID');
});

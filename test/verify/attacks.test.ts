import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import type { CheckId, SignatureReport, VerificationReport } from '../../src/api/verification-report';
import { openPdf } from '../../src/core/pdf/document';
import { decodePng, encodePng } from '../../src/core/image/png';
import { IncrementalUpdate } from '../../src/core/pdf/incremental-writer';
import { PdfStream, array, dict, name, withEntries } from '../../src/core/pdf/objects';
import { appendUpdate, buildPdf } from '../pdf/support/handmade-pdf';
import { makeWorld, sealPng, type World } from './world';
import { softwareKeeper } from '../cms/software-signer';

/**
 * Attacks on a stamped file, each built from a real stamp (software key in place of the USB-Key, see
 * world.ts) and each expected to be reported invalid with the check that catches it.
 */
let world: World;
let stamped: Buffer;
before(async () => {
  world = await makeWorld('attacks');
  fs.writeFileSync(world.file('base.pdf'), shadowReadyPdf());
  await world.stamp(world.file('base.pdf'), world.file('stamped.pdf'), { kind: 'point', page: 1, x: 400, y: 200 });
  stamped = fs.readFileSync(world.file('stamped.pdf'));
});
after(() => world.cleanup());

/**
 * A contract prepared for shadow attacks: page 1 shows "Pay 100 yuan"; a white overlay (form
 * XObject 6) hides a second clause; a second, unused document (catalog 10, pages 11, page 12) sits
 * in the file, ready to be swapped in after signing.
 */
function shadowReadyPdf(): Buffer {
  const content = 'BT /F1 18 Tf 72 700 Td (Pay 100 yuan) Tj ET\nBT /F1 18 Tf 72 610 Td (Extra clause: the buyer pays 1,000,000) Tj ET\nq /Fm1 Do Q';
  const overlay = '1 1 1 rg 60 600 500 40 re f';
  const other = 'BT /F1 18 Tf 72 700 Td (A completely different contract) Tj ET';
  return buildPdf([
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>' },
    { num: 3, body: '<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Fm1 6 0 R >> >> >>' },
    { num: 4, body: `<< /Length ${content.length} >>\nstream\n${content}\nendstream` },
    { num: 5, body: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' },
    { num: 6, body: `<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Length ${overlay.length} >>\nstream\n${overlay}\nendstream` },
    { num: 10, body: '<< /Type /Catalog /Pages 11 0 R >>' },
    { num: 11, body: '<< /Type /Pages /Kids [12 0 R] /Count 1 /MediaBox [0 0 595 842] >>' },
    { num: 12, body: '<< /Type /Page /Parent 11 0 R /Contents 13 0 R /Resources << /Font << /F1 5 0 R >> >> >>' },
    { num: 13, body: `<< /Length ${other.length} >>\nstream\n${other}\nendstream` },
  ], '<< /Size 14 /Root 1 0 R >>');
}

function verify(bytes: Uint8Array): VerificationReport {
  return verifyPdf(bytes, { trustRoots: [world.ca.certificate] });
}

function expectInvalid(r: VerificationReport, failed: CheckId, pattern?: RegExp, index = 0): SignatureReport {
  assert.equal(r.verdict, 'invalid', renderReportText(r));
  const s = r.signatures[index]!;
  assert.equal(s.verdict, 'invalid');
  const check = s.checks.find((c) => c.id === failed)!;
  assert.equal(check.status, 'failed', `${failed} should fail:\n${renderReportText(r)}`);
  if (pattern) assert.match(`${check.message.zh} ${check.message.en}`, pattern);
  return s;
}

const size = (b: Buffer): number => openPdf(b).size;

test('the untouched stamped contract is valid (the baseline every attack starts from)', () => {
  const r = verify(stamped);
  assert.equal(r.verdict, 'valid', renderReportText(r));
});

test('a byte flipped inside the signed range breaks the digest', () => {
  const forged = Buffer.from(stamped);
  const at = forged.indexOf('Pay 100 yuan');
  assert.ok(at > 0);
  forged[at + 4] = '9'.charCodeAt(0);
  const s = expectInvalid(verify(forged), 'digest');
  assert.equal(s.checks.find((c) => c.id === 'signature')?.status, 'ok', 'the signature itself is intact; the content is not');
});

test('a page-content change appended as an incremental update is "modified after stamping" and names the page', () => {
  const content = 'BT /F1 18 Tf 72 700 Td (Pay 900000 yuan) Tj ET';
  const forged = appendUpdate(stamped, [{ num: 4, body: `<< /Length ${content.length} >>\nstream\n${content}\nendstream` }], `<< /Size ${size(stamped)} /Root 1 0 R >>`);
  const s = expectInvalid(verify(forged), 'modifications', /文档在签章后被修改/);
  assert.match(s.checks.find((c) => c.id === 'modifications')!.message.en, /Document modified after stamping: the content of page 1 changed/);
  assert.equal(s.checks.find((c) => c.id === 'digest')?.status, 'ok', 'the signed revision itself is intact');
});

test('shadow attack "hide": removing the overlay after stamping is caught', () => {
  const forged = appendUpdate(stamped, [{ num: 6, body: '<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Length 0 >>\nstream\n\nendstream' }], `<< /Size ${size(stamped)} /Root 1 0 R >>`);
  expectInvalid(verify(forged), 'modifications', /resource used by page 1 was replaced \(object 6/);
});

test('shadow attack "replace": swapping the font object after stamping is caught', () => {
  const forged = appendUpdate(stamped, [{ num: 5, body: '<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>' }], `<< /Size ${size(stamped)} /Root 1 0 R >>`);
  expectInvalid(verify(forged), 'modifications', /object 5/);
});

test('shadow attack "hide-and-replace": pointing the catalog at the hidden second document is caught', () => {
  const newPages = appendUpdate(stamped, [{ num: 1, body: '<< /Type /Catalog /Pages 11 0 R >>' }], `<< /Size ${size(stamped)} /Root 1 0 R >>`);
  const s1 = expectInvalid(verify(newPages), 'modifications', /catalog changed/);
  assert.match(s1.field, /removed/, 'the stamp the new catalog hides is still found and reported');
  const newRoot = appendUpdate(stamped, [{ num: 11, body: '<< /Type /Pages /Kids [12 0 R] /Count 1 /MediaBox [0 0 595 842] >>' }], `<< /Size ${size(stamped)} /Root 10 0 R >>`);
  expectInvalid(verify(newRoot), 'modifications', /\/Root\) was replaced/);
});

test('an annotation drawn over the seal after stamping is caught', () => {
  const doc = openPdf(stamped);
  const page = doc.pages()[0]!;
  const widget = doc.signatureFields()[0]!.widgets[0]!;
  const update = new IncrementalUpdate(doc);
  const ap = new PdfStream(dict({ Type: name('XObject'), Subtype: name('Form'), BBox: array([0, 0, 120, 120]) }), Buffer.from('1 1 1 rg 0 0 120 120 re f'), { start: -1, end: -1 });
  const annot = update.add(dict({ Type: name('Annot'), Subtype: name('Square'), Rect: array([...widget.rect]), F: 4, AP: dict({ N: update.add(ap) }) }));
  const annots = doc.resolveArray(page.dict.get('Annots'))!;
  update.set(page.ref, withEntries(page.dict, { Annots: array([...annots.items, annot]) }));
  const forged = update.write().bytes;
  expectInvalid(verify(forged), 'modifications', /annotation \(Square\) was added on page 1/);
});

test('a /ByteRange moved off the /Contents (signature wrapping) is caught', () => {
  const forged = Buffer.from(stamped);
  const text = forged.toString('latin1');
  const m = /\/ByteRange\s*\[([^\]]*)\]/.exec(text)!;
  const [a, b, c, d] = m[1]!.trim().split(/\s+/).map(Number) as [number, number, number, number];
  const moved = `0 ${b - 100} ${c - 100} ${d + 100}`.padEnd(m[1]!.length, ' ');
  assert.equal(moved.length, m[1]!.length);
  forged.write(moved, m.index + m[0].indexOf('[') + 1, 'latin1');
  void a;
  expectInvalid(verify(forged), 'byte_range', /signature wrapping/);
});

async function contentsOf(file: Buffer, index = 0): Promise<{ start: number; end: number; hex: string }> {
  const field = openPdf(file).signatureFields()[index]!;
  const span = field.value!.contentsSpan;
  return { start: span.start, end: span.end, hex: file.toString('latin1', span.start + 1, span.end - 1) };
}

test('a signature copied from another document fails the digest', async () => {
  fs.writeFileSync(world.file('other.pdf'), buildPdf([
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>' },
    { num: 3, body: '<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>' },
    { num: 4, body: '<< /Length 2 >>\nstream\nq \nendstream' },
  ], '<< /Size 5 /Root 1 0 R >>'));
  const other = fs.readFileSync(await world.stamp(world.file('other.pdf'), world.file('other-stamped.pdf')));
  const theirs = await contentsOf(other);
  const ours = await contentsOf(stamped);
  const cms = theirs.hex.replace(/(00)+$/, '');
  assert.ok(cms.length <= ours.hex.length, 'the copied signature fits the placeholder');
  const forged = Buffer.from(stamped);
  forged.write(cms.padEnd(ours.hex.length, '0'), ours.start + 1, 'latin1');
  const s = expectInvalid(verify(forged), 'digest', /another document/);
  assert.equal(s.checks.find((c) => c.id === 'signature')?.status, 'ok', 'the copied CMS is a genuine signature — of something else');
});

test('a /Contents swapped in from the other stamp of the same file fails both stamps', async () => {
  const twice = fs.readFileSync(await world.stamp(world.file('stamped.pdf'), world.file('twice.pdf'), { kind: 'point', page: 1, x: 150, y: 150 }));
  assert.equal(verify(twice).verdict, 'valid');
  const first = await contentsOf(twice, 0);
  const second = await contentsOf(twice, 1);
  const forged = Buffer.from(twice);
  const secondCms = second.hex.replace(/(00)+$/, '');
  assert.ok(secondCms.length <= first.hex.length);
  forged.write(secondCms.padEnd(first.hex.length, '0'), first.start + 1, 'latin1');
  const r = verify(forged);
  const bySig = new Map(r.signatures.map((s) => [s.revision, s]));
  assert.equal(r.verdict, 'invalid');
  assert.equal(bySig.get(1)?.checks.find((c) => c.id === 'digest')?.status, 'failed');
  assert.equal(bySig.get(2)?.checks.find((c) => c.id === 'digest')?.status, 'failed', 'the second stamp covered the first one\'s /Contents');
});

test('a stamp whose seal lists another keeper fails the seal-holder check', async () => {
  const thief = await softwareKeeper('EC-P256', { ca: world.ca, subject: 'CN=Not The Keeper' });
  const out = await world.stamp(world.file('base.pdf'), world.file('thief.pdf'), undefined, { keeper: thief });
  expectInvalid(verify(fs.readFileSync(out)), 'seal_signer', /not listed in the seal/);
});

test('a widget that shows a different picture than the seal fails the impression check', async () => {
  const img = decodePng(sealPng);
  // repaint a visible pixel block: the forged impression differs from the seal picture
  let changed = 0;
  for (let i = 0; i < img.rgba.length && changed < 400; i += 4) {
    if (img.rgba[i + 3]! > 200) { img.rgba[i + 1] = 255 - img.rgba[i + 1]!; changed++; }
  }
  assert.ok(changed > 0);
  const out = await world.stamp(world.file('base.pdf'), world.file('other-picture.pdf'), undefined, { picture: encodePng(img) });
  const s = expectInvalid(verify(fs.readFileSync(out)), 'impression', /differs from the seal picture/);
  assert.equal(s.checks.find((c) => c.id === 'digest')?.status, 'ok');
});

test('garbage in /Contents is a failed signature in the report, never a crash', () => {
  const field = openPdf(stamped).signatureFields()[0]!;
  const span = field.value!.contentsSpan;
  for (const filler of ['ff', '30', '3082ffff', '00']) {
    const forged = Buffer.from(stamped);
    forged.write(filler.repeat(Math.ceil((span.end - span.start - 2) / filler.length)).slice(0, span.end - span.start - 2), span.start + 1, 'latin1');
    const s = expectInvalid(verify(forged), 'signature');
    assert.ok(s.checks.find((c) => c.id === 'signature')!.message.en.length > 0);
  }
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import { GM_PDF_SUBFILTER } from '../../src/core/gm/pdf-profile';
import { openPdf } from '../../src/core/pdf/document';
import { IncrementalUpdate } from '../../src/core/pdf/incremental-writer';
import { PdfRef, PdfStream, array, dict, name, withEntries } from '../../src/core/pdf/objects';
import type { SignatureReport, VerificationReport } from '../../src/api/verification-report';
import { appendUpdate, buildPdf, type HandmadeObject } from '../pdf/support/handmade-pdf';
import { makeGmWorld, type GmWorld } from './support/gm-world';

/**
 * The shadow attacks (hide, replace, hide-and-replace) and an annotation drawn over the seal, run
 * against the GM profile: an SM2 keeper's GB/T 38540 SES_Signature in /Contents, verified through
 * the real verifyPdf. A software SM2 key stands in for the USB-Key (as in every test/gm test that
 * does not need the token itself; SoftHSM2 has no SM2 and the native GM token is exercised in
 * gm-token-stamp.test.ts) — what is under test here is the verifier's view of later revisions.
 *
 * Every attack leaves the signed revision byte-identical, so the SM3 data hash and the SM2
 * signature stay ok: only the 'modifications' check can catch it, and it must say what changed.
 */
let w: GmWorld;
let stamped: Buffer;
before(async () => {
  w = await makeGmWorld('shadow');
  fs.writeFileSync(w.file('base.pdf'), shadowReadyContract());
  stamped = fs.readFileSync(await w.stamp(w.file('base.pdf'), w.file('stamped.pdf'), { placement: { kind: 'point', page: 1, x: 400, y: 200 } }));
});
after(() => w.cleanup());

/** Object numbers of the prepared contract, for the attacks that rewrite them. */
const C = {
  catalog: 1, pages: 2, page: 3, text: 4, font: 5, overlay: 6, logo: 7, planted: 8,
  otherCatalog: 10, otherPages: 11, otherPage: 12, otherText: 13,
} as const;

/**
 * A contract prepared by someone who means to change it after the keeper stamps it (Mainka et al.'s
 * shadow attacks), with the hiding done differently from test/verify/attacks.test.ts:
 * - the page draws two content streams; the second (6) is a white box over a clause in the first,
 *   so removing it shows "the buyer pays 1,000,000" (hide);
 * - a company logo is a form XObject (7) and the text font is 5: either can be swapped (replace);
 * - an unused content stream (8) and a whole second document (10–13) are already in the signed
 *   bytes, ready to be pointed at (hide-and-replace).
 */
function shadowReadyContract(): Buffer {
  const text = [
    'BT /F1 18 Tf 72 760 Td (Purchase contract) Tj ET',
    'BT /F1 14 Tf 72 700 Td (The buyer pays 100 yuan.) Tj ET',
    'BT /F1 14 Tf 72 660 Td (Extra clause: the buyer pays 1,000,000 yuan.) Tj ET',
    'q 1 0 0 1 440 740 cm /Logo Do Q',
  ].join('\n');
  const overlay = '1 1 1 rg 60 650 480 30 re f';
  const logo = '0 0 1 rg 0 0 80 40 re f BT /F1 12 Tf 1 1 1 rg 8 15 Td (ACME) Tj ET';
  const planted = 'BT /F1 14 Tf 72 700 Td (The buyer pays 900,000 yuan.) Tj ET';
  const other = 'BT /F1 18 Tf 72 760 Td (A different contract nobody stamped) Tj ET';
  const stream = (body: string, dictExtra = ''): string => `<< ${dictExtra}/Length ${body.length} >>\nstream\n${body}\nendstream`;
  const objects: HandmadeObject[] = [
    { num: C.catalog, body: `<< /Type /Catalog /Pages ${C.pages} 0 R >>` },
    { num: C.pages, body: `<< /Type /Pages /Kids [${C.page} 0 R] /Count 1 /MediaBox [0 0 595 842] >>` },
    { num: C.page, body: `<< /Type /Page /Parent ${C.pages} 0 R /Contents [${C.text} 0 R ${C.overlay} 0 R] /Resources << /Font << /F1 ${C.font} 0 R >> /XObject << /Logo ${C.logo} 0 R >> >> >>` },
    { num: C.text, body: stream(text) },
    { num: C.font, body: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' },
    { num: C.overlay, body: stream(overlay) },
    { num: C.logo, body: stream(logo, `/Type /XObject /Subtype /Form /BBox [0 0 80 40] /Resources << /Font << /F1 ${C.font} 0 R >> >> `) },
    { num: C.planted, body: stream(planted) },
    { num: C.otherCatalog, body: `<< /Type /Catalog /Pages ${C.otherPages} 0 R >>` },
    { num: C.otherPages, body: `<< /Type /Pages /Kids [${C.otherPage} 0 R] /Count 1 /MediaBox [0 0 595 842] >>` },
    { num: C.otherPage, body: `<< /Type /Page /Parent ${C.otherPages} 0 R /Contents ${C.otherText} 0 R /Resources << /Font << /F1 ${C.font} 0 R >> >> >>` },
    { num: C.otherText, body: stream(other) },
  ];
  return buildPdf(objects, `<< /Size 14 /Root ${C.catalog} 0 R >>`);
}

function verify(bytes: Uint8Array): VerificationReport {
  return verifyPdf(bytes, { trustRoots: [w.root.der] });
}

/** An incremental update of the stamped contract that rewrites `objects` (the trailer keeps /Root unless told). */
function update(objects: HandmadeObject[], root: number = C.catalog): Buffer {
  return appendUpdate(stamped, objects, `<< /Size ${openPdf(stamped).size} /Root ${root} 0 R >>`);
}

/**
 * The GM stamp is invalid only because of what came after it: the signed revision (SM3 data hash,
 * SM2 signature over TBS_Sign, seal) is intact, 'modifications' failed and names the change.
 */
function expectModifiedAfterStamping(r: VerificationReport, names: RegExp): SignatureReport {
  const text = renderReportText(r);
  assert.equal(r.verdict, 'invalid', text);
  assert.equal(r.signatures.length, 1, text);
  const s = r.signatures[0]!;
  assert.equal(s.subFilter, GM_PDF_SUBFILTER, 'the stamp is verified as a GM SES_Signature');
  assert.equal(s.verdict, 'invalid', text);
  for (const id of ['digest', 'signature', 'seal', 'seal_signer'] as const) {
    assert.equal(s.checks.find((c) => c.id === id)?.status, 'ok', `${id} is untouched by a later revision:\n${text}`);
  }
  const m = s.checks.find((c) => c.id === 'modifications');
  assert.equal(m?.status, 'failed', `modifications should fail:\n${text}`);
  assert.match(m!.message.zh, /文档在签章后被修改/);
  assert.match(m!.message.en, /Document modified after stamping/);
  assert.match(m!.message.en, names, `the message names what changed:\n${text}`);
  assert.ok(s.modifications.some((x) => x.kind === 'disallowed' && names.test(x.description.en)), `a disallowed modification names it:\n${text}`);
  return s;
}

test('the untouched GM-stamped contract is valid through verifyPdf (the baseline every attack starts from)', () => {
  const r = verify(stamped);
  assert.equal(r.verdict, 'valid', renderReportText(r));
  assert.equal(r.signatures[0]?.subFilter, GM_PDF_SUBFILTER);
  assert.equal(r.signatures[0]?.checks.find((c) => c.id === 'modifications')?.status, 'ok');
});

test('shadow "hide" on a GM stamp: emptying the white box that covered a clause is "modified after stamping" and names the content object', () => {
  const forged = update([{ num: C.overlay, body: '<< /Length 0 >>\nstream\n\nendstream' }]);
  expectModifiedAfterStamping(verify(forged), new RegExp(`content of page 1 changed \\(object ${C.overlay}\\)`));
});

test('shadow "hide" on a GM stamp: dropping the white box from the page\'s content list names the page and its /Contents', () => {
  const doc = openPdf(stamped);
  const page = doc.pages()[0]!;
  const u = new IncrementalUpdate(doc);
  u.set(page.ref, withEntries(page.dict, { Contents: array([...doc.resolveArray(page.dict.get('Contents'))!.items.slice(0, 1)]) }));
  expectModifiedAfterStamping(verify(u.write().bytes), /page 1 changed \(\/Contents\)/);
});

test('shadow "replace" on a GM stamp: swapping the font object for one that draws other glyphs names the font', () => {
  // A /Differences encoding draws "9" where the signed text has "1": "100 yuan" reads "900 yuan".
  const forged = update([{ num: C.font, body: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /Differences [49 /nine] >> >>' }]);
  expectModifiedAfterStamping(verify(forged), new RegExp(`resource used by page 1 was replaced \\(object ${C.font}, /Font /Type1\\)`));
});

test('shadow "replace" on a GM stamp: swapping the logo form XObject the page draws names the XObject', () => {
  const fake = '0 0 0 rg BT /F1 10 Tf 4 15 Td (PAID IN FULL) Tj ET';
  const forged = update([{ num: C.logo, body: `<< /Type /XObject /Subtype /Form /BBox [0 0 80 40] /Resources << /Font << /F1 ${C.font} 0 R >> >> /Length ${fake.length} >>\nstream\n${fake}\nendstream` }]);
  expectModifiedAfterStamping(verify(forged), new RegExp(`resource used by page 1 was replaced \\(object ${C.logo}, /XObject /Form\\)`));
});

test('shadow "hide-and-replace" on a GM stamp: pointing the page at the content planted before stamping names the page', () => {
  const doc = openPdf(stamped);
  const page = doc.pages()[0]!;
  const u = new IncrementalUpdate(doc);
  u.set(page.ref, withEntries(page.dict, { Contents: new PdfRef(C.planted, 0) }));
  const forged = u.write().bytes;
  assert.ok(Buffer.from(forged).includes('900,000'), 'the planted text was in the signed bytes all along');
  expectModifiedAfterStamping(verify(forged), /page 1 changed \(\/Contents\)/);
});

test('shadow "hide-and-replace" on a GM stamp: the catalog pointed at the hidden second document is caught, and the unhooked stamp is still reported', () => {
  const forged = update([{ num: C.catalog, body: `<< /Type /Catalog /Pages ${C.otherPages} 0 R >>` }]);
  const s = expectModifiedAfterStamping(verify(forged), /catalog changed \(.*\/Pages/);
  assert.match(s.field, /removed/, 'the stamp the new catalog hides is still found and named as removed from the form');
});

test('shadow "hide-and-replace" on a GM stamp: a trailer /Root swapped to the hidden second document is caught', () => {
  const forged = update([{ num: C.otherPages, body: `<< /Type /Pages /Kids [${C.otherPage} 0 R] /Count 1 /MediaBox [0 0 595 842] >>` }], C.otherCatalog);
  expectModifiedAfterStamping(verify(forged), /document catalog \(\/Root\) was replaced/);
});

for (const subtype of ['Stamp', 'FreeText', 'Square'] as const) {
  test(`an annotation (${subtype}) drawn over the GM seal after stamping is "modified after stamping" and names the annotation`, () => {
    const doc = openPdf(stamped);
    const page = doc.pages()[0]!;
    const widget = doc.signatureFields()[0]!.widgets[0]!;
    const u = new IncrementalUpdate(doc);
    // A white box in the seal's rectangle: the genuine impression disappears under it.
    const ap = new PdfStream(dict({ Type: name('XObject'), Subtype: name('Form'), BBox: array([0, 0, 200, 200]) }), Buffer.from('1 1 1 rg 0 0 200 200 re f'), { start: -1, end: -1 });
    const annot = u.add(dict({ Type: name('Annot'), Subtype: name(subtype), Rect: array([...widget.rect]), F: 4, AP: dict({ N: u.add(ap) }) }));
    const annots = doc.resolveArray(page.dict.get('Annots'))!;
    u.set(page.ref, withEntries(page.dict, { Annots: array([...annots.items, annot]) }));
    expectModifiedAfterStamping(verify(u.write().bytes), new RegExp(`annotation \\(${subtype}\\) was added on page 1`));
  });
}

test('a second genuine GM stamp appended after the first is an allowed change, so the failures above are about the attacks', async () => {
  const twice = fs.readFileSync(await w.stamp(w.file('stamped.pdf'), w.file('twice.pdf'), { placement: { kind: 'point', page: 1, x: 150, y: 150 } }));
  const r = verify(twice);
  assert.equal(r.verdict, 'valid', renderReportText(r));
  assert.equal(r.signatures.length, 2);
  assert.equal(r.signatures[0]!.checks.find((c) => c.id === 'modifications')?.status, 'ok', renderReportText(r));
});

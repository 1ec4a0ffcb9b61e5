import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { PDFDocument, type PDFForm } from 'pdf-lib';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import { allowedChangesMessage, filledFields } from '../../src/core/verify/revision-changes';
import { pdfEqual } from '../../src/core/verify/pdf-equality';
import type { Check, SignatureReport, VerificationReport } from '../../src/api/verification-report';
import { openPdf, type PdfDocument } from '../../src/core/pdf/document';
import { IncrementalUpdate } from '../../src/core/pdf/incremental-writer';
import { PdfArray, PdfDict, PdfRef, PdfStream, array, dict, name, textString, withEntries, type PdfObject } from '../../src/core/pdf/objects';
import { pdfsig, qpdfCheck } from '../sign/support/stamp-fixtures';
import { HANDMADE as H, approverCertificate, handmadeForm, pdfLibForm } from '../fixtures/pdf/forms/form-pdfs';
import { makeWorld, type World } from './world';

/**
 * Filling in a form after a stamp is an allowed change (Adobe's and pyHanko's "form filling" level);
 * anything else done to the form, and the shadow attacks dressed up as form filling, still make the
 * stamp "modified after stamping". Every file is real: a form (pdf-lib's or hand-made), stamped by
 * the real stampPdf (software key in place of the USB-Key, see world.ts), then filled in as an
 * incremental update — by pdf-lib's form API (its objects appended incrementally, below) or by hand
 * with SealDesk's incremental writer.
 */
let world: World;
let libStamped: Buffer;
let handStamped: Buffer;
before(async () => {
  world = await makeWorld('form-filling');
  libStamped = await stamp('lib', await pdfLibForm());
  handStamped = await stamp('hand', await handmadeForm());
});
after(() => world.cleanup());

async function stamp(label: string, pdf: Buffer): Promise<Buffer> {
  const input = world.file(`${label}.pdf`);
  fs.writeFileSync(input, pdf);
  return fs.readFileSync(await world.stamp(input, world.file(`${label}-stamped.pdf`), { kind: 'point', page: 1, x: 460, y: 160 }));
}

function save(label: string, bytes: Buffer): string {
  const file = world.file(`${label}.pdf`);
  fs.writeFileSync(file, bytes);
  return file;
}

/**
 * pdf-lib fills the form and saves the whole document; every object it changed or added is then
 * appended to the stamped bytes as one incremental update (pdf-lib itself cannot save incrementally,
 * and qpdf always rewrites the whole file, which would cut the stamp's signed range).
 */
async function fillWithPdfLib(stamped: Buffer, fill: (form: PDFForm) => void): Promise<Buffer> {
  const d = await PDFDocument.load(stamped, { updateMetadata: false });
  fill(d.getForm());
  const resaved = openPdf(await d.save({ useObjectStreams: false }));
  const base = openPdf(stamped);
  const update = new IncrementalUpdate(base);
  const objectAt = (doc: PdfDocument, num: number): PdfObject | undefined => {
    const e = doc.entryOf(num);
    return e && e.type !== 'free' ? doc.getObject(new PdfRef(num, e.type === 'offset' ? e.gen : 0)) : undefined;
  };
  for (let num = 1; num < resaved.size; num++) {
    const now = objectAt(resaved, num);
    const before = objectAt(base, num);
    if (now === undefined || pdfEqual(before, now)) continue;
    const ref = before === undefined ? update.allocate() : new PdfRef(num, 0);
    assert.equal(ref.num, num, 'pdf-lib numbers new objects after the existing ones');
    update.set(ref, now);
  }
  return update.write().bytes;
}

/** A hand-written incremental update with SealDesk's own writer. */
function edit(stamped: Buffer, change: (doc: PdfDocument, u: IncrementalUpdate) => void): Buffer {
  const doc = openPdf(stamped);
  const u = new IncrementalUpdate(doc);
  change(doc, u);
  return u.write().bytes;
}

const ref = (num: number): PdfRef => new PdfRef(num, 0);
const dictOf = (doc: PdfDocument, num: number): PdfDict => doc.resolveDict(ref(num))!;
const NO_SPAN = { start: -1, end: -1 };

/** A form XObject for a widget of the hand-made form, drawing `ops` with its Helvetica. */
function appearance(ops: string, w = 200, h = 24): PdfStream {
  return new PdfStream(dict({
    Type: name('XObject'), Subtype: name('Form'), BBox: array([0, 0, w, h]),
    Resources: dict({ Font: dict({ Helv: ref(H.font) }) }),
  }), Buffer.from(ops, 'latin1'), NO_SPAN);
}

/** Types "1,000 yuan" into the hand-made "amount" field: /V and a new appearance stream. */
function fillAmount(doc: PdfDocument, u: IncrementalUpdate, also: Record<string, PdfObject | undefined> = {}): void {
  const ap = u.add(appearance('/Tx BMC BT /Helv 12 Tf 0 g 2 7 Td (1,000 yuan) Tj ET EMC'));
  u.set(ref(H.amount), withEntries(dictOf(doc, H.amount), { V: textString('1,000 yuan'), AP: dict({ N: ap }), ...also }));
}

/** Ticks the hand-made "agree" check box: /V and /AS, appearances unchanged. */
function tickAgree(doc: PdfDocument, u: IncrementalUpdate): void {
  u.set(ref(H.agree), withEntries(dictOf(doc, H.agree), { V: name('Yes'), AS: name('Yes') }));
}

function verify(bytes: Uint8Array, extraRoots: Uint8Array[] = []): VerificationReport {
  return verifyPdf(bytes, { trustRoots: [world.ca.certificate, ...extraRoots] });
}

/** The SealDesk stamp's report (the file may also carry an earlier approver's signature). */
function ourStamp(r: VerificationReport): SignatureReport {
  const s = r.signatures.find((x) => x.seal?.esID === world.esID);
  assert.ok(s, renderReportText(r));
  return s;
}

const laterChanges = (s: SignatureReport): Check => s.checks.find((c) => c.id === 'modifications')!;

function expectFilled(r: VerificationReport, fields: string[]): SignatureReport {
  const s = ourStamp(r);
  assert.equal(s.verdict, 'valid', renderReportText(r));
  assert.equal(laterChanges(s).status, 'ok');
  assert.deepEqual(filledFields(s.modifications), fields, JSON.stringify(s.modifications));
  assert.ok(s.modifications.every((m) => m.kind === 'allowed'));
  for (const f of fields) {
    assert.ok(s.modifications.some((m) => m.description.en === `form field "${f}" filled in after stamping` && m.description.zh === `签章后填写了表单字段“${f}”`));
  }
  return s;
}

function expectModified(r: VerificationReport, what: RegExp, s = ourStamp(r)): Check {
  assert.equal(r.verdict, 'invalid', renderReportText(r));
  assert.equal(s.verdict, 'invalid');
  const c = laterChanges(s);
  assert.equal(c.status, 'failed', renderReportText(r));
  assert.match(c.message.zh, /^文档在签章后被修改/);
  assert.match(c.message.en, /^Document modified after stamping: /);
  assert.match(c.message.en, what);
  assert.equal(s.checks.find((x) => x.id === 'digest')?.status, 'ok', 'the signed revision itself is intact');
  return c;
}

test('the stamped forms verify valid before anyone fills them in (the baseline)', () => {
  for (const file of [libStamped, handStamped]) {
    const s = ourStamp(verify(file));
    assert.equal(s.verdict, 'valid');
    assert.equal(laterChanges(s).message.en, 'The document was not changed after this stamp');
  }
});

test('typing into a text field after stamping (pdf-lib) keeps the stamp valid and the report names the field', async () => {
  const filled = await fillWithPdfLib(libStamped, (f) => f.getTextField('buyer.name').setText('Buyer Ltd'));
  assert.ok(filled.subarray(0, libStamped.length).equals(libStamped), 'an incremental update: the stamped bytes are a prefix');
  const r = verify(filled);
  assert.equal(r.verdict, 'valid', renderReportText(r));
  expectFilled(r, ['buyer.name']);
  assert.equal(r.file.revisions, 3);
  const check = qpdfCheck(save('lib-text', filled));
  assert.ok(check.ok, check.text);
});

test('the later-changes message of a filled form says which fields were filled', async () => {
  const filled = await fillWithPdfLib(libStamped, (f) => {
    f.getTextField('buyer.name').setText('Buyer Ltd');
    f.getCheckBox('agree').check();
  });
  const s = ourStamp(verify(filled));
  const message = allowedChangesMessage(s.modifications);
  assert.equal(message.en, 'Form fields "buyer.name", "agree" filled in after stamping (allowed changes)');
  assert.equal(message.zh, '签章后填写了表单字段 “buyer.name”、“agree”（允许的修改）');
  assert.equal(allowedChangesMessage([]).en, 'The document was not changed after this stamp');
});

test('the stamp\'s later-changes check itself says the form was filled', async () => {
  const filled = await fillWithPdfLib(libStamped, (f) => f.getTextField('buyer.name').setText('Buyer Ltd'));
  const c = laterChanges(ourStamp(verify(filled)));
  assert.match(c.message.en, /Form field "buyer\.name" filled in after stamping/);
  assert.match(c.message.zh, /签章后填写了表单字段 “buyer\.name”/);
});

test('ticking a check box, choosing from a dropdown and picking a radio button after stamping (pdf-lib) keep the stamp valid', async () => {
  const filled = await fillWithPdfLib(libStamped, (f) => {
    f.getCheckBox('agree').check();
    f.getDropdown('city').select('Shanghai');
    f.getRadioGroup('payment').select('transfer');
  });
  const r = verify(filled);
  assert.equal(r.verdict, 'valid', renderReportText(r));
  expectFilled(r, ['agree', 'city', 'payment']);
  assert.ok(qpdfCheck(save('lib-tick', filled)).ok);
});

test('a stamp, then a fill, then a second stamp: both stamps valid, the first one\'s changes are the fill and the stamp', async () => {
  const filled = save('lib-fill-then-stamp', await fillWithPdfLib(libStamped, (f) => f.getCheckBox('agree').check()));
  const twice = fs.readFileSync(await world.stamp(filled, world.file('lib-fill-stamped.pdf'), { kind: 'point', page: 1, x: 460, y: 400 }));
  const r = verify(twice);
  assert.equal(r.verdict, 'valid', renderReportText(r));
  const first = r.signatures[0]!;
  assert.deepEqual(filledFields(first.modifications), ['agree']);
  assert.ok(first.modifications.some((m) => /gained a stamp widget/.test(m.description.en)));
  assert.match(allowedChangesMessage(first.modifications).en, /"agree" filled in after stamping, and further stamps added/);
  assert.deepEqual(filledFields(r.signatures[1]!.modifications), []);
});

test('pdfsig: the filled stamp is "Signature is Valid." and covers its own revision, not the whole document', async () => {
  const file = save('lib-pdfsig', await fillWithPdfLib(libStamped, (f) => f.getTextField('buyer.name').setText('Buyer Ltd')));
  const out = pdfsig(file);
  assert.equal(out.total, 1, out.text);
  assert.equal(out.valid, 1, out.text);
  assert.doesNotMatch(out.text, /^\s*- Total document signed/m, out.text);
  assert.match(out.text, /Not total document signed/);
  // The same stamp before the fill: the whole document.
  const unfilled = pdfsig(world.file('lib-stamped.pdf'));
  assert.match(unfilled.text, /^\s*- Total document signed/m);
});

test('a text field filled by hand, with /NeedAppearances and a new /DR font, keeps the stamp valid', () => {
  const filled = edit(handStamped, (doc, u) => {
    fillAmount(doc, u);
    const acro = dictOf(doc, H.acroForm);
    const dr = acro.get('DR') as PdfDict;
    const bold = u.add(dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Helvetica-Bold') }));
    const fonts = withEntries(dr.get('Font') as PdfDict, { HeBo: bold });
    u.set(ref(H.acroForm), withEntries(acro, { NeedAppearances: true, DR: withEntries(dr, { Font: fonts }) }));
  });
  const s = expectFilled(verify(filled), ['amount']);
  assert.ok(s.modifications.some((m) => m.kind === 'allowed' && /the AcroForm's (\/DR \/NeedAppearances|\/NeedAppearances \/DR) updated to show filled-in values/.test(m.description.en)));
  assert.ok(qpdfCheck(save('hand-amount', filled)).ok);
});

test('a check box ticked by hand (/V and /AS) keeps the stamp valid', () => {
  expectFilled(verify(edit(handStamped, tickAgree)), ['agree']);
});

test('a field\'s own appearance stream rewritten in place (used by nothing else) is form filling too', () => {
  const filled = edit(handStamped, (doc, u) => {
    u.set(ref(H.amountAppearance), appearance('/Tx BMC BT /Helv 12 Tf 0 g 2 7 Td (2,000 yuan) Tj ET EMC'));
    u.set(ref(H.amount), withEntries(dictOf(doc, H.amount), { V: textString('2,000 yuan') }));
  });
  expectFilled(verify(filled), ['amount']);
});

/** Changes to the form that are not form filling, each made on the stamped hand-made form. */
const notFormFilling: Array<{ what: string; change: (doc: PdfDocument, u: IncrementalUpdate) => void; expect: RegExp }> = [
  {
    what: 'a new text field added to the form and the page',
    change: (doc, u) => {
      const extra = u.add(dict({ FT: name('Tx'), T: textString('extra'), Type: name('Annot'), Subtype: name('Widget'), Rect: array([150, 500, 350, 524]), F: 4, P: ref(H.page), V: textString('999') }));
      const acro = dictOf(doc, H.acroForm);
      u.set(ref(H.acroForm), withEntries(acro, { Fields: array([...(acro.get('Fields') as PdfArray).items, extra]) }));
      const page = dictOf(doc, H.page);
      u.set(ref(H.page), withEntries(page, { Annots: array([...doc.resolveArray(page.get('Annots'))!.items, extra]) }));
    },
    expect: /an annotation \(Widget\) was added on page 1, drawing over the page; a form field that is not a signature \(Widget\) was added/,
  },
  { what: 'a field moved while being filled (/Rect)', change: (doc, u) => fillAmount(doc, u, { Rect: array([150, 400, 350, 424]) }), expect: /form field "amount" changed \(\/Rect\)/ },
  { what: 'a field hidden (/F)', change: (doc, u) => fillAmount(doc, u, { F: 6 }), expect: /form field "amount" changed \(\/F\)/ },
  { what: 'a field\'s type changed (/FT)', change: (doc, u) => u.set(ref(H.agree), withEntries(dictOf(doc, H.agree), { FT: name('Tx'), V: textString('Yes') })), expect: /form field "agree" changed \(\/FT\)/ },
  { what: 'a field made read-only (/Ff)', change: (doc, u) => fillAmount(doc, u, { Ff: 1 }), expect: /form field "amount" changed \(\/Ff\)/ },
  { what: 'a widget\'s colours changed (/MK)', change: (doc, u) => fillAmount(doc, u, { MK: dict({ BC: array([1, 0, 0]), BG: array([1, 1, 0]) }) }), expect: /form field "amount" changed \(\/MK\)/ },
  { what: 'a widget moved to another page object (/P)', change: (doc, u) => tickAgreeWith(doc, u, { P: ref(H.catalog) }), expect: /form field "agree" changed \(\/P\)/ },
  {
    what: 'a field given a second widget (/Kids)',
    change: (doc, u) => {
      const widget = u.add(dict({ Type: name('Annot'), Subtype: name('Widget'), Rect: array([300, 300, 500, 324]), F: 4, Parent: ref(H.amount) }));
      fillAmount(doc, u, { Kids: array([widget]) });
    },
    expect: /form field "amount" changed \(\/Kids\)/,
  },
  {
    what: 'a field put under a new parent (/Parent)',
    change: (doc, u) => {
      const parent = u.add(dict({ T: textString('total'), Kids: array([ref(H.amount)]) }));
      fillAmount(doc, u, { Parent: parent });
    },
    expect: /form field "amount" changed \(\/Parent\)/,
  },
  {
    what: 'a filled field\'s widget taken off the page (/Annots)',
    change: (doc, u) => {
      fillAmount(doc, u);
      const page = dictOf(doc, H.page);
      u.set(ref(H.page), withEntries(page, { Annots: array(doc.resolveArray(page.get('Annots'))!.items.filter((a) => !(a instanceof PdfRef && a.num === H.note))) }));
    },
    expect: /an annotation on page 1 was removed or replaced/,
  },
  { what: '/NeedAppearances set while no field was filled in', change: (doc, u) => u.set(ref(H.acroForm), withEntries(dictOf(doc, H.acroForm), { NeedAppearances: true })), expect: /\/NeedAppearances updated to show filled-in values, but no form field was filled in/ },
  {
    what: 'a /DR font swapped while filling (every field using /Helv would change)',
    change: (doc, u) => {
      fillAmount(doc, u);
      const courier = u.add(dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Courier') }));
      const acro = dictOf(doc, H.acroForm);
      u.set(ref(H.acroForm), withEntries(acro, { DR: dict({ Font: dict({ Helv: courier }) }) }));
    },
    expect: /the AcroForm changed \(\/DR\): font \/Helv was replaced or removed/,
  },
  {
    what: 'a "new appearance" that is the page\'s content stream (an object re-referenced)',
    change: (doc, u) => u.set(ref(H.amount), withEntries(dictOf(doc, H.amount), { V: textString('x'), AP: dict({ N: ref(H.content) }) })),
    expect: /form field "amount" changed: it re-references the existing object 4/,
  },
  {
    what: 'a fill and a page-content change in the same update',
    change: (doc, u) => {
      fillAmount(doc, u);
      const content = 'BT /F1 18 Tf 72 780 Td (Sales contract, void) Tj ET';
      u.set(ref(H.content), new PdfStream(dict({}), Buffer.from(content), NO_SPAN));
    },
    expect: /the content of page 1 changed/,
  },
];

function tickAgreeWith(doc: PdfDocument, u: IncrementalUpdate, also: Record<string, PdfObject>): void {
  u.set(ref(H.agree), withEntries(dictOf(doc, H.agree), { V: name('Yes'), AS: name('Yes'), ...also }));
}

for (const { what, change, expect } of notFormFilling) {
  test(`not form filling — ${what} — is "modified after stamping"`, () => {
    expectModified(verify(edit(handStamped, change)), expect);
  });
}

test('a signature swapped into the stamp\'s field (its /V) is "modified after stamping", not form filling', () => {
  const forged = edit(handStamped, (doc, u) => {
    const field = doc.signatureFields()[0]!;
    const copy = u.add(withEntries(field.value!.dict, { Reason: textString('approved') }));
    u.set(field.ref!, withEntries(field.dict, { V: copy }));
  });
  const r = verify(forged);
  assert.equal(r.verdict, 'invalid');
  // The stamp taken out of the form is still found, and its later changes name the swap.
  const original = r.signatures.find((s) => /removed/.test(s.field))!;
  assert.ok(original, renderReportText(r));
  expectModified(r, /the signature \(\/V\) of signature field "[^"]+" was replaced/, original);
  // The dictionary swapped in does not hold up either.
  assert.ok(r.signatures.filter((s) => s !== original).every((s) => s.verdict === 'invalid'));
});

test('the stamp\'s own widget moved is "modified after stamping"', () => {
  const forged = edit(handStamped, (doc, u) => {
    const field = doc.signatureFields()[0]!;
    const widget = field.widgets[0]!;
    u.set(widget.ref!, withEntries(widget.dict, { Rect: array([0, 0, 10, 10]) }));
  });
  expectModified(verify(forged), /signature field "[^"]+" changed \(\/Rect\)|the widget of signature field "[^"]+" changed \(\/Rect\)/);
});

test('shadow attack dressed as form filling: rewriting a field appearance the page also draws is caught', () => {
  // The "note" field's appearance is the white box the page content paints over a clause (/Fm1):
  // rewriting it "as the field's appearance" would change the page everywhere it is drawn.
  const forged = edit(handStamped, (doc, u) => {
    u.set(ref(H.sharedAppearance), appearance('BT /Helv 12 Tf 0 g 2 7 Td (Clause 4 is void) Tj ET'));
    u.set(ref(H.note), withEntries(dictOf(doc, H.note), { V: textString('Clause 4 is void') }));
  });
  expectModified(verify(forged), new RegExp(`the appearance object ${H.sharedAppearance} of form field "note" was rewritten: it is also used by object ${H.page}`));
});

test('the shadow attacks still fail on a stamped form: hiding the overlay the form shares with the page', () => {
  const forged = edit(handStamped, (_doc, u) => u.set(ref(H.sharedAppearance), appearance('')));
  expectModified(verify(forged), /appearance object 11 of form field "note" was rewritten: it is also used by object 3/);
});

test('shadow attack dressed as form filling: a "new" appearance object the signed page already referred to is caught', async () => {
  const planted = 90;
  const stamped = await stamp('planted', await handmadeForm({ plantedReference: planted }));
  assert.equal(ourStamp(verify(stamped)).verdict, 'valid', 'a dangling reference draws nothing');
  const forged = edit(stamped, (doc, u) => {
    while (u.allocate().num < planted - 1) { /* the attacker picks the planted number */ }
    const ap = u.allocate();
    assert.equal(ap.num, planted);
    u.set(ap, appearance('BT /Helv 12 Tf 0 g 2 7 Td (The buyer owes 1,000,000) Tj ET'));
    u.set(ref(H.amount), withEntries(dictOf(doc, H.amount), { V: textString('1,000'), AP: dict({ N: ap }) }));
  });
  expectModified(verify(forged), new RegExp(`the new object ${planted} was already referred to by object ${H.page} when stamped`));
});

test('the same planted reference used by a fake later stamp (its widget\'s appearance) is caught too', async () => {
  const planted = 90;
  const stamped = await stamp('planted-stamp', await handmadeForm({ plantedReference: planted }));
  const forged = edit(stamped, (doc, u) => {
    while (u.allocate().num < planted - 1) { /* the attacker picks the planted number */ }
    const ap = u.allocate();
    u.set(ap, appearance('BT /Helv 12 Tf 0 g 2 7 Td (The buyer owes 1,000,000) Tj ET', 300, 30));
    const sig = u.add(dict({ Type: name('Sig'), Filter: name('Adobe.PPKLite'), SubFilter: name('ETSI.CAdES.detached'), ByteRange: array([0, 0, 0, 0]), Contents: textString('x') }));
    const field = u.add(dict({ FT: name('Sig'), T: textString('fake'), Type: name('Annot'), Subtype: name('Widget'), Rect: array([0, 0, 0, 0]), F: 132, P: ref(H.page), V: sig, AP: dict({ N: ap }) }));
    const acro = dictOf(doc, H.acroForm);
    u.set(ref(H.acroForm), withEntries(acro, { Fields: array([...(acro.get('Fields') as PdfArray).items, field]) }));
    const page = dictOf(doc, H.page);
    u.set(ref(H.page), withEntries(page, { Annots: array([...doc.resolveArray(page.get('Annots'))!.items, field]) }));
  });
  expectModified(verify(forged), new RegExp(`the new object ${planted} was already referred to by object ${H.page} when stamped`));
});

test('a field a signed /Lock (Include) names cannot be filled; a field it does not name can', async () => {
  const stamped = await stamp('locked-include', await handmadeForm({ lock: { action: 'Include', fields: ['amount'] } }));
  const roots = [approverCertificate()];
  assert.equal(ourStamp(verify(stamped, roots)).verdict, 'valid');
  const locked = verify(edit(stamped, fillAmount), roots);
  expectModified(locked, /form field "amount" changed: signature field "approval" locked it when signed \(\/Lock \/Action \/Include\)/);
  const approval = locked.signatures.find((s) => s.field === 'approval')!;
  assert.equal(laterChanges(approval).status, 'failed', 'the approver\'s signature sees the locked field changed too');
  const free = verify(edit(stamped, tickAgree), roots);
  expectFilled(free, ['agree']);
  assert.equal(laterChanges(free.signatures.find((s) => s.field === 'approval')!).status, 'ok');
});

test('a signed /Lock with /Action /All forbids filling any field; /Exclude spares the fields it lists', async () => {
  const all = await stamp('locked-all', await handmadeForm({ lock: { action: 'All' } }));
  expectModified(verify(edit(all, tickAgree), [approverCertificate()]), /form field "agree" changed: signature field "approval" locked it when signed \(\/Lock \/Action \/All\)/);
  const exclude = await stamp('locked-exclude', await handmadeForm({ lock: { action: 'Exclude', fields: ['agree'] } }));
  expectFilled(verify(edit(exclude, tickAgree), [approverCertificate()]), ['agree']);
  expectModified(verify(edit(exclude, fillAmount), [approverCertificate()]), /form field "amount" changed: .*\/Lock \/Action \/Exclude/);
});

test('a certification with DocMDP P=1 forbids filling the form; with P=2 filling is allowed', async () => {
  // SealDesk refuses to stamp a P=1 document, so the certification itself is the signature judged here.
  const roots = [approverCertificate()];
  const p1 = await handmadeForm({ certify: 1 });
  const r1 = verify(edit(p1, tickAgree), roots);
  const cert1 = r1.signatures.find((s) => s.field === 'approval')!;
  expectModified(r1, /the certification in signature field "approval" forbids any change \(DocMDP P=1\)/, cert1);
  const p2 = await handmadeForm({ certify: 2 });
  const r2 = verify(edit(p2, tickAgree), roots);
  const cert2 = r2.signatures.find((s) => s.field === 'approval')!;
  assert.equal(laterChanges(cert2).status, 'ok', renderReportText(r2));
  assert.deepEqual(filledFields(cert2.modifications), ['agree']);
});

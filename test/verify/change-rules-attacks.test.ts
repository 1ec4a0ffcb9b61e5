import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import { openPdf, type PdfDocument } from '../../src/core/pdf/document';
import { IncrementalUpdate, RawBody } from '../../src/core/pdf/incremental-writer';
import { PdfDict, PdfRef } from '../../src/core/pdf/objects';
import type { SignatureReport, VerificationReport } from '../../src/api/verification-report';
import { appendUpdate, buildPdf, objectStreamPdf, type HandmadeObject } from '../pdf/support/handmade-pdf';
import { makeWorld, type World } from './world';
import { makeGmWorld, type GmWorld } from '../gm/support/gm-world';

/**
 * Incremental updates built on stamped contracts, PAdES (CMS) and GM (SES_Signature) alike, in
 * the classes a verifier that trusts labels or misses a use lets through: content, appearance and
 * font-program objects relabelled /Type /XRef or /ObjStm; new "bookkeeping" objects filling a
 * reference planted before stamping; /Info replaced by a stream; annotations dressed up as
 * signature fields; a second widget under a signed field; the stamp's own appearance painted over.
 * Each is a real attack: pdftoppm renders page 1 differently from the stamped original. Each must
 * leave the signed revision intact (digest, signature ok) and fail the later-changes check,
 * naming what changed.
 */

const O = { catalog: 1, pages: 2, page: 3, text: 4, helv: 5, overlay: 6, logo: 7, type3: 8, glyphOne: 9, info: 20, orphanWidget: 30, orphanLook: 31, plantedContent: 50, plantedXObject: 51 } as const;

function stream(body: string, extra = ''): string {
  return `<< ${extra}/Length ${Buffer.byteLength(body, 'latin1')} >>\nstream\n${body}\nendstream`;
}

/**
 * The contract: page 1 draws its text (Helvetica and a Type 3 font whose glyphs are content
 * streams), a white box over an extra clause, a logo form, the /Info dictionary named as an XObject
 * (a dictionary draws nothing), and two form XObjects that do not exist yet (planted references;
 * /Size covers them, so readers take them as missing, i.e. drawing nothing).
 */
function contract(): Buffer {
  const text = [
    'BT /F1 18 Tf 72 760 Td (Purchase contract) Tj ET',
    'BT /F1 14 Tf 72 700 Td (The buyer pays) Tj ET',
    'BT /T3 20 Tf 200 700 Td (1) Tj ET',
    'BT /F1 14 Tf 72 660 Td (Extra clause: the buyer pays 1,000,000 yuan.) Tj ET',
    'q 1 0 0 1 440 740 cm /Logo Do Q',
    'q /Fx Do Q q /Fm8 Do Q q 100 0 0 100 72 500 cm /Im9 Do Q',
  ].join('\n');
  const objects: HandmadeObject[] = [
    { num: O.catalog, body: `<< /Type /Catalog /Pages ${O.pages} 0 R >>` },
    { num: O.pages, body: `<< /Type /Pages /Kids [${O.page} 0 R] /Count 1 /MediaBox [0 0 595 842] >>` },
    { num: O.page, body: `<< /Type /Page /Parent ${O.pages} 0 R /Contents [${O.text} 0 R ${O.overlay} 0 R] /Resources << /Font << /F1 ${O.helv} 0 R /T3 ${O.type3} 0 R >> /XObject << /Logo ${O.logo} 0 R /Fx ${O.info} 0 R /Fm8 ${O.plantedContent} 0 R /Im9 ${O.plantedXObject} 0 R >> >> >>` },
    { num: O.text, body: stream(text) },
    { num: O.helv, body: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' },
    { num: O.overlay, body: stream('1 1 1 rg 60 650 480 30 re f') },
    { num: O.logo, body: stream('0 0 1 rg 0 0 80 40 re f', '/Type /XObject /Subtype /Form /BBox [0 0 80 40] ') },
    // a Type 3 font: the glyph "1" is the content stream 9 (a vertical bar)
    { num: O.type3, body: `<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /one ${O.glyphOne} 0 R >> /Encoding << /Type /Encoding /Differences [49 /one] >> /FirstChar 49 /LastChar 49 /Widths [600] >>` },
    { num: O.glyphOne, body: stream('600 0 0 0 600 1000 d1 250 0 100 1000 re f') },
    { num: O.info, body: '<< /Producer (Contract tool) /Title (Purchase contract) >>' },
    // an empty signature widget outside the form and off the page, its appearance already drawn
    { num: O.orphanWidget, body: `<< /Type /Annot /Subtype /Widget /FT /Sig /T (Later) /Rect [72 560 472 600] /F 4 /P ${O.page} 0 R /AP << /N ${O.orphanLook} 0 R >> >>` },
    { num: O.orphanLook, body: stream('0 g BT /Helvetica 18 Tf 5 10 Td (PAID IN FULL) Tj ET', '/Type /XObject /Subtype /Form /BBox [0 0 400 40] /Resources << /Font << /Helvetica << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> ') },
  ];
  return buildPdf(objects, `<< /Size 52 /Root ${O.catalog} 0 R /Info ${O.info} 0 R >>`);
}

interface Stamped {
  profile: 'PAdES' | 'GM';
  bytes: Buffer;
  roots: Uint8Array[];
  dir: string;
  /** The stamp's widget (= its field), signature dictionary, appearance stream and seal image. */
  widget: PdfRef;
  sig: PdfRef;
  ap: PdfRef;
  image: PdfRef;
  rect: number[];
  render: Buffer;
}

let pades: World;
let gm: GmWorld;
const profiles: Stamped[] = [];

function render(dir: string, bytes: Buffer, tag: string): Buffer {
  const file = path.join(dir, `${tag}.pdf`);
  fs.writeFileSync(file, bytes);
  execFileSync('pdftoppm', ['-r', '30', '-f', '1', '-l', '1', '-singlefile', file, path.join(dir, tag)], { stdio: 'ignore' });
  return fs.readFileSync(path.join(dir, `${tag}.ppm`));
}

function describeStamp(profile: 'PAdES' | 'GM', bytes: Buffer, roots: Uint8Array[], dir: string): Stamped {
  const doc = openPdf(bytes);
  const field = doc.signatureFields()[0]!;
  const w = field.widgets[0]!;
  const apStream = w.appearance!;
  const image = (doc.resolveDict(apStream.dict.get('Resources'))!.get('XObject') as PdfDict).get('Seal') as PdfRef;
  return { profile, bytes, roots, dir, widget: w.ref!, sig: field.value!.ref, ap: w.appearanceRef!, image, rect: [...w.rect], render: render(dir, bytes, `${profile}-stamped`) };
}

before(async () => {
  pades = await makeWorld('change-rules');
  gm = await makeGmWorld('change-rules');
  fs.writeFileSync(pades.file('contract.pdf'), contract());
  fs.writeFileSync(gm.file('contract.pdf'), contract());
  const placement = { kind: 'point', page: 1, x: 400, y: 300 } as const;
  await pades.stamp(pades.file('contract.pdf'), pades.file('stamped.pdf'), placement);
  await gm.stamp(gm.file('contract.pdf'), gm.file('stamped.pdf'), { placement });
  profiles.push(describeStamp('PAdES', fs.readFileSync(pades.file('stamped.pdf')), [pades.ca.certificate], pades.dir));
  profiles.push(describeStamp('GM', fs.readFileSync(gm.file('stamped.pdf')), [gm.root.der], gm.dir));
});
after(() => { pades.cleanup(); gm.cleanup(); });

interface Attack {
  what: string;
  build(s: Stamped, doc: PdfDocument, u: IncrementalUpdate): Buffer | void;
  names: RegExp;
  /** The impression check must fail too (the stamp's own picture is painted over). */
  impressionFails?: boolean;
}

const raw = (text: string): RawBody => new RawBody(Buffer.from(text, 'latin1'));

/** A new signature dictionary an attacker writes (its bytes need not verify: it is the decoy). */
function fakeSignature(u: IncrementalUpdate): PdfRef {
  return u.add(raw('<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 0 0 0] /Contents <00> >>'));
}

/** A form that paints a black notice across the page (what each decoy annotation shows). */
function notice(u: IncrementalUpdate, text = 'VOID - the buyer pays 9,000,000'): PdfRef {
  return u.add(raw(stream(`0 g BT /Helvetica 18 Tf 5 10 Td (${text}) Tj ET 0 0 0 RG 3 w 0 0 400 40 re S`, '/Type /XObject /Subtype /Form /BBox [0 0 400 40] /Resources << /Font << /Helvetica << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> ')));
}

function addToPageAndForm(s: Stamped, doc: PdfDocument, u: IncrementalUpdate, annot: PdfRef, opts: { fields?: PdfRef } = {}): void {
  const page = doc.pages()[0]!;
  const annots = doc.resolveArray(page.dict.get('Annots'))!.items.map((x) => (x as PdfRef).toString()).join(' ');
  u.set(page.ref, raw(`<< /Type /Page /Parent ${O.pages} 0 R /Contents [${O.text} 0 R ${O.overlay} 0 R] /Resources << /Font << /F1 ${O.helv} 0 R /T3 ${O.type3} 0 R >> /XObject << /Logo ${O.logo} 0 R /Fx ${O.info} 0 R /Fm8 ${O.plantedContent} 0 R /Im9 ${O.plantedXObject} 0 R >> >> /Annots [${annots} ${annot}] >>`));
  const field = opts.fields;
  if (!field) return;
  const acroRef = doc.catalog.get('AcroForm') as PdfRef;
  const acro = doc.resolveDict(acroRef)!;
  const fields = doc.resolveArray(acro.get('Fields'))!.items.map((x) => (x as PdfRef).toString()).join(' ');
  u.set(acroRef, raw(`<< /Fields [${fields} ${field}] /SigFlags 3 >>`));
  void s;
}

const attacks: Attack[] = [
  // -- a type label taken as bookkeeping
  {
    what: "the page's text stream rewritten and labelled /Type /XRef",
    build: (_s, _d, u) => u.set(new PdfRef(O.text, 0), raw(stream('BT /F1 18 Tf 72 760 Td (Purchase contract) Tj ET BT /F1 14 Tf 72 700 Td (The buyer pays 900,000 yuan.) Tj ET', '/Type /XRef /W [1 2 1] /Size 1 '))),
    names: new RegExp(`content of page 1 changed \\(object ${O.text}\\)`),
  },
  {
    what: 'the white box over the extra clause emptied and labelled /Type /ObjStm',
    build: (_s, _d, u) => u.set(new PdfRef(O.overlay, 0), raw(stream('', '/Type /ObjStm /N 0 /First 0 '))),
    names: new RegExp(`content of page 1 changed \\(object ${O.overlay}\\)`),
  },
  {
    what: 'the logo form XObject repainted and labelled /Type /XRef',
    build: (_s, _d, u) => u.set(new PdfRef(O.logo, 0), raw(stream('1 0 0 rg 0 0 80 40 re f', '/Type /XRef /Subtype /Form /BBox [0 0 80 40] /W [1 2 1] '))),
    names: new RegExp(`resource used by page 1 was replaced \\(object ${O.logo}, /XRef /Form\\)`),
  },
  {
    what: 'a glyph program of the Type 3 font ("1" drawn as "9") labelled /Type /ObjStm',
    build: (_s, _d, u) => u.set(new PdfRef(O.glyphOne, 0), raw(stream('600 0 0 0 600 1000 d1 100 500 400 500 re f 400 0 100 1000 re f 100 900 400 100 re f', '/Type /ObjStm /N 0 /First 0 '))),
    names: new RegExp(`resource used by page 1 was replaced \\(object ${O.glyphOne}, /ObjStm\\)`),
  },
  {
    what: "the stamp's appearance stream labelled /Type /XRef, painting a white box over the seal",
    build: (s, _d, u) => u.set(s.ap, raw(stream('1 1 1 rg 0 0 200 200 re f', `/Type /XRef /Subtype /Form /BBox [0 0 200 200] `))),
    names: /the appearance object \d+ of stamp ".*" was rewritten/,
    impressionFails: true,
  },
  {
    what: 'the seal picture replaced by a blank image labelled /Type /ObjStm',
    build: (s, _d, u) => u.set(s.image, raw(stream('\xff\xff\xff', '/Type /ObjStm /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceRGB /BitsPerComponent 8 '))),
    names: /object \d+ \(\/ObjStm \/Image\) changed, used by page 1/,
    impressionFails: true,
  },
  // -- new "bookkeeping" objects filling a reference planted before stamping
  {
    what: 'a new object typed /ObjStm fills a planted form reference',
    build: (_s, _d, u) => u.set(new PdfRef(O.plantedContent, 0), raw(stream('0 g BT /F1 14 Tf 72 620 Td (Addendum: the seller keeps the deposit.) Tj ET', `/Type /ObjStm /N 0 /First 0 /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 ${O.helv} 0 R >> >> `))),
    names: new RegExp(`the new object ${O.plantedContent} was already referred to by object ${O.page} when stamped`),
  },
  {
    what: 'a new object typed /XRef fills the planted XObject reference with a form that paints',
    build: (_s, _d, u) => u.set(new PdfRef(O.plantedXObject, 0), raw(stream('1 0 0 rg 0 0 1 1 re f', '/Type /XRef /Subtype /Form /BBox [0 0 1 1] /W [1 2 1] '))),
    names: new RegExp(`the new object ${O.plantedXObject} was already referred to by object ${O.page} when stamped`),
  },
  {
    what: 'a new "XMP metadata" stream fills a planted form reference',
    build: (_s, _d, u) => u.set(new PdfRef(O.plantedContent, 0), raw(stream('0 g BT /F1 14 Tf 72 620 Td (Addendum: no refunds.) Tj ET', `/Type /Metadata /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 ${O.helv} 0 R >> >> `))),
    names: new RegExp(`the new object ${O.plantedContent} was already referred to by object ${O.page}`),
  },
  // -- /Info replaced by a stream
  {
    what: 'the /Info dictionary (also named by the page as an XObject) rewritten as a form that paints',
    build: (_s, _d, u) => u.set(new PdfRef(O.info, 0), raw(stream('0 g BT /Helvetica 20 Tf 72 600 Td (PAID IN FULL) Tj ET', '/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /Helvetica << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> '))),
    names: /the document information \(\/Info\) changed: it was replaced by a stream \(\/XObject \/Form\)/,
  },
  {
    what: 'a new /Info that is a stream filling the planted XObject reference',
    build: (s) => appendUpdate(s.bytes, [{ num: O.plantedXObject, body: stream('0 1 0 rg 0 0 1 1 re f', '/Subtype /Form /BBox [0 0 1 1] ') }], `<< /Size ${openPdf(s.bytes).size} /Root ${O.catalog} 0 R /Info ${O.plantedXObject} 0 R >>`),
    names: /the document information \(\/Info\) changed: it was replaced by a stream \(\/Form\)/,
  },
  {
    what: "/Info pointed at the page's text stream, which is rewritten",
    build: (s) => appendUpdate(s.bytes, [{ num: O.text, body: stream('BT /F1 14 Tf 72 700 Td (The buyer pays nothing.) Tj ET') }], `<< /Size ${openPdf(s.bytes).size} /Root ${O.catalog} 0 R /Info ${O.text} 0 R >>`),
    names: new RegExp(`the document information \\(/Info\\) changed: it re-references the existing object ${O.text}`),
  },
  // -- annotations dressed up as signature fields
  ...(['FreeText', 'Stamp', 'Square'] as const).map((subtype): Attack => ({
    what: `a ${subtype} annotation dressed up as a signature field (/FT /Sig, a new /V) in /Annots and /Fields`,
    build: (s, d, u) => {
      const annot = u.add(raw(`<< /Type /Annot /Subtype /${subtype} /FT /Sig /T (Approval) /V ${fakeSignature(u)} /Rect [72 560 472 600] /F 4 /P ${O.page} 0 R /Contents (VOID) /AP << /N ${notice(u)} >> >>`));
      addToPageAndForm(s, d, u, annot, { fields: annot });
    },
    names: new RegExp(`an annotation \\(${subtype}\\) dressed up as a signature field`),
  })),
  {
    what: 'a Link annotation with a JavaScript action dressed up as a signature field',
    build: (s, d, u) => {
      const annot = u.add(raw(`<< /Type /Annot /Subtype /Link /FT /Sig /T (Pay) /V ${fakeSignature(u)} /Rect [72 560 472 600] /F 4 /P ${O.page} 0 R /A << /S /JavaScript /JS (app.alert\\('signed'\\)) >> /AP << /N ${notice(u, 'Click to confirm payment')} >> >>`));
      addToPageAndForm(s, d, u, annot, { fields: annot });
    },
    names: /an annotation \(Link\) dressed up as a signature field/,
  },
  {
    what: 'a FreeText annotation under a new signature field (/Parent), listed only in /Annots',
    build: (s, d, u) => {
      const field = u.allocate();
      const annot = u.add(raw(`<< /Type /Annot /Subtype /FreeText /Parent ${field} /Rect [72 560 472 600] /F 4 /P ${O.page} 0 R /DA (/Helv 12 Tf 0 g) /Contents (VOID) /AP << /N ${notice(u)} >> >>`));
      u.set(field, raw(`<< /FT /Sig /T (Hidden) /V ${fakeSignature(u)} /Kids [${annot}] >>`));
      addToPageAndForm(s, d, u, annot, { fields: field });
    },
    names: /an annotation \(FreeText\) dressed up as a signature field/,
  },
  {
    what: 'a signature widget carrying a JavaScript action and an appearance that paints over the clause',
    build: (s, d, u) => {
      const annot = u.add(raw(`<< /Type /Annot /Subtype /Widget /FT /Sig /T (Witness) /V ${fakeSignature(u)} /Rect [72 560 472 600] /F 4 /P ${O.page} 0 R /A << /S /JavaScript /JS (this.print\\(\\)) >> /AP << /N ${notice(u)} >> >>`));
      addToPageAndForm(s, d, u, annot, { fields: annot });
    },
    names: /the stamp widget carries an action \(\/A\)/,
  },
  {
    what: 'an empty signature widget planted outside the form, "signed" and put on the page with its planted appearance',
    build: (s, d, u) => {
      u.set(new PdfRef(O.orphanWidget, 0), raw(`<< /Type /Annot /Subtype /Widget /FT /Sig /T (Later) /Rect [72 560 472 600] /F 4 /P ${O.page} 0 R /AP << /N ${O.orphanLook} 0 R >> /V ${fakeSignature(u)} >>`));
      addToPageAndForm(s, d, u, new PdfRef(O.orphanWidget, 0), { fields: new PdfRef(O.orphanWidget, 0) });
    },
    names: /an existing object was re-referenced as a stamp widget/,
  },
  // -- a second widget added to an already signed field
  {
    what: 'a second widget whose /Parent is the signed stamp field, painting over the page',
    build: (s, d, u) => {
      const annot = u.add(raw(`<< /Type /Annot /Subtype /Widget /Parent ${s.widget} /Rect [72 560 472 600] /F 4 /P ${O.page} 0 R /AP << /N ${notice(u)} >> >>`));
      addToPageAndForm(s, d, u, annot);
    },
    names: /a second widget was added to signature field ".*", which was already signed/,
  },
  {
    what: "a second widget added to the signed stamp field's /Kids",
    build: (s, d, u) => {
      const annot = u.add(raw(`<< /Type /Annot /Subtype /Widget /Parent ${s.widget} /Rect [72 560 472 600] /F 4 /P ${O.page} 0 R /AP << /N ${notice(u)} >> >>`));
      u.set(s.widget, raw(fieldText(d, s.widget, `/Kids [${annot}]`)));
      addToPageAndForm(s, d, u, annot);
    },
    names: /signature field ".*" changed \(\/Kids\)/,
  },
  {
    what: "a new widget that claims the stamp's own signature value (/V)",
    build: (s, d, u) => {
      const annot = u.add(raw(`<< /Type /Annot /Subtype /Widget /FT /Sig /T (Copy) /V ${s.sig} /Rect [72 560 472 600] /F 4 /P ${O.page} 0 R /AP << /N ${notice(u)} >> >>`));
      addToPageAndForm(s, d, u, annot, { fields: annot });
    },
    names: /the signature value \(\/V\) re-references the existing object/,
  },
  // -- the stamp's own appearance replaced so that something is painted over the seal picture
  {
    what: "the stamp's /AP pointed at a new form that draws the seal picture and VOID over it",
    build: (s, d, u) => {
      const over = u.add(raw(stream(`q 113.386 0 0 113.386 0 0 cm /Seal Do Q 1 0 0 rg BT /Helvetica 30 Tf 5 50 Td (VOID) Tj ET`, `/Type /XObject /Subtype /Form /BBox [0 0 113.386 113.386] /Resources << /XObject << /Seal ${s.image} >> /Font << /Helvetica << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> `)));
      u.set(s.widget, raw(fieldText(d, s.widget, `/AP << /N ${over} >>`)));
    },
    names: /signature field ".*" changed \(\/AP\)/,
    impressionFails: true,
  },
  {
    what: "the stamp's appearance stream rewritten in place: the seal picture, then a red bar across it",
    build: (s, _d, u) => u.set(s.ap, raw(stream('q 113.386 0 0 113.386 0 0 cm /Seal Do Q 1 0 0 rg 0 50 113 14 re f', `/Type /XObject /Subtype /Form /BBox [0 0 113.386 113.386] /Resources << /XObject << /Seal ${s.image} >> >> `))),
    names: /the appearance object \d+ of stamp ".*" was rewritten/,
    impressionFails: true,
  },
  {
    what: "the stamp's appearance rewritten to draw a nested form over the seal picture",
    build: (s, _d, u) => {
      const inner = u.add(raw(stream('0 0 1 rg BT /Helvetica 24 Tf 5 50 Td (COPY) Tj ET', '/Type /XObject /Subtype /Form /BBox [0 0 113 113] /Resources << /Font << /Helvetica << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> ')));
      u.set(s.ap, raw(stream('q 113.386 0 0 113.386 0 0 cm /Seal Do Q /Over Do', `/Type /XObject /Subtype /Form /BBox [0 0 113.386 113.386] /Resources << /XObject << /Seal ${s.image} /Over ${inner} >> >> `)));
    },
    names: /the appearance object \d+ of stamp ".*" was rewritten/,
    impressionFails: true,
  },
];

/** The stamp field's dictionary as text with one entry replaced or added (`entry` is "/Key value"). */
function fieldText(doc: PdfDocument, ref: PdfRef, entry: string): string {
  const d = doc.resolveDict(ref)!;
  const key = entry.split(/\s/)[0]!.slice(1);
  const text = Buffer.from(doc.bytes.subarray(d.span.start, d.span.end)).toString('latin1');
  const value = d.valueSpans.get(key);
  if (!value) return `${text.slice(0, -2)} ${entry} >>`;
  const rel = { start: value.start - d.span.start, end: value.end - d.span.start };
  const keyAt = text.lastIndexOf(`/${key}`, rel.start);
  return `${text.slice(0, keyAt)}${entry}${text.slice(rel.end)}`;
}

function expectCaught(s: Stamped, r: VerificationReport, a: Attack): SignatureReport {
  const text = renderReportText(r);
  assert.equal(r.verdict, 'invalid', text);
  const stamp = r.signatures.find((x) => x.revision !== null && x.revision <= 1) ?? r.signatures[0]!;
  assert.equal(stamp.verdict, 'invalid', text);
  for (const id of ['digest', 'signature'] as const) assert.equal(stamp.checks.find((c) => c.id === id)?.status, 'ok', `${s.profile}: ${id} stays intact\n${text}`);
  const m = stamp.checks.find((c) => c.id === 'modifications')!;
  assert.equal(m.status, 'failed', text);
  assert.match(m.message.en, /^Document modified after stamping: /);
  assert.equal(stamp.modificationLevel, 'other');
  assert.ok(stamp.modifications.some((x) => x.kind === 'disallowed' && a.names.test(x.description.en)), `${s.profile}: the report names it (${a.names}):\n${text}`);
  if (a.impressionFails) assert.equal(stamp.checks.find((c) => c.id === 'impression')?.status, 'failed', `${s.profile}: the impression is not "the seal"\n${text}`);
  return stamp;
}

test('the stamped contracts are valid and unmodified (the baseline of every attack), PAdES and GM', () => {
  assert.equal(profiles.length, 2);
  for (const s of profiles) {
    const r = verifyPdf(s.bytes, { trustRoots: s.roots });
    assert.equal(r.verdict, 'valid', renderReportText(r));
    assert.equal(r.signatures[0]!.modificationLevel, 'none');
    assert.equal(r.signatures[0]!.checks.find((c) => c.id === 'impression')?.status, 'ok');
  }
});

for (const a of attacks) {
  test(`${a.what}: the change is visible, and the stamp is invalid naming it (PAdES and GM)`, () => {
    for (const s of profiles) {
      const doc = openPdf(s.bytes);
      const u = new IncrementalUpdate(doc);
      const forged = a.build(s, doc, u) ?? u.write().bytes;
      const tag = `${s.profile}-${attacks.indexOf(a)}`;
      assert.ok(!render(s.dir, forged, tag).equals(s.render), `${s.profile}: pdftoppm renders the forged page 1 differently (a real attack)`);
      expectCaught(s, verifyPdf(forged, { trustRoots: s.roots }), a);
    }
  });
}

test('an object stream rewritten after stamping changes the objects it holds (the page tree): visible, and named', async () => {
  fs.writeFileSync(pades.file('objstm.pdf'), objectStreamPdf());
  const stamped = fs.readFileSync(await pades.stamp(pades.file('objstm.pdf'), pades.file('objstm-stamped.pdf'), { kind: 'point', page: 1, x: 100, y: 100 }));
  const r0 = verifyPdf(stamped, { trustRoots: [pades.ca.certificate] });
  assert.equal(r0.verdict, 'valid', renderReportText(r0));
  // object 4 holds the page tree (2) and the page (3, rewritten by the stamp): the new 4 gives the tree a new size
  const inner = ['<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 300 200] >>', '<< /Type /Page /Parent 2 0 R >>'];
  const header = `2 0 3 ${inner[0]!.length + 1} `;
  const data = `${header}${inner.join('\n')}`;
  const forged = appendUpdate(stamped, [{ num: 4, body: `<< /Type /ObjStm /N 2 /First ${header.length} /Length ${data.length} >>\nstream\n${data}\nendstream` }], `<< /Size ${openPdf(stamped).size} /Root 1 0 R >>`);
  assert.ok(!render(pades.dir, forged, 'objstm-forged').equals(render(pades.dir, stamped, 'objstm-stamped')), 'pdftoppm renders the forged page differently');
  const r = verifyPdf(forged, { trustRoots: [pades.ca.certificate] });
  assert.equal(r.verdict, 'invalid', renderReportText(r));
  const s = r.signatures[0]!;
  assert.equal(s.checks.find((c) => c.id === 'digest')?.status, 'ok');
  assert.ok(s.modifications.some((m) => m.kind === 'disallowed' && /the object stream 4 was rewritten, changing the object 2 it holds/.test(m.description.en)), renderReportText(r));
});

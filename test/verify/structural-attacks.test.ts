import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import { openPdf } from '../../src/core/pdf/document';
import { serializeObject } from '../../src/core/pdf/serialize';
import { PdfRef } from '../../src/core/pdf/objects';
import type { AnomalyCode } from '../../src/core/pdf/revision-anomalies';
import type { VerificationReport } from '../../src/api/verification-report';
import { buildPdf } from '../pdf/support/handmade-pdf';
import { makeWorld, type World } from './world';
import { makeGmWorld, type GmWorld } from '../gm/support/gm-world';
import { COURIER, contractObjects, objectStreamReplaced, structuralForgeries, type Forgery } from './support/structural-forgeries';
import { pdfjsText, renderHash, withXrefLost, type Renderer } from './support/forge';

/**
 * Updates that let two readers see two documents, built byte by byte on real stamps — PAdES (an
 * ECDSA keeper) and the GM profile (an SM2 keeper's SES_Signature); software keys stand in for the
 * USB-Key as in the other attack tests, since what is under test is the verifier's reading of the
 * revisions after the stamp. Each forgery leaves the signed bytes intact, so only the
 * 'modifications' check can catch it, and it must name the ambiguity. Which readers show the
 * forgery is measured, not assumed: poppler (pdftoppm) and MuPDF (mutool draw) pixels, pdf.js
 * text, and poppler again on the file with its xref lost (what a reader that rebuilds the xref
 * shows); the expected list is part of each forgery and asserted exactly.
 */

/** What the report must say for each finding (English half of the bilingual message). */
const SAYS: Record<AnomalyCode, RegExp> = {
  'duplicate-xref-entry': /defines object \d+ twice/,
  'duplicate-objstm-entry': /object stream \d+ contains object \d+ twice/,
  'duplicate-key': /has the key \/\w+ twice/,
  'xref-wrong-object': /points at the bytes of object/,
  'xref-no-object': /points where no object starts/,
  'hybrid-xref-conflict': /table and its xref stream disagree/,
  'xref-stream-conflict': /xref stream is object/,
  'size-too-small': /beyond its trailer's \/Size/,
  'objstm-index-mismatch': /puts object \d+ at index \d+ of object stream/,
  'objstm-unindexed-object': /holds an object \d+ its cross-reference does not point to/,
  'objstm-replaced': /rewrites object stream \d+ while objects/,
  'object-unreadable': /cannot be read/,
  'overlapping-objects': /overlaps other data/,
  'unindexed-object': /its cross-reference does not index/,
  'unindexed-data': /belong to no object and no cross-reference/,
  'trailing-object': /appended after the last %%EOF without a cross-reference/,
  'trailing-data': /bytes of unsigned data after the last %%EOF/,
};

/** The extra reader view: poppler's rendering once the xref is lost and rebuilt from the bytes. */
type View = Renderer | 'pdfjs' | 'rebuilt';

interface Original { file: string; poppler: string | null; mupdf: string | null; text: string | null; rebuilt: string | null }

async function viewsOf(file: string, dir: string): Promise<Original> {
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(`${file}.lost.pdf`, withXrefLost(bytes));
  return {
    file, poppler: renderHash(file, 'poppler', dir), mupdf: renderHash(file, 'mupdf', dir), text: await pdfjsText(bytes),
    rebuilt: renderHash(`${file}.lost.pdf`, 'poppler', dir),
  };
}

async function readersShowing(f: Forgery, original: Original, dir: string): Promise<View[]> {
  const file = `${dir}/forgery.pdf`;
  fs.writeFileSync(file, f.bytes);
  fs.writeFileSync(`${file}.lost.pdf`, withXrefLost(f.bytes));
  const shows: View[] = [];
  for (const r of ['poppler', 'mupdf'] as const) if (renderHash(file, r, dir) !== original[r]) shows.push(r);
  if ((await pdfjsText(f.bytes)) !== original.text) shows.push('pdfjs');
  if (renderHash(`${file}.lost.pdf`, 'poppler', dir) !== original.rebuilt) shows.push('rebuilt');
  return shows;
}

/** Where each forgery's effect shows (the same for both profiles: the stamp's revision is alike). */
const EXPECTED_VIEWS: Record<string, View[]> = {
  'the content stream listed twice, the original first and a forgery second': ['rebuilt'],
  'the content stream listed twice, the forgery first': ['poppler', 'mupdf', 'pdfjs', 'rebuilt'],
  'the font listed once as free and once in use': ['poppler', 'mupdf', 'rebuilt'],
  'the font listed twice in an xref stream': ['rebuilt'],
  'the font twice in a new object stream, the xref pointing at the second copy': ['poppler'],
  'the font twice in a new object stream, the forgery first': ['poppler', 'mupdf'],
  'the page with a second /Contents pointing at a forgery': ['poppler', 'mupdf', 'pdfjs', 'rebuilt'],
  // every viewer here takes the last of two keys: the first is only what a first-wins reader shows
  'the page with a forged /Contents written before the real one': [],
  'the font with a second /BaseFont': ['poppler', 'mupdf', 'rebuilt'],
  'the trailer with a second /Root naming another document': ['poppler', 'mupdf', 'pdfjs', 'rebuilt'],
  'the catalog with a second /Pages': ['poppler', 'mupdf', 'pdfjs', 'rebuilt'],
  'a forged content stream appended after %%EOF': ['rebuilt'],
  'a forged font appended after %%EOF, closed by another %%EOF': ['rebuilt'],
  'a forged content stream appended with a repeated startxref': ['rebuilt'],
  // unsigned bytes that draw nothing: invalid because nobody signed them, not because they show
  'three bytes after the last %%EOF': [],
  'a comment line after the last %%EOF': [],
  'binary bytes after the last %%EOF': [],
  'three kilobytes of text after the last %%EOF': [],
  'an unused object number indexed at a forged "4 0 obj"': ['rebuilt'],
  'the content stream indexed at the font\'s bytes': ['pdfjs'],
  'the font indexed at a forged "4 0 obj"': ['poppler', 'rebuilt'],
  'the font indexed in the middle of a stream': [],
  'a forged content stream numbered beyond the trailer\'s /Size': ['poppler', 'mupdf', 'pdfjs', 'rebuilt'],
  'a forged content stream before an indexed object': ['rebuilt'],
  'a second, unindexed font after the indexed one': ['rebuilt'],
  'garbage text between an update\'s object and its xref': [],
  'the xref puts the font at the slot of another object in a new object stream': ['poppler'],
  'a new object stream carrying a forged font the xref does not point to': [],
  'a hybrid update whose table and /XRefStm disagree on the content stream': ['rebuilt'],
};

function expectStructuralFinding(r: VerificationReport, f: Forgery): void {
  const s = r.signatures[0]!;
  assert.equal(r.verdict, 'invalid', `${f.name}:\n${renderReportText(r)}`);
  assert.equal(s.verdict, 'invalid', f.name);
  assert.equal(s.checks.find((c) => c.id === 'digest')?.status, 'ok', `${f.name}: the signed revision is intact`);
  const mods = s.checks.find((c) => c.id === 'modifications')!;
  assert.equal(mods.status, 'failed', `${f.name}:\n${renderReportText(r)}`);
  assert.ok(s.modifications.some((m) => m.kind === 'disallowed' && SAYS[f.code].test(m.description.en) && m.description.zh.length > 0),
    `${f.name}: no modification names ${f.code}:\n${s.modifications.map((m) => `${m.kind} ${m.description.en}`).join('\n')}`);
}

function contract(): Buffer {
  return buildPdf(contractObjects(), '<< /Size 6 /Root 1 0 R >>');
}

let world: World;
let gm: GmWorld;
let pades: Buffer;
let gmStamped: Buffer;
before(async () => {
  world = await makeWorld('structural');
  gm = await makeGmWorld('structural');
  fs.writeFileSync(world.file('base.pdf'), contract());
  pades = fs.readFileSync(await world.stamp(world.file('base.pdf'), world.file('stamped.pdf'), { kind: 'point', page: 1, x: 400, y: 200 }));
  fs.writeFileSync(gm.file('base.pdf'), contract());
  gmStamped = fs.readFileSync(await gm.stamp(gm.file('base.pdf'), gm.file('stamped.pdf'), { placement: { kind: 'point', page: 1, x: 400, y: 200 } }));
});
after(() => { world.cleanup(); gm.cleanup(); });

const verifyPades = (b: Uint8Array): VerificationReport => verifyPdf(b, { trustRoots: [world.ca.certificate] });
const verifyGm = (b: Uint8Array): VerificationReport => verifyPdf(b, { trustRoots: [gm.root.der] });

test('the stamped contracts are valid before any forgery (PAdES and GM), also with whitespace after %%EOF', () => {
  for (const [name, bytes, verify] of [['PAdES', pades, verifyPades], ['GM', gmStamped, verifyGm]] as const) {
    assert.equal(verify(bytes).verdict, 'valid', `${name}: ${renderReportText(verify(bytes))}`);
    // whitespace draws nothing and hides nothing: no finding
    assert.equal(verify(Buffer.concat([bytes, Buffer.from('\r\n \n\0')])).verdict, 'valid', name);
  }
});

for (const profile of ['PAdES', 'GM'] as const) {
  test(`${profile}: every structural forgery makes the stamp invalid and names the ambiguity; the readers that show it are the measured ones`, async () => {
    const stamped = profile === 'PAdES' ? pades : gmStamped;
    const verify = profile === 'PAdES' ? verifyPades : verifyGm;
    const dir = profile === 'PAdES' ? world.dir : gm.dir;
    const original = await viewsOf(`${dir}/stamped.pdf`, dir);
    const forgeries = structuralForgeries(stamped);
    const classes = new Set(forgeries.map((f) => f.code));
    assert.ok(classes.size >= 10, 'the corpus covers the classes');
    let shown = 0;
    for (const f of forgeries) {
      expectStructuralFinding(verify(f.bytes), f);
      const views = await readersShowing(f, original, dir);
      assert.deepEqual(views, EXPECTED_VIEWS[f.name], `${profile} ${f.name}: shown by ${views.join(', ') || 'no reader'}`);
      if (views.length > 0) shown++;
    }
    assert.ok(shown >= forgeries.length / 2, 'most forgeries change what some reader shows');
  });
}

test('an object stream rewritten under a font it still holds (the font\'s own xref entry unchanged) is caught, and poppler draws the other font', async () => {
  const plain = world.file('objstm-plain.pdf');
  fs.writeFileSync(plain, contract());
  execFileSync('qpdf', ['--object-streams=generate', plain, world.file('objstm-base.pdf')]);
  const stamped = fs.readFileSync(await world.stamp(world.file('objstm-base.pdf'), world.file('objstm-stamped.pdf'), { kind: 'point', page: 1, x: 400, y: 200 }));
  assert.equal(verifyPades(stamped).verdict, 'valid', renderReportText(verifyPades(stamped)));
  const doc = openPdf(stamped);
  const fontRef = doc.resolveDict(doc.resolveDict(doc.pages()[0]!.resources)?.get('Font'))?.get('F1');
  assert.ok(fontRef instanceof PdfRef);
  const e = doc.entryOf(fontRef.num);
  assert.equal(e?.type, 'compressed', 'qpdf put the font in an object stream');
  const stm = (e as { stream: number }).stream;
  const members = doc.objectStreamHeader(stm).slots.map(([num]): [number, string] => [num, num === fontRef.num ? COURIER : serializeObject(doc.getObject(new PdfRef(num, 0))).toString('latin1')]);
  const forged = objectStreamReplaced(stamped, stm, members, String(doc.trailer.get('Root')));
  const r = verifyPades(forged);
  expectStructuralFinding(r, { code: 'objstm-replaced', name: 'object stream rewritten', bytes: forged, shows: [] });
  fs.writeFileSync(world.file('objstm-forged.pdf'), forged);
  assert.notEqual(renderHash(world.file('objstm-forged.pdf'), 'poppler', world.dir), renderHash(world.file('objstm-stamped.pdf'), 'poppler', world.dir), 'poppler draws the forged font');
});

test('a later genuine stamp over a stamped file adds no structural finding (SealDesk\'s own updates read strictly)', async () => {
  const twice = fs.readFileSync(await world.stamp(world.file('stamped.pdf'), world.file('twice.pdf'), { kind: 'point', page: 1, x: 150, y: 150 }));
  const r = verifyPades(twice);
  assert.equal(r.verdict, 'valid', renderReportText(r));
  assert.equal(r.signatures.length, 2);
  const gmTwice = fs.readFileSync(await gm.stamp(gm.file('stamped.pdf'), gm.file('twice.pdf'), { placement: { kind: 'point', page: 1, x: 150, y: 150 } }));
  assert.equal(verifyGm(gmTwice).verdict, 'valid', renderReportText(verifyGm(gmTwice)));
});

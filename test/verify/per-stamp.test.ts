import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { openPdf } from '../../src/core/pdf/document';
import { IncrementalUpdate, RawBody } from '../../src/core/pdf/incremental-writer';
import { PdfRef, array, withEntries, type PdfDict } from '../../src/core/pdf/objects';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { toPem } from '../../src/core/pki/certificate-authority';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { makeGmWorld } from '../gm/support/gm-world';
import { makeWorld, repoRoot, type World } from './world';

/**
 * Bounded, and per stamp: a signature field whose dictionary is broken makes that one stamp invalid
 * with its reason; the other stamps are still judged, and the file is never "unreadable" because of
 * it (the CLI exits 1, the worst stamp's code, not 2).
 */
let world: World;
let twice: Buffer;
before(async () => {
  world = await makeWorld('per-stamp');
  const input = await classicPdf(world.file('in.pdf'), 2);
  const once = await world.stamp(input, world.file('once.pdf'));
  twice = fs.readFileSync(await world.stamp(once, world.file('twice.pdf'), { kind: 'point', page: 2, x: 200, y: 200 }));
});
after(() => world.cleanup());

/**
 * Appends a signature field named `name` whose /V is `v`: raw text of an indirect object (`obj:`),
 * or a direct value written into the field dictionary (`direct:`).
 */
function withBrokenField(bytes: Buffer, name: string, v: string): Buffer {
  const doc = openPdf(bytes);
  const update = new IncrementalUpdate(doc);
  let vText = v.replace(/^direct:/, '');
  if (v.startsWith('obj:')) vText = `${update.add(new RawBody(Buffer.from(v.slice(4), 'latin1'))).num} 0 R`;
  const page = doc.pages()[0]!;
  const field = update.add(new RawBody(Buffer.from(`<< /Type /Annot /Subtype /Widget /FT /Sig /T (${name}) /F 4 /Rect [10 10 60 40] /P ${page.ref.num} ${page.ref.gen} R /V ${vText} >>`, 'latin1')));
  const acroRef = doc.catalog.get('AcroForm') as PdfRef;
  const acro = doc.resolveDict(acroRef)!;
  const fields = doc.resolveArray(acro.get('Fields'))!;
  const fieldsRef = acro.get('Fields');
  if (fieldsRef instanceof PdfRef) update.set(fieldsRef, array([...fields.items, field]));
  else update.set(acroRef, withEntries(acro, { Fields: array([...fields.items, field]) }) as PdfDict);
  const annots = doc.resolveArray(page.dict.get('Annots'))!;
  const annotsRef = page.dict.get('Annots');
  if (annotsRef instanceof PdfRef) update.set(annotsRef, array([...annots.items, field]));
  else update.set(page.ref, withEntries(page.dict, { Annots: array([...annots.items, field]) }));
  return update.write().bytes;
}

const SIG_HEAD = '/Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached';
const CASES: Array<[string, string, RegExp]> = [
  ['no /Contents', `obj:<< ${SIG_HEAD} /ByteRange [0 10 20 30] >>`, /no \/Contents/],
  ['a null /ByteRange', `obj:<< ${SIG_HEAD} /ByteRange null /Contents <3082> >>`, /no \/ByteRange/],
  ['no /ByteRange', `obj:<< ${SIG_HEAD} /Contents <3082> >>`, /no \/ByteRange/],
  ['a malformed /ByteRange', `obj:<< ${SIG_HEAD} /ByteRange [0 (ten) /x] /Contents <3082> >>`, /not four non-negative integers/],
  ['a /ByteRange beyond the file', `obj:<< ${SIG_HEAD} /ByteRange [0 10 20 999999999] /Contents <3082> >>`, /Invalid \/ByteRange/],
  ['/Contents that is not a string', `obj:<< ${SIG_HEAD} /ByteRange [0 10 20 30] /Contents 42 >>`, /\/Contents is not a direct string/],
  ['a dummy /V that is a name', 'direct:/Dummy', /\/V\) is not a dictionary/],
  ['a dummy /V that is a number', 'obj:17', /\/V\) is not a dictionary/],
  ['a direct /V dictionary', `direct:<< ${SIG_HEAD} /ByteRange [0 10 20 30] /Contents <3082> >>`, /not an indirect object/],
];

for (const [what, v, reason] of CASES) {
  test(`a signature field with ${what} is invalid with its reason; the two SealDesk stamps before it are still judged`, () => {
    const file = withBrokenField(twice, 'Broken', v);
    const report = verifyPdf(file, { trustRoots: [world.ca.certificate] });
    assert.equal(report.verdict, 'invalid');
    const bad = report.signatures.find((s) => s.field === 'Broken');
    assert.ok(bad, 'the broken stamp is reported');
    assert.equal(bad.verdict, 'invalid');
    const structure = bad.checks.find((c) => c.id === 'byte_range')!;
    assert.equal(structure.status, 'failed');
    assert.match(structure.message.en, reason);
    assert.ok(structure.message.zh.length > 0);
    for (const n of [1, 2]) {
      const s = report.signatures.find((x) => x.field === `SealDesk_Seal_${n}`);
      assert.ok(s, `stamp ${n} is judged`);
      for (const id of ['byte_range', 'digest', 'signature', 'signer_chain', 'seal', 'impression'] as const) {
        assert.equal(s.checks.find((c) => c.id === id)!.status, 'ok', `stamp ${n} ${id}: ${s.checks.find((c) => c.id === id)!.message.en}`);
      }
    }
  });
}

test('a stamp whose /ByteRange runs beyond the end of the file is invalid with that reason; the stamp before it is still judged', () => {
  const doc = openPdf(twice);
  const second = doc.signatureFields().find((f) => f.name === 'SealDesk_Seal_2')!.value!;
  const [, b, c, d] = second.byteRange;
  const span = second.byteRangeSpan;
  const forged = Buffer.from(twice);
  const text = `[0 ${b} ${c} ${d! + 1000}]`;
  assert.ok(text.length <= span.end - span.start);
  forged.write(text.slice(0, -1).padEnd(span.end - span.start - 1, ' ') + ']', span.start, 'latin1');
  const report = verifyPdf(forged, { trustRoots: [world.ca.certificate] });
  const s2 = report.signatures.find((s) => s.field === 'SealDesk_Seal_2')!;
  assert.equal(s2.verdict, 'invalid');
  assert.match(s2.checks.find((c) => c.id === 'byte_range')!.message.en, /beyond the end of the file/);
  const s1 = report.signatures.find((s) => s.field === 'SealDesk_Seal_1')!;
  for (const id of ['byte_range', 'digest', 'signature']) assert.equal(s1.checks.find((c) => c.id === id)!.status, 'ok', id);
});

test('bytes after the last %%EOF are unsigned data: the stamp that covers the last revision is invalid saying so, the file is still read', () => {
  for (const tail of ['garbage after the end\n', '\n99 0 obj\n<< /Type /Annot /Subtype /FreeText /Rect [0 0 500 500] >>\nendobj\n']) {
    const report = verifyPdf(Buffer.concat([twice, Buffer.from(tail, 'latin1')]), { trustRoots: [world.ca.certificate] });
    const s2 = report.signatures.find((s) => s.field === 'SealDesk_Seal_2')!;
    assert.equal(s2.verdict, 'invalid');
    assert.match(s2.checks.find((c) => c.id === 'byte_range')!.message.en, new RegExp(`${Buffer.byteLength(tail, 'latin1')} bytes of unsigned data follow its %%EOF`));
    assert.equal(s2.checks.find((c) => c.id === 'digest')!.status, 'ok', 'the signed bytes themselves are intact');
  }
  const padded = verifyPdf(Buffer.concat([twice, Buffer.from('\r\n  \0\0\n')]), { trustRoots: [world.ca.certificate] });
  assert.equal(padded.signatures.find((s) => s.field === 'SealDesk_Seal_2')!.checks.find((c) => c.id === 'byte_range')!.status, 'ok', 'whitespace after %%EOF is no data');
});

test('two broken stamps and two good ones: each broken one has its own reason', () => {
  const one = withBrokenField(twice, 'NoContents', `obj:<< ${SIG_HEAD} /ByteRange [0 10 20 30] >>`);
  const both = withBrokenField(one, 'Dummy', 'direct:(not a signature)');
  const report = verifyPdf(both, { trustRoots: [world.ca.certificate] });
  const reasons = Object.fromEntries(report.signatures.map((s) => [s.field, s.checks.find((c) => c.id === 'byte_range')!.message.en]));
  assert.match(reasons.NoContents!, /no \/Contents/);
  assert.match(reasons.Dummy!, /not a dictionary/);
  assert.equal(report.signatures.filter((s) => /^SealDesk_Seal_/.test(s.field) && s.checks.find((c) => c.id === 'signature')!.status === 'ok').length, 2);
});

test('GM profile: a broken signature dictionary beside an SM2 SES_Signature stamp fails alone; the GM stamp is still judged', async () => {
  const gm = await makeGmWorld('per-stamp');
  try {
    const stampedGm = fs.readFileSync(await gm.stamp(await classicPdf(gm.file('in.pdf'), 1), gm.file('gm.pdf')));
    for (const [what, v, reason] of CASES.slice(0, 3).concat([CASES[6]!])) {
      const report = verifyPdf(withBrokenField(stampedGm, 'Broken', v), { trustRoots: [gm.root.der] });
      const bad = report.signatures.find((s) => s.field === 'Broken')!;
      assert.equal(bad.verdict, 'invalid', what);
      assert.match(bad.checks.find((c) => c.id === 'byte_range')!.message.en, reason, what);
      const good = report.signatures.find((s) => s.field === 'SealDesk_Seal_1')!;
      for (const id of ['byte_range', 'digest', 'signature', 'seal', 'seal_signer']) {
        assert.equal(good.checks.find((c) => c.id === id)!.status, 'ok', `${what}: GM stamp ${id}: ${good.checks.find((c) => c.id === id)!.message.en}`);
      }
    }
  } finally {
    gm.cleanup();
  }
});

test('the CLI exits 1 (the worst stamp: invalid) for a file with one broken stamp, never 2 (unreadable)', () => {
  const file = world.file('broken-cli.pdf');
  fs.writeFileSync(world.file('root.pem'), toPem(world.ca.certificate, 'CERTIFICATE'));
  fs.writeFileSync(file, withBrokenField(twice, 'Broken', `obj:<< ${SIG_HEAD} /ByteRange null /Contents <3082> >>`));
  const r = spawnSync(path.join(repoRoot, 'bin/sealdesk'), ['verify', file, '--json', '--trust', world.file('root.pem')], {
    env: { ...process.env, SEALDESK_HOME: world.file('home'), SEALDESK_FROM_SOURCE: '1' }, encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.verdict, 'invalid');
  assert.equal(report.signatures.length, 3);
});

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyOfd } from '../../src/core/ofd/verify-ofd';
import { renderReportText } from '../../src/core/verify/render-report';
import { baseDocument, makeGmPki, makeTestSeal, stamp, zip, type Files, type GmPki } from './support/ofd-files';

/**
 * One broken stamp never makes an OFD "unreadable": the other stamps are verified and reported,
 * the broken one is invalid with its reason, and the file's verdict is the worst stamp's.
 */
let g: GmPki;
let twoStamps: Files;

before(async () => {
  g = makeGmPki();
  const sealDer = await makeTestSeal(g, { now: new Date(Date.now() + 2000) });
  const time = new Date(Date.now() + 3000);
  const once = await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, time });
  twoStamps = await stamp(once, { signer: g.keeper.signer(), sealDer, time, references: ['Doc_0/Document.xml'] });
});
after(() => g.cleanup());

const without = (files: Files, name: string): Files => Object.fromEntries(Object.entries(files).filter(([n]) => n !== name));

test('two good stamps verify (the baseline)', () => {
  const r = verifyOfd(zip(twoStamps), { trustRoots: [g.root.der] });
  assert.deepEqual(r.signatures.map((s) => s.verdict), ['valid', 'valid'], renderReportText(r));
});

test('the second stamp without its SignedValue.dat: the first still verifies, the second is invalid saying why, the file is invalid', () => {
  const r = verifyOfd(zip(without(twoStamps, 'Doc_0/Signs/Sign_1/SignedValue.dat')), { trustRoots: [g.root.der] });
  assert.equal(r.signatures.length, 2);
  assert.equal(r.signatures[0]!.verdict, 'valid', renderReportText(r));
  const broken = r.signatures[1]!;
  assert.equal(broken.verdict, 'invalid');
  assert.equal(broken.checks.find((c) => c.id === 'signature')?.status, 'failed');
  assert.match(broken.checks.find((c) => c.id === 'signature')!.message.en, /cannot be read: .*signed value/);
  assert.match(broken.checks.find((c) => c.id === 'signature')!.message.zh, /签章无法读取/);
  assert.equal(r.verdict, 'invalid');
});

test('the first stamp without its Signature.xml: the second is still verified and valid', () => {
  const r = verifyOfd(zip(without(twoStamps, 'Doc_0/Signs/Sign_0/Signature.xml')), { trustRoots: [g.root.der] });
  assert.equal(r.signatures.length, 2);
  assert.equal(r.signatures[0]!.verdict, 'invalid');
  assert.match(r.signatures[0]!.checks.find((c) => c.id === 'signature')!.message.en, /signature file .* is missing/);
  assert.equal(r.signatures[1]!.verdict, 'valid', renderReportText(r));
  assert.equal(r.verdict, 'invalid');
});

test('a garbage SignedValue.dat in one stamp: that stamp is invalid (malformed), the other valid', () => {
  const files = { ...twoStamps, 'Doc_0/Signs/Sign_0/SignedValue.dat': new Uint8Array([0x30, 0x03, 0x02, 0x01]) };
  const r = verifyOfd(zip(files), { trustRoots: [g.root.der] });
  assert.equal(r.signatures[0]!.verdict, 'invalid');
  assert.match(r.signatures[0]!.checks.find((c) => c.id === 'signature')!.message.en, /malformed/);
  assert.equal(r.signatures[1]!.verdict, 'valid');
});

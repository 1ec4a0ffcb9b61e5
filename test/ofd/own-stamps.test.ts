import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckId, VerificationReport } from '../../src/api/verification-report';
import { sm2Sign } from '../../src/core/crypto/sm2';
import { requestTimestamp } from '../../src/core/timestamp/tsa-client';
import { verifyOfd } from '../../src/core/ofd/verify-ofd';
import { renderReportText } from '../../src/core/verify/render-report';
import { startTestTsa } from '../support/tsa';
import {
  baseDocument, gmSignedData, makeGmPki, makeTestSeal, privateKeyOf, stamp, text, zip, withFlippedByte, type Files, type GmPki,
} from './support/ofd-files';

/**
 * OFDs stamped here with real SM2 keys (OpenSSL-made certificates, software keys in place of the
 * USB-Key: SoftHSM2 has no SM2, and the verifier only needs the signatures) — the cases the vendor
 * invoices cannot show: a trusted root, Seal.esl, two stamps, a seal someone else used, an expired
 * seal, a stamp moved to another slot, relative and ambiguous references, Type="Sign".
 */
let g: GmPki;
let sealDer: Uint8Array;
before(async () => {
  g = makeGmPki();
  sealDer = await makeTestSeal(g);
});
after(() => g?.cleanup());

const trusted = (files: Files): VerificationReport => verifyOfd(zip(files), { trustRoots: [g.root.der] });
const statusOf = (r: VerificationReport, id: CheckId, i = 0): string | undefined => r.signatures[i]?.checks.find((c) => c.id === id)?.status;
const failedOf = (r: VerificationReport, i = 0): CheckId[] => r.signatures[i]!.checks.filter((c) => c.status === 'failed').map((c) => c.id);

test('a stamp whose keeper chains to a trusted root is valid, placed on its page in millimetres', async () => {
  const files = await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer });
  const report = trusted(files);
  assert.equal(report.verdict, 'valid', renderReportText(report));
  const s = report.signatures[0]!;
  assert.ok(s.checks.every((c) => c.status === 'ok' || (c.id === 'timestamp' && c.status === 'not_checked')), renderReportText(report));
  assert.equal(s.page, 2, 'PageRef 9 is the second page of Document.xml');
  assert.deepEqual(s.rect, [120.5, 200, 160.5, 240]);
  assert.match(s.checks.find((c) => c.id === 'impression')!.message.en, /mm \(OFD page space/);
  assert.equal(s.seal?.name, '测试合同专用章');
  assert.equal(s.signer?.commonName, 'Seal Keeper');
  assert.equal(s.coversWholeFile, true);
  // The same file without the root in the trust store: identity unknown, a warning.
  assert.equal(verifyOfd(zip(files), { trustRoots: [] }).verdict, 'warning');
});

test('Seal.esl beside the stamp must be the very seal inside it', async () => {
  const ok = trusted(await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, sealFile: true }));
  assert.equal(ok.verdict, 'valid', renderReportText(ok));
  assert.match(ok.signatures[0]!.checks.find((c) => c.id === 'impression')!.message.en, /Seal\.esl is the seal inside the stamp/);
  const otherSeal = await makeTestSeal(g);
  const swapped = trusted(await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, sealFile: otherSeal }));
  assert.equal(swapped.verdict, 'invalid');
  assert.deepEqual(failedOf(swapped), ['impression']);
});

test('a seal used by someone it does not list is invalid (seal holder failed)', async () => {
  const report = trusted(await stamp(baseDocument(), { signer: g.stranger.signer(), sealDer }));
  assert.equal(report.verdict, 'invalid');
  assert.deepEqual(failedOf(report), ['seal_signer']);
});

test('a stamp made after the seal expired is invalid (seal failed)', async () => {
  const day = 86_400_000;
  const now = new Date();
  const expired = await makeTestSeal(g, { now, validStart: new Date(now.getTime() - 10 * day), validEnd: new Date(now.getTime() - 5 * day) });
  const report = trusted(await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer: expired, time: now }));
  assert.equal(report.verdict, 'invalid');
  assert.deepEqual(failedOf(report), ['seal']);
  assert.match(report.signatures[0]!.checks.find((c) => c.id === 'seal')!.message.en, /expired/);
});

test('a stamp whose propertyInfo names another Signature.xml is invalid (protected scope failed)', async () => {
  const report = trusted(await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, propertyInfo: '/Doc_0/Signs/Sign_5/Signature.xml' }));
  assert.equal(report.verdict, 'invalid');
  assert.deepEqual(failedOf(report), ['byte_range']);
});

test('two stamps: both valid, a later stamp is no change to the first, a later edit breaks both', async () => {
  const once = await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer });
  const twice = await stamp(once, { signer: g.keeper.signer(), sealDer, pageRef: '7', boundary: '10 10 40 40' });
  const report = trusted(twice);
  assert.equal(report.verdict, 'valid', renderReportText(report));
  assert.deepEqual(report.signatures.map((s) => s.field), ['1', '2']);
  assert.deepEqual(report.signatures.map((s) => s.page), [2, 1]);
  assert.ok(report.signatures.every((s) => s.coversWholeFile));
  const edited = trusted(withFlippedByte(twice, 'Doc_0/Pages/Page_0/Content.xml', 200));
  assert.deepEqual(edited.signatures.map((s) => s.verdict), ['invalid', 'invalid']);
  assert.deepEqual(edited.signatures.map((s) => failedOf(edited, edited.signatures.indexOf(s))), [['modifications'], ['modifications']]);
});

test('a stamp taken off Signatures.xml leaves its files behind, and the report names them', async () => {
  const twice = await stamp(await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer }), { signer: g.keeper.signer(), sealDer });
  const list = new TextDecoder().decode(twice['Doc_0/Signs/Signatures.xml']).replace(/<ofd:Signature ID="2"[^>]*\/>/, '');
  const report = trusted({ ...twice, 'Doc_0/Signs/Signatures.xml': text(list) });
  assert.equal(report.signatures.length, 1);
  assert.equal(report.verdict, 'warning');
  const w = report.warnings.find((x) => x.id === 'other');
  assert.ok(w, JSON.stringify(report.warnings));
  assert.match(w.message.en, /Sign_1\/Signature\.xml/);
});

test('references written relative to the document resolve; an ambiguous one is invalid', async () => {
  const files = await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, refStyle: 'document-relative' });
  assert.equal(trusted(files).verdict, 'valid', renderReportText(trusted(files)));
  // A second file that the same relative FileRef could mean: a reader may show the other one.
  const decoy = { ...files, 'Doc_0/Signs/Sign_0/Pages/Page_0/Content.xml': files['Doc_0/Pages/Page_0/Content.xml']! };
  const report = trusted(decoy);
  assert.equal(report.verdict, 'invalid');
  assert.deepEqual(failedOf(report), ['modifications']);
  assert.match(report.signatures[0]!.checks.find((c) => c.id === 'modifications')!.message.en, /ambiguous/);
});

test('References with SHA-256 are checked with SHA-256; a stamp protecting no file is invalid', async () => {
  const sha = trusted(await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, checkMethod: 'SHA256' }));
  assert.equal(sha.verdict, 'valid', renderReportText(sha));
  assert.match(sha.signatures[0]!.checks.find((c) => c.id === 'modifications')!.message.en, /SHA256/);
  const none = trusted(await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, references: [] }));
  assert.equal(none.verdict, 'invalid');
  assert.deepEqual(failedOf(none), ['modifications']);
  const md5 = trusted(await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, checkMethod: 'MD5' }));
  assert.equal(md5.verdict, 'invalid');
});

test('a timestamp over the signature value gives the signing time; one over other bytes fails', async () => {
  const tsa = await startTestTsa();
  try {
    const files = await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, timestamp: (sig) => requestTimestamp(sig, { url: tsa.url, digestAlgorithm: 'sm3' }) });
    const report = verifyOfd(zip(files), { trustRoots: [g.root.der, tsa.rootDer] });
    assert.equal(report.verdict, 'valid', renderReportText(report));
    const s = report.signatures[0]!;
    assert.equal(statusOf(report, 'timestamp'), 'ok');
    assert.equal(s.timeSource, 'timestamp');
    assert.equal(s.signingTime, s.timestampTime);
    // Unknown TSA root: the time is still read, with a warning.
    assert.equal(statusOf(verifyOfd(zip(files), { trustRoots: [g.root.der] }), 'timestamp'), 'warning');
    const wrong = await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, timestamp: () => requestTimestamp(text('another signature'), { url: tsa.url, digestAlgorithm: 'sm3' }) });
    const bad = verifyOfd(zip(wrong), { trustRoots: [g.root.der, tsa.rootDer] });
    assert.equal(bad.verdict, 'invalid');
    assert.deepEqual(failedOf(bad), ['timestamp']);
  } finally {
    await tsa.close();
  }
});

// ---- Type="Sign" ----------------------------------------------------------------------------------

test('Type="Sign" with a GM/T 0010 SignedData over Signature.xml verifies; a changed Signature.xml does not', async () => {
  const files = await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, type: 'Sign', signValue: async (xml) => gmSignedData(g.keeper, xml) });
  const report = trusted(files);
  assert.equal(report.verdict, 'valid', renderReportText(report));
  const s = report.signatures[0]!;
  assert.equal(s.signer?.commonName, 'Seal Keeper');
  assert.equal(s.seal, null);
  assert.equal(statusOf(report, 'seal'), 'not_checked');
  const tampered = trusted(withFlippedByte(files, 'Doc_0/Signs/Sign_0/Signature.xml', 60));
  assert.equal(tampered.verdict, 'invalid');
  assert.equal(statusOf(tampered, 'digest'), 'failed');
  // A SignedData whose signature is over other bytes.
  const forged = trusted(await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, type: 'Sign', signValue: async (xml) => gmSignedData(g.keeper, xml, text('other')) }));
  assert.equal(forged.verdict, 'invalid');
  assert.equal(statusOf(forged, 'signature'), 'failed');
});

test('Type="Sign" with a bare SM2 signature cannot be attributed to anyone: reported invalid with that reason', async () => {
  const files = await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, type: 'Sign', signValue: async (xml) => sm2Sign(xml, privateKeyOf(g.keeper)) });
  const report = trusted(files);
  assert.equal(report.verdict, 'invalid');
  assert.deepEqual(failedOf(report), ['signature']);
  assert.match(report.signatures[0]!.checks.find((c) => c.id === 'signature')!.message.en, /cannot be identified/);
});

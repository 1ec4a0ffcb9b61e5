import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { openPdf } from '../../src/core/pdf/document';
import { parseCms } from '../../src/core/cms/parse-cms';
import { PDFDocument } from 'pdf-lib';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import type { CheckId, SignatureReport, VerificationReport } from '../../src/api/verification-report';
import { createRootCa } from '../../src/core/pki/certificate-authority';
import { isSealDeskError } from '../../src/core/errors';
import { classicPdf, objectStreamPdf, pdfsig } from '../sign/support/stamp-fixtures';
import { startTestTsa, type TestTsa } from '../support/tsa';
import { makeWorld, sealPng, type World } from './world';
import { TestPki } from '../crypto/support/test-pki';
import { makeSeal } from '../../src/core/seal/make-seal';
import { stampPdf } from '../../src/core/sign';

let world: World;
let tsa: TestTsa;
before(async () => { world = await makeWorld(); tsa = await startTestTsa(); });
after(async () => { world.cleanup(); await tsa.close(); });

const status = (s: SignatureReport, id: CheckId): string | undefined => s.checks.find((c) => c.id === id)?.status;
const verify = (file: string, roots = [world.ca.certificate], extra: { sealCatalog?: Uint8Array[] } = {}): VerificationReport =>
  verifyPdf(file, { trustRoots: roots, ...extra });

test('a freshly stamped contract verifies valid, with every check named and the widget located', async () => {
  const input = await classicPdf(world.file('one.pdf'), 2);
  const out = await world.stamp(input, world.file('one-stamped.pdf'), { kind: 'point', page: 2, x: 300, y: 200 });
  const r = verify(out);
  assert.equal(r.verdict, 'valid', renderReportText(r));
  assert.equal(r.signatures.length, 1);
  const s = r.signatures[0]!;
  assert.equal(s.verdict, 'valid');
  assert.equal(s.page, 2);
  assert.ok(s.rect && Math.abs((s.rect[0] + s.rect[2]) / 2 - 300) < 0.5 && Math.abs((s.rect[1] + s.rect[3]) / 2 - 200) < 0.5);
  assert.equal(s.seal?.esID, world.esID);
  assert.equal(s.seal?.name, 'SealDesk 演示有限公司合同专用章');
  assert.equal(s.signer?.commonName, '张三');
  assert.equal(s.timeSource, 'claimed');
  assert.ok(s.coversWholeFile);
  for (const id of ['byte_range', 'digest', 'signature', 'signer_chain', 'seal', 'seal_signer', 'impression', 'modifications'] as const) {
    assert.equal(status(s, id), 'ok', `${id}: ${JSON.stringify(s.checks.find((c) => c.id === id)?.message)}`);
  }
  assert.equal(status(s, 'timestamp'), 'not_checked');
  for (const c of s.checks) assert.ok(c.message.zh.length > 0 && c.message.en.length > 0);
  assert.equal(pdfsig(out).valid, 1, 'poppler agrees');
});

test('two and three stamps are all valid, and a later allowed stamp keeps the earlier ones valid', async () => {
  const input = await classicPdf(world.file('multi.pdf'), 3);
  const one = await world.stamp(input, world.file('multi-1.pdf'), { kind: 'point', page: 1, x: 150, y: 150 });
  const two = await world.stamp(one, world.file('multi-2.pdf'), { kind: 'point', page: 2, x: 300, y: 300 });
  const three = await world.stamp(two, world.file('multi-3.pdf'), { kind: 'point', page: 1, x: 400, y: 600 });
  const r2 = verify(two);
  assert.equal(r2.verdict, 'valid', renderReportText(r2));
  const r = verify(three);
  assert.equal(r.verdict, 'valid', renderReportText(r));
  assert.equal(r.signatures.length, 3);
  assert.deepEqual(r.signatures.map((s) => s.revision), [1, 2, 3], 'oldest first');
  const first = r.signatures[0]!;
  assert.equal(first.coversWholeFile, false);
  assert.ok(first.modifications.length > 0 && first.modifications.every((m) => m.kind === 'allowed'), JSON.stringify(first.modifications));
  assert.equal(status(first, 'modifications'), 'ok');
  assert.equal(pdfsig(three).valid, 3);
});

test('a stamp on a file with xref and object streams verifies valid', async () => {
  const input = await objectStreamPdf(world.file('objstm.pdf'));
  const out = await world.stamp(input, world.file('objstm-stamped.pdf'), { kind: 'point', page: 3, x: 200, y: 200 });
  const twice = await world.stamp(out, world.file('objstm-twice.pdf'), { kind: 'point', page: 1, x: 200, y: 200 });
  const r = verify(twice);
  assert.equal(r.verdict, 'valid', renderReportText(r));
  assert.equal(r.signatures.length, 2);
});

test('a signer whose root is not in the trust store makes the stamp valid with a warning', async () => {
  const input = await classicPdf(world.file('unknown.pdf'), 1);
  const out = await world.stamp(input, world.file('unknown-stamped.pdf'));
  const stranger = await createRootCa('CN=Some Other Root');
  const r = verify(out, [stranger.certificate]);
  assert.equal(r.verdict, 'warning', renderReportText(r));
  const s = r.signatures[0]!;
  assert.equal(s.verdict, 'warning');
  assert.equal(status(s, 'signer_chain'), 'warning');
  assert.equal(status(s, 'digest'), 'ok');
  assert.equal(status(s, 'signature'), 'ok');
});

test('a B-T stamp takes its signing time from the trusted timestamp', async () => {
  const input = await classicPdf(world.file('bt.pdf'), 1);
  const claimed = new Date(Date.now() - 3600_000);
  const out = await world.stamp(input, world.file('bt-stamped.pdf'), undefined, { tsa: { url: tsa.url }, signingTime: claimed });
  const r = verify(out, [world.ca.certificate, tsa.rootDer]);
  assert.equal(r.verdict, 'valid', renderReportText(r));
  const s = r.signatures[0]!;
  assert.equal(status(s, 'timestamp'), 'ok');
  assert.equal(s.timeSource, 'timestamp');
  assert.ok(s.timestampTime && Math.abs(new Date(s.timestampTime).getTime() - Date.now()) < 120_000);
  assert.equal(new Date(s.claimedTime!).getTime(), Math.floor(claimed.getTime() / 1000) * 1000);
  // without the TSA's root the timestamp is a warning, not a failure
  const untrusted = verify(out);
  assert.equal(status(untrusted.signatures[0]!, 'timestamp'), 'warning');
  assert.equal(untrusted.verdict, 'warning');
});

test('a seal picture pasted into page content without a signature is reported as a copied seal', async () => {
  const d = await PDFDocument.create();
  const page = d.addPage([595, 842]);
  const img = await d.embedPng(sealPng);
  page.drawImage(img, { x: 300, y: 300, width: 113, height: 113 });
  const file = world.file('copied.pdf');
  fs.writeFileSync(file, await d.save({ useObjectStreams: false }));
  const r = verify(file, [world.ca.certificate], { sealCatalog: [world.sealDer] });
  assert.equal(r.verdict, 'warning');
  const w = r.warnings.find((x) => x.id === 'copied_seal_image');
  assert.ok(w, JSON.stringify(r.warnings));
  assert.equal(w.page, 1);
  assert.match(w.message.zh, /疑似复制的印章图像：SealDesk 演示有限公司合同专用章/);
  // without knowing the seal, the same picture is still a red round impression: seal-like
  const unknown = verify(file).warnings.find((x) => x.id === 'copied_seal_image');
  assert.equal(unknown?.copiedSeal?.match, 'seal_like');
});

test('a file without stamps is a warning, and the text report says so in both languages', async () => {
  const input = await classicPdf(world.file('plain.pdf'), 1);
  const r = verify(input);
  assert.equal(r.verdict, 'warning');
  assert.equal(r.signatures.length, 0);
  const text = renderReportText(r);
  assert.match(text, /没有电子签章/);
  assert.match(text, /no electronic stamp/);
});

test('the text report names each stamp, its seal and every check, Chinese and English', async () => {
  const input = await classicPdf(world.file('text.pdf'), 1);
  const out = await world.stamp(input, world.file('text-stamped.pdf'));
  const text = renderReportText(verify(out));
  assert.match(text, /验证结果 \/ Result: 有效 \/ valid/);
  assert.match(text, new RegExp(world.esID));
  assert.match(text, /印模 \/ impression/);
  assert.match(text, /The impression shown is the seal picture/);
});

test('a file that is not a PDF is refused with a clear error, not a report', () => {
  const file = world.file('garbage.pdf');
  fs.writeFileSync(file, 'this is not a pdf at all');
  assert.throws(() => verify(file), (e: unknown) => isSealDeskError(e) && e.code === 'PDF_MALFORMED');
  assert.throws(() => verify(world.file('missing.pdf')), (e: unknown) => isSealDeskError(e) && e.code === 'FILE_UNREADABLE');
});

test('the CMS inside a stamp verifies with openssl cms over the signed byte ranges', async () => {
  const input = await classicPdf(world.file('openssl.pdf'), 1);
  const out = await world.stamp(input, world.file('openssl-stamped.pdf'));
  const bytes = fs.readFileSync(out);
  const v = openPdf(bytes).signatureFields()[0]!.value!;
  const [, b, c, d] = v.byteRange as [number, number, number, number];
  fs.writeFileSync(world.file('signed-ranges.bin'), Buffer.concat([bytes.subarray(0, b), bytes.subarray(c, c + d)]));
  fs.writeFileSync(world.file('sig.der'), parseCms(v.contents).der);
  fs.writeFileSync(world.file('root.pem'), world.ca.certificatePem);
  const r = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', world.file('sig.der'), '-content', world.file('signed-ranges.bin'),
    '-CAfile', world.file('root.pem'), '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /Verification successful/);
});

test('an SM2 keeper stamping with SM3 digests verifies valid against the GM root', async () => {
  const pki = new TestPki('sealdesk-verify-sm2-');
  try {
    const gmRoot = pki.root('sm2', 'GM Verify Root');
    const gmKeeper = pki.issue(gmRoot, 'sm2', 'GM Keeper');
    const gmMaker = pki.issue(gmRoot, 'sm2', 'GM Seal Maker');
    const now = new Date();
    const made = await makeSeal({
      maker: gmMaker.signer(), keeper: { certificate: gmKeeper.der, seals: [] }, trustRoots: [gmRoot.der], now,
      name: '国密测试专用章', type: 1, validStart: new Date(now.getTime() - 86400_000), validEnd: new Date(now.getTime() + 86400_000 * 30),
      image: { bytes: sealPng, widthMm: 40, heightMm: 40 }, vendorId: 'SealDesk',
    });
    const input = await classicPdf(world.file('gm.pdf'), 1);
    const out = world.file('gm-stamped.pdf');
    await stampPdf({ input, output: out, placement: { kind: 'point', page: 1, x: 200, y: 200 }, sealDer: made.der,
      sealPicture: { type: 'PNG', data: sealPng, widthMm: 40, heightMm: 40 }, signer: gmKeeper.signer(), digestAlgorithm: 'sm3' });
    const r = verify(out, [gmRoot.der]);
    assert.equal(r.verdict, 'valid', renderReportText(r));
    assert.equal(r.signatures[0]!.seal?.name, '国密测试专用章');
    // the EC test root does not vouch for a GM signer
    assert.equal(status(verify(out, [world.ca.certificate]).signatures[0]!, 'signer_chain'), 'warning');
  } finally {
    pki.cleanup();
  }
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SignatureReport, VerificationReport } from '../../src/api/verification-report';
import { requestTimestamp, requestTimestampForImprint } from '../../src/core/timestamp/tsa-client';
import { renderReportText } from '../../src/core/verify/render-report';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { signPdfWith } from '../cms/support/sign-pdf-with';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { startTestTsa, type TestTsa } from '../support/tsa';
import { makeWorld, type World } from '../verify/world';

/**
 * Document timestamps (/SubFilter /ETSI.RFC3161, PAdES B-LTA) verified as what they are: the
 * TSTInfo's messageImprint over the byte ranges, the TSA's signature, its chain and key purpose;
 * reported as a document timestamp, not as a stamp that lacks a seal. A real TSA (openssl ts on
 * loopback, test/support/tsa.ts) stamps SealDesk-stamped files; pyHanko's B-LTA files are read too.
 */
const PEERS = '/work/shared/testdata/pdf-peers/pyhanko-tests';
let world: World;
let tsa: TestTsa;
let stamped: Buffer;
before(async () => {
  world = await makeWorld('doc-ts');
  tsa = await startTestTsa();
  stamped = fs.readFileSync(await world.stamp(await classicPdf(world.file('in.pdf'), 1), world.file('stamped.pdf')));
});
after(async () => { await tsa.close(); world.cleanup(); });

const docTimestamp = (r: VerificationReport): SignatureReport => {
  const s = r.signatures.find((x) => x.subFilter === 'ETSI.RFC3161');
  assert.ok(s, 'the document timestamp is reported');
  return s;
};
const status = (s: SignatureReport): Record<string, string> => Object.fromEntries(s.checks.map((c) => [c.id, c.status]));

test('a document timestamp over a SealDesk-stamped file is verified as a document timestamp: imprint, TSA signature, TSA chain, its time', async () => {
  const file = await signPdfWith(stamped, 'ETSI.RFC3161', (signed) => requestTimestamp(signed, { url: tsa.url }));
  const report = verifyPdf(file, { trustRoots: [world.ca.certificate, tsa.rootDer] });
  const ts = docTimestamp(report);
  assert.equal(ts.kind, 'document_timestamp');
  assert.deepEqual(
    { ...status(ts), modifications: undefined },
    { byte_range: 'ok', digest: 'ok', signature: 'ok', signer_chain: 'ok', seal: 'not_checked', seal_signer: 'not_checked', impression: 'not_checked', timestamp: 'ok', modifications: undefined },
  );
  assert.equal(ts.timeSource, 'timestamp');
  assert.ok(Math.abs(new Date(ts.timestampTime!).getTime() - Date.now()) < 600_000);
  assert.match(ts.signer!.commonName, /SealDesk Test TSA/);
  assert.doesNotMatch(ts.checks.map((c) => c.message.en).join(' '), /plain signature/);
  const stamp = report.signatures.find((s) => s.field === 'SealDesk_Seal_1')!;
  assert.equal(stamp.kind, undefined);
  assert.equal(status(stamp).signature, 'ok');
  // A document timestamp after a stamp is an LTV update, not a modification.
  assert.equal(status(stamp).modifications, 'ok', stamp.checks.find((c) => c.id === 'modifications')!.message.en);
  assert.equal(stamp.modificationLevel, 'ltv');
  assert.equal(report.verdict, 'valid');
  assert.equal(report.summary.en, 'All 1 stamp(s) and 1 document timestamp(s) are valid');
  const text = renderReportText(report);
  assert.match(text, /文档时间戳 \/ Document timestamp/);
  assert.match(text, /时间戳服务 \/ TSA: SealDesk Test TSA/);
});

test('a document timestamp from an unknown TSA is a warning on its chain, not a failure', async () => {
  const file = await signPdfWith(stamped, 'ETSI.RFC3161', (signed) => requestTimestamp(signed, { url: tsa.url }));
  const ts = docTimestamp(verifyPdf(file, { trustRoots: [world.ca.certificate] }));
  assert.equal(status(ts).signer_chain, 'warning');
  assert.equal(status(ts).digest, 'ok');
  assert.equal(status(ts).signature, 'ok');
});

test('a document timestamp whose imprint is of other bytes, or whose covered bytes changed, fails its digest check', async () => {
  const other = await signPdfWith(stamped, 'ETSI.RFC3161', () => requestTimestampForImprint(new Uint8Array(crypto.randomBytes(32)), { url: tsa.url }));
  const a = docTimestamp(verifyPdf(other, { trustRoots: [tsa.rootDer] }));
  assert.equal(a.verdict, 'invalid');
  assert.equal(status(a).digest, 'failed');
  assert.equal(status(a).signature, 'ok', 'the TSA did sign the token');

  const good = await signPdfWith(stamped, 'ETSI.RFC3161', (signed) => requestTimestamp(signed, { url: tsa.url }));
  const at = good.lastIndexOf('/Type /Sig');
  const changed = Buffer.from(good);
  changed.write('/Type /Sog', at, 'latin1');
  const b = docTimestamp(verifyPdf(changed, { trustRoots: [tsa.rootDer] }));
  assert.equal(status(b).digest, 'failed');
});

test('a document timestamp whose token is garbage or a plain CMS is invalid with a reason, never a throw', async () => {
  for (const contents of [Buffer.from('3003020100', 'hex'), crypto.randomBytes(200)]) {
    const file = await signPdfWith(stamped, 'ETSI.RFC3161', () => new Uint8Array(contents));
    const ts = docTimestamp(verifyPdf(file, { trustRoots: [tsa.rootDer] }));
    assert.equal(ts.verdict, 'invalid');
    assert.equal(status(ts).signature, 'failed');
    assert.ok(ts.checks.find((c) => c.id === 'signature')!.message.en.length > 0);
  }
});

test("pyHanko's B-LTA files: the document timestamp's imprint, TSA signature and TSA chain verify (at its genTime)", () => {
  const root = new crypto.X509Certificate(fs.readFileSync(path.join(PEERS, 'testing-ca-root.pem'))).raw;
  for (const file of ['pades-lta-dss-indirect-arrs-test.pdf', 'pades-lta-dss-indirect-arrs-test-2.pdf']) {
    const report = verifyPdf(fs.readFileSync(path.join(PEERS, file)), { trustRoots: [new Uint8Array(root)] });
    const ts = docTimestamp(report);
    assert.equal(ts.kind, 'document_timestamp', file);
    for (const id of ['byte_range', 'digest', 'signature', 'signer_chain', 'timestamp']) assert.equal(status(ts)[id], 'ok', `${file} ${id}: ${ts.checks.find((c) => c.id === id)!.message.en}`);
    assert.equal(status(ts).seal, 'not_checked');
    assert.match(ts.signer!.commonName, /Time Stamping Authority/);
    const sig1 = report.signatures.find((s) => s.field === 'Sig1')!;
    assert.equal(status(sig1).digest, 'ok', file);
    assert.equal(status(sig1).signature, 'ok', file);
  }
});

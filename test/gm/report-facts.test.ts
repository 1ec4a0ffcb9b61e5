import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { softwareKeeper } from '../cms/software-signer';
import { startTestTsa, type TestTsa } from '../support/tsa';
import { makeWorld, type World } from '../verify/world';

/**
 * What a report says a stamp is made of (issue 11): for PAdES stamps with RSA PKCS#1, RSA-PSS and
 * ECDSA P-256 keys the algorithm, the digest (its value recomputed here over the /ByteRange with
 * node:crypto), the format, and the time basis — claimed without a timestamp, trusted with one.
 */
let world: World;
let tsa: TestTsa;
before(async () => { world = await makeWorld('facts'); tsa = await startTestTsa(); });
after(async () => { world.cleanup(); await tsa.close(); });

function byteRangeSha256(file: string): string {
  const b = fs.readFileSync(file);
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(b.toString('latin1'))!.slice(1).map(Number);
  return crypto.createHash('sha256').update(Buffer.concat([b.subarray(m[0]!, m[0]! + m[1]!), b.subarray(m[2]!, m[2]! + m[3]!)])).digest('hex');
}

for (const [kind, name] of [['EC-P256', 'ECDSA P-256 SHA-256'], ['RSA', 'RSA PKCS#1 v1.5 SHA-256'], ['RSA-PSS', 'RSA-PSS SHA-256']] as const) {
  test(`a PAdES stamp with a ${kind} key names ${name}, the PAdES CMS format, the SHA-256 digest and a claimed time basis`, async () => {
    const keeper = kind === 'EC-P256' ? world.keeper : await softwareKeeper(kind, { ca: world.ca, subject: 'CN=张三,O=SealDesk 演示有限公司' });
    const input = await classicPdf(world.file(`${kind}.pdf`), 1);
    const out = await world.stamp(input, world.file(`${kind}-stamped.pdf`), undefined, { keeper, sealDer: kind === 'EC-P256' ? undefined : world.sealDer });
    const r = verifyPdf(out, { trustRoots: [world.ca.certificate] });
    const s = r.signatures[0]!;
    const text = renderReportText(r);
    assert.equal(s.algorithms?.signature, name, text);
    assert.equal(s.algorithms?.digest, 'SHA-256');
    assert.match(s.format?.name ?? '', /^PAdES CMS \(/);
    assert.ok(s.algorithms?.digests?.some((d) => d.hex === byteRangeSha256(out)), text);
    assert.equal(s.timeBasis?.times.find((t) => t.what === 'signing_time')?.trusted, false);
    assert.match(s.timeBasis!.message.en, /the time the signer claims/);
    assert.match(text, new RegExp(`算法 / Algorithms: ${name.replace(/[#.()]/g, '\\$&')}, SHA-256`));
    assert.match(text, /时间依据 \/ Time basis: /);
  });
}

test('with a trusted timestamp the time basis says the signing time is the timestamp, trusted', async () => {
  const input = await classicPdf(world.file('ts.pdf'), 1);
  const out = await world.stamp(input, world.file('ts-stamped.pdf'), undefined, { tsa: { url: tsa.url } });
  const r = verifyPdf(out, { trustRoots: [world.ca.certificate, tsa.rootDer] });
  const s = r.signatures[0]!;
  assert.equal(s.checks.find((c) => c.id === 'timestamp')?.status, 'ok', renderReportText(r));
  const ts = s.timeBasis?.times.find((t) => t.what === 'timestamp');
  assert.equal(ts?.trusted, true);
  assert.equal(s.timeBasis?.signerCertificateAt, s.timestampTime);
  assert.match(s.timeBasis!.message.en, /from a trusted timestamp/);
});

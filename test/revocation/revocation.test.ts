import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SignatureReport } from '../../src/api/verification-report';
import { parseCertificate } from '../../src/core/crypto/certificate';
import { toPem } from '../../src/core/crypto/pem';
import { BIN } from '../cli/support/demo-world';
import { fetchRevocationForPdf } from '../../src/core/revocation/online-revocation';
import { defaultRevocationConfig, type RevocationConfig } from '../../src/core/revocation/revocation-config';
import { refuseRevokedKeeper } from '../../src/core/revocation/keeper-status';
import { renderReportText } from '../../src/core/verify/render-report';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { makeRevocationWorld, type RevocationWorld } from './support/revocation-world';

/**
 * Certificate status checked at the signing time against a real OpenSSL OCSP responder and real
 * OpenSSL CRLs on loopback (support/revocation-world.ts): good, revoked before the (timestamped)
 * signing time, revoked after it, unknown to the responder, responder down, answering garbage,
 * answering too slowly, an expired CRL, and a CRL with an invalidity date.
 */
let w: RevocationWorld;
before(async () => { w = await makeRevocationWorld('revocation'); });
after(async () => { await w?.close(); });

const config = (o: Partial<RevocationConfig> = {}): RevocationConfig => ({ ...defaultRevocationConfig(), timeoutMs: 2000, ...o });

async function verifyOnline(file: string, c: RevocationConfig = config(), now?: Date): Promise<SignatureReport> {
  const bytes = fs.readFileSync(file);
  const revocation = await fetchRevocationForPdf(bytes, { trustRoots: w.roots, config: c, now });
  const report = verifyPdf(bytes, { trustRoots: w.roots, revocation, revocationConfig: c, now });
  const stamp = report.signatures.find((s) => s.kind !== 'document_timestamp');
  assert.ok(stamp, 'the stamp is reported');
  return stamp;
}
const check = (s: SignatureReport) => s.checks.find((c) => c.id === 'revocation')!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a stamp whose keeper and seal maker are in good standing is valid, and the report says OCSP proved it, fetched now', async () => {
  const file = await w.stamp('good.pdf');
  const s = await verifyOnline(file);
  assert.equal(check(s).status, 'ok', check(s).message.en);
  assert.equal(s.verdict, 'valid');
  const signer = s.revocation!.certificates.find((c) => c.role === 'signer')!;
  assert.deepEqual({ status: signer.status, method: signer.method, source: signer.source }, { status: 'good', method: 'ocsp', source: 'fetched' });
  assert.equal(s.revocation!.certificates.find((c) => c.role === 'maker')!.status, 'good');
  assert.ok(s.revocation!.provenAt, 'the time the chain was proven valid is given');
  assert.equal(s.revocation!.offline, false);
  assert.match(renderReportText({ verdict: 'valid', verifiedAt: '', file: { size: 0, sha256: '', revisions: 1 }, signatures: [s], warnings: [], summary: { zh: '', en: '' } }), /signer CN=张三.*未吊销 \/ good OCSP, 联网获取/);
});

test('a keeper certificate revoked before the timestamped signing time makes the stamp invalid', async () => {
  const k = await w.newKeeper('CN=李四,O=SealDesk 演示有限公司');
  w.authority.revoke(k.signer.certificate, { at: new Date(Date.now() - 3600_000), reason: 'keyCompromise' });
  const s = await verifyOnline(await w.stamp('revoked-before.pdf', k));
  assert.equal(check(s).status, 'failed');
  assert.match(check(s).message.en, /revoked at .* reason keyCompromise.*before the signing time/);
  assert.equal(s.verdict, 'invalid');
  assert.equal(s.revocation!.certificates.find((c) => c.role === 'signer')!.status, 'revoked_before');
});

test('a keeper certificate revoked after the timestamped signing time leaves the stamp valid, with a note', async () => {
  const k = await w.newKeeper('CN=王五,O=SealDesk 演示有限公司');
  const file = await w.stamp('revoked-after.pdf', k);
  await sleep(1500); // the index keeps seconds: the revocation must fall after the timestamp
  w.authority.revoke(k.signer.certificate, { reason: 'superseded' });
  const s = await verifyOnline(file);
  assert.equal(check(s).status, 'ok', check(s).message.en);
  assert.match(check(s).message.en, /note: .*revoked at .*after the signing time/);
  assert.equal(s.verdict, 'valid');
  assert.equal(s.revocation!.certificates.find((c) => c.role === 'signer')!.status, 'revoked_after');
});

test('revoked after a signing time that is only claimed (no timestamp) is a warning: a claimed time can be backdated', async () => {
  const k = await w.newKeeper('CN=赵六,O=SealDesk 演示有限公司');
  const file = await w.stamp('claimed.pdf', k, { tsa: false });
  await sleep(1500);
  w.authority.revoke(k.signer.certificate);
  const s = await verifyOnline(file);
  assert.equal(check(s).status, 'warning');
  assert.match(check(s).message.en, /only claimed/);
});

test('a certificate the responder has never heard of is "unknown" over OCSP; the CRL then proves it not revoked', async () => {
  const k = await w.newKeeper('CN=Unknown Keeper');
  // remove it from the responder's index: OCSP answers "unknown"
  const idx = `${w.authority.dir}/index.txt`;
  const serial = parseCertificate(k.signer.certificate).serialHex.toUpperCase();
  fs.writeFileSync(idx, fs.readFileSync(idx, 'utf8').split('\n').filter((l) => !l.includes(`\t${serial.replace(/^(00)+(?=.)/, '')}\t`)).join('\n'));
  const file = await w.stamp('unknown.pdf', k);
  const s = await verifyOnline(file);
  const signer = s.revocation!.certificates.find((c) => c.role === 'signer')!;
  // OCSP said unknown; the CRL (which lists revoked serials only) says not revoked
  assert.equal(signer.method, 'crl');
  assert.equal(signer.status, 'good');
  const ocspOnly = await verifyOnline(file, config({ useCertificatePointers: false, responders: [{ ocsp: w.authority.ocspUrl }] }));
  assert.equal(check(ocspOnly).status, 'warning');
  assert.match(check(ocspOnly).message.en, /status unknown/);
});

test('a responder that is down is a visible warning naming it, never silence', async () => {
  const file = await w.stamp('down.pdf');
  const dead = http.createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const port = (dead.address() as AddressInfo).port;
  await new Promise<void>((r) => dead.close(() => r()));
  const s = await verifyOnline(file, config({ useCertificatePointers: false, responders: [{ ocsp: `http://127.0.0.1:${port}/` }] }));
  assert.equal(check(s).status, 'warning');
  assert.match(check(s).message.en, new RegExp(`cannot reach 127.0.0.1:${port}`));
  assert.equal(s.verdict, 'warning');
});

test('a responder answering garbage or too slowly is not believed: warnings with the reason (the slow one times out)', async () => {
  const file = await w.stamp('bad-responder.pdf');
  const server = http.createServer((req, res) => {
    if (req.url === '/slow') return; // never answers
    res.writeHead(200, { 'Content-Type': 'application/ocsp-response' }).end(Buffer.from('this is no OCSP response'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const garbage = await verifyOnline(file, config({ useCertificatePointers: false, responders: [{ ocsp: `${base}/garbage` }] }));
    assert.equal(check(garbage).status, 'warning');
    assert.match(check(garbage).message.en, /not valid DER|malformed/);
    const started = Date.now();
    const slow = await verifyOnline(file, config({ timeoutMs: 500, useCertificatePointers: false, responders: [{ ocsp: `${base}/slow` }] }));
    assert.ok(Date.now() - started < 10_000, 'the timeout ends the wait');
    assert.equal(check(slow).status, 'warning');
    assert.match(check(slow).message.en, /did not answer within 500 ms/);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('an expired CRL is not used; a current one with an invalidity date judges by the compromise time', async () => {
  const k = await w.newKeeper('CN=钱七,O=SealDesk 演示有限公司', { ocsp: false });
  const file = await w.stamp('crl.pdf', k);
  const crlOnly = config();
  // expired: nextUpdate an hour ago
  w.authority.publishCrl({ lastUpdate: new Date(Date.now() - 2 * 3600_000), nextUpdate: new Date(Date.now() - 3600_000) });
  const expired = await verifyOnline(file, crlOnly);
  assert.equal(check(expired).status, 'warning');
  assert.match(check(expired).message.en, /the CRL has expired/);
  // revoked now, but the key was compromised an hour before the stamp: invalid
  await sleep(1100);
  w.authority.revoke(k.signer.certificate, { reason: 'keyCompromise', compromisedAt: new Date(Date.now() - 3600_000) });
  w.authority.publishCrl();
  const compromised = await verifyOnline(file, crlOnly);
  assert.equal(check(compromised).status, 'failed', check(compromised).message.en);
  const signer = compromised.revocation!.certificates.find((c) => c.role === 'signer')!;
  assert.equal(signer.method, 'crl');
  assert.equal(signer.reason, 'keyCompromise');
  assert.ok(signer.invalidityDate && new Date(signer.invalidityDate) < new Date(signer.revokedAt!));
});

test('without any revocation source the check says "not checked" in the report', async () => {
  const k = await w.newKeeper('CN=No Pointers', { ocsp: false, crl: false });
  const s = verifyPdf(fs.readFileSync(await w.stamp('none.pdf', k)), { trustRoots: w.roots });
  const c = check(s.signatures[0]!);
  // the maker still publishes: its status is unknown offline, so the stamp carries a warning
  assert.notEqual(c.status, 'ok');
  assert.ok(s.signatures[0]!.revocation!.certificates.some((x) => x.role === 'signer' && x.status === 'not_checked'));
  assert.match(c.message.en, /revocation not checked|could not be established/);
});

test('stamping refuses a keeper certificate revoked now, before any PIN is asked; a good one and an unreachable responder pass', async () => {
  const k = await w.newKeeper('CN=孙八,O=SealDesk 演示有限公司');
  await refuseRevokedKeeper(k.signer.certificate, { roots: w.roots, config: config() });
  await refuseRevokedKeeper(k.signer.certificate, { roots: w.roots, config: config({ useCertificatePointers: false, responders: [{ ocsp: 'http://127.0.0.1:9/' }] }) });
  w.authority.revoke(k.signer.certificate, { reason: 'keyCompromise' });
  await assert.rejects(refuseRevokedKeeper(k.signer.certificate, { roots: w.roots, config: config() }),
    (e: Error & { code?: string; zh?: string }) => e.code === 'KEEPER_CERT_REVOKED' && /被吊销/.test(e.zh ?? '') && /keyCompromise/.test(e.message));
});

test('sealdesk verify asks the responders (a revoked keeper: exit 1, named in the report); --offline only says it could not check', async () => {
  const k = await w.newKeeper('CN=周九,O=SealDesk 演示有限公司');
  w.authority.revoke(k.signer.certificate, { at: new Date(Date.now() - 3600_000), reason: 'keyCompromise' });
  const file = await w.stamp('cli-revoked.pdf', k);
  const home = w.file('cli-home');
  fs.mkdirSync(home, { recursive: true });
  const env = { ...process.env, SEALDESK_HOME: home };
  fs.writeFileSync(w.file('root.pem'), toPem(w.ca.certificate));
  fs.writeFileSync(w.file('tsa-root.pem'), toPem(w.tsa.rootDer));
  // asynchronously: the responder runs in this process and must keep answering while the CLI runs
  const run = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> => new Promise((resolve) => {
    const child = spawn(BIN, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  assert.equal((await run(['trust', 'add', w.file('root.pem')])).status, 0);
  assert.equal((await run(['trust', 'add', w.file('tsa-root.pem')])).status, 0);
  const online = await run(['verify', file]);
  assert.equal(online.status, 1, online.stdout + online.stderr);
  assert.match(online.stdout, /证书吊销状态 \/ Revocation status: .*被吊销/);
  assert.match(online.stdout, /signer CN=周九.*签章前已吊销 \/ revoked before signing OCSP, 联网获取 \/ fetched/);
  const offline = await run(['verify', '--offline', file]);
  assert.equal(offline.status, 3, offline.stdout);
  assert.match(offline.stdout, /offline, and the file carries no revocation data/);
});

test('fetched answers are kept in the on-disk cache: with the responder stopped, the next verification says "cache"', async () => {
  const k = await w.newKeeper('CN=吴十,O=SealDesk 演示有限公司');
  const file = await w.stamp('cache.pdf', k);
  const cached = config({ cacheDir: w.file('cache') });
  const first = await verifyOnline(file, cached);
  assert.equal(first.revocation!.certificates.find((c) => c.role === 'signer')!.source, 'fetched');
  assert.ok(fs.readdirSync(w.file('cache')).some((f) => f.startsWith('ocsp-')), 'the OCSP answer is on disk');
  await w.authority.stop();
  try {
    const second = await verifyOnline(file, cached);
    assert.equal(check(second).status, 'ok', check(second).message.en);
    assert.equal(second.revocation!.certificates.find((c) => c.role === 'signer')!.source, 'cache');
  } finally {
    await w.authority.start();
  }
});

test('a delta CRL on top of the full CRL: a revocation only the delta lists is honoured', async () => {
  const k = await w.newKeeper('CN=郑一,O=SealDesk 演示有限公司', { ocsp: false });
  w.authority.publishCrl(); // the base: not yet revoked
  w.authority.revoke(k.signer.certificate, { at: new Date(Date.now() - 3600_000), reason: 'keyCompromise', delta: true });
  w.authority.publishCrl({ delta: true });
  const file = await w.stamp('delta.pdf', k);
  // the full CRL alone does not list it: not revoked as far as it knows
  const baseOnly = await verifyOnline(file, config({ useCertificatePointers: false, responders: [{ crl: w.authority.crlUrl }] }));
  assert.equal(baseOnly.revocation!.certificates.find((x) => x.role === 'signer')!.status, 'good');
  const c = config({ useCertificatePointers: false, responders: [{ crl: w.authority.crlUrl }, { crl: w.authority.deltaCrlUrl }] });
  const s = await verifyOnline(file, c);
  assert.equal(check(s).status, 'failed', check(s).message.en);
  assert.equal(s.revocation!.certificates.find((x) => x.role === 'signer')!.method, 'crl');
});

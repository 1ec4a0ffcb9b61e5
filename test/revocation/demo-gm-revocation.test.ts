/**
 * The 国密 demo world (`sealdesk demo --gm`, with its platform) exercises revocation through CRLs:
 * OpenSSL 3.0's `openssl ocsp` can only sign SM2 responses with the empty ID (docs/ltv.md), so the
 * SM2 keeper and maker certificates carry a CRL distribution point only, and the demo CA's service
 * publishes an SM2 CRL signed with the GM default ID. Real demo command, native GM token, openssl.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN } from '../cli/support/demo-world';
import { GMTOKEN_MODULE } from '../../src/core/app/demo-gm-world';

const repoRoot = path.resolve(__dirname, '../..');
if (!fs.existsSync(GMTOKEN_MODULE)) execFileSync('make', ['-C', path.join(repoRoot, 'native')], { stdio: 'pipe' });

const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-gm-revocation-')), 'world');
const base: NodeJS.ProcessEnv = { ...process.env, SEALDESK_FROM_SOURCE: '1' };
delete base.SEALDESK_PKCS11_MODULE;
const built = spawnSync(BIN, ['demo', '--gm', '--dir', dir], { env: base, encoding: 'utf8', timeout: 240_000 });
const env: NodeJS.ProcessEnv = { ...base };
for (const line of fs.existsSync(path.join(dir, 'env')) ? fs.readFileSync(path.join(dir, 'env'), 'utf8').split('\n') : []) {
  const m = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line);
  if (m) env[m[1]!] = m[2];
}
const run = (args: string[]) => spawnSync(BIN, args, { env, encoding: 'utf8' });
after(() => run(['platform', 'stop', '--dir', path.join(dir, 'platform')]));

const revocationDir = path.join(dir, 'revocation');

test('the GM demo prints its revocation line: signer and maker good by CRL; the certificates point at no OCSP responder', () => {
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stdout, /^吊销检查 revocation: ok \(signer good CRL \w+, maker good CRL \w+\)/m, built.stdout);
  assert.match(built.stdout, /吊销服务 revocation service: OCSP -, CRL http:\/\/127\.0\.0\.1:\d+\/ca\.crl/);
});

test('the service serves an SM2-with-SM3 CRL issued by the demo SM2 CA (SealDesk, which refuses empty-ID SM2 CRLs, accepts it below)', async () => {
  const { crlUrl } = JSON.parse(fs.readFileSync(path.join(revocationDir, 'service.json'), 'utf8')) as { crlUrl: string };
  const res = await fetch(crlUrl);
  assert.equal(res.status, 200);
  const crl = path.join(dir, 'fetched.crl');
  fs.writeFileSync(crl, Buffer.from(await res.arrayBuffer()));
  const text = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', crl, '-noout', '-text'], { encoding: 'utf8' }).stdout;
  assert.match(text, /SM2-with-SM3/);
  assert.match(text, /Issuer: .*SealDesk/);
});

test('while the service runs, sealdesk verify fetches the CRL afresh: revocation ok, CRL, fetched', () => {
  fs.rmSync(path.join(env.SEALDESK_HOME!, 'revocation-cache'), { recursive: true, force: true });
  const r = run(['verify', path.join(dir, 'stamped.pdf'), '--json']);
  const sig = JSON.parse(r.stdout).signatures[0];
  assert.equal(sig.checks.find((c: { id: string }) => c.id === 'revocation').status, 'ok');
  const roles = (sig.revocation.certificates as { role: string; status: string; method: string; source: string }[]).filter((c) => c.role === 'signer' || c.role === 'maker');
  assert.equal(roles.length, 2);
  for (const c of roles) assert.deepEqual([c.status, c.method, c.source], ['good', 'crl', 'fetched'], c.role);
});

test('platform stop stops the GM demo\'s revocation service as well', () => {
  const pid = Number(fs.readFileSync(path.join(revocationDir, 'service.pid'), 'utf8'));
  const r = run(['platform', 'stop', '--dir', path.join(dir, 'platform')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`demo revocation service stopped \\(pid ${pid}\\)`));
  assert.ok(!fs.existsSync(path.join(revocationDir, 'service.pid')));
});

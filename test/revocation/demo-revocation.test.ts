/**
 * The demo world exercises revocation: `sealdesk demo` (with its platform) issues the keeper and
 * maker certificates with AIA/CDP pointers at the demo CA's loopback service (`openssl ocsp` behind
 * 127.0.0.1, the CRL over http), runs it detached beside the platform server, and `platform stop`
 * stops it. Real demo command, real openssl responder, real SoftHSM2 tokens.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, demoWorld } from '../cli/support/demo-world';

const world = demoWorld({ platform: true });
after(() => world.stopPlatform());

const revocationDir = path.join(world.dir, 'revocation');
const service = JSON.parse(fs.readFileSync(path.join(revocationDir, 'service.json'), 'utf8')) as { port: number; ocspUrl: string; crlUrl: string };
const stamped = path.join(world.dir, 'stamped.pdf');

interface CertRevocation { role: string; status: string; method?: string; source?: string }
function verifyJson(): { verdict: string; check: { status: string; message: { en: string } }; certs: CertRevocation[] } {
  const r = world.run(['verify', stamped, '--json']);
  const report = JSON.parse(r.out);
  const sig = report.signatures[0];
  return { verdict: report.verdict, check: sig.checks.find((c: { id: string }) => c.id === 'revocation'), certs: sig.revocation?.certificates ?? [] };
}

function portState(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve('connected'); });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

/** Live processes (not zombies) whose command line names the demo's revocation directory. */
function processesUsing(dir: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0];
      if (cmd.includes(dir) && state !== 'Z') out.push(`${pid} ${cmd}`);
    } catch { /* gone meanwhile */ }
  }
  return out;
}

const certText = (pem: string): string => spawnSync('openssl', ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' }).stdout;

test('the demo issues the keeper certificate pointing at its loopback OCSP responder and CRL', () => {
  // the keeper certificate as the stamp carries it: pdfsig -dump, then openssl pkcs7 -print_certs
  const work = fs.mkdtempSync(path.join(world.dir, 'dump-'));
  spawnSync('pdfsig', ['-dump', stamped], { cwd: work });
  const sigFile = fs.readdirSync(work).find((n) => /\.sig\d+$/.test(n))!;
  const certs = spawnSync('openssl', ['pkcs7', '-inform', 'DER', '-in', path.join(work, sigFile), '-print_certs'], { encoding: 'utf8' }).stdout;
  // the CMS carries the keeper's certificate (CN=张三, escaped by openssl as UTF-8 bytes)
  assert.match(certs, /subject=CN = \\E5\\BC\\A0\\E4\\B8\\89,/, certs);
  const text = certText(certs);
  assert.match(text, new RegExp(`OCSP - URI:${service.ocspUrl.replace(/\./g, '\\.')}`));
  assert.match(text, new RegExp(`URI:${service.crlUrl.replace(/\./g, '\\.')}`));
  assert.match(service.ocspUrl, /^http:\/\/127\.0\.0\.1:\d+\/ocsp$/);
});

test('the demo prints the revocation line of its verify step: ok, signer and maker good from OCSP', () => {
  assert.match(world.log, /^吊销检查 revocation: ok \(signer good OCSP \w+, maker good OCSP \w+/m, world.log);
  assert.match(world.log, /吊销服务 revocation service: OCSP http:\/\/127\.0\.0\.1:\d+\/ocsp, CRL http:\/\/127\.0\.0\.1:\d+\/ca\.crl/);
});

test('while the service runs, the stamp\'s revocation check is ok from OCSP, fetched from the responder', () => {
  fs.rmSync(path.join(world.env.SEALDESK_HOME!, 'revocation-cache'), { recursive: true, force: true });
  const v = verifyJson();
  assert.equal(v.verdict, 'valid');
  assert.equal(v.check.status, 'ok', v.check.message.en);
  const signer = v.certs.find((c) => c.role === 'signer')!;
  const maker = v.certs.find((c) => c.role === 'maker')!;
  assert.deepEqual([signer.status, signer.method, signer.source], ['good', 'ocsp', 'fetched']);
  assert.deepEqual([maker.status, maker.method, maker.source], ['good', 'ocsp', 'fetched']);
});

test('the CRL the service publishes is the demo CA\'s, signed by it (openssl crl -verify)', async () => {
  const res = await fetch(service.crlUrl);
  assert.equal(res.status, 200);
  const crl = path.join(world.dir, 'fetched.crl');
  fs.writeFileSync(crl, Buffer.from(await res.arrayBuffer()));
  const r = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', crl, '-noout', '-CAfile', path.join(world.dir, 'trust', 'demo-root.pem')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr + r.stdout, /verify OK/);
});

const ltvPdf = path.join(world.dir, 'ltv.pdf');

test('sign --ltv on the demo\'s SoftHSM2 keeper token stamps and embeds the responder\'s OCSP answers (B-LT)', () => {
  const r = world.run(['sign', path.join(world.dir, '..', '..', 'nonexistent'), '-o', ltvPdf, '--token', 'DEMO-KEEPER', '--pin-stdin', '--keyword', '盖章处', '--ltv'], '123456\n');
  assert.notEqual(r.code, 0, 'a missing input is refused');
  assert.ok(!fs.existsSync(ltvPdf), 'and leaves no output');
  const ok = world.run(['sign', path.join(__dirname, '..', '..', 'resources', 'samples', 'contract.pdf'), '-o', ltvPdf, '--token', 'DEMO-KEEPER', '--pin-stdin', '--keyword', '盖章处', '--ltv'], '123456\n');
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /long-term validation data added: B-LT/);
  assert.match(fs.readFileSync(ltvPdf, 'latin1'), /\/DSS\s/);
});

test('platform stop stops the responder too: its port is closed and no process of it is left', async () => {
  assert.equal(await portState(service.port), 'connected');
  assert.ok(processesUsing(revocationDir).some((p) => p.includes('openssl ocsp')), 'openssl ocsp runs before the stop');
  const r = world.run(['platform', 'stop', '--dir', path.join(world.dir, 'platform')]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /demo revocation service stopped/);
  assert.equal(await portState(service.port), 'ECONNREFUSED');
  assert.deepEqual(processesUsing(revocationDir), []);
  assert.ok(!fs.existsSync(path.join(revocationDir, 'service.pid')), 'the pid file is removed');
});

test('afterwards verify uses the cached OCSP answers while they are current, and warns that the responder cannot be reached once the cache is gone', () => {
  const cached = verifyJson();
  assert.equal(cached.check.status, 'ok', cached.check.message.en);
  assert.ok(cached.certs.filter((c) => c.role === 'signer' || c.role === 'maker').every((c) => c.source === 'cache' && c.method === 'ocsp'), JSON.stringify(cached.certs));
  fs.rmSync(path.join(world.env.SEALDESK_HOME!, 'revocation-cache'), { recursive: true, force: true });
  const down = verifyJson();
  assert.equal(down.check.status, 'warning');
  assert.equal(down.verdict, 'warning');
  assert.match(down.check.message.en, /reach|unavailable|connect|responder/i, down.check.message.en);
});

test('demo --no-platform starts no revocation service and its certificates carry no pointers', () => {
  const dir = path.join(fs.mkdtempSync(path.join(path.dirname(world.dir), 'bare-')), 'world');
  const r = spawnSync(BIN, ['demo', '--no-platform', '--dir', dir], { env: { ...process.env, SEALDESK_FROM_SOURCE: '1' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!fs.existsSync(path.join(dir, 'revocation')));
  assert.match(r.stdout, /吊销检查 revocation: not_checked/);
});

test('after the service is stopped, the sign --ltv output verifies offline from its /DSS: revocation ok, OCSP, embedded; pdfsig says the signature is valid', () => {
  assert.equal(processesUsing(revocationDir).length, 0);
  fs.rmSync(path.join(world.env.SEALDESK_HOME!, 'revocation-cache'), { recursive: true, force: true });
  const r = world.run(['verify', '--offline', ltvPdf, '--json']);
  const report = JSON.parse(r.out);
  assert.equal(report.verdict, 'valid', r.out);
  const sig = report.signatures[0];
  assert.equal(sig.checks.find((c: { id: string }) => c.id === 'revocation').status, 'ok');
  const certs = (sig.revocation.certificates as CertRevocation[]).filter((c) => c.role === 'signer' || c.role === 'maker');
  assert.equal(certs.length, 2);
  for (const c of certs) assert.deepEqual([c.status, c.method, c.source], ['good', 'ocsp', 'embedded'], c.role);
  assert.match(spawnSync('pdfsig', [ltvPdf], { encoding: 'utf8' }).stdout, /Signature is Valid\./);
});

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { API_PREFIX, ROUTES } from '../../src/platform/api/contract';
import { BIN, demoWorld } from './support/demo-world';

// The full demo, seal platform included; its server process is stopped when the file ends.
const world = demoWorld({ platform: true });
after(() => world.stopPlatform());

function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.statSync(p);
      if (st.isDirectory()) walk(p); else out.push(`${path.relative(dir, p)} ${st.size} ${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

test('the demo builds its world under DIR: root, maker and keeper tokens, a seal, a stamped and verified contract, an env file', () => {
  for (const f of ['trust/demo-root.pem', 'env', 'softhsm2.conf', 'stamped.pdf', 'home/audit.log']) assert.ok(fs.existsSync(path.join(world.dir, f)), f);
  const env = fs.readFileSync(path.join(world.dir, 'env'), 'utf8');
  for (const v of ['SOFTHSM2_CONF', 'SEALDESK_HOME', 'SEALDESK_PKCS11_MODULE']) assert.match(env, new RegExp(`export ${v}=`));
  assert.ok(world.env.SOFTHSM2_CONF!.startsWith(world.dir) && world.env.SEALDESK_HOME!.startsWith(world.dir), 'nothing outside DIR');
  const list = world.run(['token', 'list']);
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /DEMO-MAKER/);
  assert.match(list.out, /DEMO-KEEPER/);
  assert.match(list.out, /seal \d+ SealDesk 演示有限公司合同专用章/);
  const pdfsig = spawnSync('pdfsig', [path.join(world.dir, 'stamped.pdf')], { encoding: 'utf8' });
  assert.match(pdfsig.stdout, /Signature is Valid\./);
});

test('re-running the demo on an existing DIR says so and changes nothing', () => {
  const before = snapshot(world.dir);
  const r = spawnSync(BIN, ['demo', '--dir', world.dir], { env: { ...process.env, SEALDESK_FROM_SOURCE: '1' }, encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /DEMO_EXISTS/);
  assert.match(r.stderr, /已存在/);
  assert.deepEqual(snapshot(world.dir), before);
});

test('the seal on the keeper token verifies: maker signature, maker chain, validity', () => {
  const r = world.run(['seal', 'verify', '--token', 'DEMO-KEEPER']);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /: valid/);
  assert.match(r.out, /\[ok\] maker-signature/);
  assert.match(r.out, /\[ok\] maker-chain/);
});

test('sealdesk verify on the demo contract says valid and exits 0; --json carries the report fields', () => {
  const r = world.run(['verify', path.join(world.dir, 'stamped.pdf'), '--json']);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out);
  assert.equal(report.verdict, 'valid');
  const sig = report.signatures[0];
  for (const k of ['field', 'page', 'rect', 'signer', 'seal', 'signingTime', 'verdict', 'checks']) assert.ok(k in sig, k);
  assert.equal(sig.seal.name, 'SealDesk 演示有限公司合同专用章');
  assert.ok(sig.checks.every((c: { id: string; status: string }) => typeof c.id === 'string' && ['ok', 'warning', 'failed', 'not_checked'].includes(c.status)));
});

test('the CMS that pdfsig -dump takes out of the demo contract verifies with openssl cms -verify against the demo root', () => {
  const stamped = path.join(world.dir, 'stamped.pdf');
  const work = fs.mkdtempSync(path.join(world.dir, 'dump-'));
  spawnSync('pdfsig', ['-dump', stamped], { cwd: work, encoding: 'utf8' });
  const dumped = fs.readdirSync(work).filter((n) => /\.sig\d+$/.test(n));
  assert.equal(dumped.length, 1, 'pdfsig dumped one signature');
  const bytes = fs.readFileSync(stamped);
  const [a, l1, c, l2] = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(bytes.toString('latin1'))!.slice(1).map(Number);
  fs.writeFileSync(path.join(work, 'signed.bin'), Buffer.concat([bytes.subarray(a, a + l1), bytes.subarray(c, c + l2)]));
  const root = path.join(world.dir, 'trust', 'demo-root.pem');
  const ok = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', dumped[0], '-content', 'signed.bin', '-CAfile', root, '-out', '/dev/null'], { cwd: work, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, /Verification successful/);
  // and it is the signed bytes that make it so: one byte off and openssl refuses
  const signed = fs.readFileSync(path.join(work, 'signed.bin'));
  signed[100] ^= 1;
  fs.writeFileSync(path.join(work, 'signed.bin'), signed);
  const bad = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', dumped[0], '-content', 'signed.bin', '-CAfile', root, '-out', '/dev/null'], { cwd: work, encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
});

function accounts(): { role: string; user: string; password: string }[] {
  return fs.readFileSync(path.join(world.dir, 'accounts'), 'utf8').trim().split('\n').map((l) => {
    const [role, user, password] = l.split(' ');
    return { role: role!, user: user!, password: password! };
  });
}

function login(user: string, password: string): Promise<number> {
  const url = new URL(API_PREFIX + ROUTES.login.path, world.env.SEALDESK_PLATFORM);
  const body = JSON.stringify({ user, password });
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', agent: false, ca: fs.readFileSync(world.env.SEALDESK_PLATFORM_ROOT!, 'utf8'), headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the demo registers its seal on the platform it starts: the signed status says in use', () => {
  const env = fs.readFileSync(path.join(world.dir, 'env'), 'utf8');
  assert.match(env, /^export SEALDESK_PLATFORM='https:\/\/127\.0\.0\.1:\d+'$/m);
  assert.ok(fs.existsSync(world.env.SEALDESK_PLATFORM_ROOT!), 'the platform trust root named in DIR/env exists');
  const verified = JSON.parse(world.run(['verify', path.join(world.dir, 'stamped.pdf'), '--json']).out);
  const esID = verified.signatures[0].seal.esID as string;
  const r = world.run(['platform', 'seal', 'status', esID, '--json']);
  assert.equal(r.code, 0, r.out + r.err);
  const status = JSON.parse(JSON.parse(r.out).payload);
  assert.equal(status.esID, esID);
  assert.equal(status.state, 'in_use');
  assert.deepEqual(status.history.map((h: { action: string }) => h.action), ['register']);
});

test('DIR/accounts holds one account per role, with random passwords that log in to the console', async () => {
  const list = accounts();
  assert.deepEqual(list.map((a) => a.role).sort(), ['applicant', 'approver', 'auditor', 'maker', 'unit_admin']);
  assert.equal(new Set(list.map((a) => a.password)).size, list.length, 'every password differs');
  assert.equal(fs.statSync(path.join(world.dir, 'accounts')).mode & 0o077, 0, 'DIR/accounts is readable by its owner only');
  for (const a of list) assert.equal(await login(a.user, a.password), 200, a.user);
  assert.equal(await login(list[0]!.user, `${list[0]!.password}x`), 401, 'a wrong password is refused');
  for (const a of list) assert.ok(!fs.readFileSync(path.join(world.dir, 'platform', 'server.log'), 'utf8').includes(a.password), 'no password in the server log');
});

test('the demo runs the flows through its platform: a permit in the contract, a second seal applied for, made, stamped, reported lost, then refused', () => {
  const contract = JSON.parse(world.run(['verify', path.join(world.dir, 'stamped.pdf'), '--json']).out);
  const status = contract.signatures[0].checks.find((c: { id: string }) => c.id === 'seal_status');
  assert.equal(status.status, 'ok', JSON.stringify(status));
  assert.match(status.message.en, /in use at the signing time \(permit's time/);
  const finance = world.run(['verify', path.join(world.dir, 'stamped-finance.pdf'), '--json']);
  assert.equal(finance.code, 0, finance.err);
  const after = JSON.parse(finance.out).signatures[0];
  assert.equal(after.seal.name, 'SealDesk 演示有限公司财务专用章');
  assert.match(after.checks.find((c: { id: string }) => c.id === 'seal_status').message.en, /reported lost from .* after the signing time/);
  assert.equal(fs.existsSync(path.join(world.dir, 'refused-after-loss.pdf')), false);
  const audit = world.auditLines();
  for (const action of ['seal.apply', 'seal.register', 'platform.record']) assert.ok(audit.some((e) => e.action === action && e.outcome === 'ok'), action);
  assert.ok(audit.some((e) => e.action === 'stamp' && e.code === 'SEAL_LOST'), 'the refused stamp is in the audit log');
});

test('platform stop --dir DIR/platform stops the demo server: its port is closed afterwards', async () => {
  const port = Number(new URL(world.env.SEALDESK_PLATFORM!).port);
  const pid = Number(fs.readFileSync(path.join(world.dir, 'platform', 'server.pid'), 'utf8'));
  const r = world.run(['platform', 'stop', '--dir', path.join(world.dir, 'platform')]);
  assert.equal(r.code, 0, r.err);
  // gone, or a zombie no parent has reaped yet (the demo that started it has exited): it serves no more
  const state = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] : 'gone';
  assert.ok(state === 'gone' || state === 'Z', `the server process is gone (${state})`);
  assert.ok(!fs.existsSync(path.join(world.dir, 'platform', 'server.pid')), 'the pid file is removed');
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve('connected'); });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  assert.equal(refused, 'ECONNREFUSED');
});

test('re-running the demo after the platform was stopped starts its server again on the same address, and still builds nothing', async () => {
  const before = fs.readFileSync(path.join(world.dir, 'accounts'), 'utf8');
  const r = spawnSync(BIN, ['demo', '--dir', world.dir], { env: { ...process.env, SEALDESK_FROM_SOURCE: '1' }, encoding: 'utf8' });
  assert.match(r.stderr, /DEMO_EXISTS/);
  assert.match(r.stdout, new RegExp(`started again: ${world.env.SEALDESK_PLATFORM!.replace(/\./g, '\\.')}`));
  assert.equal(fs.readFileSync(path.join(world.dir, 'accounts'), 'utf8'), before);
  const a = accounts().find((x) => x.role === 'auditor')!;
  assert.equal(await login(a.user, a.password), 200);
});

test('demo --no-platform builds the same world with no platform: no DIR/platform, no accounts, no SEALDESK_PLATFORM', () => {
  const dir = path.join(fs.mkdtempSync(path.join(path.dirname(world.dir), 'bare-')), 'world');
  const r = spawnSync(BIN, ['demo', '--no-platform', '--dir', dir], { env: { ...process.env, SEALDESK_FROM_SOURCE: '1' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(dir, 'stamped.pdf')));
  assert.ok(!fs.existsSync(path.join(dir, 'platform')) && !fs.existsSync(path.join(dir, 'accounts')));
  assert.doesNotMatch(fs.readFileSync(path.join(dir, 'env'), 'utf8'), /SEALDESK_PLATFORM/);
  assert.doesNotMatch(r.stdout, /platform stop/);
});

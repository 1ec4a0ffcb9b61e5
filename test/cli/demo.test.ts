import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, demoWorld } from './support/demo-world';

const world = demoWorld();

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

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { demoWorld } from './support/demo-world';
import { addKeeper as addKeeperTo } from './support/keeper-token';
import { createRootCa, loadCa, type SoftwareCa } from '../../src/core/pki/certificate-authority';

const world = demoWorld();
const IMAGE = path.resolve(__dirname, '../../resources/seals/demo-seal.png');
const MAKE = ['seal', 'make', '--maker', 'DEMO-MAKER', '--name', '测试合同专用章', '--type', '4', '--pin-stdin'];

const addKeeper = (label: string, ca: SoftwareCa) => addKeeperTo(world, label, ca);

function sealCount(label: string): number {
  const r = world.run(['seal', 'list', '--token', label]);
  return r.out.split('\n').filter((l) => /^\d{20} /.test(l)).length;
}

function lastAudit() {
  return world.auditLines().at(-1)!;
}

before(async () => {
  const demoCa = await loadCa(
    new Uint8Array(new crypto.X509Certificate(fs.readFileSync(path.join(world.dir, 'trust/demo-root.pem'))).raw),
    new Uint8Array(Buffer.from(fs.readFileSync(path.join(world.dir, 'trust/demo-root.key'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64')),
  );
  await addKeeper('NEW-KEEPER', demoCa);
  await addKeeper('FOREIGN-KEEPER', await createRootCa('CN=Some Other CA,C=CN'));
});

test('a seal is made onto a fresh keeper token with the maker card and its PIN, and logged', () => {
  const r = world.run([...MAKE, '--token', 'NEW-KEEPER', '--image', IMAGE], '654321\n');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /制章成功/);
  assert.equal(sealCount('NEW-KEEPER'), 1);
  const e = lastAudit();
  assert.equal(e.action, 'seal.make');
  assert.equal(e.outcome, 'ok');
  assert.match(String(e.esID), /^\d{20}$/);
  assert.equal(world.run(['seal', 'verify', '--token', 'NEW-KEEPER']).code, 0);
});

test('without the authorization card: 未插制章授权卡,制章失败, nothing written, logged', () => {
  const r = world.run([...MAKE.map((a) => (a === 'DEMO-MAKER' ? 'NO-SUCH-CARD' : a)), '--token', 'FOREIGN-KEEPER', '--image', IMAGE], '654321\n');
  assert.equal(r.code, 1);
  assert.match(r.err, /MAKER_CARD_MISSING/);
  assert.match(r.err, /未插制章授权卡,制章失败/);
  assert.equal(sealCount('FOREIGN-KEEPER'), 0);
  assert.equal(lastAudit().code, 'MAKER_CARD_MISSING');
});

test('a keeper certificate that does not chain to the trust store: 数字证书不合法或无数字证书,制章失败', () => {
  const r = world.run([...MAKE, '--token', 'FOREIGN-KEEPER', '--image', IMAGE], '654321\n');
  assert.equal(r.code, 1);
  assert.match(r.err, /KEEPER_CERT_INVALID/);
  assert.match(r.err, /数字证书不合法或无数字证书,制章失败/);
  assert.equal(sealCount('FOREIGN-KEEPER'), 0);
  assert.equal(lastAudit().code, 'KEEPER_CERT_INVALID');
});

test('a keeper token that already carries a seal in use: USBkey正在被某个电子印章使用', () => {
  const r = world.run([...MAKE, '--token', 'DEMO-KEEPER', '--image', IMAGE], '654321\n');
  assert.equal(r.code, 1);
  assert.match(r.err, /TOKEN_SEAL_IN_USE/);
  assert.match(r.err, /USBkey正在被某个电子印章使用/);
  assert.equal(sealCount('DEMO-KEEPER'), 1);
  assert.equal(lastAudit().code, 'TOKEN_SEAL_IN_USE');
});

test('a picture that is not an image is refused, nothing written, logged', () => {
  const notImage = path.join(world.dir, 'notes.png');
  fs.writeFileSync(notImage, 'this is not a picture');
  // The maker card itself passes every keeper check (demo-root certificate, no seal), so only the picture can fail.
  const r = world.run([...MAKE, '--token', 'DEMO-MAKER', '--image', notImage], '654321\n');
  assert.equal(r.code, 1);
  assert.match(r.err, /SEAL_IMAGE_INVALID/);
  assert.equal(sealCount('DEMO-MAKER'), 0);
  assert.equal(lastAudit().code, 'SEAL_IMAGE_INVALID');
});

test('a missing module path and a file that is not a PKCS#11 library: clear errors, non-zero exit, logged', () => {
  const missing = world.run([...MAKE, '--token', 'DEMO-KEEPER', '--image', IMAGE, '--module', '/nonexistent/libvendor.so'], '654321\n');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /MODULE_NOT_FOUND/);
  assert.equal(lastAudit().code, 'MODULE_NOT_FOUND');
  const wrong = world.run(['token', 'list', '--module', IMAGE]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /MODULE_LOAD_FAILED/);
  assert.match(wrong.err, /无法加载 PKCS#11 模块/);
});

test('a corrupt SESeal file is reported invalid at the format check, not a crash', () => {
  const good = world.run(['seal', 'list', '--token', 'DEMO-KEEPER']);
  assert.equal(good.code, 0);
  const corrupt = path.join(world.dir, 'corrupt.der');
  fs.writeFileSync(corrupt, Buffer.from('3082ffff0a0b0c', 'hex'));
  const r = world.run(['seal', 'verify', '--file', corrupt]);
  assert.equal(r.code, 1);
  assert.match(r.out, /invalid/);
  assert.match(r.out, /\[failed\] format/);
  const e = lastAudit();
  assert.equal(e.action, 'seal.verify');
  assert.equal(e.outcome, 'failed');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

/** `sealdesk seal inspect FILE [--json]` and `sealdesk verify` exit codes on real vendor files. */
const BIN = path.resolve(__dirname, '../../bin/sealdesk');
const DIR = path.resolve(__dirname, '../../../shared/testdata/gm-vendor');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-inspect-cli-'));
const run = (...args: string[]) => {
  const r = spawnSync(BIN, args, { env: { ...process.env, SEALDESK_HOME: home, SEALDESK_FROM_SOURCE: '1' }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('seal inspect --json on the dms360 v1 seal: fields, picture, maker, the certList id habit named, exit 3 (unknown maker root)', () => {
  const r = run('seal', 'inspect', path.join(DIR, 'dms360_n_Seal.esl'), '--json');
  assert.equal(r.code, 3, r.err);
  const x = JSON.parse(r.out);
  assert.equal(x.kind, 'SESeal');
  assert.equal(x.format, 'GM/T 0031-2014 SESeal v1');
  assert.equal(x.seal.header.Vid, 'dms360.cn');
  assert.deepEqual(x.seal.certIds, ['1']);
  assert.equal(x.seal.picture.type, 'PNG');
  assert.ok(x.seal.picture.pixels.width > 0 && x.seal.picture.pixels.height > 0);
  assert.match(x.seal.maker.subject, /dms360/);
  assert.ok(x.encodingDeviations.some((d: { en: string }) => /certList\[0\] is a string/.test(d.en)));
  assert.deepEqual(x.checks.map((c: { id: string; status: string }) => `${c.id}=${c.status}`), ['seal.format=ok', 'seal.maker-signature=ok', 'seal.maker-chain=warning', 'seal.validity=ok']);
});

test('seal inspect as text on an SES_Signature shows the stamp, the raw r‖s habit and every check', () => {
  const r = run('seal', 'inspect', path.join(DIR, 'tongzhiweiye_keyword_Sign_1_SignedValue.dat'));
  assert.equal(r.code, 3, r.err);
  assert.match(r.out, /类型 \/ Kind: SES_Signature — GB\/T 38540 SES_Signature v4/);
  assert.match(r.out, /propertyInfo: \/Doc_0\/Signs\/Sign_1\/Signature\.xml/);
  assert.match(r.out, /non-standard encoding: SES_Signature\.signature is 64 raw bytes r‖s/);
  assert.match(r.out, /✔ signature: /);
  assert.match(r.out, /– digest: .*原文不在此文件中/);
});

test('seal inspect on something that is neither a seal nor a stamp: exit 2, a bilingual reason', () => {
  const file = path.join(home, 'garbage.esl');
  fs.writeFileSync(file, Buffer.from('30820100deadbeef', 'hex'));
  const r = run('seal', 'inspect', file, '--json');
  assert.equal(r.code, 2);
  assert.equal(JSON.parse(r.out).error.code, 'SEAL_FILE_UNREADABLE');
  assert.match(r.err, /既不是电子印章也不是电子签章/);
});

test('verify on koal_output.ofd (a fourth stamp without its SignedValue.dat) reports all four stamps and exits 1', () => {
  const r = run('verify', path.join(DIR, 'koal_output.ofd'), '--json');
  assert.equal(r.code, 1, r.err);
  const report = JSON.parse(r.out);
  assert.deepEqual(report.signatures.map((s: { verdict: string }) => s.verdict), ['warning', 'warning', 'warning', 'invalid']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const BIN = path.resolve(__dirname, '../../bin/sealdesk');
const CONTRACT = path.resolve(__dirname, '../../resources/samples/contract.pdf');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-bad-cli-'));

function verify(file: string, json = false) {
  const r = spawnSync(BIN, ['verify', file, ...(json ? ['--json'] : [])], { env: { ...process.env, SEALDESK_HOME: path.join(dir, 'home'), SEALDESK_FROM_SOURCE: '1' }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, signal: r.signal };
}

test('files that cannot be read as a PDF exit 2 with a code and both languages, never a crash or a hang', () => {
  const good = fs.readFileSync(CONTRACT);
  const cases: Record<string, Uint8Array> = {
    'empty.pdf': new Uint8Array(0),
    'garbage.pdf': new Uint8Array(Buffer.from('this is not a PDF at all\n'.repeat(100))),
    'truncated-header.pdf': good.subarray(0, 20),
    'truncated-half.pdf': good.subarray(0, Math.floor(good.length / 2)),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    const r = verify(file);
    assert.equal(r.signal, null, `${name} hung or crashed`);
    assert.equal(r.code, 2, `${name}: ${r.err}`);
    assert.match(r.err, /错误 \[PDF_[A-Z_]+\]/, name);
    assert.match(r.err, /Error \[PDF_[A-Z_]+\]/, name);
    assert.doesNotMatch(r.err, /at .*\.ts:\d+/, `${name} printed a stack trace`);
  }
  const missing = verify(path.join(dir, 'no-such-file.pdf'), true);
  assert.equal(missing.code, 2);
  assert.equal(JSON.parse(missing.out).error.code, 'FILE_UNREADABLE');
});

test('a PDF without any stamp is "no signature": exit 3, not valid', () => {
  const r = verify(CONTRACT, true);
  assert.equal(r.code, 3);
  assert.equal(JSON.parse(r.out).signatures.length, 0);
});

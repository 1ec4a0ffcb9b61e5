import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { unzipSync, zipSync } from 'fflate';

const BIN = path.resolve(__dirname, '../../bin/sealdesk');
const GM = path.resolve(__dirname, '../../../shared/testdata/gm');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-ofd-cli-'));

function verify(file: string) {
  const r = spawnSync(BIN, ['verify', file, '--json'], { env: { ...process.env, SEALDESK_HOME: home, SEALDESK_FROM_SOURCE: '1' }, encoding: 'utf8' });
  return { code: r.status, report: r.stdout ? JSON.parse(r.stdout) : undefined, err: r.stderr };
}

test('sealdesk verify on a vendor-stamped OFD invoice: seal and signature valid, identity unknown ⇒ warning, exit 3', () => {
  for (const name of ['v4signed.ofd', 'signedFile.ofd']) {
    const r = verify(path.join(GM, name));
    assert.equal(r.code, 3, r.err);
    assert.equal(r.report.verdict, 'warning');
    const checks = Object.fromEntries(r.report.signatures[0].checks.map((c: { id: string; status: string }) => [c.id, c.status]));
    assert.equal(checks.signature, 'ok');
    assert.equal(checks.digest, 'ok');
    assert.equal(checks.signer_chain, 'warning');
  }
});

test('an OFD invoice with one byte changed in a protected file is invalid, exit 1', () => {
  const entries = unzipSync(fs.readFileSync(path.join(GM, 'v4signed.ofd')));
  const target = Object.keys(entries).find((n) => /Content\.xml$/.test(n))!;
  const text = Buffer.from(entries[target]).toString('utf8');
  const i = text.search(/>[0-9]/) + 1;
  entries[target] = new Uint8Array(Buffer.from(text.slice(0, i) + (text[i] === '9' ? '8' : '9') + text.slice(i + 1)));
  const file = path.join(home, 'tampered.ofd');
  fs.writeFileSync(file, zipSync(entries));
  const r = verify(file);
  assert.equal(r.code, 1);
  assert.equal(r.report.verdict, 'invalid');
});

test('a file named .ofd that is not an OFD package is exit 2 with a clear error', () => {
  const file = path.join(home, 'garbage.ofd');
  fs.writeFileSync(file, 'not a zip at all');
  const r = verify(file);
  assert.equal(r.code, 2);
  assert.match(r.err, /OFD_MALFORMED/);
});

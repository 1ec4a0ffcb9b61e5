import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRootCa } from '../../src/core/pki/certificate-authority';

const BIN = path.resolve(__dirname, '../../bin/sealdesk');

function sealdesk(home: string, args: string[], cwd?: string) {
  const r = spawnSync(BIN, args, { env: { ...process.env, SEALDESK_HOME: home, SEALDESK_FROM_SOURCE: '1' }, encoding: 'utf8', cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('a recipient adds a root certificate file to the trust store and sees it listed', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-cli-'));
  const ca = await createRootCa('CN=Offline Root,O=Recipient Test,C=CN');
  const file = path.join(home, 'root.pem');
  fs.writeFileSync(file, ca.certificatePem);
  const add = sealdesk(home, ['trust', 'add', file]);
  assert.equal(add.code, 0, add.err);
  const list = sealdesk(home, ['trust', 'list']);
  assert.match(list.out, /CN=Offline Root/);
  assert.equal(fs.readdirSync(path.join(home, 'trust')).length, 1);
});

test('a file that is not a certificate is refused with a code and both languages, and nothing is added', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-cli-'));
  const file = path.join(home, 'notes.txt');
  fs.writeFileSync(file, 'hello');
  const r = sealdesk(home, ['trust', 'add', file]);
  assert.equal(r.code, 1);
  assert.match(r.err, /TRUST_FILE_INVALID/);
  assert.match(r.err, /不是有效的证书/);
  assert.match(r.err, /is not a valid certificate/);
  assert.equal(fs.existsSync(path.join(home, 'trust')), false);
  assert.match(sealdesk(home, ['log', 'show']).out, /trust\.add.*failed.*TRUST_FILE_INVALID/);
});

test('sealdesk log verify exits 1 and names the first bad line of an edited log', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-cli-'));
  const ca = await createRootCa('CN=Root For Log,C=CN');
  const file = path.join(home, 'root.pem');
  fs.writeFileSync(file, ca.certificatePem);
  sealdesk(home, ['trust', 'add', file]);
  sealdesk(home, ['trust', 'add', file]);
  assert.equal(sealdesk(home, ['log', 'verify']).code, 0);
  const logFile = path.join(home, 'audit.log');
  const l = fs.readFileSync(logFile, 'utf8').split('\n');
  l[0] = l[0].replace('"ok"', '"failed"');
  fs.writeFileSync(logFile, l.join('\n'));
  const r = sealdesk(home, ['log', 'verify']);
  assert.equal(r.code, 1);
  assert.match(r.out, /line 1/);
});

test('the sealdesk command works from any directory, not only the checkout', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-cli-'));
  const r = sealdesk(home, ['log', 'verify'], os.tmpdir());
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /audit log intact/);
});

test('an unknown option is a usage error (exit 64) with a code, not an internal error', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-cli-'));
  for (const args of [['verify', 'x.pdf', '--bogus'], ['sign', 'x.pdf', '-o', 'y.pdf', '--bogus'], ['log', 'show', '--bogus']]) {
    const r = sealdesk(home, args);
    assert.equal(r.code, 64, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /\[USAGE\]/);
  }
});

test('a damaged file in the trust store is skipped, not trusted, and the rest still lists', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-cli-'));
  const ca = await createRootCa('CN=Good Root,C=CN');
  fs.writeFileSync(path.join(home, 'root.pem'), ca.certificatePem);
  assert.equal(sealdesk(home, ['trust', 'add', path.join(home, 'root.pem')]).code, 0);
  fs.writeFileSync(path.join(home, 'trust', 'broken.pem'), '-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n');
  const r = sealdesk(home, ['trust', 'list']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /CN=Good Root/);
  assert.equal(r.out.match(/SHA-256/g)?.length, 1);
});

test('verify --trust with a file that is not a certificate is a usage error, not silently ignored', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-cli-'));
  const contract = path.resolve(__dirname, '../../resources/samples/contract.pdf');
  const notCert = path.join(home, 'passwd.pem');
  fs.writeFileSync(notCert, 'root:x:0:0:root:/root:/bin/bash\n');
  for (const trust of [notCert, path.join(home, 'missing.pem')]) {
    const r = sealdesk(home, ['verify', contract, '--trust', trust]);
    assert.equal(r.code, 64, r.err);
    assert.match(r.err, /--trust/);
  }
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCertificate, type ParsedCertificate } from '../../src/core/crypto/certificate';
import { loadPemCertificates } from '../../src/core/crypto/pem';
import { judgeCrl, parseCrl } from '../../src/core/revocation/crl';
import { buildOcspRequest, judgeOcspResponse } from '../../src/core/revocation/ocsp';

/**
 * SM2 chains (GM PKI): an SM2 CA made with OpenSSL 3.0 signing with the GM default ID
 * 1234567812345678. `openssl ca -gencrl -sigopt distid:…` makes CRLs SealDesk verifies (SM2-with-SM3
 * over the exact TBSCertList, default ID), revoked entries included. `openssl ocsp` has no -sigopt,
 * so its SM2 responses are signed with the empty ID: SealDesk refuses them (a GM verifier must),
 * which is why the demo's SM2 world relies on CRLs (see docs/ltv.md).
 */
let dir: string;
let ca: ParsedCertificate;
let good: ParsedCertificate;
let revoked: ParsedCertificate;
const run = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] }); };
const pem = (f: string): ParsedCertificate => parseCertificate(loadPemCertificates(fs.readFileSync(path.join(dir, f), 'utf8'))[0]!);
const ID = 'distid:1234567812345678';

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-sm2-rev-'));
  run('genpkey', '-algorithm', 'SM2', '-out', 'ca.key');
  run('req', '-new', '-x509', '-key', 'ca.key', '-sm3', '-sigopt', ID, '-subj', '/CN=SealDesk SM2 Test CA', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.pem');
  for (const [name, serial] of [['good', '0x51'], ['revoked', '0x52']] as const) {
    run('genpkey', '-algorithm', 'SM2', '-out', `${name}.key`);
    run('req', '-new', '-key', `${name}.key`, '-sm3', '-sigopt', ID, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-sm3', '-sigopt', ID, '-vfyopt', ID, '-set_serial', serial, '-days', '10', '-out', `${name}.pem`);
  }
  fs.writeFileSync(path.join(dir, 'index.txt'), 'V\t301203210105Z\t\t51\tunknown\t/CN=good\nR\t301203210105Z\t240101000000Z,keyCompromise\t52\tunknown\t/CN=revoked\n');
  fs.writeFileSync(path.join(dir, 'index.txt.attr'), 'unique_subject = no\n');
  fs.writeFileSync(path.join(dir, 'crlnumber'), '1000\n');
  fs.writeFileSync(path.join(dir, 'ca.cnf'), '[ca]\ndefault_ca=c\n[c]\ndatabase=index.txt\ncrlnumber=crlnumber\ncertificate=ca.pem\nprivate_key=ca.key\ndefault_md=sm3\ndefault_crl_days=1\n');
  run('ca', '-config', 'ca.cnf', '-gencrl', '-sigopt', ID, '-batch', '-out', 'crl.pem');
  run('crl', '-in', 'crl.pem', '-outform', 'DER', '-out', 'crl.der');
  ca = pem('ca.pem');
  good = pem('good.pem');
  revoked = pem('revoked.pem');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('an SM2 CRL signed with the GM default ID proves one certificate good and the other revoked (keyCompromise)', () => {
  const crl = parseCrl(fs.readFileSync(path.join(dir, 'crl.der')))!;
  const g = judgeCrl(crl, { cert: good, issuer: ca, currentAt: new Date() });
  assert.ok(g.ok && g.finding.status === 'good', JSON.stringify(g));
  const r = judgeCrl(crl, { cert: revoked, issuer: ca, currentAt: new Date() });
  assert.ok(r.ok && r.finding.status === 'revoked' && r.finding.reason === 'keyCompromise', JSON.stringify(r));
  assert.equal(r.finding.revokedAt!.toISOString(), '2024-01-01T00:00:00.000Z');
});

test('an SM2 CRL signed with the empty ID (OpenSSL 3.0 without -sigopt) is refused: its signature does not verify under GM rules', () => {
  run('ca', '-config', 'ca.cnf', '-gencrl', '-batch', '-out', 'crl-empty-id.pem');
  run('crl', '-in', 'crl-empty-id.pem', '-outform', 'DER', '-out', 'crl-empty-id.der');
  const j = judgeCrl(parseCrl(fs.readFileSync(path.join(dir, 'crl-empty-id.der')))!, { cert: good, issuer: ca });
  assert.equal(j.ok, false);
  assert.match(!j.ok ? j.problem.en : '', /signature is invalid/);
});

test('openssl ocsp signs SM2 responses with the empty ID: SealDesk refuses them instead of believing them', () => {
  const req = buildOcspRequest(good, ca);
  fs.writeFileSync(path.join(dir, 'req.der'), req.der);
  run('ocsp', '-index', 'index.txt', '-reqin', 'req.der', '-rsigner', 'ca.pem', '-rkey', 'ca.key', '-CA', 'ca.pem', '-rmd', 'sm3', '-respout', 'resp.der');
  const j = judgeOcspResponse(fs.readFileSync(path.join(dir, 'resp.der')), { cert: good, issuer: ca, nonce: req.nonce });
  assert.equal(j.ok, false);
  assert.match(!j.ok ? j.problem.en : '', /signature is invalid/);
});

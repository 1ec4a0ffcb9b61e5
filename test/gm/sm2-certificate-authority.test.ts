import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCertificate } from '../../src/core/crypto/certificate';
import { verifyChain } from '../../src/core/crypto/chain';
import { verifySignature } from '../../src/core/crypto/verify-signature';
import { sm2GenerateKeyPair, sm2PrivateKeyFromPem } from '../../src/core/crypto/sm2';
import { sm2Spki } from '../../src/core/pkcs11/key-encoding';
import { toPem } from '../../src/core/pki/certificate-authority';
import { createSm2RootCa, issueSm2Certificate, loadSm2Ca, sm2PrivateKeyPkcs8 } from '../../src/core/pki/sm2-certificate-authority';
import { DISTID } from '../crypto/support/test-pki';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-sm2-ca-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string | Uint8Array): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

/** `openssl verify` with the GM default ID for the leaf's signature (gm-formats.md §9). */
function opensslVerify(caPem: string, leafPem: string): { ok: boolean; text: string } {
  const r = spawnSync('openssl', ['verify', '-vfyopt', DISTID, '-CAfile', write('ca.pem', caPem), write('leaf.pem', leafPem)], { encoding: 'utf8' });
  return { ok: r.status === 0 && /: OK/.test(r.stdout), text: `${r.stdout}${r.stderr}` };
}

const ca = createSm2RootCa('CN=SealDesk 测试 SM2 根,O=SealDesk Test,C=CN');
const keeper = sm2GenerateKeyPair();
const spki = sm2Spki(Buffer.from(keeper.publicPoint));
const leaf = issueSm2Certificate(ca, { publicKeySpki: spki, subject: 'CN=张三,O=SealDesk 测试单位,C=CN' });

test('the SM2 root is self-signed SM2-with-SM3 (default ID), a CA with keyCertSign, and SealDesk\'s own SM2 check accepts its signature', () => {
  const root = parseCertificate(ca.certificate);
  assert.equal(root.signatureAlgorithm.oid, '1.2.156.10197.1.501');
  assert.equal(root.signatureAlgorithm.params, undefined, 'SM2-with-SM3 carries no parameters');
  assert.equal(root.publicKey.kind, 'SM2');
  assert.equal(root.basicConstraints?.cA, true);
  assert.ok(root.keyUsage?.has('keyCertSign') && root.keyUsage.has('cRLSign'));
  assert.equal(root.subject, root.issuer);
  // its self-signature, checked over the exact TBS bytes with its own key (SM2, default ID)
  assert.ok(verifySignature({ algorithm: root.signatureAlgorithm, publicKey: root.publicKey, data: root.tbsDer, signature: root.signatureValue }).ok);
  const other = sm2GenerateKeyPair();
  assert.ok(!verifySignature({ algorithm: root.signatureAlgorithm, publicKey: parseCertificate(issueSm2Certificate(ca, { publicKeySpki: sm2Spki(Buffer.from(other.publicPoint)), subject: 'CN=x' })).publicKey,
    data: root.tbsDer, signature: root.signatureValue }).ok, 'another key does not verify it');
});

test('a keeper certificate it issues verifies with openssl verify -vfyopt distid:1234567812345678 and with verifyChain', () => {
  const r = opensslVerify(ca.certificatePem, toPem(leaf));
  assert.ok(r.ok, r.text);
  const chain = verifyChain(leaf, { roots: [ca.certificate], at: new Date(), keyUsage: 'digitalSignature' });
  assert.ok(chain.ok, JSON.stringify(chain.problems));
  const c = parseCertificate(leaf);
  assert.equal(c.subject, 'CN=张三, O=SealDesk 测试单位, C=CN');
  assert.deepEqual([...(c.keyUsage ?? [])].sort(), ['digitalSignature', 'nonRepudiation']);
  assert.equal(c.basicConstraints?.cA, false);
  assert.deepEqual(Buffer.from(c.publicKey.spki), spki);
});

test('a tampered certificate fails both openssl and verifyChain; another root does not vouch for it', () => {
  const tampered = new Uint8Array(leaf);
  const at = Buffer.from(tampered).indexOf(Buffer.from('张三'));
  tampered[at + 2] ^= 0x01;
  assert.ok(!opensslVerify(ca.certificatePem, toPem(tampered)).ok);
  assert.ok(verifyChain(tampered, { roots: [ca.certificate], at: new Date() }).problems.some((p) => p.code === 'CHAIN_SIGNATURE_INVALID'));
  const other = createSm2RootCa('CN=SealDesk 测试 SM2 根,O=SealDesk Test,C=CN'); // same name, other key
  assert.ok(!opensslVerify(other.certificatePem, toPem(leaf)).ok);
  assert.equal(verifyChain(leaf, { roots: [other.certificate], at: new Date() }).ok, false);
});

test('validity is written as asked and judged: outside it the chain fails', () => {
  const notBefore = new Date('2030-01-01T00:00:00Z');
  const future = issueSm2Certificate(ca, { publicKeySpki: spki, subject: 'CN=Later', notBefore, notAfter: new Date('2031-01-01T00:00:00Z') });
  assert.equal(parseCertificate(future).notBefore.toISOString(), notBefore.toISOString());
  assert.ok(verifyChain(future, { roots: [ca.certificate], at: new Date() }).problems.some((p) => p.code === 'CERT_NOT_YET_VALID'));
  assert.ok(verifyChain(future, { roots: [ca.certificate], at: new Date('2030-06-01T00:00:00Z') }).problems.every((p) => p.code === 'CERT_NOT_YET_VALID' && p.index === 1),
    'in 2030 only the root (valid 10 years from now) could be questioned');
});

test('the CA key round-trips through PKCS#8 PEM that OpenSSL reads, and a wrong key is refused on load', () => {
  const pem = toPem(sm2PrivateKeyPkcs8(ca.privateKeyHex), 'PRIVATE KEY');
  const r = spawnSync('openssl', ['pkey', '-in', write('ca.key', pem), '-noout', '-text'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Private-Key: \(256 bit\)/);
  assert.equal(sm2PrivateKeyFromPem(pem), ca.privateKeyHex);
  const again = loadSm2Ca(ca.certificate, sm2PrivateKeyFromPem(pem));
  assert.ok(opensslVerify(again.certificatePem, toPem(issueSm2Certificate(again, { publicKeySpki: spki, subject: 'CN=Again' }))).ok);
  assert.throws(() => loadSm2Ca(ca.certificate, sm2GenerateKeyPair().privateKeyHex), (e: unknown) => (e as { code?: string }).code === 'CA_KEY_MISMATCH');
});

test('a public key that is not SM2 is refused', () => {
  const ec = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200' + '04' + '11'.repeat(64), 'hex');
  assert.throws(() => issueSm2Certificate(ca, { publicKeySpki: ec, subject: 'CN=EC' }), (e: unknown) => (e as { code?: string }).code === 'SPKI_NOT_SM2');
  assert.throws(() => issueSm2Certificate(ca, { publicKeySpki: Uint8Array.of(1, 2, 3), subject: 'CN=junk' }), (e: unknown) => (e as { code?: string }).code === 'SPKI_INVALID');
});

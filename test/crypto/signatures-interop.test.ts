import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseCertificate } from '../../src/core/crypto/certificate';
import { sm2GenerateKeyPair, sm2PrivateKeyFromPem, sm2Sign, sm2Verify } from '../../src/core/crypto/sm2';
import { verifySignature } from '../../src/core/crypto/verify-signature';
import { sealSigningAlgorithm } from '../../src/core/crypto/signature-algorithms';
import { DISTID, TestPki, flipByte, openssl } from './support/test-pki';

const pki = new TestPki();
after(() => pki.cleanup());
const message = new TextEncoder().encode('SES_SealInfo bytes 电子印章');

function opensslVerifies(certPath: string, data: Uint8Array, sig: Uint8Array, sm2: boolean): boolean {
  const dataPath = path.join(pki.dir, `data-${Math.random()}`);
  const sigPath = `${dataPath}.sig`;
  const pubPath = `${dataPath}.pub`;
  fs.writeFileSync(dataPath, data);
  fs.writeFileSync(sigPath, sig);
  fs.writeFileSync(pubPath, openssl(['x509', '-in', certPath, '-pubkey', '-noout']));
  try {
    openssl(['dgst', sm2 ? '-sm3' : '-sha256', '-verify', pubPath, ...(sm2 ? ['-sigopt', DISTID] : []), '-signature', sigPath, dataPath]);
    return true;
  } catch {
    return false;
  }
}

test('OpenSSL verifies an SM2 signature SealDesk makes, with the GM default ID', async () => {
  const root = pki.root('sm2', 'interop-sm2');
  const sig = await root.signer().sign(message);
  assert.equal(opensslVerifies(root.certPath, message, sig, true), true);
  assert.equal(opensslVerifies(root.certPath, flipByte(message, 3), sig, true), false);
});

test('SealDesk verifies an SM2 signature OpenSSL makes, and not one over other bytes', () => {
  const root = pki.root('sm2', 'interop-sm2-b');
  const dataPath = path.join(pki.dir, 'openssl-msg');
  fs.writeFileSync(dataPath, message);
  const sig = new Uint8Array(openssl(['dgst', '-sm3', '-sign', root.keyPath, '-sigopt', DISTID, dataPath]));
  const key = parseCertificate(root.der).publicKey;
  assert.equal(verifySignature({ algorithm: '1.2.156.10197.1.501', publicKey: key, data: message, signature: sig }).ok, true);
  assert.equal(verifySignature({ algorithm: '1.2.156.10197.1.501', publicKey: key, data: flipByte(message, 0), signature: sig }).ok, false);
});

test('an SM2 signature with the empty ID (what node:crypto and plain OpenSSL 3.0 make) is refused', () => {
  const root = pki.root('sm2', 'interop-sm2-empty-id');
  const dataPath = path.join(pki.dir, 'openssl-msg-empty');
  fs.writeFileSync(dataPath, message);
  const sig = new Uint8Array(openssl(['dgst', '-sm3', '-sign', root.keyPath, dataPath]));
  assert.equal(sm2Verify(message, sig, parseCertificate(root.der).publicKey.keyBits), false);
});

test('an OpenSSL SM2 key file gives the same public key to sm-crypto', () => {
  const root = pki.root('sm2', 'interop-sm2-key');
  const priv = sm2PrivateKeyFromPem(fs.readFileSync(root.keyPath, 'utf8'));
  const sig = sm2Sign(message, priv);
  assert.equal(sm2Verify(message, sig, parseCertificate(root.der).publicKey.keyBits), true);
  assert.throws(() => sm2PrivateKeyFromPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'), { code: 'SM2_KEY_INVALID' });
});

test('generated SM2 key pairs sign and verify; another key does not verify', () => {
  const a = sm2GenerateKeyPair();
  const b = sm2GenerateKeyPair();
  const sig = sm2Sign(message, a.privateKeyHex);
  assert.equal(sm2Verify(message, sig, a.publicPoint), true);
  assert.equal(sm2Verify(message, sig, b.publicPoint), false);
  assert.equal(sm2Verify(message, new Uint8Array([0x30, 0x02, 0x02, 0x00]), a.publicPoint), false);
});

for (const kind of ['rsa', 'ec'] as const) {
  test(`a software ${kind.toUpperCase()} signer's signatures verify in SealDesk and in OpenSSL`, async () => {
    const root = pki.root(kind, `interop-${kind}`);
    const signer = root.signer();
    const { scheme, oid } = sealSigningAlgorithm(signer.keyAlgorithm);
    const sig = await signer.sign(message, scheme);
    const key = parseCertificate(root.der).publicKey;
    assert.equal(verifySignature({ algorithm: oid, publicKey: key, data: message, signature: sig }).ok, true);
    assert.equal(verifySignature({ algorithm: oid, publicKey: key, data: flipByte(message, 1), signature: sig }).ok, false);
    assert.equal(opensslVerifies(root.certPath, message, sig, false), true);
    await assert.rejects(signer.sign(message, 'sm2-sm3'), { code: 'SIGNER_SCHEME_UNSUPPORTED' });
  });
}

test('RSA-PSS with SHA-256 verifies when the parameters say so, and the wrong key kind is refused', async () => {
  const root = pki.root('rsa', 'interop-pss');
  const sig = await root.signer().sign(message, 'rsa-pss-sha256');
  const key = parseCertificate(root.der).publicKey;
  // RSASSA-PSS-params { [0] sha256, [1] mgf1(sha256), [2] 32 }
  const params = new Uint8Array(Buffer.from('3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120', 'hex'));
  assert.equal(verifySignature({ algorithm: { oid: '1.2.840.113549.1.1.10', params }, publicKey: key, data: message, signature: sig }).ok, true);
  assert.equal(verifySignature({ algorithm: '1.2.840.113549.1.1.10', publicKey: key, data: message, signature: sig }).ok, false);
  const sm2Key = parseCertificate(pki.root('sm2', 'interop-kind').der).publicKey;
  const r = verifySignature({ algorithm: '1.2.840.113549.1.1.11', publicKey: sm2Key, data: message, signature: sig });
  assert.equal(r.ok, false);
});

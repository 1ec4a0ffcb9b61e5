import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as pkcs11js from 'pkcs11js';
import {
  closeModule, listKeyPairs, parseVendorProfile, tokenSigner, withSession, withUserLogin, type TokenSigner,
} from '../../src/core/pkcs11';
import { SealDeskError } from '../../src/core/errors';
import type { SignatureScheme } from '../../src/core/signer';
import { freshSoftHsm, type SoftHsmWorld } from '../support/softhsm';
import { createTestToken, type TestToken } from '../support/tokens';

/** Verifies with OpenSSL 3 from files in the test dir; returns openssl's own verdict line. */
function opensslVerify(dir: string, name: string, spki: Uint8Array, data: Uint8Array, sig: Uint8Array, scheme: SignatureScheme): string {
  const pub = path.join(dir, `${name}.pub.pem`);
  fs.writeFileSync(pub, crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }));
  fs.writeFileSync(path.join(dir, `${name}.data`), data);
  fs.writeFileSync(path.join(dir, `${name}.sig`), sig);
  const pss = scheme === 'rsa-pss-sha256' ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'] : [];
  try {
    return execFileSync('openssl', ['dgst', '-sha256', ...pss, '-verify', pub, '-signature', path.join(dir, `${name}.sig`), path.join(dir, `${name}.data`)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e).trim();
  }
}

function nodeVerify(spki: Uint8Array, data: Uint8Array, sig: Uint8Array, scheme: SignatureScheme): boolean {
  const key = crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  if (scheme === 'rsa-pss-sha256') return crypto.verify('sha256', data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig);
  return crypto.verify('sha256', data, key, sig);
}

describe('signing with keys on a real SoftHSM2 token', () => {
  let world: SoftHsmWorld;
  let rsa: TestToken;
  let ec: TestToken;
  let strict: TestToken;
  const document = Buffer.from('签署的合同 / the signed attributes of a contract, ' + 'x'.repeat(5000));
  const hostHashing = parseVendorProfile({ name: 'host-hash', description: 'RSA hashed on the host', rsaHashOnHost: true });

  before(async () => {
    world = freshSoftHsm();
    rsa = await createTestToken({ world, label: 'RSA-KEEPER', algorithm: 'RSA', ckaId: 'a1' });
    ec = await createTestToken({ world, label: 'EC-KEEPER', algorithm: 'EC-P256', ckaId: 'e1', ca: rsa.ca });
    strict = await createTestToken({ world, label: 'STRICT-KEEPER', algorithm: 'EC-P256', ckaId: 'c1', ca: rsa.ca, alwaysAuthenticate: true });
  });
  after(() => {
    closeModule(rsa.mod);
    world.cleanup();
  });

  const cases: { name: string; token: () => TestToken; scheme: SignatureScheme; hostHash: boolean; mechanism: number }[] = [
    { name: 'RSA PKCS#1 v1.5 with CKM_SHA256_RSA_PKCS', token: () => rsa, scheme: 'rsa-pkcs1-sha256', hostHash: false, mechanism: pkcs11js.CKM_SHA256_RSA_PKCS },
    { name: 'RSA PKCS#1 v1.5 hashed on the host with CKM_RSA_PKCS and a DigestInfo', token: () => rsa, scheme: 'rsa-pkcs1-sha256', hostHash: true, mechanism: pkcs11js.CKM_RSA_PKCS },
    { name: 'RSA-PSS with CKM_SHA256_RSA_PKCS_PSS', token: () => rsa, scheme: 'rsa-pss-sha256', hostHash: false, mechanism: pkcs11js.CKM_SHA256_RSA_PKCS_PSS },
    { name: 'RSA-PSS hashed on the host with CKM_RSA_PKCS_PSS', token: () => rsa, scheme: 'rsa-pss-sha256', hostHash: true, mechanism: pkcs11js.CKM_RSA_PKCS_PSS },
    { name: 'ECDSA P-256: SHA-256 on the host, raw CKM_ECDSA, r||s DER-encoded', token: () => ec, scheme: 'ecdsa-sha256', hostHash: false, mechanism: pkcs11js.CKM_ECDSA },
  ];

  for (const c of cases) {
    test(`${c.name}: the signature verifies with node:crypto and with openssl`, async () => {
      const t = c.token();
      const { sig, mech, cert } = await withUserLogin(t.mod, t.token, t.pin(), async (s) => {
        const signer: TokenSigner = tokenSigner(s, t.ckaId, c.hostHash ? hostHashing : undefined);
        const out = await signer.sign(document, c.scheme);
        return { sig: out, mech: signer.lastMechanism, cert: signer.certificate };
      });
      assert.equal(mech, c.mechanism, 'the expected mechanism was used');
      assert.deepEqual(Buffer.from(cert), Buffer.from(t.certificate as Uint8Array), 'the signer carries the certificate stored with the key');
      assert.equal(nodeVerify(t.spki, document, sig, c.scheme), true, 'node:crypto accepts it');
      const name = c.name.replace(/[^a-z0-9]+/gi, '-');
      assert.equal(opensslVerify(world.dir, name, t.spki, document, sig, c.scheme), 'Verified OK');
      // and the signature is bound to the data: one flipped byte fails both verifiers
      const tampered = Buffer.from(document);
      tampered[10] ^= 1;
      assert.equal(nodeVerify(t.spki, tampered, sig, c.scheme), false);
      assert.match(opensslVerify(world.dir, `${name}-tampered`, t.spki, tampered, sig, c.scheme), /Verification failure/);
    });
  }

  test('the default scheme follows the key: PKCS#1 for RSA, ECDSA for P-256; a scheme the key cannot do is refused', async () => {
    await withUserLogin(rsa.mod, rsa.token, rsa.pin(), async (s) => {
      const signer = tokenSigner(s, rsa.ckaId);
      assert.equal(signer.keyAlgorithm, 'RSA');
      assert.equal(signer.defaultScheme, 'rsa-pkcs1-sha256');
      await assert.rejects(signer.sign(document, 'ecdsa-sha256'), (e: unknown) => e instanceof SealDeskError && e.code === 'SCHEME_UNSUPPORTED');
    });
    await withUserLogin(ec.mod, ec.token, ec.pin(), (s) => {
      const signer = tokenSigner(s, ec.ckaId);
      assert.equal(signer.keyAlgorithm, 'EC-P256');
      assert.equal(signer.defaultScheme, 'ecdsa-sha256');
    });
  });

  test('a key with CKA_ALWAYS_AUTHENTICATE gets a context-specific login for every signature', async () => {
    const logins: number[] = [];
    const lib = strict.mod.lib;
    const original = lib.C_Login;
    lib.C_Login = function (session: Buffer, userType: number, pin?: string) {
      logins.push(userType);
      return original.call(this, session, userType, pin);
    };
    try {
      const sigs = await withUserLogin(strict.mod, strict.token, strict.pin(), async (s) => {
        const signer = tokenSigner(s, strict.ckaId);
        return [await signer.sign(document), await signer.sign(document)];
      });
      assert.deepEqual(logins, [pkcs11js.CKU_USER, pkcs11js.CKU_CONTEXT_SPECIFIC, pkcs11js.CKU_CONTEXT_SPECIFIC]);
      for (const sig of sigs) assert.equal(nodeVerify(strict.spki, document, sig, 'ecdsa-sha256'), true);
    } finally {
      lib.C_Login = original;
    }
  });

  test('a signer cannot be used after its login ended', async () => {
    const signer = await withUserLogin(ec.mod, ec.token, ec.pin(), (s) => tokenSigner(s, ec.ckaId));
    await assert.rejects(signer.sign(document), (e: unknown) => e instanceof SealDeskError && e.code === 'SESSION_CLOSED');
  });

  test('a CKA_ID with no key on the token is KEY_NOT_FOUND', async () => {
    await withUserLogin(ec.mod, ec.token, ec.pin(), (s) => {
      assert.throws(() => tokenSigner(s, 'ffff'), (e: unknown) => e instanceof SealDeskError && e.code === 'KEY_NOT_FOUND');
    });
  });

  test('key pairs are listed with their certificate paired by CKA_ID; without a PIN only the public half is seen', async () => {
    const loggedIn = await withUserLogin(rsa.mod, rsa.token, rsa.pin(), (s) => listKeyPairs(s));
    assert.equal(loggedIn.length, 1);
    assert.equal(loggedIn[0].ckaId, 'a1');
    assert.equal(loggedIn[0].keyAlgorithm, 'RSA');
    assert.equal(loggedIn[0].hasPrivateKey, true);
    assert.equal(loggedIn[0].label, 'RSA-KEEPER key');
    assert.deepEqual(Buffer.from(loggedIn[0].certificate as Uint8Array), Buffer.from(rsa.certificate as Uint8Array));
    const anonymous = await withSession(ec.mod, ec.token, {}, (s) => listKeyPairs(s));
    assert.deepEqual(anonymous.map((k) => [k.ckaId, k.keyAlgorithm, k.hasPrivateKey]), [['e1', 'EC-P256', false]]);
    assert.deepEqual(Buffer.from(anonymous[0].certificate as Uint8Array), Buffer.from(ec.certificate as Uint8Array));
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as pkcs11js from 'pkcs11js';
import { sm2 } from 'sm-crypto';
import { SealDeskError } from '../../src/core/errors';
import { sm2Spki } from '../../src/core/pkcs11/key-encoding';
import { closeModule, openModule, type Pkcs11Module } from '../../src/core/pkcs11/module';
import { importCertificate, initToken } from '../../src/core/pkcs11/provision';
import { unlockUserPin, withUserLogin } from '../../src/core/pkcs11/login';
import { tokenSigner } from '../../src/core/pkcs11/token-signer';
import type { TokenSession } from '../../src/core/pkcs11/session';
import { loadVendorProfile } from '../../src/core/pkcs11/vendor-profile';
import { freshGmToken, opensslVerifiesSm2, type GmProfileName, type GmTokenWorld } from './gm-token-world';

/**
 * SealDesk's own token layer (src/core/pkcs11: module loading, provisioning, the PIN guard,
 * tokenSigner with a vendor profile) on the native GM test token, one profile per test file
 * (the token reads its profile at C_Initialize, once per process). The token locks after 3 wrong
 * PINs here, before SealDesk's own guard (5) would, so the lock seen is the token's.
 */
export function sealdeskOnGmToken(profileName: GmProfileName): void {
  const TOKEN_TRIES = 3;
  let world: GmTokenWorld;
  let mod: Pkcs11Module;
  let home: string;

  before(() => {
    world = freshGmToken({ profile: profileName, maxPinTries: TOKEN_TRIES });
    home = path.join(world.dir, 'home');
    mod = openModule(world.module);
  });

  after(() => {
    try {
      if (mod) closeModule(mod);
    } finally {
      world?.cleanup();
    }
  });

  const pin = (s: string): Buffer => Buffer.from(s);

  /** A CA (OpenSSL, SM2, default ID) issues a keeper certificate for the token's public key. */
  function issueCertificate(point: Buffer): Buffer {
    const d = fs.mkdtempSync(path.join(world.dir, 'ca-'));
    const f = (n: string): string => path.join(d, n);
    const gm = ['-sm3', '-sigopt', 'distid:1234567812345678'];
    execFileSync('openssl', ['genpkey', '-algorithm', 'SM2', '-out', f('ca.key')]);
    execFileSync('openssl', ['req', '-new', '-x509', '-key', f('ca.key'), ...gm, '-subj', '/CN=GM Test CA', '-days', '30', '-out', f('ca.pem')]);
    fs.writeFileSync(f('pub.der'), sm2Spki(point));
    execFileSync('openssl', ['pkey', '-pubin', '-inform', 'DER', '-in', f('pub.der'), '-out', f('pub.pem')]);
    execFileSync('openssl', ['req', '-new', '-key', f('ca.key'), '-subj', '/CN=Seal keeper', '-out', f('k.csr')]);
    execFileSync('openssl', ['x509', '-req', '-in', f('k.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-force_pubkey', f('pub.pem'), ...gm,
      '-set_serial', '7', '-days', '30', '-outform', 'DER', '-out', f('keeper.der')]);
    return fs.readFileSync(f('keeper.der'));
  }

  /** SM2 key generation is not in provision.ts (RSA / P-256 only), so it goes through the session's pkcs11js. */
  function generateSm2(s: TokenSession, ckaId: string): Buffer {
    const profile = loadVendorProfile(profileName);
    const id = Buffer.from(ckaId, 'hex');
    const kp = s.lib.C_GenerateKeyPair(s.handle, { mechanism: profile.mechanisms.sm2KeyGen! },
      [{ type: pkcs11js.CKA_TOKEN, value: true }, { type: pkcs11js.CKA_ID, value: id }, { type: pkcs11js.CKA_PRIVATE, value: false }],
      [{ type: pkcs11js.CKA_TOKEN, value: true }, { type: pkcs11js.CKA_ID, value: id }, { type: pkcs11js.CKA_SIGN, value: true }]);
    const [ecPoint] = s.lib.C_GetAttributeValue(s.handle, kp.publicKey, [{ type: pkcs11js.CKA_EC_POINT }]);
    return (ecPoint.value as Buffer).subarray(2);
  }

  describe(`SealDesk's token layer on the GM test token (profile ${profileName})`, () => {
    test(`tokenSigner with the ${profileName} profile signs with the token's SM2 key; OpenSSL and sm-crypto verify the DER`, async () => {
      const profile = loadVendorProfile(profileName);
      const token = await initToken(mod, { label: `${profileName} keeper`, soPin: pin('24682468'), userPin: pin('192837') });
      const message = crypto.randomBytes(400);
      const { sig, point, mechanism } = await withUserLogin(mod, token, pin('192837'), async (s) => {
        const p = generateSm2(s, 'c0ffee');
        importCertificate(s, { ckaId: 'c0ffee', label: 'keeper', der: issueCertificate(p) });
        const signer = tokenSigner(s, 'c0ffee', profile);
        assert.equal(signer.keyAlgorithm, 'SM2');
        const out = await signer.sign(message);
        return { sig: Buffer.from(out), point: p, mechanism: signer.lastMechanism };
      }, { home, readWrite: true });
      assert.equal(mechanism, profile.mechanisms.sm2Sign, 'the profile chose the mechanism');
      assert.equal(sig[0], 0x30, 'the Signer returns DER whatever the token returns');
      assert.ok(opensslVerifiesSm2(world.dir, sm2Spki(point), message, sig));
      assert.ok(sm2.doVerifySignature(Array.from(message), sig.toString('hex'), point.toString('hex'), { der: true, hash: true }));
      assert.ok(!opensslVerifiesSm2(world.dir, sm2Spki(point), message.subarray(1), sig));
    });

    test('the client shows the token\'s own lock: after the token\'s 3 tries even the right PIN gives PIN_LOCKED, until the SO unlocks', async () => {
      const token = await initToken(mod, { label: `${profileName} lock`, soPin: pin('13571357'), userPin: pin('864200') });
      const codes: string[] = [];
      for (let i = 0; i < TOKEN_TRIES + 1; i++) {
        try {
          await withUserLogin(mod, token, pin(i < TOKEN_TRIES ? '000000' : '864200'), () => undefined, { home });
          codes.push('OK');
        } catch (e) {
          assert.ok(e instanceof SealDeskError, String(e));
          codes.push(e.code === 'PIN_LOCKED' ? `PIN_LOCKED:${String(e.details.reason)}` : e.code);
          assert.ok(!e.message.includes('864200') && !e.message.includes('000000'), 'no PIN in the message');
        }
      }
      assert.deepEqual(codes, ['PIN_INCORRECT', 'PIN_INCORRECT', 'PIN_LOCKED:token', 'PIN_LOCKED:token']);
      await unlockUserPin(mod, token, pin('13571357'), pin('975310'), { home });
      assert.equal(await withUserLogin(mod, token, pin('975310'), () => 'in', { home }), 'in');
    });
  });
}

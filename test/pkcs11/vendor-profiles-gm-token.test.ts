import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { sm2 } from 'sm-crypto';
import {
  closeModule, findToken, listKeyPairs, loadVendorProfile, parseVendorProfile, pinStatus, sm2E, sm2Z, tokenSigner,
  unlockUserPin, withUserLogin, type Pkcs11Module, type VendorProfile,
} from '../../src/core/pkcs11';
import { pointFromEcSpki } from '../../src/core/pkcs11/key-encoding';
import { toPem } from '../../src/core/pki/certificate-authority';
import { SealDeskError } from '../../src/core/errors';
import { ensureGmTokenBuilt, freshGmToken, type GmTokenWorld } from '../native/gm-token-world';
import { createGmTestToken } from '../support/tokens';

/**
 * SM2 through vendor profiles, against the SealDesk GM test token (native/, a real PKCS#11 module
 * with SM2 under vendor numbers and a real PIN retry counter; SoftHSM2 has neither). It is built
 * by `make -C native` (scripts/setup.sh); when it cannot be built here the tests say so and skip.
 */
let skip: string | undefined;
try { ensureGmTokenBuilt(); } catch (e) { skip = `GM test token could not be built: ${(e as Error).message}`; }

const VD = 0x80000000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-profiles-'));

const MESSAGE = Buffer.from('SES_Signature TBS_Sign 待签数据 — SM2 with SM3 and ID 1234567812345678');

/** OpenSSL 3.0 verifies SM2-with-SM3 only with the GM default ID given explicitly (gm-formats.md §9). */
function opensslSm2Verify(name: string, spki: Uint8Array, data: Uint8Array, derSig: Uint8Array): string {
  const dir = gm.dir;
  const pub = path.join(dir, `${name}.pub.pem`);
  fs.writeFileSync(pub, toPem(spki, 'PUBLIC KEY'));
  fs.writeFileSync(path.join(dir, `${name}.data`), data);
  fs.writeFileSync(path.join(dir, `${name}.sig`), derSig);
  try {
    return execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', path.join(dir, `${name}.data`), '-digest', 'sm3',
      '-sigfile', path.join(dir, `${name}.sig`), '-pkeyopt', 'distid:1234567812345678'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e).trim();
  }
}

describe('vendor profiles', () => {
  test('the shipped profiles load by name and the built-in standard profile has no SM2', () => {
    const sansec = loadVendorProfile('sansec');
    assert.equal(sansec.keyTypes.SM2, VD + 4);
    assert.equal(sansec.sm2Input, 'message');
    assert.equal(sansec.sm2SignatureFormat, 'der');
    const ibm = loadVendorProfile('ibm');
    assert.equal(ibm.mechanisms.sm2Sign, 0x8005000b);
    assert.equal(ibm.sm2Input, 'e');
    const std = loadVendorProfile('standard');
    assert.equal(std.keyTypes.SM2, undefined);
    assert.equal(std.mechanisms.sm2Sign, undefined);
  });

  test('a profile given by path loads; hex strings are accepted; bad profiles are refused with the field named', () => {
    const file = path.join(dir, 'custom.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'custom', description: 'hex numbers', keyTypes: { SM2: '0x80000004' }, mechanisms: { sm2Sign: '0x80008104' }, sm2Input: 'e', sm2SignatureFormat: 'raw' }));
    assert.equal(loadVendorProfile(file).mechanisms.sm2Sign, 0x80008104);
    const invalid = (raw: unknown, field: RegExp) => assert.throws(() => parseVendorProfile(raw, 't'), (e: unknown) => e instanceof SealDeskError && e.code === 'PROFILE_INVALID' && field.test(e.en));
    invalid({ name: 'x', description: 'd', keyTypes: { SM2: 'four' } }, /keyTypes\.SM2/);
    invalid({ name: 'x', description: 'd', sm2Input: 'digest' }, /sm2Input/);
    invalid({ name: 'x', description: 'd', sm2SignatureFormat: 'asn1' }, /sm2SignatureFormat/);
    invalid({ name: 'x', description: 'd', mechanisms: { sm2Sign: 1 } }, /keyTypes\.SM2 and sm2Input/);
    invalid([], /JSON object/);
    fs.writeFileSync(path.join(dir, 'broken.json'), '{ "name": ');
    assert.throws(() => loadVendorProfile(path.join(dir, 'broken.json')), (e: unknown) => e instanceof SealDeskError && e.code === 'PROFILE_INVALID');
    assert.throws(() => loadVendorProfile('no-such-vendor'), (e: unknown) => e instanceof SealDeskError && e.code === 'PROFILE_NOT_FOUND');
  });

  test('Z and e follow GM/T 0003.5 (the standard\'s sample key and its published Z and e)', () => {
    const point = Buffer.from('04' +
      '09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020' +
      'CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13', 'hex');
    assert.equal(sm2Z(point).toString('hex').toUpperCase(), 'B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3');
    assert.equal(sm2E(point, Buffer.from('message digest')).toString('hex').toUpperCase(), 'F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640');
  });
});

let gm: GmTokenWorld;

describe('SM2 signing on the GM test token through vendor profiles', { skip }, () => {
  let mod: Pkcs11Module;
  let home: string;

  before(() => {
    // max_pin_tries 3 on the token, fewer than SealDesk's five, to see the token's own lock.
    gm = freshGmToken({ profile: 'sansec', maxPinTries: 3 });
    home = path.join(gm.dir, 'home');
  });
  after(() => {
    if (mod) closeModule(mod);
    gm.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const signAll = (token: ReturnType<typeof findToken>, profile: VendorProfile) =>
    withUserLogin(mod, token, Buffer.from('gm-user-pin'), async (s) => {
      const signer = tokenSigner(s, '5a', profile);
      assert.equal(signer.keyAlgorithm, 'SM2');
      assert.equal(signer.defaultScheme, 'sm2-sm3');
      return { sig: await signer.sign(MESSAGE), mech: signer.lastMechanism };
    }, { home });

  test('sansec numbers: token-computed Z (DER), host-computed e (raw r||s), token-computed Z (raw): every signature verifies with openssl and sm-crypto', async () => {
    const keeper = await createGmTestToken({ world: gm, label: 'GM-SANSEC', userPin: 'gm-user-pin', soPin: 'gm-so-pin', ckaId: '5a' });
    mod = keeper.mod;
    const { spki, token } = keeper;
    const sansec = loadVendorProfile('sansec');
    assert.deepEqual(keeper.profile, sansec);
    // The keeper certificate from the helper chains to its SM2 root under the GM default ID.
    fs.writeFileSync(path.join(gm.dir, 'keeper.pem'), toPem(keeper.certificate));
    fs.writeFileSync(path.join(gm.dir, 'root.pem'), toPem(keeper.caCertificate));
    assert.match(execFileSync('openssl', ['verify', '-vfyopt', 'distid:1234567812345678', '-CAfile', path.join(gm.dir, 'root.pem'), path.join(gm.dir, 'keeper.pem')], { encoding: 'utf8' }), /: OK/);
    const variants: VendorProfile[] = [
      sansec,
      parseVendorProfile({ name: 'sansec-e', description: 'CKM_SM2_SIGN over e', keyTypes: { SM2: VD + 4 }, mechanisms: { sm2Sign: VD + 0x8104 }, sm2Input: 'e', sm2SignatureFormat: 'raw' }),
      parseVendorProfile({ name: 'sansec-raw', description: 'APPID1 raw', keyTypes: { SM2: VD + 4 }, mechanisms: { sm2Sign: VD + 0x8102 }, sm2Input: 'message', sm2SignatureFormat: 'raw' }),
    ];
    const pubHex = pointFromEcSpki(spki).toString('hex');
    for (const profile of variants) {
      const { sig, mech } = await signAll(token, profile);
      assert.equal(mech, profile.mechanisms.sm2Sign);
      assert.equal(sig[0], 0x30, `${profile.name}: the signer always returns DER`);
      assert.equal(opensslSm2Verify(profile.name, spki, MESSAGE, sig), 'Signature Verified Successfully', profile.name);
      assert.equal(sm2.doVerifySignature(Array.from(MESSAGE), Buffer.from(sig).toString('hex'), pubHex, { der: true, hash: true }), true, profile.name);
      const other = Buffer.from(MESSAGE);
      other[0] ^= 1;
      assert.notEqual(opensslSm2Verify(`${profile.name}-tampered`, spki, other, sig), 'Signature Verified Successfully');
    }
    // The standard profile does not know the vendor's CKK: the key is not offered and cannot sign.
    await withUserLogin(mod, token, Buffer.from('gm-user-pin'), (s) => {
      assert.deepEqual(listKeyPairs(s).map((k) => k.ckaId), []);
      assert.throws(() => tokenSigner(s, '5a'), (e: unknown) => e instanceof SealDeskError && e.code === 'KEY_TYPE_UNSUPPORTED' && /0x80000004/.test(e.en));
      assert.deepEqual(listKeyPairs(s, sansec).map((k) => [k.ckaId, k.keyAlgorithm]), [['5a', 'SM2']]);
    }, { home });
  });

  test('the token\'s own PIN counter is honoured: tries left follow CKF_USER_PIN_FINAL_TRY, CKR_PIN_LOCKED locks before SealDesk\'s five, and then C_Login is not called', async () => {
    const token = findToken(mod, 'GM-SANSEC');
    const lib = mod.lib;
    const original = lib.C_Login;
    let calls = 0;
    lib.C_Login = function (...args: Parameters<typeof original>) { calls++; return original.apply(this, args); };
    try {
      const tries: unknown[] = [];
      let last: SealDeskError | undefined;
      for (let i = 0; i < 3; i++) {
        try {
          await withUserLogin(mod, token, Buffer.from('wrong-gm-pin'), () => undefined, { home });
        } catch (e) {
          assert.ok(e instanceof SealDeskError);
          last = e;
          tries.push(e.code === 'PIN_INCORRECT' ? e.details.triesLeft : e.code);
        }
      }
      // max_pin_tries = 3 on the token: after the 2nd failure it reports FINAL_TRY, the 3rd locks it.
      assert.deepEqual(tries, [4, 1, 'PIN_LOCKED']);
      assert.equal(last?.details.reason, 'token');
      assert.match(last?.zh ?? '', /^密码错误,签章失败/);
      const status = pinStatus(mod, token, { home });
      assert.equal(status.locked, true);
      assert.equal(status.lockedBy, 'token');
      assert.equal(status.guard.failures, 3, 'SealDesk itself counted three');
      const before = calls;
      await assert.rejects(withUserLogin(mod, token, Buffer.from('gm-user-pin'), () => undefined, { home }), (e: unknown) =>
        e instanceof SealDeskError && e.code === 'PIN_LOCKED' && e.details.reason === 'token');
      assert.equal(calls, before, 'the right PIN was not sent to a token that says it is locked');
    } finally {
      lib.C_Login = original;
    }
    await unlockUserPin(mod, token, Buffer.from('gm-so-pin'), Buffer.from('gm-user-pin'), { home });
    assert.equal(pinStatus(mod, token, { home }).locked, false);
    assert.equal(await withUserLogin(mod, token, Buffer.from('gm-user-pin'), () => 'signed in', { home }), 'signed in');
  });

  test('ibm numbers (host passes e, raw r||s) on the same module configured as an IBM-family token', async () => {
    fs.writeFileSync(gm.conf, fs.readFileSync(gm.conf, 'utf8').replace('profile = sansec', 'profile = ibm').replace('max_pin_tries = 3', 'max_pin_tries = 5'));
    assert.equal(mod.refresh(), true, 're-initialized with the new configuration');
    const ibm = loadVendorProfile('ibm');
    const { spki, token } = await createGmTestToken({ world: { ...gm, profile: 'ibm' }, label: 'GM-IBM', userPin: 'gm-user-pin', soPin: 'gm-so-pin', ckaId: '5a' });
    const { sig, mech } = await signAll(token, ibm);
    assert.equal(mech, 0x8005000b);
    assert.equal(opensslSm2Verify('ibm', spki, MESSAGE, sig), 'Signature Verified Successfully');
    // The sansec numbers mean nothing to this token: its key type is unknown under that profile.
    await withUserLogin(mod, token, Buffer.from('gm-user-pin'), (s) => {
      assert.throws(() => tokenSigner(s, '5a', loadVendorProfile('sansec')), (e: unknown) => e instanceof SealDeskError && e.code === 'KEY_TYPE_UNSUPPORTED');
    }, { home });
  });
});

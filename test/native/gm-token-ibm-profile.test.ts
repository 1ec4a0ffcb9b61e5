import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as pkcs11js from 'pkcs11js';
import { rawSignatureToDer, sm2Spki } from '../../src/core/pkcs11/key-encoding';
import { sm2E } from '../../src/core/pkcs11/sm2-digest';
import { failsWith, freshGmToken, keeperSession, openPkcs11js, opensslVerifiesSm2, profileNumbers, type GmTokenWorld } from './gm-token-world';

// The same token started with `profile = ibm` serves the IBM family's numbers (gm-formats.md §7)
// and only those, so SealDesk's vendor profiles are exercised against two clashing numberings.

const USER_PIN = '314159';
const ibm = profileNumbers('ibm');
const sansec = profileNumbers('sansec');

let world: GmTokenWorld;
let p11: pkcs11js.PKCS11;
let session: Buffer;
let slot: Buffer;

before(() => {
  world = freshGmToken({ profile: 'ibm' });
  p11 = openPkcs11js(world);
  ({ slot, session } = keeperSession(p11, { label: 'IBM numbering', soPin: '27182818', userPin: USER_PIN }));
});

after(() => {
  try {
    p11?.C_CloseSession(session);
    p11?.C_Finalize();
  } finally {
    world?.cleanup();
  }
});

describe('the GM test token under the IBM profile', () => {
  test('it lists the IBM SM2/SM3 numbers and none of the Sansec ones', () => {
    const mechs = p11.C_GetMechanismList(slot);
    for (const m of Object.values(ibm.mechanisms)) assert.ok(mechs.includes(m), `0x${m.toString(16)} listed`);
    for (const m of Object.values(sansec.mechanisms)) assert.ok(!mechs.includes(m), `0x${m.toString(16)} not listed`);
    assert.equal(failsWith(() => p11.C_GetMechanismInfo(slot, sansec.mechanisms.sm2Sign)), pkcs11js.CKR_MECHANISM_INVALID);
  });

  test('CKM_IBM_SM2_KEY_PAIR_GEN makes a CKK_IBM_SM2 key and CKM_IBM_SM2 signs e with a raw r‖s that OpenSSL verifies', () => {
    const id = Buffer.from('1b');
    const kp = p11.C_GenerateKeyPair(session, { mechanism: ibm.mechanisms.sm2KeyGen },
      [{ type: pkcs11js.CKA_TOKEN, value: true }, { type: pkcs11js.CKA_ID, value: id }],
      [{ type: pkcs11js.CKA_TOKEN, value: true }, { type: pkcs11js.CKA_ID, value: id }, { type: pkcs11js.CKA_SIGN, value: true }]);
    const [kt, ecPoint] = p11.C_GetAttributeValue(session, kp.publicKey, [{ type: pkcs11js.CKA_KEY_TYPE }, { type: pkcs11js.CKA_EC_POINT }]);
    assert.equal((kt.value as Buffer).readUInt32LE(0), ibm.keyTypes.SM2);
    const point = (ecPoint.value as Buffer).subarray(2);
    const message = crypto.randomBytes(200);
    p11.C_SignInit(session, { mechanism: ibm.mechanisms.sm2Sign }, kp.privateKey);
    const raw = p11.C_Sign(session, sm2E(point, message), Buffer.alloc(64));
    assert.equal(raw.length, 64);
    assert.ok(opensslVerifiesSm2(world.dir, sm2Spki(point), message, rawSignatureToDer(raw)));
    assert.ok(!opensslVerifiesSm2(world.dir, sm2Spki(point), Buffer.concat([message, Buffer.from([0])]), rawSignatureToDer(raw)));
  });

  test('the Sansec numbers are refused: key generation with them is CKR_MECHANISM_INVALID', () => {
    assert.equal(failsWith(() => p11.C_GenerateKeyPair(session, { mechanism: sansec.mechanisms.sm2KeyGen }, [], [])), pkcs11js.CKR_MECHANISM_INVALID);
    assert.equal(failsWith(() => p11.C_DigestInit(session, { mechanism: sansec.mechanisms.sm3 })), pkcs11js.CKR_MECHANISM_INVALID);
  });

  test('CKM_IBM_SM3 digests like node:crypto sm3', () => {
    const data = crypto.randomBytes(777);
    p11.C_DigestInit(session, { mechanism: ibm.mechanisms.sm3 });
    assert.deepEqual(p11.C_Digest(session, data, Buffer.alloc(32)), crypto.createHash('sm3').update(data).digest());
  });
});

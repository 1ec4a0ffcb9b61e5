import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as pkcs11js from 'pkcs11js';
import { sm2 } from 'sm-crypto';
import { p256Spki, rawSignatureToDer, sm2Spki } from '../../src/core/pkcs11/key-encoding';
import { sm2E } from '../../src/core/pkcs11/sm2-digest';
import { failsWith, freshGmToken, keeperSession, openPkcs11js, opensslVerifiesSm2, profileNumbers, type GmTokenWorld } from './gm-token-world';

// SM2 keys made and used on the native GM test token through pkcs11js, exactly as SealDesk drives a
// vendor USB-Key; every signature is judged by OpenSSL 3 and by sm-crypto, never by the token itself.

const VD = 0x80000000;
const CKM_SM3_SM2_APPID1 = VD + 0x8102;
const CKM_SM3_SM2_APPID1_DER = VD + 0x8103;
const CKM_SM2_SIGN = VD + 0x8104;
const SM2_OID = Buffer.from('06082a811ccf5501822d', 'hex');
const P256_OID = Buffer.from('06082a8648ce3d030107', 'hex');
const USER_PIN = '246810';
const sansec = profileNumbers('sansec');

let world: GmTokenWorld;
let p11: pkcs11js.PKCS11;
let session: Buffer;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function generateSm2(id: string, extra: pkcs11js.Template = []): { pub: Buffer; priv: Buffer; point: Buffer } {
  const kp = p11.C_GenerateKeyPair(session, { mechanism: sansec.mechanisms.sm2KeyGen }, [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_ID, value: Buffer.from(id, 'hex') },
    { type: pkcs11js.CKA_LABEL, value: `seal key ${id}` },
    { type: pkcs11js.CKA_VERIFY, value: true },
  ], [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_ID, value: Buffer.from(id, 'hex') },
    { type: pkcs11js.CKA_SIGN, value: true },
    ...extra,
  ]);
  const [ecPoint] = p11.C_GetAttributeValue(session, kp.publicKey, [{ type: pkcs11js.CKA_EC_POINT }]);
  const der = ecPoint.value as Buffer;
  assert.equal(der[0], 0x04, 'CKA_EC_POINT is a DER OCTET STRING');
  assert.equal(der[1], 65);
  return { pub: kp.publicKey, priv: kp.privateKey, point: der.subarray(2) };
}

function sign(mechanism: number, key: Buffer, data: Buffer): Buffer {
  p11.C_SignInit(session, { mechanism }, key);
  return p11.C_Sign(session, data, Buffer.alloc(128));
}

before(() => {
  world = freshGmToken({ profile: 'sansec' });
  p11 = openPkcs11js(world);
  ({ session } = keeperSession(p11, { label: 'GM keeper', soPin: '13579135', userPin: USER_PIN }));
});

after(() => {
  try {
    p11?.C_CloseSession(session);
    p11?.C_Finalize();
  } finally {
    world?.cleanup();
  }
});

describe('SM2 on the GM test token (Sansec numbers, pkcs11js)', () => {
  test('the token lists the Sansec SM2 and SM3 mechanisms of the vendor profile', () => {
    const slot = p11.C_GetSessionInfo(session).slotID;
    const mechs = p11.C_GetMechanismList(slot);
    for (const m of [sansec.mechanisms.sm2KeyGen, sansec.mechanisms.sm2Sign, sansec.mechanisms.sm3, CKM_SM2_SIGN]) {
      assert.ok(mechs.includes(m), `0x${m.toString(16)} listed`);
    }
    assert.ok(p11.C_GetMechanismInfo(slot, sansec.mechanisms.sm2Sign).flags & pkcs11js.CKF_SIGN);
    assert.ok(p11.C_GetMechanismInfo(slot, sansec.mechanisms.sm2KeyGen).flags & pkcs11js.CKF_GENERATE_KEY_PAIR);
  });

  test('a generated SM2 key pair carries the SM2 curve OID and the vendor key type', () => {
    const { pub, priv } = generateSm2('a1');
    for (const obj of [pub, priv]) {
      const [kt, params, local] = p11.C_GetAttributeValue(session, obj, [
        { type: pkcs11js.CKA_KEY_TYPE }, { type: pkcs11js.CKA_EC_PARAMS }, { type: pkcs11js.CKA_LOCAL },
      ]);
      assert.equal((kt.value as Buffer).readUInt32LE(0), sansec.keyTypes.SM2);
      assert.deepEqual(params.value, SM2_OID);
      assert.equal((local.value as Buffer)[0], 1);
    }
  });

  test('CKM_SM3_SM2_APPID1_DER signs a message so that OpenSSL and sm-crypto verify it with the default ID', () => {
    const { priv, point } = generateSm2('a2');
    const message = Buffer.from('TBS_Sign of a contract stamped on 2025-06-01 合同专用章');
    const sig = sign(CKM_SM3_SM2_APPID1_DER, priv, message);
    assert.equal(sig[0], 0x30, 'DER SEQUENCE');
    assert.ok(opensslVerifiesSm2(world.dir, sm2Spki(point), message, sig), 'OpenSSL verifies');
    assert.equal(sm2.doVerifySignature(Array.from(message), hex(sig), hex(point), { der: true, hash: true }), true);
    // the same checks must fail for another message: they are not rubber stamps
    const other = Buffer.from(message);
    other[0] ^= 1;
    assert.equal(opensslVerifiesSm2(world.dir, sm2Spki(point), other, sig), false);
    assert.equal(sm2.doVerifySignature(Array.from(other), hex(sig), hex(point), { der: true, hash: true }), false);
  });

  test('CKM_SM2_SIGN signs e = SM3(Z‖M) from the host and the raw r‖s verifies as SM2-with-SM3 over M', () => {
    const { priv, point } = generateSm2('a3');
    const message = crypto.randomBytes(300);
    const raw = sign(CKM_SM2_SIGN, priv, sm2E(point, message));
    assert.equal(raw.length, 64, 'raw r‖s');
    assert.ok(opensslVerifiesSm2(world.dir, sm2Spki(point), message, rawSignatureToDer(raw)));
    assert.equal(sm2.doVerifySignature(Array.from(message), hex(raw), hex(point), { der: false, hash: true }), true);
    // e must be exactly 32 bytes: a message passed by mistake is refused, not signed
    assert.equal(failsWith(() => sign(CKM_SM2_SIGN, priv, message)), pkcs11js.CKR_DATA_LEN_RANGE);
  });

  test('multi-part CKM_SM3_SM2_APPID1 (raw) gives a signature over the concatenated parts', () => {
    const { priv, point } = generateSm2('a4');
    const parts = [Buffer.from('%PDF-1.7 first byte range '), crypto.randomBytes(1000), Buffer.from(' second range %%EOF')];
    p11.C_SignInit(session, { mechanism: CKM_SM3_SM2_APPID1 }, priv);
    for (const part of parts) p11.C_SignUpdate(session, part);
    const raw = p11.C_SignFinal(session, Buffer.alloc(64));
    assert.equal(raw.length, 64);
    assert.ok(opensslVerifiesSm2(world.dir, sm2Spki(point), Buffer.concat(parts), rawSignatureToDer(raw)));
  });

  test('two signatures of the same message differ (fresh k) and both verify', () => {
    const { priv, point } = generateSm2('a5');
    const message = Buffer.from('same message');
    const s1 = sign(CKM_SM3_SM2_APPID1_DER, priv, message);
    const s2 = sign(CKM_SM3_SM2_APPID1_DER, priv, message);
    assert.notDeepEqual(s1, s2);
    for (const s of [s1, s2]) assert.ok(opensslVerifiesSm2(world.dir, sm2Spki(point), message, s));
  });

  test('the GM/T 0003.5 example private key imported into the token signs so that its published public key verifies', () => {
    // GB/T 32918.5 Annex A (gm-formats.md §10): d and P are the standard's, the signature is the token's.
    const d = Buffer.from('3945208F7B2144B13F36E38AC6D39F9588939369 2860B51A42FB81EF4DF7C5B8'.replace(/ /g, ''), 'hex');
    const P = Buffer.from('04' + '09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020'
      + 'CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13', 'hex');
    const priv = p11.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: sansec.keyTypes.SM2 },
      { type: pkcs11js.CKA_EC_PARAMS, value: SM2_OID },
      { type: pkcs11js.CKA_VALUE, value: d },
      { type: pkcs11js.CKA_SIGN, value: true },
    ]);
    const message = Buffer.from('message digest');
    const sig = sign(CKM_SM3_SM2_APPID1_DER, priv, message);
    assert.ok(opensslVerifiesSm2(world.dir, sm2Spki(P), message, sig));
    // and the e of the standard's example is what the host computes for CKM_SM2_SIGN
    assert.equal(hex(sm2E(P, message)), 'f0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640');
  });

  test('the private scalar never leaves the token: CKA_VALUE of a sensitive key is CKR_ATTRIBUTE_SENSITIVE', () => {
    const { priv } = generateSm2('a6');
    assert.equal(failsWith(() => p11.C_GetAttributeValue(session, priv, [{ type: pkcs11js.CKA_VALUE }])), pkcs11js.CKR_ATTRIBUTE_SENSITIVE);
    const [sens, extr, always, never] = p11.C_GetAttributeValue(session, priv, [
      { type: pkcs11js.CKA_SENSITIVE }, { type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_ALWAYS_SENSITIVE }, { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
    ]);
    assert.deepEqual([sens, extr, always, never].map((a) => (a.value as Buffer)[0]), [1, 0, 1, 1]);
    // a key made extractable and not sensitive does give its scalar, and that scalar is the key's
    const open = generateSm2('a7', [{ type: pkcs11js.CKA_SENSITIVE, value: false }, { type: pkcs11js.CKA_EXTRACTABLE, value: true }]);
    const [value] = p11.C_GetAttributeValue(session, open.priv, [{ type: pkcs11js.CKA_VALUE }]);
    assert.equal(sm2.getPublicKeyFromPrivateKey(hex(value.value as Buffer)), hex(open.point));
    // sensitivity can be raised but never lowered again
    p11.C_SetAttributeValue(session, open.priv, [{ type: pkcs11js.CKA_SENSITIVE, value: true }]);
    assert.equal(failsWith(() => p11.C_SetAttributeValue(session, open.priv, [{ type: pkcs11js.CKA_SENSITIVE, value: false }])), pkcs11js.CKR_ATTRIBUTE_READ_ONLY);
    assert.equal(failsWith(() => p11.C_GetAttributeValue(session, open.priv, [{ type: pkcs11js.CKA_VALUE }])), pkcs11js.CKR_ATTRIBUTE_SENSITIVE);
  });

  test('a key with CKA_ALWAYS_AUTHENTICATE signs only after a context-specific login', () => {
    const { priv, point } = generateSm2('a8', [{ type: pkcs11js.CKA_ALWAYS_AUTHENTICATE, value: true }]);
    const message = Buffer.from('approved use of the finance seal');
    p11.C_SignInit(session, { mechanism: CKM_SM3_SM2_APPID1_DER }, priv);
    assert.equal(failsWith(() => p11.C_Sign(session, message, Buffer.alloc(128))), pkcs11js.CKR_USER_NOT_LOGGED_IN);
    p11.C_SignInit(session, { mechanism: CKM_SM3_SM2_APPID1_DER }, priv);
    p11.C_Login(session, pkcs11js.CKU_CONTEXT_SPECIFIC, USER_PIN);
    const sig = p11.C_Sign(session, message, Buffer.alloc(128));
    assert.ok(opensslVerifiesSm2(world.dir, sm2Spki(point), message, sig));
  });

  test('the token SM3 digest matches the GB/T 32905 vectors, single- and multi-part', () => {
    p11.C_DigestInit(session, { mechanism: sansec.mechanisms.sm3 });
    assert.equal(hex(p11.C_Digest(session, Buffer.from('abc'), Buffer.alloc(32))), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    p11.C_DigestInit(session, { mechanism: sansec.mechanisms.sm3 });
    for (let i = 0; i < 16; i++) p11.C_DigestUpdate(session, Buffer.from('abcd'));
    assert.equal(hex(p11.C_DigestFinal(session, Buffer.alloc(32))), 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  test('an EC P-256 key signs with raw CKM_ECDSA and node:crypto verifies it', () => {
    const kp = p11.C_GenerateKeyPair(session, { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
      [{ type: pkcs11js.CKA_EC_PARAMS, value: P256_OID }, { type: pkcs11js.CKA_TOKEN, value: false }],
      [{ type: pkcs11js.CKA_TOKEN, value: false }, { type: pkcs11js.CKA_SIGN, value: true }]);
    const [ecPoint] = p11.C_GetAttributeValue(session, kp.publicKey, [{ type: pkcs11js.CKA_EC_POINT }]);
    const message = Buffer.from('international seal');
    const hash = crypto.createHash('sha256').update(message).digest();
    const raw = sign(pkcs11js.CKM_ECDSA, kp.privateKey, hash);
    const key = crypto.createPublicKey({ key: p256Spki(ecPoint.value as Buffer), format: 'der', type: 'spki' });
    assert.ok(crypto.verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, raw));
    assert.ok(!crypto.verify('sha256', Buffer.from('other'), { key, dsaEncoding: 'ieee-p1363' }, raw));
    // an SM2 mechanism on a P-256 key is refused
    assert.equal(failsWith(() => p11.C_SignInit(session, { mechanism: CKM_SM3_SM2_APPID1_DER }, kp.privateKey)), pkcs11js.CKR_KEY_TYPE_INCONSISTENT);
  });
});

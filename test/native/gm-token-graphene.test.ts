import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as graphene from 'graphene-pk11';
import * as pkcs11js from 'pkcs11js';
import { sm2 } from 'sm-crypto';
import { rawSignatureToDer, sm2Spki } from '../../src/core/pkcs11/key-encoding';
import { sm2E } from '../../src/core/pkcs11/sm2-digest';
import { ckr, freshGmToken, opensslVerifiesSm2, profileNumbers, type GmTokenWorld } from './gm-token-world';

// The GM test token driven through graphene-pk11, the library SealDesk's token layer sits on, with
// the vendor numbers registered from native/profiles/sansec.json as an integrator would for a
// real Sansec/iTrus USB-Key driver.

const SO_PIN = '10203040';
const USER_PIN = '504030';
const sansec = profileNumbers('sansec');
const VD = 0x80000000;

let world: GmTokenWorld;
let mod: graphene.Module;
let slot: graphene.Slot;

before(() => {
  world = freshGmToken({ profile: 'sansec' });
  mod = graphene.Module.load(world.module, 'SealDesk GM test token');
  mod.initialize();
  graphene.Mechanism.vendor('CKM_SM2_KEY_PAIR_GEN', sansec.mechanisms.sm2KeyGen);
  graphene.Mechanism.vendor('CKM_SM3_SM2_APPID1_DER', sansec.mechanisms.sm2Sign);
  graphene.Mechanism.vendor('CKM_SM2_SIGN', VD + 0x8104);
  graphene.Mechanism.vendor('CKM_SM3', sansec.mechanisms.sm3);
  const slots = mod.getSlots(true);
  slot = slots.items(slots.length - 1); // the free slot
  initToken(slot, SO_PIN, 'graphene keeper');
  const s = slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
  s.login(SO_PIN, graphene.UserType.SO);
  s.initPin(USER_PIN);
  s.logout();
  s.close();
});

after(() => {
  try {
    mod?.finalize();
    mod?.close();
  } finally {
    world?.cleanup();
  }
});

/**
 * graphene-pk11 2.3.6's Slot.initToken strips padding from C_InitToken's return value, which
 * pkcs11js 2.x no longer returns (TypeError for every module, SoftHSM2 included), so the one call
 * goes through graphene's own pkcs11js handle.
 */
function initToken(s: graphene.Slot, soPin: string, label: string): void {
  s.lib.C_InitToken(s.handle, soPin, label);
}

function userSession(): graphene.Session {
  const s = slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
  s.login(USER_PIN, graphene.UserType.USER);
  return s;
}

function sm2KeyPair(s: graphene.Session, id: Buffer): { keys: graphene.IKeyPair; point: Buffer } {
  const keys = s.generateKeyPair('CKM_SM2_KEY_PAIR_GEN',
    { keyType: sansec.keyTypes.SM2 as graphene.KeyType, token: true, id, label: 'graphene SM2', verify: true },
    { keyType: sansec.keyTypes.SM2 as graphene.KeyType, token: true, id, label: 'graphene SM2', sign: true, private: true });
  const der = keys.publicKey.getAttribute({ pointEC: null }).pointEC as Buffer;
  return { keys, point: der.subarray(2) };
}

describe('the GM test token through graphene-pk11', () => {
  test('graphene sees an initialized vendor token with its SM2 mechanisms by their vendor names', () => {
    const token = slot.getToken();
    assert.equal(token.label, 'graphene keeper');
    assert.equal(token.manufacturerID, 'SealDesk');
    assert.ok(token.flags & graphene.TokenFlag.TOKEN_INITIALIZED);
    assert.ok(token.flags & graphene.TokenFlag.USER_PIN_INITIALIZED);
    assert.match(token.serialNumber, /^[0-9a-f]{16}$/);
    const names: string[] = [];
    const mechs = slot.getMechanisms();
    for (let i = 0; i < mechs.length; i++) names.push(mechs.items(i).name);
    for (const n of ['CKM_SM2_KEY_PAIR_GEN', 'CKM_SM3_SM2_APPID1_DER', 'CKM_SM2_SIGN', 'CKM_SM3', 'ECDSA']) assert.ok(names.includes(n), `${n} listed`);
  });

  test('an SM2 key generated through graphene signs a TBS with CKM_SM3_SM2_APPID1_DER; OpenSSL and sm-crypto verify', () => {
    const s = userSession();
    try {
      const { keys, point } = sm2KeyPair(s, Buffer.from('g1'));
      const tbs = crypto.randomBytes(512);
      const sig = s.createSign('CKM_SM3_SM2_APPID1_DER', keys.privateKey).once(tbs);
      assert.ok(opensslVerifiesSm2(world.dir, sm2Spki(point), tbs, sig));
      assert.ok(sm2.doVerifySignature(Array.from(tbs), sig.toString('hex'), point.toString('hex'), { der: true, hash: true }));
      assert.ok(!sm2.doVerifySignature(Array.from(tbs.subarray(1)), sig.toString('hex'), point.toString('hex'), { der: true, hash: true }));
      // multi-part through graphene's update/final
      const signer = s.createSign('CKM_SM3_SM2_APPID1_DER', keys.privateKey);
      signer.update(tbs.subarray(0, 100));
      signer.update(tbs.subarray(100));
      assert.ok(opensslVerifiesSm2(world.dir, sm2Spki(point), tbs, signer.final()));
    } finally {
      s.logout();
      s.close();
    }
  });

  test('CKM_SM2_SIGN through graphene signs the host-computed e; the raw r‖s verifies', () => {
    const s = userSession();
    try {
      const { keys, point } = sm2KeyPair(s, Buffer.from('g2'));
      const message = Buffer.from('GB/T 38540 签章 over a PDF byte range');
      const raw = s.createSign('CKM_SM2_SIGN', keys.privateKey).once(sm2E(point, message));
      assert.equal(raw.length, 64);
      assert.ok(opensslVerifiesSm2(world.dir, sm2Spki(point), message, rawSignatureToDer(raw)));
    } finally {
      s.logout();
      s.close();
    }
  });

  test('graphene finds the key, its certificate-less pair and a seal data object by CKA_ID', () => {
    const s = userSession();
    try {
      const id = Buffer.from('5e a1'.replace(' ', ''), 'hex');
      sm2KeyPair(s, id);
      s.create({ class: graphene.ObjectClass.DATA, token: true, private: false, id, application: 'SealDesk SESeal', label: 'seal', value: Buffer.from('DER seal') });
      const found = s.find({ id });
      const classes = [];
      for (let i = 0; i < found.length; i++) classes.push(found.items(i).getAttribute({ class: null }).class);
      assert.deepEqual(classes.sort(), [graphene.ObjectClass.DATA, graphene.ObjectClass.PUBLIC_KEY, graphene.ObjectClass.PRIVATE_KEY].sort());
    } finally {
      s.logout();
      s.close();
    }
  });

  test('graphene digests with the vendor SM3 mechanism', () => {
    const s = slot.open(graphene.SessionFlag.SERIAL_SESSION);
    try {
      const data = crypto.randomBytes(5000);
      const d = s.createDigest('CKM_SM3').once(data);
      assert.deepEqual(d, crypto.createHash('sm3').update(data).digest());
    } finally {
      s.close();
    }
  });

  test('graphene reports the token locking itself: wrong PINs then CKR_PIN_LOCKED for the right one', () => {
    const slots = mod.getSlots(true);
    const free = slots.items(slots.length - 1);
    initToken(free, SO_PIN, 'graphene lock');
    const s = free.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
    try {
      s.login(SO_PIN, graphene.UserType.SO);
      s.initPin(USER_PIN);
      s.logout();
      const codes: (number | undefined)[] = [];
      for (let i = 0; i < 6; i++) {
        try {
          s.login(i < 5 ? '999999' : USER_PIN, graphene.UserType.USER);
          codes.push(0);
        } catch (e) {
          codes.push(ckr(e));
        }
      }
      const { CKR_PIN_INCORRECT: bad, CKR_PIN_LOCKED: locked } = pkcs11js;
      assert.deepEqual(codes, [bad, bad, bad, bad, bad, locked]);
      assert.ok(free.getToken().flags & graphene.TokenFlag.USER_PIN_LOCKED);
    } finally {
      s.close();
    }
  });
});

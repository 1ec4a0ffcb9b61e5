import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as pkcs11js from 'pkcs11js';
import { failsWith, freshGmToken, initGmToken, openPkcs11js, runInChild, type GmTokenWorld } from './gm-token-world';

// The GM test token's own PIN retry counter: it locks itself like a real USB-Key, so SealDesk's
// handling of a token that says CKR_PIN_LOCKED can be tested (SoftHSM2 never locks).

const SO_PIN = '87654321';
const USER_PIN = '135790';
const WRONG = '000000';
const { CKF_USER_PIN_COUNT_LOW: COUNT_LOW, CKF_USER_PIN_FINAL_TRY: FINAL_TRY, CKF_USER_PIN_LOCKED: LOCKED } = pkcs11js;

let world: GmTokenWorld;
let p11: pkcs11js.PKCS11;

before(() => {
  world = freshGmToken({ maxPinTries: 5 });
  p11 = openPkcs11js(world);
});

after(() => {
  try {
    p11?.C_Finalize();
  } finally {
    world?.cleanup();
  }
});

function newToken(label: string): { slot: Buffer; serial: string } {
  return initGmToken(p11, { label, soPin: SO_PIN, userPin: USER_PIN });
}

/** One login attempt in its own session, as a keeper entering a PIN; returns the CKR code. */
function login(slot: Buffer, pin: string, user = pkcs11js.CKU_USER): number {
  const s = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    p11.C_Login(s, user, pin);
    p11.C_Logout(s);
    return pkcs11js.CKR_OK;
  } catch (e) {
    return failsWith(() => { throw e; });
  } finally {
    p11.C_CloseSession(s);
  }
}

const pinFlags = (slot: Buffer): number => p11.C_GetTokenInfo(slot).flags & (COUNT_LOW | FINAL_TRY | LOCKED);

describe('PIN retry counter of the GM test token', () => {
  test('each wrong PIN shows in the token flags: count low after the first, final try at one left, locked after five', () => {
    const { slot } = newToken('flags');
    assert.equal(pinFlags(slot), 0);
    const seen: number[] = [];
    for (let i = 1; i <= 5; i++) {
      assert.equal(login(slot, WRONG), pkcs11js.CKR_PIN_INCORRECT, `attempt ${i} is an incorrect PIN`);
      seen.push(pinFlags(slot));
    }
    assert.deepEqual(seen, [COUNT_LOW, COUNT_LOW, COUNT_LOW, COUNT_LOW | FINAL_TRY, COUNT_LOW | LOCKED]);
  });

  test('five wrong PINs lock the key: the right PIN gets CKR_PIN_LOCKED until the SO resets it with C_InitPIN', () => {
    const { slot } = newToken('lock');
    for (let i = 0; i < 5; i++) login(slot, WRONG);
    assert.equal(login(slot, USER_PIN), pkcs11js.CKR_PIN_LOCKED);
    assert.equal(login(slot, WRONG), pkcs11js.CKR_PIN_LOCKED, 'a locked token does not even look at the PIN');
    assert.ok(pinFlags(slot) & LOCKED);
    // the SO unlocks by setting a new user PIN
    const s = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    p11.C_Login(s, pkcs11js.CKU_SO, SO_PIN);
    p11.C_InitPIN(s, '112233');
    p11.C_Logout(s);
    p11.C_CloseSession(s);
    assert.equal(pinFlags(slot), 0);
    assert.equal(login(slot, USER_PIN), pkcs11js.CKR_PIN_INCORRECT, 'the old PIN is gone');
    assert.equal(login(slot, '112233'), pkcs11js.CKR_OK);
  });

  test('a correct PIN resets the count, so failures must be consecutive to lock', () => {
    const { slot } = newToken('reset');
    for (let i = 0; i < 4; i++) login(slot, WRONG);
    assert.ok(pinFlags(slot) & FINAL_TRY);
    assert.equal(login(slot, USER_PIN), pkcs11js.CKR_OK);
    assert.equal(pinFlags(slot), 0);
    for (let i = 0; i < 4; i++) assert.equal(login(slot, WRONG), pkcs11js.CKR_PIN_INCORRECT);
    assert.equal(login(slot, USER_PIN), pkcs11js.CKR_OK, 'four more failures after a success do not lock');
  });

  test('changing the PIN with a wrong old PIN counts as a failed attempt', () => {
    const { slot } = newToken('setpin');
    const s = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    try {
      assert.equal(failsWith(() => p11.C_SetPIN(s, WRONG, '999999')), pkcs11js.CKR_PIN_INCORRECT);
      assert.equal(pinFlags(slot), COUNT_LOW);
      p11.C_SetPIN(s, USER_PIN, '999999');
    } finally {
      p11.C_CloseSession(s);
    }
    assert.equal(pinFlags(slot), 0);
    assert.equal(login(slot, '999999'), pkcs11js.CKR_OK);
  });

  test('the SO PIN has its own counter and does not touch the user count', () => {
    const { slot } = newToken('so');
    assert.equal(login(slot, WRONG, pkcs11js.CKU_SO), pkcs11js.CKR_PIN_INCORRECT);
    const f = p11.C_GetTokenInfo(slot).flags;
    assert.ok(f & pkcs11js.CKF_SO_PIN_COUNT_LOW);
    assert.equal(f & COUNT_LOW, 0);
    assert.equal(login(slot, SO_PIN, pkcs11js.CKU_SO), pkcs11js.CKR_OK);
    assert.equal(p11.C_GetTokenInfo(slot).flags & pkcs11js.CKF_SO_PIN_COUNT_LOW, 0);
  });

  test('the count survives a restart: failures in one process and the lock in the next', async () => {
    const { slot, serial } = newToken('restart');
    const first = await runInChild(world, { serial, steps: [{ op: 'login', pin: WRONG }, { op: 'login', pin: WRONG }, { op: 'flags' }] });
    assert.deepEqual(first.slice(0, 2), ['CKR_PIN_INCORRECT', 'CKR_PIN_INCORRECT']);
    assert.equal((first[2] as number) & (COUNT_LOW | FINAL_TRY), COUNT_LOW);
    // this process sees the other's failures: three more lock the token
    for (let i = 0; i < 3; i++) login(slot, WRONG);
    assert.ok(pinFlags(slot) & LOCKED);
    const next = await runInChild(world, { serial, steps: [{ op: 'login', pin: USER_PIN }, { op: 'flags' }] });
    assert.equal(next[0], 'CKR_PIN_LOCKED', 'a new process with the right PIN is refused');
    assert.ok((next[1] as number) & LOCKED);
  });

  test('two processes entering wrong PINs at the same time both count', async () => {
    const { slot, serial } = newToken('race');
    const two = [{ op: 'login', pin: WRONG }, { op: 'login', pin: WRONG }];
    const [a, b] = await Promise.all([runInChild(world, { serial, steps: two }), runInChild(world, { serial, steps: two })]);
    assert.deepEqual([...a, ...b], Array(4).fill('CKR_PIN_INCORRECT'));
    assert.equal(pinFlags(slot), COUNT_LOW | FINAL_TRY, 'four failures counted, one try left');
  });

  test('max_pin_tries from the token config sets where it locks', async () => {
    const three = freshGmToken({ maxPinTries: 3 }); // a second config; this process keeps its own
    try {
      const r = await runInChild(three, { steps: [
        { op: 'init', label: 'three', soPin: SO_PIN, userPin: USER_PIN },
        { op: 'login', pin: WRONG }, { op: 'flags' },
        { op: 'login', pin: WRONG }, { op: 'flags' },
        { op: 'login', pin: WRONG }, { op: 'flags' },
        { op: 'login', pin: USER_PIN },
        { op: 'initPin', soPin: SO_PIN, userPin: USER_PIN },
        { op: 'login', pin: USER_PIN }, { op: 'flags' },
      ] });
      const flags = [r[2], r[4], r[6], r[10]].map((f) => (f as number) & (COUNT_LOW | FINAL_TRY | LOCKED));
      assert.deepEqual(flags, [COUNT_LOW, COUNT_LOW | FINAL_TRY, COUNT_LOW | LOCKED, 0]);
      assert.deepEqual([r[1], r[3], r[5], r[7], r[8], r[9]],
        ['CKR_PIN_INCORRECT', 'CKR_PIN_INCORRECT', 'CKR_PIN_INCORRECT', 'CKR_PIN_LOCKED', 'CKR_OK', 'CKR_OK']);
    } finally {
      three.cleanup();
      process.env.SEALDESK_GMTOKEN_CONF = world.conf;
    }
  });
});

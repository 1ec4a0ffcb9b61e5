import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import * as pkcs11js from 'pkcs11js';
import {
  changeUserPin, closeModule, PinGuard, pinStatus, resetPinGuard, unlockUserPin, withUserLogin,
} from '../../src/core/pkcs11';
import { AuditLog } from '../../src/core/audit/audit-log';
import { homePaths } from '../../src/core/config/paths';
import { SealDeskError } from '../../src/core/errors';
import { freshSoftHsm, type SoftHsmWorld } from '../support/softhsm';
import { createTestToken, type TestToken } from '../support/tokens';

// PINs made of letters so that finding them in the audit log cannot be a coincidence of hex digits.
const RIGHT = 'Keeper-Right-PIN';
const WRONG = 'Wrong-Guess-PIN';
const SO = 'Security-Officer-PIN';

function isCode(c: string) {
  return (e: unknown) => e instanceof SealDeskError && e.code === c;
}

/** Counts C_Login calls that reach the module (the pkcs11js binding every SealDesk call goes through). */
function countLogins(t: TestToken): { count: () => number; restore: () => void } {
  const lib = t.mod.lib;
  const original = lib.C_Login;
  let n = 0;
  lib.C_Login = function (...args: Parameters<typeof original>) { n++; return original.apply(this, args); };
  return { count: () => n, restore: () => { lib.C_Login = original; } };
}

async function attempt(t: TestToken, pin: string, home: string): Promise<SealDeskError | 'ok'> {
  try {
    await withUserLogin(t.mod, t.token, Buffer.from(pin), () => undefined, { home });
    return 'ok';
  } catch (e) {
    if (e instanceof SealDeskError) return e;
    throw e;
  }
}

/** A second SealDesk process on the same world; the PINs go through stdin, never argv. */
function child(world: SoftHsmWorld, command: object): Promise<{ results?: { ok: boolean; code?: string; triesLeft?: number }[]; loginCalls?: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'pin-child.ts')], {
      env: { ...process.env, SOFTHSM2_CONF: world.conf, SEALDESK_HOME: world.home },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}: ${err}`))));
    p.stdin.end(JSON.stringify({ module: world.module, ...command }));
  });
}

describe('the PIN guard on a real SoftHSM2 token (SoftHSM itself never locks a PIN)', () => {
  let world: SoftHsmWorld;
  let n = 0;
  const fresh = async (): Promise<TestToken> => createTestToken({ world, label: `GUARD-${++n}`, userPin: RIGHT, soPin: SO });

  before(() => { world = freshSoftHsm(); });
  after(() => {
    for (const t of opened) closeModule(t.mod);
    world.cleanup();
  });
  const opened: TestToken[] = [];

  test('five wrong PINs lock the key; the sixth attempt, even with the right PIN, is refused without a C_Login', async () => {
    const t = await fresh();
    opened.push(t);
    const spy = countLogins(t);
    try {
      const seen: unknown[] = [];
      for (let i = 1; i <= 4; i++) {
        const e = await attempt(t, WRONG, world.home);
        assert.ok(e instanceof SealDeskError && e.code === 'PIN_INCORRECT', `attempt ${i}: ${String(e)}`);
        seen.push(e.details.triesLeft);
      }
      assert.deepEqual(seen, [4, 3, 2, 1], 'tries left are reported');
      const fifth = await attempt(t, WRONG, world.home);
      assert.ok(fifth instanceof SealDeskError);
      assert.equal(fifth.code, 'PIN_LOCKED');
      assert.match(fifth.zh, /^密码错误,签章失败/);
      assert.match(fifth.zh, /锁定/);
      assert.match(fifth.en, /locked/);
      assert.equal(spy.count(), 5, 'five PINs reached the token');

      const sixth = await attempt(t, RIGHT, world.home);
      assert.ok(sixth instanceof SealDeskError && sixth.code === 'PIN_LOCKED', 'the right PIN is refused too');
      assert.equal(spy.count(), 5, 'no C_Login for the sixth attempt');
      assert.equal(pinStatus(t.mod, t.token, { home: world.home }).triesLeft, 0);
    } finally {
      spy.restore();
    }
    // The refusal is SealDesk's own: the token has not locked and still takes the right PIN directly.
    const info = t.mod.lib.C_GetTokenInfo(Buffer.from(t.token.slotId, 'hex'));
    assert.equal(info.flags & 0x40000, 0, 'SoftHSM does not report CKF_USER_PIN_LOCKED');
    const s = t.mod.lib.C_OpenSession(Buffer.from(t.token.slotId, 'hex'), pkcs11js.CKF_SERIAL_SESSION);
    t.mod.lib.C_Login(s, pkcs11js.CKU_USER, RIGHT);
    t.mod.lib.C_Logout(s);
    t.mod.lib.C_CloseSession(s);

    const log = new AuditLog(homePaths(world.home).auditLog);
    const mine = log.entries().filter((e) => e.tokenSerial === t.token.serial);
    assert.equal(mine.filter((e) => e.action === 'token.login' && e.outcome === 'failed' && e.code === 'PIN_INCORRECT').length, 5);
    assert.equal(mine.filter((e) => e.action === 'token.lock').length, 1);
    assert.equal(mine.filter((e) => e.action === 'token.login' && e.outcome === 'refused' && e.code === 'PIN_LOCKED').length, 1);
    const raw = fs.readFileSync(homePaths(world.home).auditLog, 'utf8');
    assert.ok(!raw.includes(WRONG) && !raw.includes(RIGHT), 'no PIN in the audit log');
    assert.equal(log.verify().ok, true);
  });

  test('the lock survives a new process: another SealDesk process refuses the right PIN without calling C_Login', async () => {
    const t = opened[0];
    const r = await child(world, { mode: 'logins', label: t.label, pins: [RIGHT] });
    assert.deepEqual(r.results, [{ ok: false, code: 'PIN_LOCKED', triesLeft: 0 }]);
    assert.equal(r.loginCalls, 0);
  });

  test('the SO resets the user PIN and clears the lock; the new PIN logs in and the old one is gone', async () => {
    const t = opened[0];
    const soPin = Buffer.from(SO);
    const newPin = Buffer.from('Keeper-New-PIN');
    await unlockUserPin(t.mod, t.token, soPin, newPin, { home: world.home });
    assert.ok(soPin.every((b) => b === 0) && newPin.every((b) => b === 0), 'both PIN buffers are zeroed');
    assert.equal(pinStatus(t.mod, t.token, { home: world.home }).triesLeft, 5);
    assert.equal(await attempt(t, 'Keeper-New-PIN', world.home), 'ok');
    const old = await attempt(t, RIGHT, world.home);
    assert.ok(old instanceof SealDeskError && old.code === 'PIN_INCORRECT' && old.details.triesLeft === 4);
    const log = new AuditLog(homePaths(world.home).auditLog);
    assert.ok(log.entries().some((e) => e.action === 'token.unlock' && e.outcome === 'ok' && e.tokenSerial === t.token.serial));
  });

  test('a wrong SO PIN does not unlock', async () => {
    const t = opened[0];
    await assert.rejects(unlockUserPin(t.mod, t.token, Buffer.from('not-the-SO-PIN'), Buffer.from('whatever-PIN'), { home: world.home }), isCode('SO_PIN_INCORRECT'));
    const log = new AuditLog(homePaths(world.home).auditLog);
    assert.ok(log.entries().some((e) => e.action === 'token.unlock' && e.outcome === 'failed' && e.code === 'SO_PIN_INCORRECT'));
  });

  test('a correct PIN resets the count of wrong ones', async () => {
    const t = await fresh();
    opened.push(t);
    for (let i = 0; i < 4; i++) await attempt(t, WRONG, world.home);
    assert.equal(pinStatus(t.mod, t.token, { home: world.home }).triesLeft, 1);
    assert.equal(await attempt(t, RIGHT, world.home), 'ok');
    assert.equal(pinStatus(t.mod, t.token, { home: world.home }).triesLeft, 5);
    for (let i = 0; i < 4; i++) {
      const e = await attempt(t, WRONG, world.home);
      assert.ok(e instanceof SealDeskError && e.code === 'PIN_INCORRECT', 'four more wrong PINs do not lock after the reset');
    }
    assert.equal(await attempt(t, RIGHT, world.home), 'ok');
  });

  test('two processes entering wrong PINs at the same moment lose no count', async () => {
    const t = await fresh();
    opened.push(t);
    const startAt = Date.now() + 1500;
    const [a, b] = await Promise.all([
      child(world, { mode: 'logins', label: t.label, pins: [WRONG, WRONG], startAt }),
      child(world, { mode: 'logins', label: t.label, pins: [WRONG, WRONG], startAt }),
    ]);
    const codes = [...(a.results ?? []), ...(b.results ?? [])].map((r) => r.code);
    assert.deepEqual(codes, ['PIN_INCORRECT', 'PIN_INCORRECT', 'PIN_INCORRECT', 'PIN_INCORRECT']);
    const status = pinStatus(t.mod, t.token, { home: world.home });
    assert.equal(status.guard.failures, 4, 'all four failures were counted');
    assert.equal(status.triesLeft, 1);
    const last = await attempt(t, WRONG, world.home);
    assert.ok(last instanceof SealDeskError && last.code === 'PIN_LOCKED', 'the fifth failure from this process locks');
  });

  test('many concurrent guard updates from two processes all land (the file lock serializes them)', async () => {
    const serial = 'concurrency-check';
    const startAt = Date.now() + 1500;
    await Promise.all([
      child(world, { mode: 'guard-failures', serial, count: 40, startAt }),
      child(world, { mode: 'guard-failures', serial, count: 40, startAt }),
    ]);
    assert.equal(new PinGuard(homePaths(world.home).pinGuardDir).status(serial).failures, 80);
  });

  test('a damaged PIN counter file means locked, not open; the SO unlock repairs it', async () => {
    const t = await fresh();
    opened.push(t);
    const guard = new PinGuard(homePaths(world.home).pinGuardDir);
    fs.mkdirSync(guard.dir, { recursive: true });
    fs.writeFileSync(guard.fileFor(t.token.serial), '{"version":1,"serial":"' + t.token.serial + '","fail');
    const spy = countLogins(t);
    try {
      const e = await attempt(t, RIGHT, world.home);
      assert.ok(e instanceof SealDeskError && e.code === 'PIN_LOCKED');
      assert.equal(e.details.reason, 'state-damaged');
      assert.equal(spy.count(), 0, 'the token was not asked');
      // Valid JSON with a wrong shape is damaged too.
      fs.writeFileSync(guard.fileFor(t.token.serial), JSON.stringify({ version: 1, serial: t.token.serial, failures: -3 }));
      assert.equal(pinStatus(t.mod, t.token, { home: world.home }).lockedBy, 'state-damaged');
    } finally {
      spy.restore();
    }
    await unlockUserPin(t.mod, t.token, Buffer.from(SO), Buffer.from(RIGHT), { home: world.home });
    assert.equal(await attempt(t, RIGHT, world.home), 'ok');
  });

  test('change-pin: the old PIN stops working, the new one works, and a wrong old PIN counts as a failure', async () => {
    const t = await fresh();
    opened.push(t);
    await assert.rejects(changeUserPin(t.mod, t.token, Buffer.from(WRONG), Buffer.from('Next-Keeper-PIN'), { home: world.home }), (e: unknown) =>
      e instanceof SealDeskError && e.code === 'PIN_INCORRECT' && e.details.triesLeft === 4);
    // A new PIN the token rejects (too short) is not a wrong PIN: no count.
    await assert.rejects(changeUserPin(t.mod, t.token, Buffer.from(RIGHT), Buffer.from('12'), { home: world.home }), isCode('PIN_LEN_RANGE'));
    assert.equal(pinStatus(t.mod, t.token, { home: world.home }).guard.failures, 1);
    const oldPin = Buffer.from(RIGHT);
    const newPin = Buffer.from('Next-Keeper-PIN');
    await changeUserPin(t.mod, t.token, oldPin, newPin, { home: world.home });
    assert.ok(oldPin.every((b) => b === 0) && newPin.every((b) => b === 0));
    assert.equal(pinStatus(t.mod, t.token, { home: world.home }).guard.failures, 0, 'a correct old PIN resets the count');
    assert.equal(await attempt(t, 'Next-Keeper-PIN', world.home), 'ok');
    const stale = await attempt(t, RIGHT, world.home);
    assert.ok(stale instanceof SealDeskError && stale.code === 'PIN_INCORRECT');
    const log = new AuditLog(homePaths(world.home).auditLog);
    assert.ok(log.entries().some((e) => e.action === 'token.change-pin' && e.outcome === 'ok' && e.tokenSerial === t.token.serial));
    assert.ok(log.entries().some((e) => e.action === 'token.change-pin' && e.outcome === 'failed' && e.code === 'PIN_INCORRECT'));
  });

  test('an administrator command lifts SealDesk\'s own lock without the SO PIN, and says so in the audit log', async () => {
    const t = await fresh();
    opened.push(t);
    for (let i = 0; i < 5; i++) await attempt(t, WRONG, world.home);
    assert.equal(pinStatus(t.mod, t.token, { home: world.home }).locked, true);
    resetPinGuard(t.token.serial, { home: world.home, tokenLabel: t.label });
    assert.equal(await attempt(t, RIGHT, world.home), 'ok', 'the same (unchanged) PIN works again');
    const log = new AuditLog(homePaths(world.home).auditLog);
    assert.ok(log.entries().some((e) => e.action === 'token.unlock' && e.tokenSerial === t.token.serial && /administrator/.test(e.detail ?? '')));
  });

  test('a PIN counter that cannot be stored refuses the PIN (fails closed) without asking the token', async () => {
    const t = opened[opened.length - 1];
    const brokenHome = path.join(world.dir, 'broken-home');
    fs.mkdirSync(brokenHome, { recursive: true });
    fs.writeFileSync(homePaths(brokenHome).pinGuardDir, 'a file where the guard directory should be');
    const spy = countLogins(t);
    try {
      const e = await attempt(t, RIGHT, brokenHome);
      assert.ok(e instanceof SealDeskError && e.code === 'PIN_GUARD_UNAVAILABLE', String(e));
      assert.equal(spy.count(), 0);
    } finally {
      spy.restore();
    }
  });

  test('a PIN that is not a Buffer is a clear error, not a crash', async () => {
    const t = opened[opened.length - 1];
    await assert.rejects(withUserLogin(t.mod, t.token, RIGHT as unknown as Buffer, () => 'never', { home: world.home }), isCode('PIN_EMPTY'));
  });

  test('an empty PIN is refused before the token and not counted', async () => {
    const t = opened[opened.length - 1];
    const before = pinStatus(t.mod, t.token, { home: world.home }).guard.failures;
    const e = await attempt(t, '', world.home);
    assert.ok(e instanceof SealDeskError && e.code === 'PIN_EMPTY');
    assert.equal(pinStatus(t.mod, t.token, { home: world.home }).guard.failures, before);
  });
});


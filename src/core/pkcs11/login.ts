import * as pkcs11js from 'pkcs11js';
import { SealDeskError } from '../errors';
import { AuditLog, type AuditAction } from '../audit/audit-log';
import { homePaths, sealdeskHome } from '../config/paths';
import type { Pkcs11Module } from './module';
import { ckrName, mapPkcs11Error, p11 } from './pkcs11-errors';
import { MAX_PIN_FAILURES, PinGuard, pinLockedError, type PinGuardStatus } from './pin-guard';
import { currentTokenInfo, withSession, type TokenSession } from './session';
import { checkPinBuffer, pinString, wipe } from './pin-buffer';
import { locateSlot, readTokenInfo, type TokenInfo } from './tokens';

/**
 * Logging in to a token with a PIN, through the PIN guard, with every failure, lock and unlock
 * in the audit log. PINs arrive as Buffers so the caller's copy can be zeroed; pkcs11js only
 * accepts a JS string for C_Login, so a short-lived string exists for the duration of the call
 * (it is never stored, logged or put in an error).
 */
export interface LoginOptions {
  /** SealDesk data dir (PIN guard state and audit log); defaults to sealdeskHome(). */
  home?: string;
  /** Open the session read/write (needed to write seal objects). */
  readWrite?: boolean;
}

interface LoginContext { guard: PinGuard; audit: AuditLog }

function context(home?: string): LoginContext {
  const paths = homePaths(home ?? sealdeskHome());
  return { guard: new PinGuard(paths.pinGuardDir), audit: new AuditLog(paths.auditLog) };
}

/**
 * One PIN check against the token (C_Login or C_SetPIN), guarded: refused before the token is
 * touched when SealDesk's guard or the token's own flags say locked; counted; audited.
 */
function guardedPinAttempt(s: TokenSession, ctx: LoginContext, action: AuditAction, attempt: () => void): void {
  const serial = s.token.serial;
  const base = { action, tokenSerial: serial, tokenLabel: s.token.label };
  const before = currentTokenInfo(s);
  if (before.flags.userPinLocked) {
    ctx.audit.record({ ...base, outcome: 'refused', code: 'PIN_LOCKED', detail: 'the token reports CKF_USER_PIN_LOCKED' });
    throw pinLockedError(serial, 'token');
  }
  try {
    ctx.guard.reserveAttempt(serial);
  } catch (e) {
    // A guard that cannot be read or written (permissions, lock timeout) fails closed too.
    const err = e instanceof SealDeskError ? e : new SealDeskError('PIN_GUARD_UNAVAILABLE',
      '无法读写密码错误计数,为安全起见暂不接受密码', 'The PIN failure counter cannot be read or written, so no PIN is accepted for now',
      { cause: e, details: { tokenSerial: serial, reason: 'guard-unavailable' } });
    ctx.audit.record({ ...base, outcome: 'refused', code: err.code, detail: `refused before the token was asked (${String(err.details.reason ?? 'guard')})` });
    throw err;
  }
  try {
    attempt();
  } catch (e) {
    const name = ckrName(e);
    if (name === 'CKR_PIN_INCORRECT') {
      const after = ctx.guard.status(serial);
      let tok: TokenInfo | undefined;
      try { tok = currentTokenInfo(s); } catch { /* token gone after the failure; the guard still counts */ }
      if (tok?.flags.userPinLocked || after.locked) {
        const reason = tok?.flags.userPinLocked ? 'token' : 'guard';
        ctx.audit.record({ ...base, outcome: 'failed', code: 'PIN_INCORRECT', detail: `wrong PIN; failures=${after.failures}` });
        ctx.audit.record({ ...base, action: 'token.lock', outcome: 'ok', code: 'PIN_LOCKED', detail: `locked by ${reason}` });
        throw pinLockedError(serial, reason);
      }
      let triesLeft = after.triesLeft;
      if (tok?.flags.userPinFinalTry) triesLeft = Math.min(triesLeft, 1);
      ctx.audit.record({ ...base, outcome: 'failed', code: 'PIN_INCORRECT', detail: `wrong PIN; tries left ${triesLeft}` });
      throw new SealDeskError('PIN_INCORRECT',
        `密码错误,还可尝试 ${triesLeft} 次(连续 ${MAX_PIN_FAILURES} 次错误将锁定印章卡)`,
        `Wrong PIN; ${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left (${MAX_PIN_FAILURES} wrong PINs in a row lock the USB-Key)`,
        { cause: e, details: { tokenSerial: serial, triesLeft, tokenCountLow: !!tok?.flags.userPinCountLow } });
    }
    // Anything else: the token did not judge this PIN as wrong, so the attempt does not count.
    ctx.guard.cancelAttempt(serial);
    if (name === 'CKR_PIN_LOCKED') {
      ctx.audit.record({ ...base, outcome: 'refused', code: 'PIN_LOCKED', detail: 'the token answered CKR_PIN_LOCKED' });
      ctx.audit.record({ ...base, action: 'token.lock', outcome: 'ok', code: 'PIN_LOCKED', detail: 'locked by token' });
      throw pinLockedError(serial, 'token');
    }
    const err = mapPkcs11Error(e, action === 'token.login' ? 'logging in' : 'changing the PIN', { tokenSerial: serial });
    ctx.audit.record({ ...base, outcome: 'failed', code: err.code, detail: name });
    throw err;
  }
  ctx.guard.recordSuccess(serial);
}

const loginQueues = new Map<string, Promise<unknown>>();

/**
 * PKCS#11 login state is per application and token, not per session: two overlapping logins in
 * one process would collide (CKR_USER_ALREADY_LOGGED_IN, or one's logout ending the other's).
 * So user logins to one token run one after another within a process.
 */
function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = loginQueues.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.then(() => undefined, () => undefined);
  loginQueues.set(key, tail);
  void tail.then(() => { if (loginQueues.get(key) === tail) loginQueues.delete(key); });
  return run;
}

/**
 * Opens a session, logs in as the user through the PIN guard, runs fn, and always logs out and
 * closes the session. The caller's PIN buffer is zeroed as soon as the login is done; a private
 * copy is kept (and zeroed at the end) only for context-specific logins of CKA_ALWAYS_AUTHENTICATE keys.
 */
export function withUserLogin<T>(mod: Pkcs11Module, token: TokenInfo, pin: Buffer, fn: (s: TokenSession) => T | Promise<T>, opts: LoginOptions = {}): Promise<T> {
  return oneAtATime(`${mod.path}\n${token.serial}`, async () => {
    let keep: Buffer | undefined;
    try {
      checkPinBuffer(pin, 'user');
      const ctx = context(opts.home);
      return await withSession(mod, token, { readWrite: opts.readWrite }, async (s) => {
        try {
          guardedPinAttempt(s, ctx, 'token.login', () => s.lib.C_Login(s.handle, pkcs11js.CKU_USER, pinString(pin)));
          s.loggedIn = true;
          keep = Buffer.from(pin);
        } finally {
          wipe(pin);
        }
        const ctxPin = keep;
        s.contextLogin = () => p11('confirming the PIN for this signature', () => s.lib.C_Login(s.handle, pkcs11js.CKU_CONTEXT_SPECIFIC, pinString(ctxPin)), { tokenSerial: s.token.serial });
        try {
          return await fn(s);
        } finally {
          s.contextLogin = undefined;
        }
      });
    } finally {
      wipe(pin);
      wipe(keep);
    }
  });
}

/**
 * The SO resets the user PIN (SO login, C_InitPIN): the way out of a lock, in SealDesk's guard
 * and on the token. Both PIN buffers are zeroed.
 */
export async function unlockUserPin(mod: Pkcs11Module, token: TokenInfo, soPin: Buffer, newUserPin: Buffer, opts: { home?: string } = {}): Promise<void> {
  const ctx = context(opts.home);
  const base = { action: 'token.unlock' as const, tokenSerial: token.serial, tokenLabel: token.label };
  try {
    checkPinBuffer(soPin, 'so');
    checkPinBuffer(newUserPin, 'new');
    await oneAtATime(`${mod.path}\n${token.serial}`, () => withSession(mod, token, { readWrite: true }, (s) => {
      try {
        s.lib.C_Login(s.handle, pkcs11js.CKU_SO, pinString(soPin));
      } catch (e) {
        const name = ckrName(e);
        if (name === 'CKR_PIN_INCORRECT') throw new SealDeskError('SO_PIN_INCORRECT', 'SO 密码错误,未能解锁', 'Wrong SO PIN; the USB-Key was not unlocked', { cause: e, details: { tokenSerial: token.serial } });
        if (name === 'CKR_PIN_LOCKED') throw new SealDeskError('SO_PIN_LOCKED', 'SO 密码已被锁定,无法解锁该印章卡', 'The SO PIN is locked; this USB-Key cannot be unlocked', { cause: e, details: { tokenSerial: token.serial } });
        throw mapPkcs11Error(e, 'logging in as SO', { tokenSerial: token.serial });
      }
      s.loggedIn = true;
      p11('setting the new user PIN', () => s.lib.C_InitPIN(s.handle, pinString(newUserPin)), { tokenSerial: token.serial });
    }));
    ctx.guard.clear(token.serial);
    ctx.audit.record({ ...base, outcome: 'ok', detail: 'user PIN reset by the SO; PIN guard cleared' });
  } catch (e) {
    const err = mapPkcs11Error(e, 'unlocking');
    ctx.audit.record({ ...base, outcome: 'failed', code: err.code });
    throw err;
  } finally {
    wipe(soPin);
    wipe(newUserPin);
  }
}

/** C_SetPIN with the old PIN, which counts in the PIN guard like a login. Both buffers are zeroed. */
export async function changeUserPin(mod: Pkcs11Module, token: TokenInfo, oldPin: Buffer, newPin: Buffer, opts: { home?: string } = {}): Promise<void> {
  const ctx = context(opts.home);
  try {
    checkPinBuffer(oldPin, 'old');
    checkPinBuffer(newPin, 'new');
    await oneAtATime(`${mod.path}\n${token.serial}`, () => withSession(mod, token, { readWrite: true }, (s) => {
      guardedPinAttempt(s, ctx, 'token.change-pin', () => s.lib.C_SetPIN(s.handle, pinString(oldPin), pinString(newPin)));
    }));
    ctx.audit.record({ action: 'token.change-pin', outcome: 'ok', tokenSerial: token.serial, tokenLabel: token.label });
  } finally {
    wipe(oldPin);
    wipe(newPin);
  }
}

/**
 * The administrator's way out when no SO PIN is at hand for SealDesk's own lock: clears the guard
 * for this serial (the token's own lock, if any, still needs the SO). Audited as an unlock.
 */
export function resetPinGuard(tokenSerial: string, opts: { home?: string; tokenLabel?: string } = {}): void {
  const ctx = context(opts.home);
  ctx.guard.clear(tokenSerial);
  ctx.audit.record({ action: 'token.unlock', outcome: 'ok', tokenSerial, tokenLabel: opts.tokenLabel, detail: 'PIN guard cleared by an administrator command' });
}

export interface PinStatus {
  /** Tries left before SealDesk (or the token) locks; 0 when locked. */
  triesLeft: number;
  locked: boolean;
  lockedBy?: 'guard' | 'token' | 'state-damaged';
  guard: PinGuardStatus;
  tokenCountLow: boolean;
  tokenFinalTry: boolean;
}

/** For the PIN dialog: how many tries are left, without touching the PIN. */
export function pinStatus(mod: Pkcs11Module, token: TokenInfo, opts: { home?: string } = {}): PinStatus {
  const guard = context(opts.home).guard.status(token.serial);
  const info = p11('reading token info', () => readTokenInfo(mod.lib, locateSlot(mod, token)));
  const f = info.flags;
  const locked = guard.locked || f.userPinLocked;
  let triesLeft = locked ? 0 : guard.triesLeft;
  if (!locked && f.userPinFinalTry) triesLeft = Math.min(triesLeft, 1);
  const lockedBy = !locked ? undefined : f.userPinLocked ? 'token' : guard.damaged ? 'state-damaged' : 'guard';
  return { triesLeft, locked, lockedBy, guard, tokenCountLow: f.userPinCountLow, tokenFinalTry: f.userPinFinalTry };
}

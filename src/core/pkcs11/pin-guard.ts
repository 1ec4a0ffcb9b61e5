import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { SealDeskError } from '../errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { withFileLock } from '../fs/file-lock';

/**
 * SealDesk's own PIN lockout (domain.md flow 3d): five consecutive wrong PINs for a token lock it
 * in SealDesk, whatever the token itself does (SoftHSM2 never locks). The count lives in one small
 * JSON file per token serial in the data dir, so it survives restarts and is shared by every
 * SealDesk process; each change is a read-modify-write under withFileLock, so two processes failing
 * at once both count.
 *
 * An attempt is *reserved* (counted as a failure) before the PIN reaches the token and only taken
 * back when the token answers without judging the PIN or accepts it. So a process that dies in the
 * middle of C_Login leaves a failure behind, and processes racing on the last try cannot both get
 * a sixth attempt: the guard fails closed. A state file that cannot be read as ours also means
 * locked, never open; only the SO unlock (or clear()) writes a fresh one.
 */
export const MAX_PIN_FAILURES = 5;

export interface PinGuardStatus {
  serial: string;
  failures: number;
  locked: boolean;
  triesLeft: number;
  /** The state file exists but is not readable as a guard state (fails closed). */
  damaged: boolean;
}

interface GuardState { version: 1; serial: string; failures: number; updated: string }

export function pinLockedError(serial: string, reason: 'guard' | 'token' | 'state-damaged'): SealDeskError {
  const why = {
    guard: ['连续 5 次密码错误', 'five consecutive wrong PINs'],
    token: ['印章卡自身已锁定用户密码', 'the USB-Key itself locked the user PIN'],
    'state-damaged': ['密码计数文件已损坏,为安全起见按锁定处理', 'the PIN counter file is damaged, so the key is treated as locked'],
  }[reason];
  return new SealDeskError('PIN_LOCKED',
    `密码错误,签章失败:该印章卡已锁定(${why[0]}),请联系管理员用 SO PIN 解锁`,
    `Wrong PIN, stamping failed: this USB-Key is locked (${why[1]}); ask the administrator to unlock it with the SO PIN`,
    { details: { tokenSerial: serial, triesLeft: 0, reason } });
}

export class PinGuard {
  constructor(readonly dir: string, readonly maxFailures: number = MAX_PIN_FAILURES) {}

  /** One file per serial; serials are vendor strings, so anything unusual is hashed. */
  fileFor(serial: string): string {
    const safe = /^[A-Za-z0-9._-]{1,64}$/.test(serial) && !serial.startsWith('.')
      ? serial
      : `h-${crypto.createHash('sha256').update(serial, 'utf8').digest('hex').slice(0, 32)}`;
    return path.join(this.dir, `${safe}.json`);
  }

  private read(serial: string): { failures: number; damaged: boolean } {
    const file = this.fileFor(serial);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { failures: 0, damaged: false };
      return { failures: this.maxFailures, damaged: true };
    }
    try {
      const s = JSON.parse(text) as Partial<GuardState>;
      if (s && s.version === 1 && s.serial === serial && Number.isSafeInteger(s.failures) && (s.failures as number) >= 0) {
        return { failures: s.failures as number, damaged: false };
      }
    } catch { /* falls through to damaged */ }
    return { failures: this.maxFailures, damaged: true };
  }

  private write(serial: string, failures: number): void {
    const state: GuardState = { version: 1, serial, failures, updated: new Date().toISOString() };
    writeFileAtomic(this.fileFor(serial), Buffer.from(JSON.stringify(state) + '\n'), 0o600);
  }

  private locked<T>(serial: string, fn: () => T): T {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    return withFileLock(this.fileFor(serial), fn);
  }

  private toStatus(serial: string, failures: number, damaged: boolean): PinGuardStatus {
    const locked = damaged || failures >= this.maxFailures;
    return { serial, failures, locked, damaged, triesLeft: locked ? 0 : this.maxFailures - failures };
  }

  status(serial: string): PinGuardStatus {
    const r = this.read(serial);
    return this.toStatus(serial, r.failures, r.damaged);
  }

  /**
   * Before a PIN goes to the token: refuses (PIN_LOCKED) when locked, else counts the attempt as
   * a failure until recordSuccess/cancelAttempt takes it back. Returns the status after counting.
   */
  reserveAttempt(serial: string): PinGuardStatus {
    return this.locked(serial, () => {
      const r = this.read(serial);
      const before = this.toStatus(serial, r.failures, r.damaged);
      if (before.locked) throw pinLockedError(serial, r.damaged ? 'state-damaged' : 'guard');
      this.write(serial, r.failures + 1);
      return this.toStatus(serial, r.failures + 1, false);
    });
  }

  /** The token accepted the PIN: the count starts again from zero. */
  recordSuccess(serial: string): void {
    this.locked(serial, () => {
      const r = this.read(serial);
      if (r.damaged || r.failures !== 0) this.write(serial, 0);
    });
  }

  /** The token did not judge the PIN (removed, PIN length, busy): take the reservation back. */
  cancelAttempt(serial: string): void {
    this.locked(serial, () => {
      const r = this.read(serial);
      if (!r.damaged && r.failures > 0) this.write(serial, r.failures - 1);
    });
  }

  /** Counts one failure without a reservation (kept for callers outside the login path). */
  recordFailure(serial: string): PinGuardStatus {
    return this.locked(serial, () => {
      const r = this.read(serial);
      if (r.damaged) return this.toStatus(serial, r.failures, true);
      this.write(serial, r.failures + 1);
      return this.toStatus(serial, r.failures + 1, false);
    });
  }

  /** After the SO reset the user PIN (or an administrator command): unlocked, count zero. */
  clear(serial: string): void {
    this.locked(serial, () => this.write(serial, 0));
  }
}

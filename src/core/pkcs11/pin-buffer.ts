import { SealDeskError } from '../errors';

/**
 * PINs travel as Buffers so that every copy SealDesk holds can be zeroed after use. pkcs11js
 * only takes strings, so pinString is the one place a PIN becomes a (short-lived, never stored)
 * JS string.
 */
const NAMES = { user: ['密码', 'PIN'], so: ['SO 密码', 'SO PIN'], old: ['原密码', 'current PIN'], new: ['新密码', 'new PIN'] } as const;

/** A PIN must be a non-empty Buffer; anything else is refused before any token is asked. */
export function checkPinBuffer(pin: Buffer, which: keyof typeof NAMES): void {
  if (!Buffer.isBuffer(pin) || pin.length === 0) {
    const [zh, en] = NAMES[which];
    throw new SealDeskError('PIN_EMPTY', `请输入${zh}`, `Enter the ${en}`);
  }
}

/** Zeroes a PIN buffer; tolerates callers that passed something else (already refused by checkPinBuffer). */
export function wipe(pin: unknown): void {
  if (Buffer.isBuffer(pin)) pin.fill(0);
}

/** pkcs11js takes PINs as strings; this is the only place a PIN becomes one. */
export function pinString(pin: Buffer): string {
  return pin.toString('utf8');
}

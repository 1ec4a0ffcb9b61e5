import * as pkcs11js from 'pkcs11js';
import { SealDeskError } from '../errors';
import type { Pkcs11Module } from './module';
import { ckrName, mapPkcs11Error } from './pkcs11-errors';

/** The CKF_* token flags, decoded. `raw` keeps the number for anything not named here. */
export interface TokenFlags {
  raw: number;
  rng: boolean;
  writeProtected: boolean;
  loginRequired: boolean;
  userPinInitialized: boolean;
  protectedAuthenticationPath: boolean;
  tokenInitialized: boolean;
  userPinCountLow: boolean;
  userPinFinalTry: boolean;
  userPinLocked: boolean;
  userPinToBeChanged: boolean;
  soPinCountLow: boolean;
  soPinFinalTry: boolean;
  soPinLocked: boolean;
  soPinToBeChanged: boolean;
  errorState: boolean;
}

/** A token as SealDesk shows it. Plain data (no handles), so it can cross IPC and JSON. */
export interface TokenInfo {
  /** The slot handle in hex; slot ids can change when a module re-initializes, the serial does not. */
  slotId: string;
  label: string;
  serial: string;
  manufacturer: string;
  model: string;
  flags: TokenFlags;
  present: boolean;
  minPinLen: number;
  maxPinLen: number;
}

const F = {
  rng: 0x1, writeProtected: 0x2, loginRequired: 0x4, userPinInitialized: 0x8,
  protectedAuthenticationPath: 0x100, tokenInitialized: 0x400,
  userPinCountLow: 0x10000, userPinFinalTry: 0x20000, userPinLocked: 0x40000, userPinToBeChanged: 0x80000,
  soPinCountLow: 0x100000, soPinFinalTry: 0x200000, soPinLocked: 0x400000, soPinToBeChanged: 0x800000,
  errorState: 0x1000000,
} as const;

export function decodeTokenFlags(raw: number): TokenFlags {
  const out = { raw } as TokenFlags;
  for (const [name, bit] of Object.entries(F)) (out as unknown as Record<string, boolean>)[name] = (raw & bit) !== 0;
  return out;
}

/** PKCS#11 strings are blank-padded; pkcs11js also leaves NUL padding from some modules. */
export function unpad(s: string): string {
  const nul = s.indexOf('\0');
  return (nul >= 0 ? s.slice(0, nul) : s).trim();
}

export function slotHandle(slotId: string): Buffer {
  return Buffer.from(slotId, 'hex');
}

export function readTokenInfo(lib: pkcs11js.PKCS11, slot: Buffer): TokenInfo {
  return tokenInfoFrom(slot.toString('hex'), lib.C_GetTokenInfo(slot));
}

/** TokenInfo from the fields of CK_TOKEN_INFO (as pkcs11js returns them, also from a probe child). */
export function tokenInfoFrom(slotId: string, t: Pick<pkcs11js.TokenInfo, 'label' | 'serialNumber' | 'manufacturerID' | 'model' | 'flags' | 'minPinLen' | 'maxPinLen'>): TokenInfo {
  return {
    slotId,
    label: unpad(t.label),
    serial: unpad(t.serialNumber),
    manufacturer: unpad(t.manufacturerID),
    model: unpad(t.model),
    flags: decodeTokenFlags(t.flags),
    present: true,
    minPinLen: t.minPinLen,
    maxPinLen: t.maxPinLen,
  };
}

export interface ListTokensOptions {
  /** Also list tokens that are not initialized (SoftHSM's free slot); provisioning needs them. */
  includeUninitialized?: boolean;
  /**
   * Re-initialize the module first (when no session is open) so that tokens added or removed
   * since the last C_Initialize are seen; modules like SoftHSM2 never notice otherwise.
   */
  refresh?: boolean;
}

function listOnce(mod: Pkcs11Module, includeUninitialized: boolean): TokenInfo[] {
  const lib = mod.lib;
  const out: TokenInfo[] = [];
  for (const slot of lib.C_GetSlotList(true)) {
    let info: TokenInfo;
    try {
      info = readTokenInfo(lib, slot);
    } catch (e) {
      // A token pulled between C_GetSlotList and C_GetTokenInfo is simply not there any more.
      const n = ckrName(e);
      if (n === 'CKR_TOKEN_NOT_PRESENT' || n === 'CKR_DEVICE_REMOVED' || n === 'CKR_SLOT_ID_INVALID') continue;
      throw e;
    }
    if (info.flags.tokenInitialized || includeUninitialized) out.push(info);
  }
  return out;
}

/** The tokens present now: label, serial, manufacturer, model, decoded flags. */
export function listTokens(mod: Pkcs11Module, opts: ListTokensOptions = {}): TokenInfo[] {
  if (opts.refresh) mod.refresh();
  try {
    return listOnce(mod, opts.includeUninitialized ?? false);
  } catch (e) {
    // A module whose configuration changed under it (SoftHSM: token dir removed) fails with
    // CKR_GENERAL_ERROR until it is re-initialized; try that once when nothing is open.
    if (mod.refresh()) {
      try { return listOnce(mod, opts.includeUninitialized ?? false); } catch (e2) { throw mapPkcs11Error(e2, 'listing tokens'); }
    }
    throw mapPkcs11Error(e, 'listing tokens');
  }
}

export function tokenNotPresent(wanted?: string): SealDeskError {
  return new SealDeskError('TOKEN_NOT_PRESENT', '请插入电子印章卡', 'Please insert the seal USB-Key', { details: { wanted } });
}

function pick(tokens: TokenInfo[], labelOrSerial?: string): TokenInfo | undefined {
  const matches = labelOrSerial === undefined ? tokens : tokens.filter((t) => t.serial === labelOrSerial || t.label === labelOrSerial);
  if (matches.length > 1) {
    // A serial is unique per vendor; prefer an exact serial match over several equal labels.
    const bySerial = matches.filter((t) => t.serial === labelOrSerial);
    if (bySerial.length === 1) return bySerial[0];
    const names = matches.map((t) => `${t.label} (${t.serial})`).join(', ');
    throw new SealDeskError('TOKEN_AMBIGUOUS',
      `有多张印章卡符合条件,请按序列号指定:${names}`,
      `More than one USB-Key matches; choose one by serial: ${names}`,
      { details: { wanted: labelOrSerial, candidates: matches.map((t) => t.serial) } });
  }
  return matches[0];
}

/**
 * The token with this label or serial (or the only token when none is named). When it is not
 * seen, the module is re-initialized once (if idle) in case it was inserted since.
 */
export function findToken(mod: Pkcs11Module, labelOrSerial?: string): TokenInfo {
  const found = pick(listTokens(mod), labelOrSerial);
  if (found) return found;
  if (mod.refresh()) {
    const again = pick(listTokens(mod), labelOrSerial);
    if (again) return again;
  }
  throw tokenNotPresent(labelOrSerial);
}

/**
 * The slot that holds this token now, looked up by serial (slot ids are not stable across
 * re-initialization). Throws TOKEN_NOT_PRESENT when it is gone.
 */
export function locateSlot(mod: Pkcs11Module, token: TokenInfo): Buffer {
  const tryFind = (): Buffer | undefined => {
    const tokens = listTokens(mod, { includeUninitialized: true });
    const same = tokens.find((t) => t.serial === token.serial && t.slotId === token.slotId)
      ?? tokens.find((t) => t.serial === token.serial && (token.serial !== '' || t.label === token.label));
    return same ? slotHandle(same.slotId) : undefined;
  };
  let slot = tryFind();
  // A token whose state file another process is rewriting (SoftHSM2 rewrites it on every failed
  // login) is briefly not listed; give it a moment before calling it removed.
  for (const ms of [20, 60, 150]) {
    if (slot) break;
    Atomics.wait(pause, 0, 0, ms);
    slot = tryFind();
  }
  slot ??= mod.refresh() ? tryFind() : undefined;
  if (!slot) throw tokenNotPresent(token.serial || token.label);
  return slot;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

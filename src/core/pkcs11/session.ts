import * as pkcs11js from 'pkcs11js';
import type { Pkcs11Module } from './module';
import { p11 } from './pkcs11-errors';
import { locateSlot, readTokenInfo, type TokenInfo } from './tokens';

/**
 * An open session on one token, as handed to the callback of withSession / withUserLogin.
 * Only valid inside that callback: the session is logged out and closed when it returns.
 */
export interface TokenSession {
  readonly mod: Pkcs11Module;
  readonly lib: pkcs11js.PKCS11;
  readonly handle: Buffer;
  readonly slot: Buffer;
  /** The token as read when the session was opened. */
  readonly token: TokenInfo;
  readonly readWrite: boolean;
  /** True inside withUserLogin after C_Login succeeded. */
  loggedIn: boolean;
  /**
   * Context-specific login (CKU_CONTEXT_SPECIFIC) for keys with CKA_ALWAYS_AUTHENTICATE, called
   * right after C_SignInit. Present only inside withUserLogin, which keeps a private copy of the PIN
   * for exactly that long.
   */
  contextLogin?: () => void;
}

export interface SessionOptions {
  readWrite?: boolean;
}

/**
 * Opens a session on the token, runs fn, and always closes the session (and logs out if a login
 * happened), also when fn throws. fn may be async; the session stays open until it settles.
 */
export async function withSession<T>(mod: Pkcs11Module, token: TokenInfo, opts: SessionOptions, fn: (s: TokenSession) => T | Promise<T>): Promise<T> {
  const slot = locateSlot(mod, token);
  const lib = mod.lib;
  const flags = pkcs11js.CKF_SERIAL_SESSION | (opts.readWrite ? pkcs11js.CKF_RW_SESSION : 0);
  const handle = p11('opening a session', () => lib.C_OpenSession(slot, flags), { tokenSerial: token.serial });
  mod.openSessions++;
  const session: TokenSession = {
    mod, lib, handle, slot, readWrite: !!opts.readWrite, loggedIn: false,
    token: (() => { try { return readTokenInfo(lib, slot); } catch { return token; } })(),
  };
  try {
    return await fn(session);
  } finally {
    if (session.loggedIn) {
      try { lib.C_Logout(handle); } catch { /* token gone: closing the session is what matters */ }
      session.loggedIn = false;
    }
    try { lib.C_CloseSession(handle); } catch { /* already closed by a removal */ }
    mod.openSessions--;
  }
}

/** Fresh token flags (PIN counters change with every login). */
export function currentTokenInfo(s: TokenSession): TokenInfo {
  return p11('reading token info', () => readTokenInfo(s.lib, s.slot), { tokenSerial: s.token.serial });
}

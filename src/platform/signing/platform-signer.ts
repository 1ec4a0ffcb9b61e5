/**
 * The platform's signing key on its PKCS#11 token (SoftHSM2 in the demo and tests), through the
 * same core code as the client's keys. The server logs in once at start (PIN from the 0600 PIN
 * file an unattended HSM service uses) and keeps the session for its life; every status answer,
 * permit, receipt and checkpoint is signed by the token.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SealDeskError } from '../../core/errors';
import { closeModule, findToken, openModule, tokenSigner, withUserLogin, type Pkcs11Module } from '../../core/pkcs11';
import type { PlatformKey } from '../api/contract';
import type { PlatformConfig } from '../config';

export interface PlatformSigner {
  key: PlatformKey;
  sign(data: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

export function keyIdOf(spki: Uint8Array): string {
  return crypto.createHash('sha256').update(spki).digest('hex');
}

export function readPinFile(dir: string, file: string): Buffer {
  const p = path.resolve(dir, file);
  try {
    return Buffer.from(fs.readFileSync(p, 'utf8').trim());
  } catch (e) {
    throw new SealDeskError('PLATFORM_PIN_FILE', `无法读取平台密钥卡的 PIN 文件: ${p}`, `Cannot read the platform token's PIN file: ${p}`, { cause: e });
  }
}

/** Applies the token configuration's SOFTHSM2_CONF (process-wide for libsofthsm2) before the module loads. */
export function applyTokenEnvironment(dir: string, c: PlatformConfig): void {
  if (c.token.softhsmConf) process.env.SOFTHSM2_CONF = path.resolve(dir, c.token.softhsmConf);
}

export interface HeldSigner { certificate: Uint8Array; sign(data: Uint8Array): Promise<Uint8Array>; close(): Promise<void> }

/**
 * A token key kept logged in until close(): withUserLogin's callback waits on `held`, so the session
 * is logged out and closed by the same core code when the holder lets go. Signatures are queued
 * (a PKCS#11 session does one operation at a time).
 */
export async function holdTokenSigner(mod: Pkcs11Module, labelOrSerial: string, pin: Buffer, ckaId: string, home: string): Promise<HeldSigner> {
  const token = findToken(mod, labelOrSerial);
  let release!: () => void;
  const held = new Promise<void>((resolve) => { release = resolve; });
  let ready!: (s: { certificate: Uint8Array; sign: (m: Uint8Array) => Promise<Uint8Array> }) => void;
  let failed!: (e: unknown) => void;
  const signerReady = new Promise<{ certificate: Uint8Array; sign: (m: Uint8Array) => Promise<Uint8Array> }>((res, rej) => { ready = res; failed = rej; });
  const session = withUserLogin(mod, token, pin, async (s) => {
    const signer = tokenSigner(s, ckaId);
    ready({ certificate: signer.certificate, sign: (m) => signer.sign(m) });
    await held;
  }, { home });
  session.catch(failed);
  const inner = await signerReady;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    certificate: inner.certificate,
    sign(data) {
      const next = queue.then(() => inner.sign(data));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      release();
      await session.catch(() => undefined);
    },
  };
}

export async function openPlatformSigner(dir: string, c: PlatformConfig, home: string): Promise<PlatformSigner> {
  applyTokenEnvironment(dir, c);
  const mod: Pkcs11Module = openModule(c.token.module);
  const held = await holdTokenSigner(mod, c.token.label, readPinFile(dir, c.token.pinFile), c.token.ckaId, home);
  return {
    key: { keyId: c.platformKey.keyId, alg: c.platformKey.alg, spki: c.platformKey.spki, certificate: c.platformKey.certificate },
    sign: (data) => held.sign(data),
    async close() {
      await held.close();
      closeModule(mod);
    },
  };
}

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pkcs11js from 'pkcs11js';

/**
 * A private world for the SealDesk GM test token (native/gm-token): its own token directory and
 * config file per test file, like freshSoftHsm() for SoftHSM2. The module reads
 * SEALDESK_GMTOKEN_CONF at C_Initialize, so it is set in process.env here; each test file runs in
 * its own process under node --test.
 */
export const NATIVE_DIR = path.resolve(__dirname, '../../native');
/** SEALDESK_GMTOKEN_TEST_MODULE swaps in another build, e.g. native/build/asan/ (see native/README.md). */
export const GMTOKEN_MODULE = process.env.SEALDESK_GMTOKEN_TEST_MODULE ?? path.join(NATIVE_DIR, 'build/libsealdesk-gmtoken.so');
export const ROBUSTNESS_CHECK = path.join(NATIVE_DIR, 'build/robustness-check');

export type GmProfileName = 'sansec' | 'ibm';

export interface GmTokenWorld {
  dir: string;
  tokenDir: string;
  conf: string;
  module: string;
  profile: GmProfileName;
  /** The env a child process needs to see the same token. */
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** Builds the module with `make -C native` when it is missing (scripts/setup.sh normally has). */
export function ensureGmTokenBuilt(): string {
  if (!fs.existsSync(GMTOKEN_MODULE) || !fs.existsSync(ROBUSTNESS_CHECK)) {
    execFileSync('make', ['-s', '-C', NATIVE_DIR], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return GMTOKEN_MODULE;
}

export function freshGmToken(opts: { profile?: GmProfileName; maxPinTries?: number } = {}): GmTokenWorld {
  ensureGmTokenBuilt();
  const profile = opts.profile ?? 'sansec';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-gmtoken-'));
  const tokenDir = path.join(dir, 'tokens');
  const conf = path.join(dir, 'gmtoken.conf');
  fs.writeFileSync(conf, [
    `directories.tokendir = ${tokenDir}`,
    `profile = ${profile}`,
    `max_pin_tries = ${opts.maxPinTries ?? 5}`,
    '',
  ].join('\n'));
  process.env.SEALDESK_GMTOKEN_CONF = conf;
  delete process.env.SEALDESK_GMTOKEN_DIR; // would win over the config file
  const env = { ...process.env, SEALDESK_GMTOKEN_CONF: conf };
  return { dir, tokenDir, conf, module: GMTOKEN_MODULE, profile, env, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The profile file as SealDesk ships it, numbers as JSON numbers. */
export interface ProfileNumbers {
  keyTypes: { SM2: number };
  mechanisms: { sm2KeyGen: number; sm2Sign: number; sm3: number };
  sm2Input: 'message' | 'e';
  sm2SignatureFormat: 'raw' | 'der';
}

export function profileNumbers(name: GmProfileName): ProfileNumbers {
  return JSON.parse(fs.readFileSync(path.join(NATIVE_DIR, 'profiles', `${name}.json`), 'utf8')) as ProfileNumbers;
}

/** A loaded and initialized pkcs11js handle on the GM token module. */
export function openPkcs11js(world: GmTokenWorld): pkcs11js.PKCS11 {
  const p11 = new pkcs11js.PKCS11();
  p11.load(world.module);
  p11.C_Initialize();
  return p11;
}

/** The free slot (always the last in the list, like SoftHSM's). */
export function freeSlot(p11: pkcs11js.PKCS11): Buffer {
  const slots = p11.C_GetSlotList(true);
  const free = slots.find((s) => (p11.C_GetTokenInfo(s).flags & pkcs11js.CKF_TOKEN_INITIALIZED) === 0);
  if (!free) throw new Error('the GM token offers no free slot');
  return free;
}

/**
 * Initializes a token in the free slot with an SO PIN and a user PIN, the way a seal-making
 * operator would (C_InitToken, then SO login + C_InitPIN). Returns the slot and its serial.
 */
export function initGmToken(p11: pkcs11js.PKCS11, o: { label: string; soPin: string; userPin: string }): { slot: Buffer; serial: string } {
  const slot = freeSlot(p11);
  p11.C_InitToken(slot, o.soPin, o.label);
  const s = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    p11.C_Login(s, pkcs11js.CKU_SO, o.soPin);
    p11.C_InitPIN(s, o.userPin);
    p11.C_Logout(s);
  } finally {
    p11.C_CloseSession(s);
  }
  return { slot, serial: p11.C_GetTokenInfo(slot).serialNumber.trim() };
}

/** The CKR_* code of a pkcs11js error (undefined when it is not one). */
export function ckr(e: unknown): number | undefined {
  if (e instanceof pkcs11js.Pkcs11Error) return e.code;
  // pkcs11js does not wrap every method (C_SetAttributeValue, C_CreateObject): read "CKR_X:code"
  const m = e instanceof Error ? /CKR_[A-Z_]+:(\d+)/.exec(e.message) : null;
  return m ? Number(m[1]) : undefined;
}

/** Runs fn and returns the CKR code it failed with; fails the test when it does not fail. */
export function failsWith(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    const code = ckr(e);
    if (code === undefined) throw e;
    return code;
  }
  throw new Error('expected a PKCS#11 error, the call succeeded');
}

/**
 * OpenSSL 3's verdict on an SM2-with-SM3 signature (DER) over `message`, with the GM default ID
 * passed explicitly (OpenSSL 3.0 would otherwise use an empty ID, gm-formats.md §9).
 */
export function opensslVerifiesSm2(workDir: string, spkiDer: Uint8Array, message: Uint8Array, derSignature: Uint8Array): boolean {
  const d = fs.mkdtempSync(path.join(workDir, 'openssl-'));
  const pub = path.join(d, 'pub.der');
  const data = path.join(d, 'data.bin');
  const sig = path.join(d, 'sig.der');
  fs.writeFileSync(pub, spkiDer);
  fs.writeFileSync(data, message);
  fs.writeFileSync(sig, derSignature);
  try {
    const out = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-keyform', 'DER', '-inkey', pub, '-rawin', '-in', data,
      '-digest', 'sm3', '-sigfile', sig, '-pkeyopt', 'distid:1234567812345678'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    return /Signature Verified Successfully/.test(out);
  } catch {
    return false; // openssl exits non-zero on a bad signature
  }
}

const CHILD = path.join(__dirname, 'gm-token-child.ts');
const REPO = path.resolve(__dirname, '../..');

/**
 * Runs gm-token-child.ts in a new process against the same token directory (or the config in
 * `env`) and returns its per-step results. The script, PINs included, goes through stdin.
 */
export function runInChild(world: GmTokenWorld, script: { serial?: string; steps: Array<Record<string, string>> }, env: NodeJS.ProcessEnv = world.env): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { cwd: REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) return reject(new Error(`child exited ${status}: ${err}`));
      try {
        resolve(JSON.parse(out) as unknown[]);
      } catch {
        reject(new Error(`child printed no JSON: ${out} ${err}`));
      }
    });
    child.stdin.end(JSON.stringify({ module: world.module, ...script }));
  });
}

/** A new token (initGmToken) with a read/write session already logged in as the keeper. */
export function keeperSession(p11: pkcs11js.PKCS11, o: { label: string; soPin: string; userPin: string }): { slot: Buffer; session: Buffer } {
  const { slot } = initGmToken(p11, o);
  const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  p11.C_Login(session, pkcs11js.CKU_USER, o.userPin);
  return { slot, session };
}

import * as pkcs11js from 'pkcs11js';
import { SealDeskError } from '../errors';
import type { Pkcs11Module } from './module';
import { p11 } from './pkcs11-errors';
import { certificateFields, P256_PARAMS, p256Spki, rsaSpki, SM2_PARAMS, sm2Spki } from './key-encoding';
import type { VendorProfile } from './vendor-profile';
import { checkPinBuffer, pinString, wipe } from './pin-buffer';
import { ckaIdBytes } from './key-objects';
import { currentTokenInfo, withSession, type TokenSession } from './session';
import { listTokens, type TokenInfo } from './tokens';

/**
 * Making tokens ready: initialize a token, generate key pairs on it, import certificates. Used by
 * the demo world and by every test that needs a token. All through PKCS#11 calls (no
 * softhsm2-util, so no PIN ever appears on a command line).
 */

/** PKCS#11 labels are 32 bytes of UTF-8, blank padded. */
function paddedLabel(label: string): string {
  const bytes = Buffer.byteLength(label, 'utf8');
  if (label.trim() === '' || bytes > 32) {
    throw new SealDeskError('LABEL_INVALID', '印章卡标签须为 1 到 32 字节', 'A token label must be 1 to 32 bytes of UTF-8', { details: { bytes } });
  }
  return label + ' '.repeat(32 - bytes);
}

function freeSlot(mod: Pkcs11Module): TokenInfo | undefined {
  return listTokens(mod, { includeUninitialized: true }).find((t) => !t.flags.tokenInitialized);
}

export interface InitTokenOptions {
  label: string;
  soPin: Buffer;
  userPin: Buffer;
}

/**
 * C_InitToken on the first uninitialized token (SoftHSM2 always offers one), then sets the user
 * PIN as SO (C_InitPIN). Returns the new token. Both PIN buffers are zeroed.
 */
export async function initToken(mod: Pkcs11Module, o: InitTokenOptions): Promise<TokenInfo> {
  try {
    checkPinBuffer(o.soPin, 'so');
    checkPinBuffer(o.userPin, 'user');
    const label = paddedLabel(o.label);
    const free = freeSlot(mod) ?? (mod.refresh() ? freeSlot(mod) : undefined);
    if (!free) {
      throw new SealDeskError('NO_FREE_TOKEN', '没有可初始化的空白印章卡', 'There is no uninitialized token to initialize');
    }
    const slot = Buffer.from(free.slotId, 'hex');
    p11('initializing the token', () => mod.lib.C_InitToken(slot, pinString(o.soPin), label));
    const fresh = listTokens(mod).find((t) => t.slotId === free.slotId);
    if (!fresh) throw new SealDeskError('TOKEN_INIT_FAILED', '印章卡初始化后未能找到该卡', 'The token could not be found after initialization');
    return await withSession(mod, fresh, { readWrite: true }, (s) => {
      p11('logging in as SO', () => s.lib.C_Login(s.handle, pkcs11js.CKU_SO, pinString(o.soPin)));
      s.loggedIn = true;
      p11('setting the user PIN', () => s.lib.C_InitPIN(s.handle, pinString(o.userPin)));
      return currentTokenInfo(s);
    });
  } finally {
    wipe(o.soPin);
    wipe(o.userPin);
  }
}

export interface GenerateKeyPairOptions {
  /** SM2 needs a vendor profile with keyTypes.SM2 and mechanisms.sm2KeyGen. */
  algorithm: 'RSA' | 'EC-P256' | 'SM2';
  /** CKA_ID in hex; the certificate and the seal object use the same id. */
  ckaId: string;
  label: string;
  /** RSA modulus bits (default 2048). */
  bits?: number;
  /** Sets CKA_ALWAYS_AUTHENTICATE: every signature needs the PIN again (context-specific login). */
  alwaysAuthenticate?: boolean;
  /** The vendor profile naming the SM2 numbers (SM2 only). */
  profile?: VendorProfile;
}

/**
 * Generates a key pair on the token (session logged in as user, read/write). The private key is
 * sensitive and not extractable. Returns the SubjectPublicKeyInfo DER of the public key.
 */
export function generateKeyPair(session: TokenSession, o: GenerateKeyPairOptions): Uint8Array {
  const id = ckaIdBytes(o.ckaId);
  const common = [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_ID, value: id },
    { type: pkcs11js.CKA_LABEL, value: o.label },
  ];
  const privateTemplate = [
    ...common,
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_SIGN, value: true },
    ...(o.alwaysAuthenticate ? [{ type: pkcs11js.CKA_ALWAYS_AUTHENTICATE, value: true }] : []),
  ];
  const publicCommon = [...common, { type: pkcs11js.CKA_PRIVATE, value: false }, { type: pkcs11js.CKA_VERIFY, value: true }];
  const lib = session.lib;
  if (o.algorithm === 'RSA') {
    const bits = o.bits ?? 2048;
    const kp = p11('generating an RSA key pair', () => lib.C_GenerateKeyPair(session.handle, { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN }, [
      ...publicCommon,
      { type: pkcs11js.CKA_MODULUS_BITS, value: bits },
      { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
    ], privateTemplate));
    const [n, e] = lib.C_GetAttributeValue(session.handle, kp.publicKey, [{ type: pkcs11js.CKA_MODULUS }, { type: pkcs11js.CKA_PUBLIC_EXPONENT }]);
    return new Uint8Array(rsaSpki(n.value, e.value));
  }
  if (o.algorithm === 'EC-P256') {
    const kp = p11('generating an EC P-256 key pair', () => lib.C_GenerateKeyPair(session.handle, { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN }, [
      ...publicCommon,
      { type: pkcs11js.CKA_EC_PARAMS, value: P256_PARAMS },
    ], privateTemplate));
    const [point] = lib.C_GetAttributeValue(session.handle, kp.publicKey, [{ type: pkcs11js.CKA_EC_POINT }]);
    return new Uint8Array(p256Spki(point.value));
  }
  if (o.algorithm === 'SM2') {
    const keyGen = o.profile?.mechanisms.sm2KeyGen;
    const ckk = o.profile?.keyTypes.SM2;
    if (keyGen === undefined || ckk === undefined) {
      throw new SealDeskError('MECHANISM_NOT_SUPPORTED', `厂商配置“${o.profile?.name ?? 'standard'}”没有 SM2 密钥生成机制`, `Vendor profile "${o.profile?.name ?? 'standard'}" has no SM2 key generation mechanism`);
    }
    const withType = (t: pkcs11js.Template): pkcs11js.Template => [...t, { type: pkcs11js.CKA_KEY_TYPE, value: ckk }];
    const kp = p11('generating an SM2 key pair', () => lib.C_GenerateKeyPair(session.handle, { mechanism: keyGen }, withType([
      ...publicCommon,
      { type: pkcs11js.CKA_EC_PARAMS, value: SM2_PARAMS },
    ]), withType(privateTemplate)));
    const [point] = lib.C_GetAttributeValue(session.handle, kp.publicKey, [{ type: pkcs11js.CKA_EC_POINT }]);
    return new Uint8Array(sm2Spki(point.value));
  }
  throw new SealDeskError('KEY_ALGORITHM_UNSUPPORTED', `不支持的密钥算法:${String(o.algorithm)}`, `Unsupported key algorithm: ${String(o.algorithm)}`);
}

export interface ImportCertificateOptions {
  ckaId: string;
  label: string;
  der: Uint8Array;
}

/** Stores an X.509 certificate on the token, public, tied to its key by CKA_ID. */
export function importCertificate(session: TokenSession, o: ImportCertificateOptions): void {
  const f = certificateFields(o.der);
  p11('storing the certificate', () => session.lib.C_CreateObject(session.handle, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
    { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: false },
    { type: pkcs11js.CKA_ID, value: ckaIdBytes(o.ckaId) },
    { type: pkcs11js.CKA_LABEL, value: o.label },
    { type: pkcs11js.CKA_SUBJECT, value: f.subject },
    { type: pkcs11js.CKA_ISSUER, value: f.issuer },
    { type: pkcs11js.CKA_SERIAL_NUMBER, value: f.serial },
    { type: pkcs11js.CKA_VALUE, value: Buffer.from(o.der) },
  ]), { ckaId: o.ckaId });
}

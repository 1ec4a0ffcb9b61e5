import * as pkcs11js from 'pkcs11js';
import { SealDeskError } from '../errors';
import type { KeyAlgorithm } from '../signer';
import { P256_PARAMS, SM2_PARAMS } from './key-encoding';
import { ckrName, p11 } from './pkcs11-errors';
import type { TokenSession } from './session';
import { STANDARD_PROFILE, type VendorProfile } from './vendor-profile';

/** Object discovery on a token: keys and certificates paired by CKA_ID. */

/** CKA_ID as hex (how SealDesk names key pairs) → bytes. */
export function ckaIdBytes(hex: string): Buffer {
  if (typeof hex !== 'string' || !/^([0-9a-fA-F]{2}){1,64}$/.test(hex)) {
    throw new SealDeskError('CKA_ID_INVALID', `密钥标识 CKA_ID 须为十六进制:${String(hex)}`, `CKA_ID must be hex bytes: ${String(hex)}`);
  }
  return Buffer.from(hex, 'hex');
}

export function findObjects(s: TokenSession, template: pkcs11js.Template, max = 256): Buffer[] {
  return p11('searching objects', () => {
    s.lib.C_FindObjectsInit(s.handle, template);
    try {
      return s.lib.C_FindObjects(s.handle, max);
    } finally {
      s.lib.C_FindObjectsFinal(s.handle);
    }
  });
}

/** One attribute, or undefined when the object does not have it (CKR_ATTRIBUTE_TYPE_INVALID etc.). */
export function attribute(s: TokenSession, obj: Buffer, type: number): Buffer | undefined {
  try {
    return s.lib.C_GetAttributeValue(s.handle, obj, [{ type }])[0].value;
  } catch (e) {
    const n = ckrName(e);
    if (n === 'CKR_ATTRIBUTE_TYPE_INVALID' || n === 'CKR_ATTRIBUTE_SENSITIVE') return undefined;
    throw e;
  }
}

export function ulong(b: Buffer | undefined): number | undefined {
  if (!b || b.length === 0) return undefined;
  // CK_ULONG in host byte order; every platform SealDesk runs on is little-endian.
  return b.length >= 8 ? Number(b.readBigUInt64LE(0)) : b.readUInt32LE(0);
}

/** Which SealDesk key algorithm a key object is; undefined for anything SealDesk cannot sign with. */
export function keyAlgorithmOf(s: TokenSession, key: Buffer, profile: VendorProfile = STANDARD_PROFILE): KeyAlgorithm | undefined {
  const kt = ulong(attribute(s, key, pkcs11js.CKA_KEY_TYPE));
  if (kt === undefined) return undefined;
  if (profile.keyTypes.SM2 !== undefined && kt === profile.keyTypes.SM2) return 'SM2';
  if (kt === pkcs11js.CKK_RSA) return 'RSA';
  if (kt === pkcs11js.CKK_EC) {
    const params = attribute(s, key, pkcs11js.CKA_EC_PARAMS);
    if (params?.equals(P256_PARAMS)) return 'EC-P256';
    if (params?.equals(SM2_PARAMS)) return 'SM2';
  }
  return undefined;
}

export interface KeyPairInfo {
  ckaId: string;
  label: string;
  certificate: Uint8Array | undefined;
  keyAlgorithm: KeyAlgorithm;
  /** False when only the public half is visible (not logged in: private keys are hidden). */
  hasPrivateKey: boolean;
}

/**
 * Key pairs on the token, private key and certificate paired by CKA_ID. Without a login the
 * private keys are hidden, so the public keys stand in for them (hasPrivateKey false). Keys of
 * types the profile does not know are left out.
 */
export function listKeyPairs(session: TokenSession, profile: VendorProfile = STANDARD_PROFILE): KeyPairInfo[] {
  const byId = new Map<string, KeyPairInfo>();
  const visit = (cls: number, isPrivate: boolean) => {
    for (const obj of findObjects(session, [{ type: pkcs11js.CKA_CLASS, value: cls }])) {
      const id = attribute(session, obj, pkcs11js.CKA_ID);
      if (!id || id.length === 0) continue;
      const hex = id.toString('hex');
      const existing = byId.get(hex);
      if (existing) { existing.hasPrivateKey ||= isPrivate; continue; }
      const alg = keyAlgorithmOf(session, obj, profile);
      if (!alg) continue;
      byId.set(hex, { ckaId: hex, label: attribute(session, obj, pkcs11js.CKA_LABEL)?.toString('utf8') ?? '', certificate: undefined, keyAlgorithm: alg, hasPrivateKey: isPrivate });
    }
  };
  visit(pkcs11js.CKO_PRIVATE_KEY, true);
  visit(pkcs11js.CKO_PUBLIC_KEY, false);
  for (const pair of byId.values()) pair.certificate = findCertificate(session, pair.ckaId);
  return [...byId.values()].sort((a, b) => a.ckaId.localeCompare(b.ckaId));
}

/** The X.509 certificate (DER) with this CKA_ID, if any. */
export function findCertificate(session: TokenSession, ckaId: string): Uint8Array | undefined {
  const [cert] = findObjects(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
    { type: pkcs11js.CKA_ID, value: ckaIdBytes(ckaId) },
  ], 1);
  const der = cert ? attribute(session, cert, pkcs11js.CKA_VALUE) : undefined;
  return der ? new Uint8Array(der) : undefined;
}

/** The object of this class with this CKA_ID; KEY_NOT_FOUND when there is none. */
export function findKeyObject(session: TokenSession, cls: number, ckaId: string): Buffer {
  const [obj] = findObjects(session, [{ type: pkcs11js.CKA_CLASS, value: cls }, { type: pkcs11js.CKA_ID, value: ckaIdBytes(ckaId) }], 1);
  if (!obj) {
    const what = cls === pkcs11js.CKO_PRIVATE_KEY ? ['私钥', 'private key'] : ['公钥', 'public key'];
    throw new SealDeskError('KEY_NOT_FOUND', `印章卡上找不到 CKA_ID 为 ${ckaId} 的${what[0]}(是否已输入密码?)`, `No ${what[1]} with CKA_ID ${ckaId} on the USB-Key (is the session logged in?)`, { details: { ckaId } });
  }
  return obj;
}

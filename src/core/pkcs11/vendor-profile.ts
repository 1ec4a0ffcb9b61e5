import fs from 'node:fs';
import path from 'node:path';
import { SealDeskError } from '../errors';
import { installRoot } from '../config/install-root';

/**
 * Vendor profiles: which PKCS#11 numbers a vendor's module uses for what the standard does not
 * define. PKCS#11 has no SM2/SM3 mechanisms; vendors use CKM_VENDOR_DEFINED-based numbers that
 * clash (gm-formats.md §7), so they are configuration, never constants in code. RSA and ECDSA use
 * the standard mechanisms in every profile.
 *
 * Format (native/profiles/<name>.json). Numbers may be JSON numbers or hex strings ("0x80008102").
 * ```json
 * {
 *   "name": "sansec",                       // required, [a-z0-9._-]+
 *   "description": "Sansec/iTrus family",   // required, for people
 *   "keyTypes": { "SM2": "0x80000004" },     // CKK numbers of non-standard key types
 *   "mechanisms": {
 *     "sm2KeyGen": "0x80008001",             // key pair generation
 *     "sm2Sign": "0x80008103",               // the signing mechanism SealDesk uses
 *     "sm3": "0x80009000"                    // digest (optional)
 *   },
 *   "sm2Input": "message",                   // "message": the token computes Z and SM3 itself
 *                                            //            (APPID-style mechanism, ID 1234567812345678);
 *                                            // "e": the host passes e = SM3(Z || M) (32 bytes)
 *   "sm2SignatureFormat": "der",             // what sm2Sign returns: "raw" r||s (64 bytes) or "der"
 *   "rsaHashOnHost": false                   // optional: hash on the host + CKM_RSA_PKCS / _PSS even if
 *                                            // the token offers CKM_SHA256_RSA_PKCS* (buggy tokens)
 * }
 * ```
 * `keyTypes`, `mechanisms`, `sm2Input`, `sm2SignatureFormat` may be left out by profiles without
 * SM2 (the built-in "standard" profile). Signers always return DER whatever the token returns.
 */
export interface VendorProfile {
  name: string;
  description: string;
  keyTypes: { SM2?: number };
  mechanisms: { sm2KeyGen?: number; sm2Sign?: number; sm3?: number };
  sm2Input?: 'message' | 'e';
  sm2SignatureFormat?: 'raw' | 'der';
  rsaHashOnHost?: boolean;
  /** Where it was loaded from ("built-in" for the standard profile). */
  source: string;
}

/** RSA and ECDSA P-256 with the standard PKCS#11 mechanisms; no SM2. */
export const STANDARD_PROFILE: VendorProfile = Object.freeze({
  name: 'standard',
  description: 'Standard PKCS#11 mechanisms: RSA PKCS#1 v1.5 / PSS with SHA-256, ECDSA P-256 (CKM_ECDSA, hash on the host)',
  keyTypes: {},
  mechanisms: {},
  source: 'built-in',
}) as VendorProfile;

function invalid(source: string, why: string): SealDeskError {
  return new SealDeskError('PROFILE_INVALID', `厂商配置文件 ${source} 无效:${why}`, `Vendor profile ${source} is invalid: ${why}`, { details: { source } });
}

function number(v: unknown, field: string, source: string): number | undefined {
  if (v === undefined) return undefined;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^(0x[0-9a-fA-F]{1,8}|[0-9]{1,10})$/.test(v.trim())) n = Number(v.trim());
  else throw invalid(source, `${field} must be a number or a "0x…" hex string`);
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw invalid(source, `${field} is out of range`);
  return n;
}

/** Checks a parsed profile object; every error names the field. */
export function parseVendorProfile(raw: unknown, source = 'profile'): VendorProfile {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(source, 'not a JSON object');
  const r = raw as Record<string, unknown>;
  if (typeof r.name !== 'string' || !/^[a-z0-9._-]{1,64}$/i.test(r.name)) throw invalid(source, '"name" must be a short identifier');
  if (typeof r.description !== 'string') throw invalid(source, '"description" must be a string');
  const kt = (r.keyTypes ?? {}) as Record<string, unknown>;
  const mech = (r.mechanisms ?? {}) as Record<string, unknown>;
  if (typeof kt !== 'object' || Array.isArray(kt)) throw invalid(source, '"keyTypes" must be an object');
  if (typeof mech !== 'object' || Array.isArray(mech)) throw invalid(source, '"mechanisms" must be an object');
  const profile: VendorProfile = {
    name: r.name,
    description: r.description,
    keyTypes: { SM2: number(kt.SM2, 'keyTypes.SM2', source) },
    mechanisms: {
      sm2KeyGen: number(mech.sm2KeyGen, 'mechanisms.sm2KeyGen', source),
      sm2Sign: number(mech.sm2Sign, 'mechanisms.sm2Sign', source),
      sm3: number(mech.sm3, 'mechanisms.sm3', source),
    },
    source,
  };
  if (r.sm2Input !== undefined) {
    if (r.sm2Input !== 'message' && r.sm2Input !== 'e') throw invalid(source, '"sm2Input" must be "message" or "e"');
    profile.sm2Input = r.sm2Input;
  }
  if (r.sm2SignatureFormat !== undefined) {
    if (r.sm2SignatureFormat !== 'raw' && r.sm2SignatureFormat !== 'der') throw invalid(source, '"sm2SignatureFormat" must be "raw" or "der"');
    profile.sm2SignatureFormat = r.sm2SignatureFormat;
  }
  if (r.rsaHashOnHost !== undefined) {
    if (typeof r.rsaHashOnHost !== 'boolean') throw invalid(source, '"rsaHashOnHost" must be true or false');
    profile.rsaHashOnHost = r.rsaHashOnHost;
  }
  if (profile.mechanisms.sm2Sign !== undefined && (profile.sm2Input === undefined || profile.keyTypes.SM2 === undefined)) {
    throw invalid(source, 'a profile with mechanisms.sm2Sign must also give keyTypes.SM2 and sm2Input');
  }
  return profile;
}

/** Where named profiles are looked up: env SEALDESK_PROFILE_DIR, then the repository's native/profiles. */
export function profileSearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  if (env.SEALDESK_PROFILE_DIR) dirs.push(path.resolve(env.SEALDESK_PROFILE_DIR));
  dirs.push(path.join(installRoot(), 'native', 'profiles'));
  return dirs;
}

/**
 * A profile by name ("standard" is built in; others are <name>.json in the profile dirs) or by
 * path to a JSON file. Unknown name ⇒ PROFILE_NOT_FOUND; bad content ⇒ PROFILE_INVALID.
 */
export function loadVendorProfile(nameOrPath: string = 'standard', opts: { dirs?: string[] } = {}): VendorProfile {
  if (nameOrPath === 'standard') return STANDARD_PROFILE;
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json');
  const candidates = looksLikePath
    ? [path.resolve(nameOrPath)]
    : /^[a-z0-9._-]{1,64}$/i.test(nameOrPath) ? (opts.dirs ?? profileSearchDirs()).map((d) => path.join(d, `${nameOrPath}.json`)) : [];
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) {
    throw new SealDeskError('PROFILE_NOT_FOUND', `找不到厂商配置:${nameOrPath}`, `Vendor profile not found: ${nameOrPath}`, { details: { tried: candidates } });
  }
  let raw: unknown;
  try {
    const text = fs.readFileSync(file, 'utf8');
    if (text.length > 64 * 1024) throw invalid(file, 'larger than 64 KiB');
    raw = JSON.parse(text);
  } catch (e) {
    if (e instanceof SealDeskError) throw e;
    throw invalid(file, `not JSON (${(e as Error).message})`);
  }
  return parseVendorProfile(raw, file);
}

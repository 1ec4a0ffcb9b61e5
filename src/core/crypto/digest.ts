/**
 * Digests: SHA-256 for the international profile, SM3 (GB/T 32905) for the GM profile. Both come
 * from node:crypto (Node 20 with OpenSSL 3 knows 'sm3'), so large inputs stream through C code.
 */
import crypto from 'node:crypto';
import { SealDeskError } from '../errors';
import { OID_SHA1, OID_SHA256, OID_SHA384, OID_SHA512, OID_SM3 } from '../asn1/oids';

export type DigestAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512' | 'sm3';

export const DIGEST_OIDS: Readonly<Record<DigestAlgorithm, string>> = {
  sha1: OID_SHA1, sha256: OID_SHA256, sha384: OID_SHA384, sha512: OID_SHA512, sm3: OID_SM3,
};

export function digest(algorithm: DigestAlgorithm, ...parts: Uint8Array[]): Uint8Array {
  const h = crypto.createHash(algorithm);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export const sha256 = (...parts: Uint8Array[]): Uint8Array => digest('sha256', ...parts);
export const sm3 = (...parts: Uint8Array[]): Uint8Array => digest('sm3', ...parts);

/** The digest named by an OID or a loose name ("SM3", "sha-256"), as seals' certDigestList types are. */
export function digestAlgorithmByName(name: string): DigestAlgorithm | undefined {
  const n = name.trim().toLowerCase().replace(/-/g, '');
  for (const [alg, oid] of Object.entries(DIGEST_OIDS) as [DigestAlgorithm, string][]) {
    if (n === alg || name.trim() === oid) return alg;
  }
  return undefined;
}

export function requireDigestAlgorithm(name: string): DigestAlgorithm {
  const alg = digestAlgorithmByName(name);
  if (!alg) throw new SealDeskError('DIGEST_UNSUPPORTED', `不支持的杂凑算法：${name.slice(0, 40)}`, `Unsupported digest algorithm: ${name.slice(0, 40)}`);
  return alg;
}

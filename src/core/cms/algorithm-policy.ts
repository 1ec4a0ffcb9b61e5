/**
 * Which CMS signature algorithms SealDesk checks, how it reads the ones signers write "in the wild",
 * and which it accepts only until a policy date.
 *
 * Why a separate policy: a verifier that cannot check an algorithm must say "unsupported algorithm",
 * never "signature invalid" (the latter accuses the document); and a weak algorithm is not a broken
 * signature today but must be named, with the date after which SealDesk refuses it.
 *
 * Readings of the SignerInfo.signatureAlgorithm field (decided here, once):
 * - rsaEncryption (the PKCS#7 habit Adobe, poppler and OpenSSL use) is RSA PKCS#1 v1.5 with the
 *   SignerInfo's digestAlgorithm.
 * - id-ecPublicKey (a key-type OID, not a signature algorithm, but BouncyCastle-era and some Adobe
 *   writers put it there) is read as ECDSA with the SignerInfo's digestAlgorithm — what OpenSSL's CMS
 *   code does, since the key and the digest determine the check completely — and only for an EC key.
 * - Ed25519 is verified (pure EdDSA over the signed attributes, RFC 8419); Ed448 too when its digest
 *   (SHAKE256) is one SealDesk computes, which it is not: the digest check then says unsupported.
 * - RSASSA-PSS whose mask generation hash differs from its message hash cannot be checked by
 *   node:crypto: unsupported. Any other OID: unsupported.
 *
 * Weak algorithms and the dates (a signature is judged at its trusted timestamp when it has one, else
 * at the time of verification):
 * - SHA-1 (as digest or inside the signature algorithm) and RSA keys shorter than 2048 bits: accepted
 *   with a warning until 2030-12-31, refused after. The date is NIST's announced end of SHA-1 (15 Dec
 *   2022: "retire SHA-1 by December 31, 2030") and the end of 112-bit security in NIST SP 800-57 /
 *   SP 800-131A, which ETSI TS 119 312 and the BSI TR-02102-1 tables treat as legacy already.
 * - MD5 and RSA keys shorter than 1024 bits: refused (their date, 2010-12-31, the end of the
 *   SP 800-131A transition, has passed).
 */
import crypto from 'node:crypto';
import * as pkijs from 'pkijs';
import {
  OID_ECDSA_SHA1, OID_ECDSA_SHA256, OID_ECDSA_SHA384, OID_ECDSA_SHA512, OID_EC_PUBLIC_KEY, OID_ED25519, OID_ED448, OID_MD5,
  OID_MD5_WITH_RSA, OID_RSASSA_PSS, OID_RSA_ENCRYPTION, OID_SHA1, OID_SHA1_WITH_RSA, OID_SHA256_WITH_RSA, OID_SHA384_WITH_RSA,
  OID_SHA512_WITH_RSA, OID_SM2_SIGN, OID_SM2_WITH_SM3,
} from '../asn1/oids';
import type { PublicKeyInfo } from '../crypto/certificate';
import { pssParameters } from '../crypto/verify-signature';
import type { BilingualText } from '../../api/verification-report';

/** What to hand crypto/verify-signature for a SignerInfo, or why it cannot be checked. */
export type SignatureAlgorithmReading =
  | { supported: true; oid: string; params?: Uint8Array; name: string }
  | { supported: false; reason: string };

const ECDSA_BY_DIGEST: Record<string, string> = {
  [OID_SHA1]: OID_ECDSA_SHA1, '2.16.840.1.101.3.4.2.1': OID_ECDSA_SHA256, '2.16.840.1.101.3.4.2.2': OID_ECDSA_SHA384, '2.16.840.1.101.3.4.2.3': OID_ECDSA_SHA512,
};

const NAMES: Record<string, string> = {
  [OID_RSA_ENCRYPTION]: 'RSA PKCS#1 v1.5', [OID_SHA1_WITH_RSA]: 'sha1WithRSAEncryption', [OID_SHA256_WITH_RSA]: 'sha256WithRSAEncryption',
  [OID_SHA384_WITH_RSA]: 'sha384WithRSAEncryption', [OID_SHA512_WITH_RSA]: 'sha512WithRSAEncryption', [OID_RSASSA_PSS]: 'RSASSA-PSS',
  [OID_ECDSA_SHA1]: 'ecdsa-with-SHA1', [OID_ECDSA_SHA256]: 'ecdsa-with-SHA256', [OID_ECDSA_SHA384]: 'ecdsa-with-SHA384',
  [OID_ECDSA_SHA512]: 'ecdsa-with-SHA512', [OID_ED25519]: 'Ed25519', [OID_ED448]: 'Ed448', [OID_SM2_WITH_SM3]: 'SM2-with-SM3', [OID_SM2_SIGN]: 'SM2',
};

/** Reads SignerInfo.signatureAlgorithm as described in the module comment. */
export function readSignatureAlgorithm(algorithm: pkijs.AlgorithmIdentifier, digestOid: string, key: PublicKeyInfo): SignatureAlgorithmReading {
  const oid = algorithm.algorithmId;
  const params = algorithm.algorithmParams ? new Uint8Array(algorithm.algorithmParams.toBER(false)) : undefined;
  if (oid === OID_EC_PUBLIC_KEY) {
    if (key.kind !== 'EC' && key.kind !== 'EC-P256') return { supported: false, reason: `id-ecPublicKey names the algorithm but the key is ${key.kind}` };
    const ecdsa = ECDSA_BY_DIGEST[digestOid];
    if (!ecdsa) return { supported: false, reason: `ECDSA with digest ${digestOid}` };
    return { supported: true, oid: ecdsa, name: `${NAMES[ecdsa]} (written as id-ecPublicKey)` };
  }
  if (oid === OID_RSASSA_PSS && !pssParameters(params)) return { supported: false, reason: 'RSASSA-PSS with parameters node:crypto cannot check (MGF1 hash differs, or unknown hash)' };
  const name = NAMES[oid];
  if (!name) return { supported: false, reason: `signature algorithm ${oid}` };
  return { supported: true, oid, params, name };
}

/** One weak algorithm found in a signature, with the day after which it is refused. */
export interface WeakAlgorithm {
  what: string;
  refusedAfter: Date;
}

const LEGACY_UNTIL = new Date('2030-12-31T23:59:59Z');
const BROKEN_SINCE = new Date('2010-12-31T23:59:59Z');

/** The weak algorithms of a SignerInfo: its digest, the signature algorithm's own digest, the key size. */
export function weakAlgorithms(input: { digestOid: string; signatureOid: string; key?: PublicKeyInfo }): WeakAlgorithm[] {
  const out: WeakAlgorithm[] = [];
  if (input.digestOid === OID_SHA1 || input.signatureOid === OID_SHA1_WITH_RSA || input.signatureOid === OID_ECDSA_SHA1) {
    out.push({ what: 'SHA-1', refusedAfter: LEGACY_UNTIL });
  }
  if (input.digestOid === OID_MD5 || input.signatureOid === OID_MD5_WITH_RSA) out.push({ what: 'MD5', refusedAfter: BROKEN_SINCE });
  if (input.key?.kind === 'RSA') {
    const bits = rsaModulusBits(input.key.spki);
    if (bits !== undefined && bits < 1024) out.push({ what: `RSA-${bits}`, refusedAfter: BROKEN_SINCE });
    else if (bits !== undefined && bits < 2048) out.push({ what: `RSA-${bits}`, refusedAfter: LEGACY_UNTIL });
  }
  return out;
}

/** The policy's word on the weak algorithms at `at`: nothing, a warning, or a refusal. */
export function judgeWeakAlgorithms(weak: WeakAlgorithm[], at: Date): { status: 'ok' | 'warning' | 'failed'; message?: BilingualText } {
  if (weak.length === 0) return { status: 'ok' };
  const refused = weak.filter((w) => at.getTime() > w.refusedAfter.getTime());
  const day = (d: Date): string => d.toISOString().slice(0, 10);
  if (refused.length > 0) {
    const list = refused.map((w) => `${w.what} (${day(w.refusedAfter)})`).join(', ');
    return { status: 'failed', message: { zh: `使用了已被拒绝的弱算法：${list} 之后不再接受`, en: `Weak algorithm refused: ${list} is not accepted after that date` } };
  }
  const list = weak.map((w) => `${w.what} (${day(w.refusedAfter)})`).join(', ');
  return { status: 'warning', message: { zh: `使用了弱算法：${list} 之后将不再接受`, en: `Weak algorithm: ${list} — accepted until that date, refused after` } };
}

/** The RSA modulus size, as node:crypto reads it from the SubjectPublicKeyInfo. */
function rsaModulusBits(spki: Uint8Array): number | undefined {
  try {
    return crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength;
  } catch {
    return undefined;
  }
}

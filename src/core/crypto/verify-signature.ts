/**
 * One place that checks a signature value against a public key for every algorithm SealDesk meets:
 * RSA PKCS#1 v1.5 and RSASSA-PSS, ECDSA (P-256 and other named curves) through node:crypto, and
 * Ed25519 and Ed448 (pure, RFC 8419) through node:crypto, and SM2-with-SM3 (default ID) through sm2.ts. Used for certificate links, seal maker signatures and
 * SES_Signature signer signatures alike.
 */
import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  OID_ECDSA_SHA1, OID_ECDSA_SHA256, OID_ECDSA_SHA384, OID_ED25519, OID_ED448, OID_ECDSA_SHA512, OID_RSASSA_PSS, OID_RSA_ENCRYPTION, OID_SHA1_WITH_RSA,
  OID_SHA256_WITH_RSA, OID_SHA384_WITH_RSA, OID_SHA512_WITH_RSA, OID_SM2_SIGN, OID_SM2_WITH_SM3,
} from '../asn1/oids';
import type { AlgorithmId, PublicKeyInfo } from './certificate';
import { DIGEST_OIDS, type DigestAlgorithm } from './digest';
import { sm2Verify } from './sm2';

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const RSA_PKCS1: Record<string, DigestAlgorithm> = {
  [OID_SHA1_WITH_RSA]: 'sha1', [OID_SHA256_WITH_RSA]: 'sha256', [OID_SHA384_WITH_RSA]: 'sha384', [OID_SHA512_WITH_RSA]: 'sha512',
};
const ECDSA: Record<string, DigestAlgorithm> = {
  [OID_ECDSA_SHA1]: 'sha1', [OID_ECDSA_SHA256]: 'sha256', [OID_ECDSA_SHA384]: 'sha384', [OID_ECDSA_SHA512]: 'sha512',
};
const EDDSA: Record<string, string> = { [OID_ED25519]: 'ed25519', [OID_ED448]: 'ed448' };
const SM2_OIDS = new Set([OID_SM2_WITH_SM3, OID_SM2_SIGN]);

export interface SignatureInput {
  algorithm: AlgorithmId | string;
  publicKey: PublicKeyInfo;
  data: Uint8Array;
  signature: Uint8Array;
  /** Only for bare rsaEncryption, which names no digest (CMS SignerInfo); default SHA-256. */
  digest?: DigestAlgorithm;
}

/** Never throws for bad signatures or keys: a failed check is a value with a reason. */
export function verifySignature(input: SignatureInput): SignatureCheck {
  const alg: AlgorithmId = typeof input.algorithm === 'string' ? { oid: input.algorithm } : input.algorithm;
  const key = input.publicKey;
  if (SM2_OIDS.has(alg.oid)) {
    if (key.kind !== 'SM2') return { ok: false, reason: `SM2 signature but the key is ${key.kind}` };
    return verdict(sm2Verify(input.data, input.signature, key.keyBits));
  }
  let nodeKey: crypto.KeyObject;
  try {
    nodeKey = crypto.createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' });
  } catch (e) {
    return { ok: false, reason: `public key unusable: ${(e as Error).message}` };
  }
  const data = Buffer.from(input.data);
  const sig = Buffer.from(input.signature);
  try {
    const pkcs1 = RSA_PKCS1[alg.oid] ?? (alg.oid === OID_RSA_ENCRYPTION ? input.digest ?? 'sha256' : undefined);
    if (pkcs1) {
      if (key.kind !== 'RSA') return { ok: false, reason: `RSA signature but the key is ${key.kind}` };
      return verdict(crypto.verify(pkcs1, data, { key: nodeKey, padding: crypto.constants.RSA_PKCS1_PADDING }, sig));
    }
    if (alg.oid === OID_RSASSA_PSS) {
      if (key.kind !== 'RSA') return { ok: false, reason: `RSA-PSS signature but the key is ${key.kind}` };
      const pss = pssParameters(alg.params);
      if (!pss) return { ok: false, reason: 'unsupported RSASSA-PSS parameters' };
      return verdict(crypto.verify(pss.hash, data, { key: nodeKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }, sig));
    }
    const eddsa = EDDSA[alg.oid];
    if (eddsa) {
      if (nodeKey.asymmetricKeyType !== eddsa) return { ok: false, reason: `${eddsa} signature but the key is ${nodeKey.asymmetricKeyType ?? key.kind}` };
      return verdict(crypto.verify(null, data, nodeKey, sig));
    }
    const ecdsa = ECDSA[alg.oid];
    if (ecdsa) {
      if (key.kind !== 'EC-P256' && key.kind !== 'EC') return { ok: false, reason: `ECDSA signature but the key is ${key.kind}` };
      return verdict(crypto.verify(ecdsa, data, { key: nodeKey, dsaEncoding: 'der' }, sig));
    }
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  return { ok: false, reason: `unsupported signature algorithm ${alg.oid}` };
}

function verdict(ok: boolean): SignatureCheck {
  return ok ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/**
 * RSASSA-PSS-params (RFC 4055): [0] hashAlgorithm DEFAULT sha1, [1] maskGenAlgorithm DEFAULT
 * mgf1SHA1, [2] saltLength DEFAULT 20. node:crypto uses MGF1 with the same hash, so a different
 * MGF hash is refused rather than checked wrongly.
 */
export function pssParameters(params: Uint8Array | undefined): { hash: DigestAlgorithm; saltLength: number } | undefined {
  if (!params) return { hash: 'sha1', saltLength: 20 };
  const parsed = asn1js.fromBER(params);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return undefined;
  let hash: DigestAlgorithm = 'sha1';
  let mgfHash: DigestAlgorithm = 'sha1';
  let saltLength = 20;
  const hashOf = (alg: asn1js.AsnType | undefined): DigestAlgorithm | undefined => {
    const oid = alg instanceof asn1js.Sequence && alg.valueBlock.value[0] instanceof asn1js.ObjectIdentifier ? alg.valueBlock.value[0].getValue() : '';
    return (Object.keys(DIGEST_OIDS) as DigestAlgorithm[]).find((d) => DIGEST_OIDS[d] === oid);
  };
  for (const item of parsed.result.valueBlock.value) {
    const inner = (item as asn1js.Constructed).valueBlock.value?.[0];
    if (item.idBlock.tagClass !== 3 || inner === undefined) return undefined;
    if (item.idBlock.tagNumber === 0) {
      const h = hashOf(inner);
      if (!h) return undefined;
      hash = h;
    } else if (item.idBlock.tagNumber === 1) {
      const mgfParams = inner instanceof asn1js.Sequence ? inner.valueBlock.value[1] : undefined;
      const h = hashOf(mgfParams);
      if (!h) return undefined;
      mgfHash = h;
    } else if (item.idBlock.tagNumber === 2) {
      if (!(inner instanceof asn1js.Integer)) return undefined;
      saltLength = inner.valueBlock.valueDec;
    }
  }
  return mgfHash === hash ? { hash, saltLength } : undefined;
}

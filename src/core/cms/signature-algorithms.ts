import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createRequire } from 'node:module';
import type { SignatureScheme } from '../signer';
import {
  DIGEST_BY_OID, OID_ECDSA_SHA256, OID_ECDSA_SHA384, OID_ECDSA_SHA512, OID_MGF1, OID_RSASSA_PSS, OID_RSA_ENCRYPTION,
  OID_SHA256, OID_SHA256_WITH_RSA, OID_SHA384_WITH_RSA, OID_SHA512_WITH_RSA, OID_SM2_1, OID_SM2_SM3,
} from './oids';
import { toArrayBuffer } from './der';

// sm-crypto ships no types; only this one function is used.
const { sm2 } = createRequire(__filename)('sm-crypto') as {
  sm2: { doVerifySignature(msg: number[], sigHex: string, publicKeyHex: string, opts: { der: boolean; hash: boolean }): boolean };
};

/** PSS salt length SealDesk declares (and token signers use): the hash length, as PAdES readers expect. */
export const PSS_SALT_LENGTH = 32;

/** The SignerInfo signatureAlgorithm for what a Signer produces with `scheme`. */
export function signatureAlgorithmFor(scheme: SignatureScheme): pkijs.AlgorithmIdentifier {
  switch (scheme) {
    case 'rsa-pkcs1-sha256':
      // rsaEncryption (not sha256WithRSA): the form Adobe, poppler and OpenSSL all accept in SignerInfo.
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID_RSA_ENCRYPTION, algorithmParams: new asn1js.Null() });
    case 'rsa-pss-sha256': {
      const sha256 = new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256 });
      const params = new pkijs.RSASSAPSSParams({
        hashAlgorithm: sha256,
        maskGenAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_MGF1, algorithmParams: sha256.toSchema() }),
        saltLength: PSS_SALT_LENGTH,
      });
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID_RSASSA_PSS, algorithmParams: params.toSchema() });
    }
    case 'ecdsa-sha256':
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID_ECDSA_SHA256 });
    case 'sm2-sm3':
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID_SM2_SM3 });
  }
}

export interface SignatureCheckInput {
  /** DER X.509 certificate whose public key should have made the signature. */
  certificate: Uint8Array;
  algorithm: pkijs.AlgorithmIdentifier;
  /** OID of the digest paired with the algorithm when the algorithm names none (rsaEncryption). */
  digestOid: string;
  data: Uint8Array;
  signature: Uint8Array;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Verifies a signature value over `data` with the certificate's key. RSA and ECDSA through node:crypto;
 * SM2 through sm-crypto, because node:crypto signs and verifies SM2 with an empty user ID (gm-formats §8).
 */
export function verifySignatureValue(input: SignatureCheckInput): SignatureCheck {
  const oid = input.algorithm.algorithmId;
  if (oid === OID_SM2_SM3 || oid === OID_SM2_1) return verifySm2(input);
  return verifyWithNode(input);
}

function publicKeyOf(certificate: Uint8Array): crypto.KeyObject {
  return new crypto.X509Certificate(Buffer.from(certificate)).publicKey;
}

function verifyWithNode(input: SignatureCheckInput): SignatureCheck {
  const oid = input.algorithm.algorithmId;
  let key: crypto.KeyObject;
  try {
    key = publicKeyOf(input.certificate);
  } catch (e) {
    return { ok: false, reason: `certificate public key unreadable: ${(e as Error).message}` };
  }
  const data = Buffer.from(input.data);
  const sig = Buffer.from(input.signature);
  try {
    switch (oid) {
      case OID_RSA_ENCRYPTION: {
        const hash = DIGEST_BY_OID[input.digestOid];
        if (!hash) return { ok: false, reason: `unsupported digest ${input.digestOid}` };
        return result(crypto.verify(hash, data, { key, padding: crypto.constants.RSA_PKCS1_PADDING }, sig));
      }
      case OID_SHA256_WITH_RSA:
      case OID_SHA384_WITH_RSA:
      case OID_SHA512_WITH_RSA: {
        const hash = { [OID_SHA256_WITH_RSA]: 'sha256', [OID_SHA384_WITH_RSA]: 'sha384', [OID_SHA512_WITH_RSA]: 'sha512' }[oid];
        return result(crypto.verify(hash, data, { key, padding: crypto.constants.RSA_PKCS1_PADDING }, sig));
      }
      case OID_RSASSA_PSS: {
        const { hash, saltLength } = pssParams(input.algorithm);
        return result(crypto.verify(hash, data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength }, sig));
      }
      case OID_ECDSA_SHA256:
      case OID_ECDSA_SHA384:
      case OID_ECDSA_SHA512: {
        const hash = { [OID_ECDSA_SHA256]: 'sha256', [OID_ECDSA_SHA384]: 'sha384', [OID_ECDSA_SHA512]: 'sha512' }[oid];
        return result(crypto.verify(hash, data, key, sig));
      }
      default:
        return { ok: false, reason: `unsupported signature algorithm ${oid}` };
    }
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

function result(ok: boolean): SignatureCheck {
  return ok ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

function pssParams(alg: pkijs.AlgorithmIdentifier): { hash: string; saltLength: number } {
  if (!alg.algorithmParams) return { hash: 'sha1', saltLength: 20 };
  const params = new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams });
  const hash = DIGEST_BY_OID[params.hashAlgorithm.algorithmId];
  if (!hash) throw new Error(`unsupported PSS hash ${params.hashAlgorithm.algorithmId}`);
  return { hash, saltLength: params.saltLength };
}

function verifySm2(input: SignatureCheckInput): SignatureCheck {
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(toArrayBuffer(input.certificate));
  } catch (e) {
    return { ok: false, reason: `certificate unreadable: ${(e as Error).message}` };
  }
  const point = cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  if (point.length !== 65 || point[0] !== 4) return { ok: false, reason: 'certificate key is not an uncompressed SM2 point' };
  const ok = sm2.doVerifySignature(Array.from(input.data), Buffer.from(input.signature).toString('hex'),
    Buffer.from(point).toString('hex'), { der: true, hash: true });
  return result(ok);
}

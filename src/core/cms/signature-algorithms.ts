import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { SignatureScheme } from '../signer';
import { tryParseCertificate } from '../crypto/certificate';
import { digestAlgorithmByName } from '../crypto/digest';
import { verifySignature } from '../crypto/verify-signature';
import { readSignatureAlgorithm } from './algorithm-policy';
import { DIGEST_BY_OID, OID_ECDSA_SHA256, OID_MGF1, OID_RSASSA_PSS, OID_RSA_ENCRYPTION, OID_SHA256, OID_SM2_SM3 } from './oids';

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
  /** OID of the SignerInfo's digestAlgorithm (used when the algorithm names no digest: rsaEncryption, id-ecPublicKey). */
  digestOid: string;
  data: Uint8Array;
  signature: Uint8Array;
}

/** A failed check says whether the signature is wrong or SealDesk cannot check its algorithm at all. */
export type SignatureValueCheck = { ok: true; algorithm: string } | { ok: false; unsupported: boolean; reason: string };

/**
 * Verifies a CMS signature value over `data` with the certificate's key (RSA, RSA-PSS, ECDSA, Ed25519,
 * SM2), reading the algorithm as algorithm-policy.ts decides.
 */
export function verifySignatureValue(input: SignatureCheckInput): SignatureValueCheck {
  const cert = tryParseCertificate(input.certificate);
  if (!cert) return { ok: false, unsupported: false, reason: 'the signer certificate cannot be parsed' };
  const reading = readSignatureAlgorithm(input.algorithm, input.digestOid, cert.publicKey);
  if (!reading.supported) return { ok: false, unsupported: true, reason: `unsupported algorithm: ${reading.reason}` };
  const digest = digestAlgorithmByName(DIGEST_BY_OID[input.digestOid] ?? '');
  if (reading.oid === OID_RSA_ENCRYPTION && !digest) return { ok: false, unsupported: true, reason: `unsupported algorithm: digest ${input.digestOid}` };
  const check = verifySignature({
    algorithm: { oid: reading.oid, params: reading.params },
    publicKey: cert.publicKey,
    data: input.data,
    signature: input.signature,
    digest,
  });
  return check.ok ? { ok: true, algorithm: reading.name } : { ok: false, unsupported: false, reason: check.reason };
}

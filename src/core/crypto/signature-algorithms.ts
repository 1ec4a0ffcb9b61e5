/**
 * The algorithm identifier a seal or GM signature names for what a Signer produced.
 *
 * GB/T 38540 carries a bare OID (signAlgID) and only defines SM2-with-SM3; for RSA and ECDSA makers
 * SealDesk writes the ordinary X.509 OIDs sha256WithRSAEncryption and ecdsa-with-SHA256, which any
 * verifier that knows X.509 understands. RSA makers sign PKCS#1 v1.5: a bare OID cannot carry
 * RSASSA-PSS parameters.
 */
import { SealDeskError } from '../errors';
import { OID_ECDSA_SHA256, OID_SHA256_WITH_RSA, OID_SM2_WITH_SM3 } from '../asn1/oids';
import type { KeyAlgorithm, SignatureScheme } from '../signer';

export interface SealSigningAlgorithm {
  scheme: SignatureScheme;
  oid: string;
}

export function sealSigningAlgorithm(keyAlgorithm: KeyAlgorithm): SealSigningAlgorithm {
  switch (keyAlgorithm) {
    case 'SM2': return { scheme: 'sm2-sm3', oid: OID_SM2_WITH_SM3 };
    case 'RSA': return { scheme: 'rsa-pkcs1-sha256', oid: OID_SHA256_WITH_RSA };
    case 'EC-P256': return { scheme: 'ecdsa-sha256', oid: OID_ECDSA_SHA256 };
    default:
      throw new SealDeskError('ALGORITHM_UNSUPPORTED', `不支持的密钥算法：${String(keyAlgorithm)}`, `Unsupported key algorithm: ${String(keyAlgorithm)}`);
  }
}

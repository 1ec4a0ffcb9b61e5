/**
 * A certificate described for a person: subject, issuer, serial, validity, the key ("SM2",
 * "RSA 2048", "ECDSA P-256") and the issuer's signature algorithm by name, the SHA-256 fingerprint,
 * whether it is a CA, self-signed, and its key usages. One description for the certificate dialog,
 * the exported report and `sealdesk seal inspect`.
 */
import crypto from 'node:crypto';
import type { CertificateFacts } from '../../api/contract';
import type { ParsedCertificate } from './certificate';

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'SHA256withRSA',
  '1.2.840.113549.1.1.12': 'SHA384withRSA',
  '1.2.840.113549.1.1.13': 'SHA512withRSA',
  '1.2.840.113549.1.1.5': 'SHA1withRSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.3.2': 'SHA256withECDSA',
  '1.2.840.10045.4.3.3': 'SHA384withECDSA',
  '1.2.156.10197.1.501': 'SM3withSM2',
};

function keyAlgorithm(c: ParsedCertificate): string {
  const k = c.publicKey;
  if (k.kind === 'RSA') return `RSA ${rsaBits(k.keyBits)}`;
  if (k.kind === 'SM2') return 'SM2';
  if (k.kind === 'EC-P256') return 'ECDSA P-256';
  if (k.kind === 'EC') return `ECDSA (${k.curve ?? '?'})`;
  return '?';
}

function rsaBits(rsaPublicKeyDer: Uint8Array): string {
  try {
    const key = crypto.createPublicKey({ key: Buffer.from(rsaPublicKeyDer), format: 'der', type: 'pkcs1' });
    return `${key.asymmetricKeyDetails?.modulusLength ?? ''}`;
  } catch {
    return '';
  }
}

export function describeCertificate(c: ParsedCertificate): CertificateFacts {
  return {
    subject: c.subject,
    issuer: c.issuer,
    serialNumber: c.serialHex,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    keyAlgorithm: keyAlgorithm(c),
    signatureAlgorithm: SIGNATURE_ALGORITHMS[c.signatureAlgorithm.oid] ?? c.signatureAlgorithm.oid,
    sha256: crypto.createHash('sha256').update(c.der).digest('hex'),
    isCa: c.basicConstraints?.cA === true,
    selfSigned: c.selfIssued,
    ...(c.keyUsage ? { keyUsage: [...c.keyUsage] } : {}),
  };
}


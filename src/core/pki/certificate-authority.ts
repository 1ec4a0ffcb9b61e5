import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface SoftwareCa {
  certificate: Uint8Array;
  certificatePem: string;
  /** PKCS#8 DER of the CA key; the demo keeps it in its world dir, a real deployment has a real CA. */
  privateKeyPkcs8: Uint8Array;
  subject: string;
  key: CryptoKey;
}

/**
 * A small software certificate authority (ECDSA P-256): the demo world's root and the tests' CAs.
 * Real seal keepers get certificates from a real CA; SealDesk only needs to issue them for demos.
 */
export async function createRootCa(subject: string, validDays = 3650, notBefore = new Date(Date.now() - 3600_000)): Promise<SoftwareCa> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: subject,
    keys,
    notBefore,
    notAfter: new Date(notBefore.getTime() + validDays * 86400_000),
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certificate: new Uint8Array(cert.rawData), certificatePem: cert.toString('pem'), privateKeyPkcs8: pkcs8, subject, key: keys.privateKey };
}

export async function loadCa(certificateDer: Uint8Array, privateKeyPkcs8: Uint8Array): Promise<SoftwareCa> {
  const cert = new x509.X509Certificate(new Uint8Array(certificateDer));
  const key = await webcrypto.subtle.importKey('pkcs8', new Uint8Array(privateKeyPkcs8), EC, true, ['sign']);
  return { certificate: certificateDer, certificatePem: cert.toString('pem'), privateKeyPkcs8, subject: cert.subject, key };
}

export interface IssueOptions {
  /** SubjectPublicKeyInfo DER of the key being certified (e.g. read from a token). */
  publicKeySpki: Uint8Array;
  subject: string;
  notBefore?: Date;
  notAfter?: Date;
  usage?: 'signing' | 'ca' | 'timestamping' | 'ocsp';
  /** Where the CA publishes the certificate's status (AIA id-ad-ocsp, CRL distribution point). */
  revocation?: { ocspUrl?: string; crlUrl?: string };
}

/** Issues a certificate for a public key; signing certificates carry digitalSignature + nonRepudiation. */
export async function issueCertificate(ca: SoftwareCa, o: IssueOptions): Promise<Uint8Array> {
  const notBefore = o.notBefore ?? new Date(Date.now() - 3600_000);
  const usage = o.usage ?? 'signing';
  const publicKey = new x509.PublicKey(new Uint8Array(o.publicKeySpki));
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(usage === 'ca', undefined, true),
    usage === 'ca'
      ? new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)
      : new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(await new x509.X509Certificate(new Uint8Array(ca.certificate)).publicKey.export()),
  ];
  if (usage === 'timestamping') extensions.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.8'], true));
  if (usage === 'ocsp') extensions.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.9'], false));
  if (o.revocation?.ocspUrl) extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: [o.revocation.ocspUrl] }));
  if (o.revocation?.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([o.revocation.crlUrl]));
  const cert = await x509.X509CertificateGenerator.create({
    subject: o.subject,
    issuer: new x509.X509Certificate(new Uint8Array(ca.certificate)).subject,
    publicKey,
    signingKey: ca.key,
    notBefore,
    notAfter: o.notAfter ?? new Date(notBefore.getTime() + 2 * 365 * 86400_000),
    signingAlgorithm: EC,
    extensions,
  });
  return new Uint8Array(cert.rawData);
}

// PEM text lives in crypto/pem; re-exported for the callers that make certificates here.
export { toPem } from '../crypto/pem';

/**
 * The platform's TLS: a platform root made at init (software ECDSA P-256, src/core/pki) issues the
 * HTTPS server certificate for the loopback names and the certificate of the platform's token key.
 * The root's private key is not kept: nothing more can be issued under it later.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createRootCa, issueCertificate, toPem } from '../core/pki/certificate-authority';

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface PlatformPki { rootPem: string; serverCertPem: string; serverKeyPem: string; platformKeyCertificate: Uint8Array }

export async function makePlatformPki(name: string, platformKeySpki: Uint8Array, hosts: { ips: string[]; dns: string[] }): Promise<PlatformPki> {
  const root = await createRootCa(`CN=${name} Root,O=SealDesk Platform`, 3650);
  const platformKeyCertificate = await issueCertificate(root, { publicKeySpki: platformKeySpki, subject: `CN=${name} Signing Key,O=SealDesk Platform`, notAfter: new Date(Date.now() + 5 * 365 * 86400_000) });
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 3600_000);
  const rootCert = new x509.X509Certificate(new Uint8Array(root.certificate));
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${hosts.dns[0] ?? hosts.ips[0] ?? 'localhost'},O=SealDesk Platform`,
    issuer: rootCert.subject,
    publicKey: keys.publicKey,
    signingKey: root.key,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 825 * 86400_000),
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([...hosts.dns.map((d) => ({ type: 'dns' as const, value: d })), ...hosts.ips.map((ip) => ({ type: 'ip' as const, value: ip }))]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(await rootCert.publicKey.export()),
    ],
  });
  const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { rootPem: root.certificatePem, serverCertPem: cert.toString('pem'), serverKeyPem: toPem(pkcs8, 'PRIVATE KEY'), platformKeyCertificate };
}

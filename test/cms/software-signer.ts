import crypto from 'node:crypto';
import { createRootCa, issueCertificate, toPem, type SoftwareCa } from '../../src/core/pki/certificate-authority';
import type { Signer } from '../../src/core/signer';
import { nodeKeySigner } from '../../src/core/crypto/software-signer';

/**
 * Software keys standing in for the USB-Key in the CMS, timestamp and verification tests: these tests
 * are about what goes into and comes out of a signature, not about the token, whose signing is tested
 * against real SoftHSM2 tokens in test/pkcs11.
 */
export interface SoftwareKeeper {
  ca: SoftwareCa;
  signer: Signer;
  privateKey: crypto.KeyObject;
}

/** A keeper with a key of the given kind and a certificate from a fresh (or given) test root. */
export async function softwareKeeper(kind: 'RSA' | 'EC-P256' | 'RSA-PSS', options: { ca?: SoftwareCa; subject?: string; notBefore?: Date; notAfter?: Date } = {}): Promise<SoftwareKeeper> {
  const ca = options.ca ?? await createRootCa('CN=SealDesk Test Root');
  const { privateKey, publicKey } = kind === 'EC-P256'
    ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificate = await issueCertificate(ca, {
    publicKeySpki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    subject: options.subject ?? 'CN=Test Keeper,O=SealDesk 演示有限公司',
    notBefore: options.notBefore,
    notAfter: options.notAfter,
  });
  const base = nodeKeySigner(privateKey, certificate);
  const signer: Signer = kind === 'RSA-PSS' ? { ...base, defaultScheme: 'rsa-pss-sha256', sign: base.sign } : base;
  return { ca, signer, privateKey };
}

export { toPem };

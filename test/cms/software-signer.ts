import crypto from 'node:crypto';
import { createRootCa, issueCertificate, toPem, type SoftwareCa } from '../../src/core/pki/certificate-authority';
import type { KeyAlgorithm, SignatureScheme, Signer } from '../../src/core/signer';
import { PSS_SALT_LENGTH } from '../../src/core/cms/signature-algorithms';

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

export function softwareSigner(keyAlgorithm: Exclude<KeyAlgorithm, 'SM2'>, certificate: Uint8Array, privateKey: crypto.KeyObject,
  defaultScheme: SignatureScheme = keyAlgorithm === 'RSA' ? 'rsa-pkcs1-sha256' : 'ecdsa-sha256'): Signer {
  return {
    certificate,
    keyAlgorithm,
    defaultScheme,
    async sign(message: Uint8Array, scheme: SignatureScheme = defaultScheme): Promise<Uint8Array> {
      const data = Buffer.from(message);
      switch (scheme) {
        case 'rsa-pkcs1-sha256':
          return new Uint8Array(crypto.sign('sha256', data, { key: privateKey, padding: crypto.constants.RSA_PKCS1_PADDING }));
        case 'rsa-pss-sha256':
          return new Uint8Array(crypto.sign('sha256', data, { key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH }));
        case 'ecdsa-sha256':
          return new Uint8Array(crypto.sign('sha256', data, privateKey));
        default:
          throw new Error(`software signer cannot do ${scheme}`);
      }
    },
  };
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
  const signer = kind === 'EC-P256'
    ? softwareSigner('EC-P256', certificate, privateKey)
    : softwareSigner('RSA', certificate, privateKey, kind === 'RSA-PSS' ? 'rsa-pss-sha256' : 'rsa-pkcs1-sha256');
  return { ca, signer, privateKey };
}

export { toPem };

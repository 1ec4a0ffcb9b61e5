import { createRootCa, issueCertificate, type SoftwareCa } from '../../src/core/pki/certificate-authority';
import {
  generateKeyPair, importCertificate, initToken, openModule, withUserLogin,
  type Pkcs11Module, type TokenInfo,
} from '../../src/core/pkcs11';
import { freshSoftHsm, type SoftHsmWorld } from './softhsm';

/**
 * A keeper token in one call, for any test that needs a real SoftHSM2 token with a key pair and
 * a CA-issued certificate on it. The CA is a software one (src/core/pki); the token's key signs
 * nothing here. PINs are kept as strings in the result because every SealDesk call zeroes the
 * Buffer it gets: pass `pin()` / `Buffer.from(t.userPin)` afresh each time.
 */
export interface TestToken {
  world: SoftHsmWorld;
  mod: Pkcs11Module;
  token: TokenInfo;
  label: string;
  userPin: string;
  soPin: string;
  ckaId: string;
  algorithm: 'RSA' | 'EC-P256';
  /** SubjectPublicKeyInfo DER of the token key. */
  spki: Uint8Array;
  /** DER certificate on the token (undefined when withCertificate was false). */
  certificate: Uint8Array | undefined;
  ca: SoftwareCa;
  /** A fresh Buffer with the user PIN. */
  pin(): Buffer;
}

export interface TestTokenOptions {
  /** Reuse a world (several tokens in one SoftHSM dir); default: a fresh one. */
  world?: SoftHsmWorld;
  label?: string;
  userPin?: string;
  soPin?: string;
  algorithm?: 'RSA' | 'EC-P256';
  ckaId?: string;
  keyLabel?: string;
  subject?: string;
  /** Issuer; default a new software root CA. */
  ca?: SoftwareCa;
  withCertificate?: boolean;
  alwaysAuthenticate?: boolean;
  certificateValidity?: { notBefore?: Date; notAfter?: Date };
}

export async function createTestToken(o: TestTokenOptions = {}): Promise<TestToken> {
  const world = o.world ?? freshSoftHsm();
  const mod = openModule(world.module);
  const label = o.label ?? 'TEST-KEEPER';
  const userPin = o.userPin ?? '123456';
  const soPin = o.soPin ?? '12345678';
  const algorithm = o.algorithm ?? 'EC-P256';
  const ckaId = o.ckaId ?? '01';
  const ca = o.ca ?? await createRootCa('CN=SealDesk Test Root,O=SealDesk Test');
  const token = await initToken(mod, { label, soPin: Buffer.from(soPin), userPin: Buffer.from(userPin) });
  const spki = await withUserLogin(mod, token, Buffer.from(userPin), (s) =>
    generateKeyPair(s, { algorithm, ckaId, label: o.keyLabel ?? `${label} key`, alwaysAuthenticate: o.alwaysAuthenticate }),
  { readWrite: true, home: world.home });
  let certificate: Uint8Array | undefined;
  if (o.withCertificate ?? true) {
    const cert = await issueCertificate(ca, { publicKeySpki: spki, subject: o.subject ?? `CN=${label},O=SealDesk Test`, ...o.certificateValidity });
    certificate = cert;
    await withUserLogin(mod, token, Buffer.from(userPin), (s) => importCertificate(s, { ckaId, label: o.keyLabel ?? `${label} key`, der: cert }), { readWrite: true, home: world.home });
  }
  return { world, mod, token, label, userPin, soPin, ckaId, algorithm, spki, certificate, ca, pin: () => Buffer.from(userPin) };
}

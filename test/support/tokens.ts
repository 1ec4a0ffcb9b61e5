import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRootCa, issueCertificate, toPem, type SoftwareCa } from '../../src/core/pki/certificate-authority';
import {
  generateKeyPair, importCertificate, initToken, loadVendorProfile, openModule, withUserLogin,
  type Pkcs11Module, type TokenInfo, type VendorProfile,
} from '../../src/core/pkcs11';
import { freshGmToken, type GmProfileName, type GmTokenWorld } from '../native/gm-token-world';
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

/**
 * An SM2 keeper token in one call, on the SealDesk GM test token (native/, built by
 * `make -C native`; SoftHSM2 has no SM2): token initialized, SM2 key pair generated with the vendor
 * profile's numbers, and a certificate for it issued by a GM-style SM2 root (SM2-with-SM3, ID
 * 1234567812345678) made with OpenSSL 3. The CA key stays in the world dir.
 */
export interface GmTestToken {
  world: GmTokenWorld;
  mod: Pkcs11Module;
  token: TokenInfo;
  profile: VendorProfile;
  label: string;
  userPin: string;
  soPin: string;
  ckaId: string;
  spki: Uint8Array;
  certificate: Uint8Array;
  /** DER of the SM2 root that issued the certificate. */
  caCertificate: Uint8Array;
  pin(): Buffer;
}

export async function createGmTestToken(o: { world?: GmTokenWorld; profile?: GmProfileName; maxPinTries?: number; label?: string; userPin?: string; soPin?: string; ckaId?: string; subject?: string } = {}): Promise<GmTestToken> {
  const world = o.world ?? freshGmToken({ profile: o.profile, maxPinTries: o.maxPinTries });
  const profile = loadVendorProfile(world.profile);
  const mod = openModule(world.module);
  const label = o.label ?? 'GM-KEEPER';
  const userPin = o.userPin ?? '123456';
  const soPin = o.soPin ?? '12345678';
  const ckaId = o.ckaId ?? '01';
  const home = path.join(world.dir, 'home');
  const token = await initToken(mod, { label, soPin: Buffer.from(soPin), userPin: Buffer.from(userPin) });
  const spki = await withUserLogin(mod, token, Buffer.from(userPin), (s) => generateKeyPair(s, { algorithm: 'SM2', ckaId, label: `${label} SM2`, profile }), { readWrite: true, home });
  const { certificate, caCertificate } = issueSm2Certificate(world.dir, spki, o.subject ?? `/CN=${label}/O=SealDesk Test`);
  await withUserLogin(mod, token, Buffer.from(userPin), (s) => importCertificate(s, { ckaId, label: `${label} SM2`, der: certificate }), { readWrite: true, home });
  return { world, mod, token, profile, label, userPin, soPin, ckaId, spki, certificate, caCertificate, pin: () => Buffer.from(userPin) };
}

/** openssl: an SM2 root in `dir` (made once) issues a signing certificate for the given SubjectPublicKeyInfo. */
export function issueSm2Certificate(dir: string, spki: Uint8Array, subject: string): { certificate: Uint8Array; caCertificate: Uint8Array } {
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const caKey = path.join(dir, 'sm2-root.key');
  const caPem = path.join(dir, 'sm2-root.pem');
  const gm = ['-sm3', '-sigopt', 'distid:1234567812345678'];
  if (!fs.existsSync(caPem)) {
    run(['genpkey', '-algorithm', 'SM2', '-out', caKey]);
    run(['req', '-new', '-x509', '-key', caKey, ...gm, '-subj', '/CN=SealDesk Test SM2 Root', '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-days', '3650', '-out', caPem]);
  }
  const stamp = crypto.randomBytes(6).toString('hex');
  const pub = path.join(dir, `sm2-${stamp}.pub.pem`);
  const ext = path.join(dir, `sm2-${stamp}.ext`);
  const out = path.join(dir, `sm2-${stamp}.cert.der`);
  fs.writeFileSync(pub, toPem(spki, 'PUBLIC KEY'));
  fs.writeFileSync(ext, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n');
  run(['x509', '-new', '-subj', subject, '-force_pubkey', pub, '-CA', caPem, '-CAkey', caKey, ...gm, '-extfile', ext, '-days', '730', '-outform', 'DER', '-out', out]);
  const caDer = run(['x509', '-in', caPem, '-outform', 'DER']);
  return { certificate: new Uint8Array(fs.readFileSync(out)), caCertificate: new Uint8Array(caDer) };
}

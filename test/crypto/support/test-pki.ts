/**
 * Real certificates for tests, made by OpenSSL 3 (so SealDesk is checked against an independent
 * implementation): RSA, ECDSA P-256 and SM2 keys; SM2 certificates are signed SM2-with-SM3 with the
 * GM default ID (`-sigopt distid:1234567812345678`, gm-formats.md §9).
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Signer } from '../../../src/core/signer';
import { loadPemCertificates } from '../../../src/core/crypto/pem';
import { nodeKeySigner, sm2SoftwareSigner } from '../../../src/core/crypto/software-signer';
import { sm2PrivateKeyFromPem } from '../../../src/core/crypto/sm2';

export type TestKeyKind = 'rsa' | 'ec' | 'sm2';
export const DISTID = 'distid:1234567812345678';

export interface TestCert {
  kind: TestKeyKind;
  name: string;
  keyPath: string;
  certPath: string;
  der: Uint8Array;
  pem: string;
  signer(): Signer;
}

export interface IssueOptions {
  ca?: boolean;
  pathLen?: number;
  /** keyUsage extension value, e.g. "critical,digitalSignature,nonRepudiation"; "" for none. */
  keyUsage?: string;
  days?: number;
}

export function openssl(args: string[], input?: Uint8Array): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export class TestPki {
  readonly dir: string;
  private serial = 1;

  constructor(prefix = 'sealdesk-pki-') {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private key(kind: TestKeyKind, name: string): string {
    const keyPath = path.join(this.dir, `${name}.key`);
    const algo = kind === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
      : kind === 'ec' ? ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-algorithm', 'SM2'];
    openssl(['genpkey', ...algo, '-out', keyPath]);
    return keyPath;
  }

  private load(kind: TestKeyKind, name: string, keyPath: string, certPath: string): TestCert {
    const pem = fs.readFileSync(certPath, 'utf8');
    const der = loadPemCertificates(pem)[0]!;
    const keyPem = fs.readFileSync(keyPath, 'utf8');
    const signer = (): Signer => kind === 'sm2'
      ? sm2SoftwareSigner(sm2PrivateKeyFromPem(keyPem), der)
      : nodeKeySigner(crypto.createPrivateKey(keyPem), der);
    return { kind, name, keyPath, certPath, der, pem, signer };
  }

  /** A self-signed root CA. */
  root(kind: TestKeyKind, name: string, days = 3650): TestCert {
    const keyPath = this.key(kind, name);
    const certPath = path.join(this.dir, `${name}.pem`);
    const sig = kind === 'sm2' ? ['-sm3', '-sigopt', DISTID] : ['-sha256'];
    openssl(['req', '-new', '-x509', '-key', keyPath, ...sig, '-days', String(days), '-subj', `/CN=${name}/O=SealDesk Test`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', certPath]);
    return this.load(kind, name, keyPath, certPath);
  }

  /** A certificate for a new `kind` key, signed by `issuer`. */
  issue(issuer: TestCert, kind: TestKeyKind, name: string, o: IssueOptions = {}): TestCert {
    const keyPath = this.key(kind, name);
    const csrPath = path.join(this.dir, `${name}.csr`);
    const certPath = path.join(this.dir, `${name}.pem`);
    const extPath = path.join(this.dir, `${name}.ext`);
    const csrSig = kind === 'sm2' ? ['-sm3', '-sigopt', DISTID] : [];
    openssl(['req', '-new', '-key', keyPath, ...csrSig, '-subj', `/CN=${name}/O=SealDesk Test`, '-out', csrPath]);
    const bc = o.ca ? `critical,CA:TRUE${o.pathLen === undefined ? '' : `,pathlen:${o.pathLen}`}` : 'critical,CA:FALSE';
    const ku = o.keyUsage ?? (o.ca ? 'critical,keyCertSign,cRLSign' : 'critical,digitalSignature,nonRepudiation');
    fs.writeFileSync(extPath, `[v3]\nbasicConstraints=${bc}\n${ku ? `keyUsage=${ku}\n` : ''}subjectKeyIdentifier=hash\n`);
    const sig = issuer.kind === 'sm2' ? ['-sm3', '-sigopt', DISTID] : ['-sha256'];
    const vfy = kind === 'sm2' ? ['-vfyopt', DISTID] : [];
    openssl(['x509', '-req', '-in', csrPath, '-CA', issuer.certPath, '-CAkey', issuer.keyPath, ...sig, ...vfy,
      '-set_serial', String(++this.serial), '-days', String(o.days ?? 825), '-extfile', extPath, '-extensions', 'v3', '-out', certPath]);
    return this.load(kind, name, keyPath, certPath);
  }
}

/** A copy of `der` with one byte changed. */
export function flipByte(der: Uint8Array, offset: number): Uint8Array {
  const out = new Uint8Array(der);
  out[offset] = out[offset]! ^ 0x01;
  return out;
}

export const DAY = 86_400_000;

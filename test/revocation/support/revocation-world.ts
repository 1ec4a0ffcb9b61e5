import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRootCa, issueCertificate, type SoftwareCa } from '../../../src/core/pki/certificate-authority';
import { nodeKeySigner } from '../../../src/core/crypto/software-signer';
import { OpensslRevocationAuthority } from '../../../src/core/revocation/openssl-revocation-authority';
import { makeSeal } from '../../../src/core/seal/make-seal';
import { stampPdf } from '../../../src/core/sign';
import type { Signer } from '../../../src/core/signer';
import { classicPdf } from '../../sign/support/stamp-fixtures';
import { startTestTsa, type TestTsa } from '../../support/tsa';
import { sealPng } from '../../verify/world';

/**
 * The revocation tests' world: a software CA whose status is published by a real OpenSSL service
 * (openssl-revocation-authority.ts: `openssl ocsp -index` on a loopback port, CRLs from `openssl ca
 * -gencrl` over http on 127.0.0.1); a keeper and a seal maker whose certificates point there (AIA
 * OCSP, CRL distribution point); a real seal; a real RFC 3161 TSA (openssl ts) so the signing time
 * is trusted. Software keys stand in for the USB-Key (token signing is tested in test/pkcs11).
 */
export interface RevocationWorld {
  dir: string;
  ca: SoftwareCa;
  authority: OpensslRevocationAuthority;
  tsa: TestTsa;
  keeper: Signer;
  maker: Signer;
  sealDer: Uint8Array;
  roots: Uint8Array[];
  /** A fresh keeper certificate (same CA, registered with the responder) and its signer. */
  newKeeper(subject: string, pointers?: { ocsp?: boolean; crl?: boolean }): Promise<{ signer: Signer; sealDer: Uint8Array }>;
  /** Stamps a one-page PDF with a signature timestamp; returns the output path. */
  stamp(name: string, who?: { signer: Signer; sealDer: Uint8Array }, extra?: { tsa?: boolean }): Promise<string>;
  file(name: string): string;
  close(): Promise<void>;
}

export async function makeRevocationWorld(name: string, o: { ocsp?: boolean; crl?: boolean } = {}): Promise<RevocationWorld> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sealdesk-${name}-`));
  const ca = await createRootCa(`CN=SealDesk Revocation Test Root ${name}`);
  const authority = new OpensslRevocationAuthority({ dir: path.join(dir, 'ca'), caCertificate: ca.certificate, caKeyPkcs8: ca.privateKeyPkcs8 });
  await authority.start();
  const tsa = await startTestTsa();
  const pointersFor = (p: { ocsp?: boolean; crl?: boolean }): { ocspUrl?: string; crlUrl?: string } => ({
    ocspUrl: (p.ocsp ?? o.ocsp ?? true) ? authority.ocspUrl : undefined,
    crlUrl: (p.crl ?? o.crl ?? true) ? authority.crlUrl : undefined,
  });
  const issue = async (subject: string, p: { ocsp?: boolean; crl?: boolean } = {}): Promise<Signer> => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cert = await issueCertificate(ca, { publicKeySpki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })), subject, revocation: pointersFor(p) });
    authority.register(cert);
    return nodeKeySigner(privateKey, cert);
  };
  const maker = await issue('CN=Seal Maker,O=SealDesk Seal Center');
  const sealFor = async (keeper: Signer): Promise<Uint8Array> => {
    const now = new Date();
    const made = await makeSeal({
      maker, keeper: { certificate: keeper.certificate, seals: [] }, trustRoots: [ca.certificate], now,
      name: 'SealDesk 演示有限公司合同专用章', type: 4, validStart: new Date(now.getTime() - 86400_000), validEnd: new Date(now.getTime() + 365 * 86400_000),
      image: { bytes: sealPng, widthMm: 40, heightMm: 40 }, vendorId: 'SealDesk',
    });
    return made.der;
  };
  const keeper = await issue('CN=张三,O=SealDesk 演示有限公司');
  const sealDer = await sealFor(keeper);
  const file = (n: string): string => path.join(dir, n);
  const input = await classicPdf(file('in.pdf'), 1);
  return {
    dir, ca, authority, tsa, keeper, maker, sealDer, roots: [ca.certificate, tsa.rootDer],
    async newKeeper(subject, p = {}) { const signer = await issue(subject, p); return { signer, sealDer: await sealFor(signer) }; },
    async stamp(n, who = { signer: keeper, sealDer }, extra = {}) {
      const output = file(n);
      await stampPdf({
        input, output, placement: { kind: 'point', page: 1, x: 300, y: 300 }, sealDer: who.sealDer,
        sealPicture: { type: 'PNG', data: sealPng, widthMm: 40, heightMm: 40 }, signer: who.signer, tsa: extra.tsa === false ? undefined : { url: tsa.url },
      });
      return output;
    },
    file,
    async close() { await authority.stop(); await tsa.close(); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

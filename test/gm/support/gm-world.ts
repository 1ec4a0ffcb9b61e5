import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeSeal } from '../../../src/core/seal/make-seal';
import { stampPdf, type Placement } from '../../../src/core/sign';
import type { Signer } from '../../../src/core/signer';
import { openPdf } from '../../../src/core/pdf/document';
import { verifyGmSignature } from '../../../src/core/gm/verify-gm-signature';
import { isGmSignature } from '../../../src/core/gm/pdf-profile';
import type { CheckId, SignatureReport } from '../../../src/api/verification-report';
import { TestPki, DISTID, type TestCert } from '../../crypto/support/test-pki';
import { sealPng } from '../../verify/world';

export { sealPng };

/**
 * The GM tests' world: an SM2 PKI made by OpenSSL 3 (root, keeper, seal maker; certificates signed
 * SM2-with-SM3 with the default ID), a real SESeal v4 made by the seal module with the SM2 maker key,
 * and stamping through the real stampPdf. Software SM2 keys stand in for the USB-Key here; the native
 * GM token is used in gm-token-stamp.test.ts.
 */
export interface GmWorld {
  pki: TestPki;
  dir: string;
  root: TestCert;
  keeper: TestCert;
  maker: TestCert;
  sealDer: Uint8Array;
  stamp(input: string, output: string, o?: { placement?: Placement; signer?: Signer; sealDer?: Uint8Array; tsa?: { url: string }; signingTime?: Date }): Promise<string>;
  file(name: string): string;
  cleanup(): void;
}

export async function makeGmWorld(name: string): Promise<GmWorld> {
  const pki = new TestPki(`sealdesk-gm-${name}-`);
  const root = pki.root('sm2', 'GM Test Root');
  const keeper = pki.issue(root, 'sm2', 'GM Keeper');
  const maker = pki.issue(root, 'sm2', 'GM Seal Maker');
  const now = new Date();
  const made = await makeSeal({
    maker: maker.signer(), keeper: { certificate: keeper.der, seals: [] }, trustRoots: [root.der], now,
    name: '国密测试合同专用章', type: 4, validStart: new Date(now.getTime() - 86400_000), validEnd: new Date(now.getTime() + 365 * 86400_000),
    image: { bytes: sealPng, widthMm: 40, heightMm: 40 }, vendorId: 'SealDesk',
  });
  return {
    pki, dir: pki.dir, root, keeper, maker, sealDer: made.der,
    async stamp(input, output, o = {}) {
      await stampPdf({
        input, output, placement: o.placement ?? { kind: 'point', page: 1, x: 300, y: 300 },
        sealDer: o.sealDer ?? made.der, sealPicture: { type: 'PNG', data: sealPng, widthMm: 40, heightMm: 40 },
        signer: o.signer ?? keeper.signer(), tsa: o.tsa, signingTime: o.signingTime,
      });
      return output;
    },
    file: (n) => path.join(pki.dir, n),
    cleanup: () => pki.cleanup(),
  };
}

/**
 * Every GM signature of a PDF through verifyGmSignature, as verify-pdf.ts will call it once the
 * dispatch is in (the verification engine is another engineer's file; this keeps the GM tests
 * independent of it).
 */
export function verifyGmSignatures(bytes: Uint8Array, trustRoots: Uint8Array[], now = new Date()): SignatureReport[] {
  const doc = openPdf(bytes);
  return doc.signatureFields().filter((f) => f.value && isGmSignature(f.value)).map((f) => verifyGmSignature(doc, f, { trustRoots, now }));
}

export function status(r: SignatureReport, id: CheckId): string | undefined {
  return r.checks.find((c) => c.id === id)?.status;
}

export function describe(r: SignatureReport): string {
  return `${r.field} ${r.verdict}\n${r.checks.map((c) => `  ${c.id}: ${c.status} — ${c.message.en}`).join('\n')}`;
}

/** The /Contents bytes of the index-th signature, zero padding removed. */
export function contentsOf(bytes: Uint8Array, index = 0): { der: Uint8Array; start: number; end: number } {
  const v = openPdf(bytes).signatureFields()[index]!.value!;
  let n = v.contents.length;
  while (n > 0 && v.contents[n - 1] === 0) n--;
  return { der: v.contents.subarray(0, n), start: v.contentsSpan.start, end: v.contentsSpan.end };
}

/** OpenSSL 3 verdict on an SM2-with-SM3 signature with the GM default ID (gm-formats.md §9). */
export function opensslVerifiesWithCert(dir: string, certPem: string, data: Uint8Array, signature: Uint8Array): boolean {
  const d = fs.mkdtempSync(path.join(dir, 'ossl-'));
  fs.writeFileSync(path.join(d, 'cert.pem'), certPem);
  fs.writeFileSync(path.join(d, 'data.bin'), data);
  fs.writeFileSync(path.join(d, 'sig.der'), signature);
  try {
    const out = execFileSync('openssl', ['pkeyutl', '-verify', '-certin', '-inkey', 'cert.pem', '-rawin', '-in', 'data.bin', '-digest', 'sm3',
      '-sigfile', 'sig.der', '-pkeyopt', DISTID], { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    return /Signature Verified Successfully/.test(out);
  } catch {
    return false;
  }
}

/** OpenSSL 3 signs `data` SM2-with-SM3 with the GM default ID; returns DER SEQUENCE{r,s}. */
export function opensslSignSm2(dir: string, keyPath: string, data: Uint8Array): Uint8Array {
  const d = fs.mkdtempSync(path.join(dir, 'ossl-sign-'));
  fs.writeFileSync(path.join(d, 'data.bin'), data);
  execFileSync('openssl', ['dgst', '-sm3', '-sign', keyPath, '-sigopt', DISTID, '-out', 'sig.der', 'data.bin'], { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Uint8Array(fs.readFileSync(path.join(d, 'sig.der')));
}

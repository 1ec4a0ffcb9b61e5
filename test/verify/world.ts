import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRootCa, type SoftwareCa } from '../../src/core/pki/certificate-authority';
import { makeSeal } from '../../src/core/seal/make-seal';
import { stampPdf, type Placement } from '../../src/core/sign';
import { softwareKeeper, type SoftwareKeeper } from '../cms/software-signer';

/**
 * The verification tests' world: a test root, a keeper and a seal maker with software keys (the
 * USB-Key is replaced by a software key here; token signing is tested in test/pkcs11), a real SESeal
 * made by the seal module with the red test impression, and stamping through the real stampPdf.
 */
export const repoRoot = path.resolve(__dirname, '../..');
export const sealPng = fs.readFileSync(path.join(repoRoot, 'test/fixtures/pdf/seal-red.png'));

export interface World {
  dir: string;
  ca: SoftwareCa;
  keeper: SoftwareKeeper;
  sealDer: Uint8Array;
  esID: string;
  stamp(input: string, output: string, placement?: Placement, extra?: { tsa?: { url: string }; signingTime?: Date; keeper?: SoftwareKeeper; sealDer?: Uint8Array; picture?: Uint8Array }): Promise<string>;
  file(name: string): string;
  cleanup(): void;
}

export async function makeWorld(name = 'verify'): Promise<World> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sealdesk-${name}-`));
  const ca = await createRootCa('CN=SealDesk Verify Test Root');
  const keeper = await softwareKeeper('EC-P256', { ca, subject: 'CN=张三,O=SealDesk 演示有限公司' });
  const maker = await softwareKeeper('EC-P256', { ca, subject: 'CN=Seal Maker,O=SealDesk Seal Center' });
  const now = new Date();
  const made = await makeSeal({
    maker: maker.signer,
    keeper: { certificate: keeper.signer.certificate, seals: [] },
    trustRoots: [ca.certificate],
    now,
    name: 'SealDesk 演示有限公司合同专用章',
    type: 4,
    validStart: new Date(now.getTime() - 86400_000),
    validEnd: new Date(now.getTime() + 365 * 86400_000),
    image: { bytes: sealPng, widthMm: 40, heightMm: 40 },
    vendorId: 'SealDesk',
  });
  const world: World = {
    dir, ca, keeper, sealDer: made.der, esID: made.seal.eSealInfo.esID,
    async stamp(input, output, placement = { kind: 'point', page: 1, x: 300, y: 300 }, extra = {}) {
      await stampPdf({
        input, output, placement,
        sealDer: extra.sealDer ?? made.der,
        sealPicture: { type: 'PNG', data: extra.picture ?? sealPng, widthMm: 40, heightMm: 40 },
        signer: (extra.keeper ?? keeper).signer,
        signingTime: extra.signingTime,
        tsa: extra.tsa,
      });
      return output;
    },
    file: (n) => path.join(dir, n),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
  return world;
}

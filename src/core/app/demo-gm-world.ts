import fs from 'node:fs';
import path from 'node:path';
import { SealDeskError } from '../errors';
import { createSm2RootCa, issueSm2Certificate, sm2PrivateKeyPkcs8 } from '../pki/sm2-certificate-authority';
import { buildDemoWorld, type DemoFamily, type DemoWorld, type DemoWorldOptions } from './demo-world';
import { installRoot } from '../config/install-root';

/** The GM test token SealDesk builds in native/ (`make -C native`); a test and demo token only. */
export const GMTOKEN_MODULE = path.join(installRoot(), 'native', 'build', 'libsealdesk-gmtoken.so');
/** The vendor profile whose numbers the GM token serves by default (native/README.md). */
export const GM_DEMO_PROFILE = 'sansec';

/**
 * The 国密 family of the demo world: the native GM token (SM2 under the Sansec profile, written to
 * DIR/home/config.json) instead of SoftHSM2, an SM2 root CA, SM2 maker and keeper keys generated
 * on the token, an SM2 seal, and the contract stamped as a GB/T 38540 SES_Signature.
 */
export const GM_FAMILY: DemoFamily = {
  name: 'native GM token, SM2',
  get module() {
    if (!fs.existsSync(GMTOKEN_MODULE)) {
      throw new SealDeskError('GMTOKEN_MISSING', `国密测试令牌未编译(make -C native):${GMTOKEN_MODULE}`, `The GM test token is not built (make -C native): ${GMTOKEN_MODULE}`);
    }
    return GMTOKEN_MODULE;
  },
  rootFile: 'demo-sm2-root',
  makerAlgorithm: 'SM2',
  keeperAlgorithm: 'SM2',
  vendorProfile: GM_DEMO_PROFILE,
  prepareTokens(target) {
    const tokenDir = path.join(target, 'gmtoken');
    fs.mkdirSync(tokenDir, { recursive: true });
    // The token reads its directory at C_Initialize, which happens when the context opens the module.
    process.env.SEALDESK_GMTOKEN_DIR = tokenDir;
    return { SEALDESK_GMTOKEN_DIR: tokenDir };
  },
  async createCa() {
    const ca = createSm2RootCa('CN=SealDesk 国密演示根 CA,O=SealDesk Demo,C=CN');
    return { certificatePem: ca.certificatePem, privateKeyPkcs8: sm2PrivateKeyPkcs8(ca.privateKeyHex), pointers: true, issue: async (spki, subject, revocation) => issueSm2Certificate(ca, { publicKeySpki: spki, subject, crlUrl: revocation?.crlUrl }) };
  },
};

export interface GmDemoWorld extends DemoWorld {
  /** The GM token's directory (SEALDESK_GMTOKEN_DIR). */
  tokenDir: string;
  module: string;
}

/** `sealdesk demo --gm --dir DIR`. */
export async function buildGmDemoWorld(dir: string, log: (line: string) => void = () => {}, o: DemoWorldOptions = {}): Promise<GmDemoWorld> {
  const world = await buildDemoWorld(dir, log, GM_FAMILY, o);
  return { ...world, tokenDir: path.join(world.dir, 'gmtoken'), module: GMTOKEN_MODULE };
}

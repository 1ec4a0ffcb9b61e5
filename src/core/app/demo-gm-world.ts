import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SealDeskError } from '../errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { homePaths } from '../config/paths';
import type { SealDeskConfig } from '../config/config';
import { generateKeyPair, importCertificate, initToken, withUserLogin } from '../pkcs11';
import { toPem } from '../pki/certificate-authority';
import { createSm2RootCa, issueSm2Certificate, sm2PrivateKeyPkcs8, type Sm2Ca } from '../pki/sm2-certificate-authority';
import { AppContext } from './context';
import { DEMO, type DemoWorld } from './demo-world';
import { makeSealOnToken } from './seal-making';
import { stampDocument } from './stamping';
import { verifyDocument } from './verification';

/** The GM test token SealDesk builds in native/ (`make -C native`); a test and demo token only. */
export const GMTOKEN_MODULE = path.resolve(__dirname, '..', '..', '..', 'native', 'build', 'libsealdesk-gmtoken.so');
/** The vendor profile whose numbers the GM token serves by default (native/README.md). */
export const GM_DEMO_PROFILE = 'sansec';

const RESOURCES = path.resolve(__dirname, '..', '..', '..', 'resources');

export interface GmDemoWorld extends DemoWorld {
  /** The GM token's directory (SEALDESK_GMTOKEN_DIR). */
  tokenDir: string;
  module: string;
}

/**
 * `sealdesk demo --gm --dir DIR`: the demo world of demo-world.ts in the GM family — the native GM
 * token (SM2 under the Sansec profile) instead of SoftHSM2, an SM2 root CA, SM2 maker and keeper
 * keys generated on the token, an SM2 seal (SESeal v4 signed over DER(SES_SealInfo)), the sample
 * contract stamped with the keeper's SM2 key as a GB/T 38540 SES_Signature, and its verification.
 * Everything lives under DIR; DIR/env exports SEALDESK_HOME, SEALDESK_PKCS11_MODULE and
 * SEALDESK_GMTOKEN_DIR, and DIR/home/config.json names the vendor profile, so later `sealdesk`
 * commands after `. DIR/env` act on the same world.
 */
export async function buildGmDemoWorld(dir: string, log: (line: string) => void = () => {}): Promise<GmDemoWorld> {
  const target = path.resolve(dir);
  if (fs.existsSync(target) && (!fs.statSync(target).isDirectory() || fs.readdirSync(target).length > 0)) {
    throw new SealDeskError('DEMO_EXISTS', `${target} 已存在,未做任何更改`, `${target} already exists; nothing was changed`);
  }
  if (!fs.existsSync(GMTOKEN_MODULE)) {
    throw new SealDeskError('GMTOKEN_MISSING', `国密测试令牌未编译(make -C native):${GMTOKEN_MODULE}`, `The GM test token is not built (make -C native): ${GMTOKEN_MODULE}`);
  }
  const tokenDir = path.join(target, 'gmtoken');
  const home = path.join(target, 'home');
  fs.mkdirSync(tokenDir, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  // The token reads its directory at C_Initialize, which happens when the context opens the module.
  process.env.SEALDESK_GMTOKEN_DIR = tokenDir;
  const config: SealDeskConfig = { modules: [GMTOKEN_MODULE], vendorProfile: GM_DEMO_PROFILE, language: 'zh' };
  writeFileAtomic(homePaths(home).configFile, Buffer.from(`${JSON.stringify(config, null, 2)}\n`));
  const ctx = new AppContext({ home, module: GMTOKEN_MODULE, env: { ...process.env, SEALDESK_HOME: home } });

  const ca = createSm2RootCa('CN=SealDesk 国密演示根 CA,O=SealDesk Demo,C=CN');
  const rootPem = path.join(target, 'trust', 'demo-sm2-root.pem');
  fs.mkdirSync(path.dirname(rootPem), { recursive: true });
  fs.writeFileSync(rootPem, ca.certificatePem);
  fs.writeFileSync(path.join(target, 'trust', 'demo-sm2-root.key'), toPem(sm2PrivateKeyPkcs8(ca.privateKeyHex), 'PRIVATE KEY'), { mode: 0o600 });
  ctx.trust.add(rootPem);
  log(`SM2 根证书 demo SM2 root CA: ${rootPem}`);

  await provisionSm2Token(ctx, DEMO.makerLabel, DEMO.makerPin, 'CN=SealDesk 演示印章管理中心 制章员,O=SealDesk Demo Seal Center,C=CN', ca);
  log(`制章授权卡 maker card: ${DEMO.makerLabel} (SM2, ${GM_DEMO_PROFILE})`);
  await provisionSm2Token(ctx, DEMO.keeperLabel, DEMO.keeperPin, 'CN=张三,OU=合同管理部,O=SealDesk 演示有限公司,C=CN', ca);
  log(`印章卡 keeper USB-Key: ${DEMO.keeperLabel} (SM2, ${GM_DEMO_PROFILE})`);

  const made = await makeSealOnToken(ctx, {
    makerToken: DEMO.makerLabel, keeperToken: DEMO.keeperLabel, name: DEMO.sealName, type: 4,
    imagePath: path.join(RESOURCES, 'seals', 'demo-seal.png'), widthMm: 42, heightMm: 42, vendorId: 'SealDesk',
    askPin: async () => Buffer.from(DEMO.makerPin),
  });
  log(`制章成功 seal made (SM2): ${made.esID} ${made.name}`);

  const stampedPdf = path.join(target, 'stamped.pdf');
  const stamped = await stampDocument(ctx, {
    input: path.join(RESOURCES, 'samples', 'contract.pdf'), output: stampedPdf, token: DEMO.keeperLabel, esID: made.esID,
    placement: { kind: 'keyword', text: DEMO.keyword, occurrence: 1 }, askPin: async () => Buffer.from(DEMO.keeperPin),
  });
  log(`签章成功 stamped (GB/T 38540 SES_Signature): ${stampedPdf} (page ${stamped.page})`);

  const report = verifyDocument(ctx, stampedPdf);
  const envFile = path.join(target, 'env');
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(envFile, [
    '# . this file to act on the SealDesk GM demo world',
    `export SEALDESK_HOME=${q(home)}`,
    `export SEALDESK_PKCS11_MODULE=${q(GMTOKEN_MODULE)}`,
    `export SEALDESK_GMTOKEN_DIR=${q(tokenDir)}`,
    '',
  ].join('\n'));
  return { dir: target, home, envFile, rootPem, stampedPdf, report, tokenDir, module: GMTOKEN_MODULE };
}

/** A new token with an SM2 key pair generated on it (vendor profile from the context) and its certificate from `ca`. */
async function provisionSm2Token(ctx: AppContext, label: string, userPin: string, subject: string, ca: Sm2Ca): Promise<void> {
  const token = await initToken(ctx.module(), { label, soPin: Buffer.from(DEMO.soPin), userPin: Buffer.from(userPin) });
  const ckaId = crypto.randomBytes(16).toString('hex');
  await withUserLogin(ctx.module(), token, Buffer.from(userPin), (s) => {
    const spki = generateKeyPair(s, { algorithm: 'SM2', ckaId, label: `${label} SM2 key`, profile: ctx.vendorProfile() });
    importCertificate(s, { ckaId, label: `${label} SM2 certificate`, der: issueSm2Certificate(ca, { publicKeySpki: spki, subject }) });
  }, { home: ctx.home, readWrite: true });
}

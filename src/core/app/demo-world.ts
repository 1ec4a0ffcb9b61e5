import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SealDeskError } from '../errors';
import { generateKeyPair, importCertificate, initToken, withUserLogin, type TokenInfo } from '../pkcs11';
import { createRootCa, issueCertificate, toPem } from '../pki/certificate-authority';
import { renderReportText } from '../verify/render-report';
import type { VerificationReport } from '../../api/verification-report';
import { AppContext } from './context';
import { makeSealOnToken } from './seal-making';
import { stampDocument } from './stamping';
import { verifyDocument } from './verification';

/** The demo's published PINs (a demo world holds nothing worth protecting). */
export const DEMO = {
  makerLabel: 'DEMO-MAKER', makerPin: '654321',
  keeperLabel: 'DEMO-KEEPER', keeperPin: '123456',
  soPin: '12345678',
  sealName: 'SealDesk 演示有限公司合同专用章',
  keyword: '盖章处',
} as const;

export const SOFTHSM_MODULE_CANDIDATES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so'];

const RESOURCES = path.resolve(__dirname, '..', '..', '..', 'resources');

export interface DemoWorld {
  dir: string;
  home: string;
  envFile: string;
  rootPem: string;
  stampedPdf: string;
  report: VerificationReport;
}

function softhsmModule(): string {
  const found = SOFTHSM_MODULE_CANDIDATES.find((p) => fs.existsSync(p));
  if (!found) throw new SealDeskError('SOFTHSM_MISSING', '未安装 SoftHSM2(apt-get install softhsm2)', 'SoftHSM2 is not installed (apt-get install softhsm2)');
  return found;
}

async function provisionToken(ctx: AppContext, label: string, userPin: string, keyAlgorithm: 'RSA' | 'EC-P256', subject: string, ca: Awaited<ReturnType<typeof createRootCa>>): Promise<TokenInfo> {
  const token = await initToken(ctx.module(), { label, soPin: Buffer.from(DEMO.soPin), userPin: Buffer.from(userPin) });
  const ckaId = crypto.randomBytes(16).toString('hex');
  await withUserLogin(ctx.module(), token, Buffer.from(userPin), async (s) => {
    const spki = generateKeyPair(s, { algorithm: keyAlgorithm, ckaId, label: `${label} key` });
    const cert = await issueCertificate(ca, { publicKeySpki: spki, subject });
    importCertificate(s, { ckaId, label: `${label} certificate`, der: cert });
  }, { home: ctx.home, readWrite: true });
  return token;
}

/**
 * `sealdesk demo --dir DIR`: a complete world under DIR and nothing outside it — SoftHSM2 tokens
 * (the seal center's authorization card DEMO-MAKER and the keeper's USB-Key DEMO-KEEPER), a demo
 * root CA installed in DIR's trust store, a seal made onto the keeper token (制章), the sample
 * contract stamped at its keyword (签章) and verified (验章), and DIR/env for later commands.
 */
export async function buildDemoWorld(dir: string, log: (line: string) => void = () => {}): Promise<DemoWorld> {
  const target = path.resolve(dir);
  if (fs.existsSync(target) && (!fs.statSync(target).isDirectory() || fs.readdirSync(target).length > 0)) {
    throw new SealDeskError('DEMO_EXISTS', `${target} 已存在,未做任何更改`, `${target} already exists; nothing was changed`);
  }
  const module = softhsmModule();
  fs.mkdirSync(path.join(target, 'tokens'), { recursive: true });
  const home = path.join(target, 'home');
  const conf = path.join(target, 'softhsm2.conf');
  fs.writeFileSync(conf, `directories.tokendir = ${path.join(target, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n`);
  // libsofthsm2 reads SOFTHSM2_CONF when the module is initialized, which happens below.
  process.env.SOFTHSM2_CONF = conf;
  const ctx = new AppContext({ home, module, env: { ...process.env, SEALDESK_HOME: home } });

  const ca = await createRootCa('CN=SealDesk Demo Root CA,O=SealDesk Demo,C=CN');
  const rootPem = path.join(target, 'trust', 'demo-root.pem');
  fs.mkdirSync(path.dirname(rootPem), { recursive: true });
  fs.writeFileSync(rootPem, ca.certificatePem);
  fs.writeFileSync(path.join(target, 'trust', 'demo-root.key'), toPem(ca.privateKeyPkcs8, 'PRIVATE KEY'), { mode: 0o600 });
  ctx.trust.add(rootPem);
  log(`根证书 demo root CA: ${rootPem}`);

  await provisionToken(ctx, DEMO.makerLabel, DEMO.makerPin, 'EC-P256', 'CN=SealDesk 演示印章管理中心 制章员,O=SealDesk Demo Seal Center,C=CN', ca);
  log(`制章授权卡 maker card: ${DEMO.makerLabel} (ECDSA P-256)`);
  await provisionToken(ctx, DEMO.keeperLabel, DEMO.keeperPin, 'RSA', 'CN=张三,OU=合同管理部,O=SealDesk 演示有限公司,C=CN', ca);
  log(`印章卡 keeper USB-Key: ${DEMO.keeperLabel} (RSA 2048)`);

  const made = await makeSealOnToken(ctx, {
    makerToken: DEMO.makerLabel, keeperToken: DEMO.keeperLabel, name: DEMO.sealName, type: 4,
    imagePath: path.join(RESOURCES, 'seals', 'demo-seal.png'), widthMm: 42, heightMm: 42, vendorId: 'SealDesk',
    askPin: async () => Buffer.from(DEMO.makerPin),
  });
  log(`制章成功 seal made: ${made.esID} ${made.name}`);

  const stampedPdf = path.join(target, 'stamped.pdf');
  const stamped = await stampDocument(ctx, {
    input: path.join(RESOURCES, 'samples', 'contract.pdf'), output: stampedPdf, token: DEMO.keeperLabel, esID: made.esID,
    placement: { kind: 'keyword', text: DEMO.keyword, occurrence: 1 }, askPin: async () => Buffer.from(DEMO.keeperPin),
  });
  log(`签章成功 stamped: ${stampedPdf} (page ${stamped.page})`);

  const report = verifyDocument(ctx, stampedPdf);
  const envFile = path.join(target, 'env');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(envFile, [
    '# . this file to act on the SealDesk demo world',
    `export SOFTHSM2_CONF=${q(conf)}`,
    `export SEALDESK_HOME=${q(home)}`,
    `export SEALDESK_PKCS11_MODULE=${q(module)}`,
    '',
  ].join('\n'));
  return { dir: target, home, envFile, rootPem, stampedPdf, report };
}

export { renderReportText };

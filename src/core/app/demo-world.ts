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
import { verifyDocument, verifyDocumentWithStatus } from './verification';
import { installRoot } from '../config/install-root';
import { loadPemCertificates } from '../crypto/pem';
import { demoRevocationDir, prepareDemoRevocation, type DemoRevocationPointers } from '../revocation/demo-revocation-service';

/** The demo's published PINs (a demo world holds nothing worth protecting). */
export const DEMO = {
  makerLabel: 'DEMO-MAKER', makerPin: '654321',
  keeperLabel: 'DEMO-KEEPER', keeperPin: '123456',
  soPin: '12345678',
  sealName: 'SealDesk 演示有限公司合同专用章',
  keyword: '盖章处',
} as const;

export const SOFTHSM_MODULE_CANDIDATES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so'];

export const RESOURCES = path.join(installRoot(), 'resources');

export interface DemoWorld {
  dir: string;
  home: string;
  envFile: string;
  rootPem: string;
  stampedPdf: string;
  report: VerificationReport;
  /** The demo seal as made (SESeal DER) and its impression image, for the demo platform. */
  sealDer: Uint8Array;
  sealImage: string;
  /** The demo CA, for more USB-Keys (the platform flow's second keeper). */
  ca: DemoCa;
  /** The CA's revocation service, when it runs: more USB-Keys' certificates point at it too. */
  revocation?: DemoRevocation;
}

/** A demo root CA as the world needs it: its certificate, its key for DIR/trust, and issuance. */
export interface DemoCa {
  certificatePem: string;
  privateKeyPkcs8: Uint8Array;
  /** With `revocation`, the certificate points at the demo CA's OCSP responder and CRL (AIA, CDP). */
  issue(publicKeySpki: Uint8Array, subject: string, revocation?: DemoRevocationPointers): Promise<Uint8Array>;
  /** Whether issue() can write revocation pointers (the demo then runs its revocation service). */
  pointers?: boolean;
}

/**
 * What differs between the demo worlds: the token module and how it finds its token directory,
 * the key algorithms, the CA, and what DIR/env and config.json must carry.
 */
export interface DemoFamily {
  name: string;
  module: string;
  rootFile: string;
  makerAlgorithm: 'RSA' | 'EC-P256' | 'SM2';
  keeperAlgorithm: 'RSA' | 'EC-P256' | 'SM2';
  /** Creates the token storage under DIR and points this process at it; returns the env lines for DIR/env. */
  prepareTokens(target: string): Record<string, string>;
  vendorProfile?: string;
  createCa(): Promise<DemoCa>;
}

export const SOFTHSM_FAMILY: DemoFamily = {
  name: 'SoftHSM2, RSA keeper / ECDSA maker',
  get module() {
    const found = SOFTHSM_MODULE_CANDIDATES.find((p) => fs.existsSync(p));
    if (!found) throw new SealDeskError('SOFTHSM_MISSING', '未安装 SoftHSM2(apt-get install softhsm2)', 'SoftHSM2 is not installed (apt-get install softhsm2)');
    return found;
  },
  rootFile: 'demo-root',
  makerAlgorithm: 'EC-P256',
  keeperAlgorithm: 'RSA',
  prepareTokens(target) {
    fs.mkdirSync(path.join(target, 'tokens'), { recursive: true });
    const conf = path.join(target, 'softhsm2.conf');
    fs.writeFileSync(conf, `directories.tokendir = ${path.join(target, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n`);
    // libsofthsm2 reads SOFTHSM2_CONF when the module is initialized, which happens after this.
    process.env.SOFTHSM2_CONF = conf;
    return { SOFTHSM2_CONF: conf };
  },
  async createCa() {
    const ca = await createRootCa('CN=SealDesk Demo Root CA,O=SealDesk Demo,C=CN');
    return { certificatePem: ca.certificatePem, privateKeyPkcs8: ca.privateKeyPkcs8, pointers: true, issue: (spki, subject, revocation) => issueCertificate(ca, { publicKeySpki: spki, subject, revocation }) };
  },
};

export async function provisionToken(ctx: AppContext, family: DemoFamily, o: { label: string; userPin: string; algorithm: DemoFamily['makerAlgorithm']; subject: string; ca: DemoCa; revocation?: DemoRevocation }): Promise<TokenInfo> {
  const token = await initToken(ctx.module(), { label: o.label, soPin: Buffer.from(DEMO.soPin), userPin: Buffer.from(o.userPin) });
  const ckaId = crypto.randomBytes(16).toString('hex');
  await withUserLogin(ctx.module(), token, Buffer.from(o.userPin), async (s) => {
    const spki = generateKeyPair(s, { algorithm: o.algorithm, ckaId, label: `${o.label} key`, profile: family.vendorProfile ? ctx.vendorProfile() : undefined });
    const der = await o.ca.issue(spki, o.subject, o.revocation?.pointers);
    o.revocation?.register(der);
    importCertificate(s, { ckaId, label: `${o.label} certificate`, der });
  }, { home: ctx.home, readWrite: true });
  return token;
}

export type DemoRevocation = Awaited<ReturnType<typeof prepareDemoRevocation>>;

export interface DemoWorldOptions {
  /**
   * Starts the demo CA's revocation service from DIR/revocation (detached, beside the platform);
   * given, the keeper and maker certificates point at it and the demo verifies online. Without it
   * the certificates carry no pointers.
   */
  startRevocationService?: (revocationDir: string) => Promise<void>;
}

/** The demo's revocation line: the stamp's revocation check and how each certificate was proven. */
export function revocationLine(report: VerificationReport): string {
  const sig = report.signatures[0];
  const check = sig?.checks.find((c) => c.id === 'revocation');
  const certs = (sig?.revocation?.certificates ?? []).map((c) => `${c.role} ${c.status}${c.method ? ` ${c.method.toUpperCase()}` : ''}${c.source ? ` ${c.source}` : ''}`);
  return `吊销检查 revocation: ${check?.status ?? 'not_checked'}${certs.length ? ` (${certs.join(', ')})` : ''}`;
}

/**
 * `sealdesk demo --dir DIR`: a complete world under DIR and nothing outside it — tokens (the seal
 * center's authorization card DEMO-MAKER and the keeper's USB-Key DEMO-KEEPER), a demo root CA
 * installed in DIR's trust store, a seal made onto the keeper token (制章), the sample contract
 * stamped at its keyword (签章) and verified (验章), and DIR/env for later commands. The family
 * says which tokens and algorithms (SoftHSM2 with RSA/ECDSA by default; see demo-gm-world.ts).
 */
export async function buildDemoWorld(dir: string, log: (line: string) => void = () => {}, family: DemoFamily = SOFTHSM_FAMILY, o: DemoWorldOptions = {}): Promise<DemoWorld> {
  const target = path.resolve(dir);
  if (fs.existsSync(target) && (!fs.statSync(target).isDirectory() || fs.readdirSync(target).length > 0)) {
    throw new SealDeskError('DEMO_EXISTS', `${target} 已存在,未做任何更改`, `${target} already exists; nothing was changed`);
  }
  const module = family.module;
  const home = path.join(target, 'home');
  fs.mkdirSync(home, { recursive: true });
  const tokenEnv = family.prepareTokens(target);
  if (family.vendorProfile) {
    fs.writeFileSync(path.join(home, 'config.json'), `${JSON.stringify({ modules: [module], vendorProfile: family.vendorProfile, language: 'zh' }, null, 2)}\n`);
  }
  const ctx = new AppContext({ home, module, env: { ...process.env, SEALDESK_HOME: home } });

  const ca = await family.createCa();
  const rootPem = path.join(target, 'trust', `${family.rootFile}.pem`);
  fs.mkdirSync(path.dirname(rootPem), { recursive: true });
  fs.writeFileSync(rootPem, ca.certificatePem);
  fs.writeFileSync(path.join(target, 'trust', `${family.rootFile}.key`), toPem(ca.privateKeyPkcs8, 'PRIVATE KEY'), { mode: 0o600 });
  ctx.trust.add(rootPem);
  log(`根证书 demo root CA: ${rootPem}`);
  const revocationDir = demoRevocationDir(target);
  const revocation = o.startRevocationService && ca.pointers
    ? await prepareDemoRevocation(revocationDir, { certificate: loadPemCertificates(ca.certificatePem)[0]!, keyPkcs8: ca.privateKeyPkcs8, digest: family.keeperAlgorithm === 'SM2' ? 'sm3' : 'sha256', ocsp: family.keeperAlgorithm !== 'SM2' }, o.startRevocationService)
    : undefined;
  if (revocation) log(`吊销服务 revocation service: OCSP ${revocation.pointers.ocspUrl ?? '-'}, CRL ${revocation.pointers.crlUrl}`);

  await provisionToken(ctx, family, { label: DEMO.makerLabel, userPin: DEMO.makerPin, algorithm: family.makerAlgorithm, subject: 'CN=SealDesk 演示印章管理中心 制章员,O=SealDesk Demo Seal Center,C=CN', ca, revocation });
  log(`制章授权卡 maker card: ${DEMO.makerLabel} (${family.makerAlgorithm})`);
  await provisionToken(ctx, family, { label: DEMO.keeperLabel, userPin: DEMO.keeperPin, algorithm: family.keeperAlgorithm, subject: 'CN=张三,OU=合同管理部,O=SealDesk 演示有限公司,C=CN', ca, revocation });

  log(`印章卡 keeper USB-Key: ${DEMO.keeperLabel} (${family.keeperAlgorithm})`);

  const sealImage = path.join(RESOURCES, 'seals', 'demo-seal.png');
  const made = await makeSealOnToken(ctx, {
    makerToken: DEMO.makerLabel, keeperToken: DEMO.keeperLabel, name: DEMO.sealName, type: 4,
    imagePath: sealImage, widthMm: 42, heightMm: 42, vendorId: 'SealDesk',
    askPin: async () => Buffer.from(DEMO.makerPin),
  });
  log(`制章成功 seal made: ${made.esID} ${made.name}`);

  const stampedPdf = path.join(target, 'stamped.pdf');
  const stamped = await stampDocument(ctx, {
    input: path.join(RESOURCES, 'samples', 'contract.pdf'), output: stampedPdf, token: DEMO.keeperLabel, esID: made.esID,
    placement: { kind: 'keyword', text: DEMO.keyword, occurrence: 1 }, askPin: async () => Buffer.from(DEMO.keeperPin),
  });
  log(`签章成功 stamped: ${stampedPdf} (page ${stamped.page})`);

  const report = revocation ? await verifyDocumentWithStatus(ctx, stampedPdf) : verifyDocument(ctx, stampedPdf);
  log(`验章 verified: ${report.verdict} (${report.signatures.map((sig) => sig.subFilter).join(', ')})`);
  log(revocationLine(report));
  const envFile = path.join(target, 'env');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const env = { ...tokenEnv, SEALDESK_HOME: home, SEALDESK_PKCS11_MODULE: module };
  fs.writeFileSync(envFile, ['# . this file to act on the SealDesk demo world', ...Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`), ''].join('\n'));
  return { dir: target, home, envFile, rootPem, stampedPdf, report, sealDer: made.der, sealImage, ca, revocation };
}

export { renderReportText };

/**
 * The demo's flows through its seal platform (issue #9), after demo-platform.ts has set it up: the
 * demo data dir is configured for the platform (`platform use`), the demo contract is stamped again
 * with a permit, then a second seal goes 申请 → 审批 → 制章 onto a second USB-Key (DEMO-KEEPER-2),
 * stamps with a permit, verifies with its seal status, is reported lost (挂失), and a new stamp
 * with it is refused. Each step prints one line; the first failure ends the flow with its reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppContext } from '../../core/app/context';
import { DEMO, RESOURCES, SOFTHSM_FAMILY, provisionToken, type DemoWorld } from '../../core/app/demo-world';
import { stampDocument } from '../../core/app/stamping';
import { verifyDocumentWithStatus } from '../../core/app/verification';
import { loadConfig, saveConfig } from '../../core/config/config';
import { homePaths } from '../../core/config/paths';
import { asSealDeskError } from '../../core/errors';
import { PlatformConnection } from '../../core/platform-client/connection';
import { fileSealApplication, makeSealForApplication } from '../../core/platform-client/seal-application';
import { fetchPlatformSettings } from '../../core/platform-client/trust-bundle';
import type { VerificationReport } from '../../api/verification-report';
import type { DemoPlatform } from './demo-platform';

export const SECOND_KEEPER = { label: 'DEMO-KEEPER-2', pin: '246810', sealName: 'SealDesk 演示有限公司财务专用章' } as const;

const statusLine = (r: VerificationReport): string => {
  const c = r.signatures[0]?.checks.find((x) => x.id === 'seal_status');
  return `${r.verdict}; 印章状态 / seal status: ${c ? `${c.status} — ${c.message.zh} / ${c.message.en}` : '—'}`;
};

export interface DemoPlatformFlow { report: VerificationReport; stampedWithPermit: string; lostStamp: string }

export async function runDemoPlatformFlow(world: DemoWorld, platform: DemoPlatform, log: (l: string) => void): Promise<DemoPlatformFlow> {
  const password = (user: string) => Buffer.from(platform.accounts.find((a) => a.user === user)!.password);
  const rootPem = fs.readFileSync(platform.rootPem, 'utf8');
  // sealdesk platform use URL --ca ROOT.pem, for the demo's data dir.
  const settings = await fetchPlatformSettings(platform.url, rootPem);
  const file = homePaths(world.home).configFile;
  saveConfig({ ...loadConfig(file), platform: settings }, file);
  const ctx = new AppContext({ home: world.home, module: SOFTHSM_FAMILY.module, env: { ...process.env, SEALDESK_HOME: world.home } });
  log(`已配置平台 / platform configured for ${world.home}: ${settings.platformName} ${settings.url}`);

  const contract = path.join(RESOURCES, 'samples', 'contract.pdf');
  const placement = { kind: 'keyword' as const, text: DEMO.keyword, occurrence: 1 as const };
  const again = await stampDocument(ctx, { input: contract, output: world.stampedPdf, token: DEMO.keeperLabel, placement, askPin: async () => Buffer.from(DEMO.keeperPin) });
  log(`签章(含用印许可)/ stamped with a permit: ${world.stampedPdf} (permit ${again.platform.permitId}, log index ${again.platform.receipt?.logIndex ?? 'queued'})`);
  const report = await verifyDocumentWithStatus(ctx, world.stampedPdf);
  log(`验章 / verified: ${statusLine(report)}`);

  await provisionToken(ctx, SOFTHSM_FAMILY, { label: SECOND_KEEPER.label, userPin: SECOND_KEEPER.pin, algorithm: SOFTHSM_FAMILY.keeperAlgorithm, subject: 'CN=李四,OU=财务部,O=SealDesk 演示有限公司,C=CN', ca: world.ca, revocation: world.revocation });
  const now = new Date();
  const filed = await fileSealApplication(ctx, { user: 'applicant', password: password('applicant') }, {
    sealName: SECOND_KEEPER.sealName, kind: '02', keeperName: '李四', keeperToken: SECOND_KEEPER.label, impressionPng: fs.readFileSync(world.sealImage),
    widthMm: 42, heightMm: 42, validFrom: now, validTo: new Date(now.getTime() + 2 * 365 * 86400_000),
  });
  log(`申请 / applied: application ${filed.id} ${filed.sealName} (applicant)`);
  // Console accounts over the same pinned, timed connection as the client's own calls.
  const approver = PlatformConnection.of(settings);
  const admin = PlatformConnection.of(settings);
  try {
    await approver.login('approver', password('approver'));
    await approver.call('decision', { params: { id: filed.id }, body: { decision: 'approve', reason: '演示 / demo' } });
    log(`审批 / approved: application ${filed.id} (approver)`);
    const made = await makeSealForApplication(ctx, {
      applicationId: filed.id, makerToken: DEMO.makerLabel, keeperToken: SECOND_KEEPER.label, account: { user: 'maker', password: password('maker') }, askPin: async () => Buffer.from(DEMO.makerPin),
    });
    log(`制章并备案 / made and registered: ${made.esID} on ${SECOND_KEEPER.label} (${made.registered.state})`);
    const stampedWithPermit = path.join(world.dir, 'stamped-finance.pdf');
    const s = await stampDocument(ctx, { input: contract, output: stampedWithPermit, token: SECOND_KEEPER.label, placement, askPin: async () => Buffer.from(SECOND_KEEPER.pin) });
    log(`签章 / stamped: ${stampedWithPermit} (permit ${s.platform.permitId})`);
    log(`验章 / verified: ${statusLine(await verifyDocumentWithStatus(ctx, stampedWithPermit))}`);

    await admin.login('unitadmin', password('unitadmin'));
    await admin.call('stateEvent', { params: { esID: made.esID }, body: { action: 'lost', reason: '演示:USB-Key 遗失 / demo: USB-Key lost' } });
    log(`挂失 / reported lost: ${made.esID} (unit admin)`);
    log(`验章 / verified after the loss: ${statusLine(await verifyDocumentWithStatus(ctx, stampedWithPermit))}`);
    const lostStamp = path.join(world.dir, 'refused-after-loss.pdf');
    try {
      await stampDocument(ctx, { input: contract, output: lostStamp, token: SECOND_KEEPER.label, placement, askPin: async () => Buffer.from(SECOND_KEEPER.pin) });
      throw new Error('a lost seal stamped');
    } catch (e) {
      const err = asSealDeskError(e);
      if (err.code !== 'SEAL_LOST') throw e;
      log(`签章被拒绝 / stamp refused: ${err.zh} / ${err.en} (no file written: ${!fs.existsSync(lostStamp)})`);
    }
    return { report, stampedWithPermit, lostStamp };
  } finally {
    approver.close();
    admin.close();
  }
}

/**
 * A real platform for the console tests: `initPlatform` in a temp dir (SQLite, its key on a fresh
 * SoftHSM2 token, its own TLS root), one unit with one account per role, served over HTTPS on
 * loopback by `startPlatform` with the console built from this tree. Also what the maker does off
 * the console (制章 with a USB-Key is the CLI's): make a SESeal for an approved application and
 * register it through the API. The maker and keeper keys of that seal are software keys from a test
 * CA: seal making itself is tested elsewhere; here it only has to give the console a registered seal.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createRootCa, issueCertificate } from '../../../src/core/pki/certificate-authority';
import { nodeKeySigner } from '../../../src/core/crypto/software-signer';
import { makeSeal } from '../../../src/core/seal/make-seal';
import { API_PREFIX, CSRF_HEADER, type ApplicationView, type SealView, type SessionView } from '../../../src/platform/api/contract';
import { initPlatform } from '../../../src/platform/init';
import { startPlatform, type RunningPlatform } from '../../../src/platform/runtime';
import { freshSoftHsm, type SoftHsmWorld } from '../../support/softhsm';
import { buildConsole } from './console-browser';

export const UNIT = '星河科技有限公司';

export const ACCOUNTS = {
  applicant: { user: 'zhang.san', displayName: '张三', password: 'applicant-pass-01', roles: ['applicant'] },
  approver: { user: 'li.si', displayName: '李四', password: 'approver-pass-02', roles: ['approver'] },
  maker: { user: 'wang.wu', displayName: '王五', password: 'maker-pass-0003', roles: ['maker'] },
  unitAdmin: { user: 'zhao.liu', displayName: '赵六', password: 'unitadmin-pass-4', roles: ['unit_admin'] },
  auditor: { user: 'qian.qi', displayName: '钱七', password: 'auditor-pass-005', roles: ['auditor'] },
  /** Files and approves: may not approve its own application. */
  dual: { user: 'zheng.shi', displayName: '郑十一', password: 'dual-role-pass-7', roles: ['applicant', 'approver'] },
  /** Only for the lock-out test: five wrong passwords lock it. */
  lockable: { user: 'sun.ba', displayName: '孙八', password: 'lockable-pass-06', roles: ['applicant'] },
} as const;
export type AccountName = keyof typeof ACCOUNTS;

export interface ConsolePlatform {
  url: string;
  dir: string;
  running: RunningPlatform;
  close(): Promise<void>;
}

export async function startConsolePlatform(): Promise<ConsolePlatform> {
  const world: SoftHsmWorld = freshSoftHsm('sealdesk-console-');
  const dir = path.join(world.dir, 'platform');
  await initPlatform({
    dir, module: world.module, newToken: true, softhsmConf: world.conf, listen: '127.0.0.1:0', name: '电子印章管理平台（测试）',
    admin: { user: 'admin', password: Buffer.from(crypto.randomBytes(12).toString('hex')) },
    units: [{ name: UNIT }],
    accounts: Object.values(ACCOUNTS).map((a) => ({ user: a.user, displayName: a.displayName, roles: [...a.roles], unit: UNIT, password: Buffer.from(a.password) })),
  });
  const running = await startPlatform(dir, { listen: '127.0.0.1:0', server: { consoleDir: buildConsole() } });
  return {
    url: running.url, dir, running,
    async close() { await running.close(); world.cleanup(); },
  };
}

/** Calls the API as the page's logged-in account (its cookie; the CSRF token from GET /session). */
export async function apiAs<T>(page: Page, method: 'GET' | 'POST', route: string, body?: unknown): Promise<{ status: number; json: T }> {
  const base = new URL(page.url()).origin + API_PREFIX;
  const session = await page.request.get(`${base}/session`);
  const csrf = session.ok() ? ((await session.json()) as SessionView).csrfToken : '';
  const res = method === 'GET'
    ? await page.request.get(base + route)
    : await page.request.post(base + route, { data: body ?? {}, headers: { [CSRF_HEADER]: csrf } });
  return { status: res.status(), json: (await res.json()) as T };
}

/**
 * What the seal center does for an approved application: make the SESeal (its name, kind, validity
 * and the impression exactly as filed) and register it (POST /seals) as the maker. `page` must be
 * logged in as the maker.
 */
export async function makeAndRegisterSeal(page: Page, applicationId: string): Promise<SealView> {
  const { json: app } = await apiAs<ApplicationView>(page, 'GET', `/applications/${applicationId}`);
  const picture = await page.request.get(`${new URL(page.url()).origin}${API_PREFIX}/applications/${applicationId}/impression`);
  const ca = await createRootCa('CN=Console Test Seal CA,O=SealDesk Test');
  const makerKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keeperKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = (k: crypto.KeyObject): Uint8Array => new Uint8Array(k.export({ type: 'spki', format: 'der' }));
  const makerCert = await issueCertificate(ca, { publicKeySpki: spki(makerKey.publicKey), subject: 'CN=星河市电子印章制作中心,O=SealDesk Test' });
  const keeperCert = await issueCertificate(ca, { publicKeySpki: spki(keeperKey.publicKey), subject: `CN=${app.keeper.name},O=${UNIT}` });
  const made = await makeSeal({
    maker: nodeKeySigner(makerKey.privateKey, makerCert), keeper: { certificate: keeperCert, seals: [] }, trustRoots: [ca.certificate],
    now: new Date(), name: app.sealName, type: Number(app.kind), validStart: new Date(app.validFrom), validEnd: new Date(app.validTo),
    image: { bytes: new Uint8Array(await picture.body()), widthMm: app.impression.widthMm, heightMm: app.impression.heightMm }, vendorId: 'SealDesk-Test',
  });
  const r = await apiAs<SealView>(page, 'POST', '/seals', { applicationId, seal: Buffer.from(made.der).toString('base64') });
  if (r.status !== 200 && r.status !== 201) throw new Error(`registering the seal failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

export const demoSealPng = (): Buffer => fs.readFileSync(path.resolve(__dirname, '../../../resources/seals/demo-seal.png'));

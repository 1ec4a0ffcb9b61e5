import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { encodePng } from '../../../src/core/image';
import { openModule, type Pkcs11Module } from '../../../src/core/pkcs11';
import { makeSeal } from '../../../src/core/seal/make-seal';
import type { Role } from '../../../src/platform/api/contract';
import { PlatformClient, type RequestSigner } from '../../../src/platform/client/platform-client';
import { initPlatform } from '../../../src/platform/init';
import { startPlatform, type RunningPlatform } from '../../../src/platform/runtime';
import { holdTokenSigner, type HeldSigner } from '../../../src/platform/signing/platform-signer';
import { REDACT_PATHS } from '../../../src/platform/server';
import { freshSoftHsm, SOFTHSM_MODULE, type SoftHsmWorld } from '../../support/softhsm';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { createTestToken, type TestToken } from '../../support/tokens';

/**
 * A whole platform for a test file, on SQLite or on a real PostgreSQL 15: SoftHSM2 tokens for the
 * platform key, a maker's authorization card and keepers' USB-Keys (certificates from one test CA),
 * `platform init` in a temp DIR, the HTTPS server in this process on a free loopback port, and one
 * account per role. Everything the server logs is kept in `logLines` (tests check the redaction).
 */
export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: Backend[] = ['sqlite', 'postgres'];

export const PASSWORDS: Record<string, string> = {
  admin: 'admin-pass-0001', applicant: 'applicant-pass-01', approver: 'approver-pass-001', maker: 'maker-pass-00001',
  unitadmin: 'unitadmin-pass-01', auditor: 'auditor-pass-0001', applicant2: 'applicant2-pass-1', approver2: 'approver2-pass-01', multi: 'multi-role-pass-1',
};
export const UNIT = '示例单位';
export const STRICT_UNIT = '用印审批单位';

const ACCOUNTS: { user: string; roles: Role[]; unit?: string }[] = [
  { user: 'applicant', roles: ['applicant'], unit: UNIT },
  { user: 'approver', roles: ['approver'], unit: UNIT },
  { user: 'maker', roles: ['maker'] },
  { user: 'unitadmin', roles: ['unit_admin'], unit: UNIT },
  { user: 'auditor', roles: ['auditor'] },
  { user: 'applicant2', roles: ['applicant'], unit: STRICT_UNIT },
  { user: 'approver2', roles: ['approver', 'unit_admin'], unit: STRICT_UNIT },
  { user: 'multi', roles: ['applicant', 'approver'], unit: UNIT },
];

export interface Keeper { token: TestToken; signer: HeldSigner; request: RequestSigner }

export interface PlatformWorld {
  backend: Backend;
  dir: string;
  hsm: SoftHsmWorld;
  pg?: TestPostgres;
  running: RunningPlatform;
  rootPem: string;
  logLines: string[];
  maker: Keeper;
  newKeeper(label: string): Promise<Keeper>;
  client(): PlatformClient;
  as(user: string): Promise<PlatformClient>;
  impression(seed?: number): Uint8Array;
  /** A real SESeal made by the maker's card for a keeper, matching an application's fields. */
  makeSealDer(o: { name: string; kind: string; keeper: Keeper | Keeper[]; png: Uint8Array; validStart?: Date; validEnd?: Date; esID?: string }): Promise<Uint8Array>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export function impressionPng(seed = 1, size = 64): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - size / 2, y - size / 2);
      const on = d < size / 2 - 1 && d > size / 2 - 5 || ((x * seed + y) % 17 === 0 && d < size / 3);
      rgba.set(on ? [200, 20, 20, 255] : [0, 0, 0, 0], (y * size + x) * 4);
    }
  }
  return encodePng({ width: size, height: size, rgba });
}

async function keeperOf(mod: Pkcs11Module, token: TestToken, home: string): Promise<Keeper> {
  const signer = await holdTokenSigner(mod, token.label, token.pin(), token.ckaId, home);
  return { token, signer, request: { certificate: signer.certificate, digestAlg: 'sha256', sign: (m) => signer.sign(m) } };
}

/** consoleDir: a built web console for the server to serve (the desktop e2e tests drive it beside the client). */
export async function createPlatformWorld(backend: Backend, o: { pg?: TestPostgres; consoleDir?: string } = {}): Promise<PlatformWorld> {
  const hsm = freshSoftHsm('sealdesk-platform-');
  const dir = path.join(hsm.dir, 'platform');
  let pg = o.pg;
  let ownPg = false;
  if (backend === 'postgres' && !pg) { pg = await startPostgres(); ownPg = true; }
  const dbUrl = backend === 'postgres' ? pg!.newDatabase(`p_${crypto.randomBytes(4).toString('hex')}`) : undefined;
  const makerToken = await createTestToken({ world: hsm, label: 'MAKER-CARD', subject: 'CN=制章中心,O=SealDesk Test' });
  const ca = makerToken.ca;
  fs.writeFileSync(path.join(hsm.dir, 'ca.pem'), ca.certificatePem);
  await initPlatform({
    dir, db: dbUrl, module: SOFTHSM_MODULE, newToken: true, name: 'Test Platform', trustRoots: [path.join(hsm.dir, 'ca.pem')],
    admin: { user: 'admin', password: Buffer.from(PASSWORDS.admin!) },
    units: [{ name: UNIT }, { name: STRICT_UNIT, requiresUseApproval: true }],
    accounts: ACCOUNTS.map((a) => ({ ...a, displayName: a.user, password: Buffer.from(PASSWORDS[a.user]!) })),
  });
  const logLines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); cb(); } });
  const logger = () => pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  let running = await startPlatform(dir, { listen: '127.0.0.1:0', log: logger(), server: { rateLimit: { max: 100_000, loginMax: 1000 }, consoleDir: o.consoleDir } });
  const rootPem = fs.readFileSync(path.join(dir, 'tls', 'root.pem'), 'utf8');
  const mod = openModule(SOFTHSM_MODULE);
  const maker = await keeperOf(mod, makerToken, hsm.home);
  const keepers: Keeper[] = [maker];
  const clients: PlatformClient[] = [];
  const world: PlatformWorld = {
    backend, dir, hsm, pg, running, rootPem, logLines, maker,
    async newKeeper(label) {
      const t = await createTestToken({ world: hsm, label, ca, subject: `CN=${label},O=SealDesk Test` });
      const k = await keeperOf(mod, t, hsm.home);
      keepers.push(k);
      return k;
    },
    client() {
      const c = new PlatformClient(world.running.url, rootPem);
      clients.push(c);
      return c;
    },
    async as(user) {
      const c = world.client();
      const r = await c.login(user, Buffer.from(PASSWORDS[user]!));
      if (r.status !== 200) throw new Error(`login ${user}: ${r.text}`);
      return c;
    },
    impression: (seed) => impressionPng(seed),
    async makeSealDer(s) {
      const list = Array.isArray(s.keeper) ? s.keeper : [s.keeper];
      const now = new Date();
      const made = await makeSeal({
        maker: { certificate: maker.signer.certificate, keyAlgorithm: 'EC-P256', defaultScheme: 'ecdsa-sha256', sign: (m) => maker.signer.sign(m) },
        keeper: { certificate: list[0]!.signer.certificate, seals: [] }, trustRoots: [ca.certificate], now, esID: s.esID,
        name: s.name, type: Number(s.kind), validStart: s.validStart ?? new Date(now.getTime() - 86400_000), validEnd: s.validEnd ?? new Date(now.getTime() + 365 * 86400_000),
        image: { bytes: s.png, widthMm: 40, heightMm: 40 }, vendorId: 'SDTEST',
      });
      if (list.length === 1) return made.der;
      throw new Error('one keeper per seal in these tests');
    },
    async restart() {
      await world.running.close();
      world.running = running = await startPlatform(dir, { listen: '127.0.0.1:0', log: logger(), server: { rateLimit: { max: 100_000, loginMax: 1000 }, consoleDir: o.consoleDir } });
    },
    async close() {
      for (const c of clients) c.close();
      await running.close().catch(() => undefined);
      for (const k of keepers) await k.signer.close();
      if (ownPg) pg!.cleanup();
      hsm.cleanup();
    },
  };
  return world;
}

/** File → approve → register: a seal in use, returning its esID and application id. */
export async function sealInUse(w: PlatformWorld, keeper: Keeper, o: { name?: string; unitUser?: string; approver?: string; validStart?: Date; validEnd?: Date } = {}): Promise<{ esID: string; applicationId: string }> {
  const applicant = await w.as(o.unitUser ?? 'applicant');
  const approver = await w.as(o.approver ?? 'approver');
  const maker = await w.as('maker');
  const png = w.impression(Math.floor(Math.random() * 1000));
  const name = o.name ?? `合同专用章-${crypto.randomBytes(3).toString('hex')}`;
  const now = Date.now();
  const filed = await applicant.call<{ id: string }>('applicationCreate', { body: {
    sealName: name, kind: '04', keeper: { name: keeper.token.label, certificate: Buffer.from(keeper.signer.certificate).toString('base64') },
    impression: { png: Buffer.from(png).toString('base64'), widthMm: 40, heightMm: 40 },
    validFrom: new Date(now - 86400_000).toISOString(), validTo: new Date(now + 365 * 86400_000).toISOString(),
  } });
  if (filed.status !== 201) throw new Error(`file: ${filed.text}`);
  const decided = await approver.call('decision', { params: { id: filed.body.id }, body: { decision: 'approve', reason: '同意' } });
  if (decided.status !== 200) throw new Error(`approve: ${decided.text}`);
  const der = await w.makeSealDer({ name, kind: '04', keeper, png, validStart: o.validStart, validEnd: o.validEnd });
  const reg = await maker.call<{ esID: string }>('sealRegister', { body: { applicationId: filed.body.id, seal: Buffer.from(der).toString('base64') } });
  if (reg.status !== 201) throw new Error(`register: ${reg.text}`);
  return { esID: reg.body.esID, applicationId: filed.body.id };
}

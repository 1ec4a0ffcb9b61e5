import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decodeSeal } from '../../src/core/asn1/ses-seal';
import { AppContext } from '../../src/core/app/context';
import { stampDocument } from '../../src/core/app/stamping';
import { loadConfig, saveConfig } from '../../src/core/config/config';
import { homePaths } from '../../src/core/config/paths';
import { withSession, writeSealObject } from '../../src/core/pkcs11';
import type { PlatformSettings } from '../../src/core/platform-client/platform-settings';
import { fetchPlatformSettings } from '../../src/core/platform-client/trust-bundle';
import type { StateEventRequest } from '../../src/platform/api/contract';
import { createTestToken, type TestToken } from '../support/tokens';
import { MAIN } from '../platform/support/cli';
import { SOFTHSM_MODULE } from '../support/softhsm';
import type { Keeper, PlatformWorld } from '../platform/support/platform-world';

export const CONTRACT = path.resolve(__dirname, '../../resources/samples/contract.pdf');

/** A SealDesk data dir (config, trust store, audit log) beside the platform world's SoftHSM. */
export function dataDir(w: PlatformWorld, name: string, settings?: PlatformSettings): AppContext {
  const home = path.join(w.hsm.dir, name);
  fs.mkdirSync(home, { recursive: true });
  const file = homePaths(home).configFile;
  saveConfig({ ...loadConfig(file), platform: settings }, file);
  const ctx = new AppContext({ home, module: SOFTHSM_MODULE });
  ctx.trust.add(path.join(w.hsm.dir, 'ca.pem'));
  return ctx;
}

export const configure = (w: PlatformWorld) => fetchPlatformSettings(w.running.url, w.rootPem);

/**
 * A keeper's USB-Key with a seal filed, approved, made by the maker's card, registered on the
 * platform and written to the key: what a unit has after 申请 → 审批 → 制章.
 */
export async function keeperWithSeal(w: PlatformWorld, label: string, o: { applicant?: string; approver?: string; register?: boolean; validStart?: Date; validEnd?: Date; png?: Uint8Array } = {}): Promise<{ token: TestToken; esID: string }> {
  const token = await createTestToken({ world: w.hsm, label, ca: w.maker.token.ca, ckaId: crypto.randomBytes(4).toString('hex') });
  const applicant = await w.as(o.applicant ?? 'applicant');
  const approver = await w.as(o.approver ?? 'approver');
  const maker = await w.as('maker');
  const png = o.png ?? w.impression(7);
  const name = `合同专用章-${label}`;
  const now = Date.now();
  const filed = await applicant.call<{ id: string }>('applicationCreate', { body: {
    sealName: name, kind: '04', keeper: { name: label, certificate: Buffer.from(token.certificate!).toString('base64') },
    impression: { png: Buffer.from(png).toString('base64'), widthMm: 40, heightMm: 40 },
    validFrom: new Date(now - 86400_000).toISOString(), validTo: new Date(now + 365 * 86400_000).toISOString(),
  } });
  if (filed.status !== 201) throw new Error(filed.text);
  const ok = await approver.call('decision', { params: { id: filed.body.id }, body: { decision: 'approve', reason: '同意' } });
  if (ok.status !== 200) throw new Error(ok.text);
  const der = await w.makeSealDer({ name, kind: '04', keeper: { token, signer: { certificate: token.certificate! }, request: undefined } as unknown as Keeper, png, validStart: o.validStart, validEnd: o.validEnd });
  await withSession(token.mod, token.token, { readWrite: true }, (s) => writeSealObject(s, { ckaId: token.ckaId, label: name, der }));
  if (o.register === false) return { token, esID: decodeSeal(der).eSealInfo.esID };
  const reg = await maker.call<{ esID: string }>('sealRegister', { body: { applicationId: filed.body.id, seal: Buffer.from(der).toString('base64') } });
  if (reg.status !== 201) throw new Error(reg.text);
  return { token, esID: reg.body.esID };
}

export async function stateEvent(w: PlatformWorld, esID: string, body: StateEventRequest): Promise<void> {
  const admin = await w.as('unitadmin');
  const r = await admin.call('stateEvent', { params: { esID }, body });
  if (r.status !== 200) throw new Error(r.text);
}

/** A PIN prompt that counts how often it was asked. */
export function pinSpy(pin: string) {
  const calls: number[] = [];
  return { calls, ask: async () => { calls.push(1); return Buffer.from(pin); } };
}

export function stamp(ctx: AppContext, token: TestToken, output: string, ask: () => Promise<Buffer>, input = CONTRACT) {
  return stampDocument(ctx, { input, output, token: token.label, placement: { kind: 'point', page: 1, x: 200, y: 200 }, askPin: ask });
}

export const sha256Of = (file: string) => ({ alg: 'sha256' as const, hex: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') });

/** A copy of the contract that differs by one trailing comment: another document to stamp. */
export function anotherDocument(dir: string, name: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, Buffer.concat([fs.readFileSync(CONTRACT), Buffer.from(`\n% ${name}\n`)]));
  return f;
}

/** Points a data dir at another address of the platform (after a restart, or through a proxy). */
export function pointAt(ctx: AppContext, settings: PlatformSettings, url: string): void {
  const file = homePaths(ctx.home).configFile;
  saveConfig({ ...loadConfig(file), platform: { ...settings, url } }, file);
  ctx.config.platform = { ...settings, url };
}

/**
 * The real `sealdesk` CLI as a child process, awaited without blocking this process (the platform
 * under test serves from it: spawnSync would stall it). Killed after 120 s.
 */
export function cliAsync(args: string[], o: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, ...o.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
    child.stdin.end(o.stdin ?? '');
  });
}

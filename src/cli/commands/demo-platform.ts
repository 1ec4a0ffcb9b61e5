/**
 * The demo's seal platform: `sealdesk demo` builds DIR/platform with `platform init` (its own SoftHSM2
 * token dir beside the demo's), serves it on loopback as a detached `platform serve` (pid file, so
 * `platform stop --dir DIR/platform` stops it), creates one console account per role, files and
 * approves the demo seal's application and registers the seal the demo made. Passwords are random,
 * go to children on stdin only, and are written to DIR/accounts (0600) like the demo PINs.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { decodeSeal } from '../../core/asn1/ses-seal';
import { SealDeskError } from '../../core/errors';
import type { ApplicationView, Role, UnitView } from '../../platform/api/contract';
import { PlatformClient } from '../../platform/client/platform-client';
import { loadPlatformConfig, platformPaths } from '../../platform/config';
import { serverProcessAlive } from '../../platform/runtime';
import { SOFTHSM_DEFAULT_MODULE } from './platform-log';
import { expectOk, serverUrlFile } from './platform-client-options';
import { installRoot } from '../../core/config/install-root';

export const DEMO_UNIT = 'SealDesk 演示有限公司';
const ROLE_ACCOUNTS: { role: Role; user: string }[] = [
  { role: 'applicant', user: 'applicant' }, { role: 'approver', user: 'approver' }, { role: 'maker', user: 'maker' },
  { role: 'unit_admin', user: 'unitadmin' }, { role: 'auditor', user: 'auditor' },
];

export interface DemoAccount { role: Role; user: string; password: string }
export interface DemoPlatform { dir: string; url: string; rootPem: string; accounts: DemoAccount[]; esID: string }

export function demoPlatformDir(worldDir: string): string { return path.join(worldDir, 'platform'); }

/** The sealdesk CLI as a child process (from source through tsx, or the built main.js). */
export function cliCommand(): { command: string; args: string[] } {
  const main = __filename.endsWith('.ts') ? path.join(installRoot(), 'src', 'cli', 'main.ts') : path.join(installRoot(), 'dist', 'cli', 'main.mjs');
  const imports: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const a = process.execArgv[i]!;
    if ((a === '--import' || a === '--require' || a === '--loader') && process.execArgv[i + 1]) imports.push(a, process.execArgv[++i]!);
    else if (/^--(import|require|loader)=/.test(a)) imports.push(a);
  }
  return { command: process.execPath, args: [...imports, main] };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** The pid of the platform's running server, if one is. */
export function runningServerPid(pdir: string): number | undefined {
  const file = platformPaths(pdir).pidFile;
  if (!fs.existsSync(file)) return undefined;
  const pid = Number(fs.readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && serverProcessAlive(pid) ? pid : undefined;
}

/** Starts `platform serve` detached (it outlives the demo) and waits until it writes its pid file. */
export async function startDemoServer(pdir: string): Promise<string> {
  const config = loadPlatformConfig(pdir);
  const p = platformPaths(pdir);
  fs.rmSync(p.pidFile, { force: true });
  fs.rmSync(serverUrlFile(pdir), { force: true });
  const out = fs.openSync(path.join(pdir, 'serve.out'), 'a', 0o600);
  const { command, args } = cliCommand();
  const env = { ...process.env, ...(config.token.softhsmConf ? { SOFTHSM2_CONF: config.token.softhsmConf } : {}) };
  const child = spawn(command, [...args, 'platform', 'serve', '--dir', pdir], { detached: true, stdio: ['ignore', out, out], env });
  fs.closeSync(out);
  child.unref();
  for (let i = 0; i < 600; i++) {
    if (fs.existsSync(p.pidFile) && fs.existsSync(serverUrlFile(pdir))) {
      const url = fs.readFileSync(serverUrlFile(pdir), 'utf8').trim();
      if (url) return url;
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.exitCode === null && child.pid) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }
  throw new SealDeskError('DEMO_PLATFORM_START', `演示平台未能启动(见 ${path.join(pdir, 'serve.out')})`, `The demo platform did not start (see ${path.join(pdir, 'serve.out')})`);
}

function stopServer(pdir: string): void {
  const pid = runningServerPid(pdir);
  if (pid) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}

/** Sets up, serves and fills the demo platform; on any failure stops it and removes DIR/platform. */
export async function setUpDemoPlatform(o: { worldDir: string; demoRootPem: string; seal: { der: Uint8Array; imagePath: string; keeper: string } }): Promise<DemoPlatform> {
  const pdir = demoPlatformDir(o.worldDir);
  const accountsFile = path.join(o.worldDir, 'accounts');
  try {
    fs.mkdirSync(path.join(pdir, 'tokens'), { recursive: true, mode: 0o700 });
    const conf = path.join(pdir, 'softhsm2.conf');
    fs.writeFileSync(conf, `directories.tokendir = ${path.join(pdir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    const accounts: DemoAccount[] = ROLE_ACCOUNTS.map((a) => ({ ...a, password: crypto.randomBytes(12).toString('base64url') }));
    const admin = accounts.find((a) => a.role === 'unit_admin')!;
    const port = await freePort();
    const { command, args } = cliCommand();
    const init = spawnSync(command, [...args, 'platform', 'init', '--dir', pdir, '--new-token', '--softhsm-conf', conf, '--module', SOFTHSM_DEFAULT_MODULE,
      '--admin', admin.user, '--password-stdin', '--trust-root', o.demoRootPem, '--listen', `127.0.0.1:${port}`, '--name', 'SealDesk 演示印章管理平台'],
    { input: `${admin.password}\n`, encoding: 'utf8', env: { ...process.env, SOFTHSM2_CONF: conf }, timeout: 180_000 });
    if (init.status !== 0) throw new SealDeskError('DEMO_PLATFORM_INIT', `演示平台初始化失败: ${init.stderr.trim()}`, `The demo platform could not be initialised: ${init.stderr.trim()}`);
    const url = await startDemoServer(pdir);
    const rootPem = path.join(pdir, loadPlatformConfig(pdir).tls.root);
    const as = async (user: string): Promise<PlatformClient> => {
      const c = new PlatformClient(url, fs.readFileSync(rootPem, 'utf8'));
      expectOk(await c.login(user, Buffer.from(accounts.find((a) => a.user === user)!.password)));
      return c;
    };
    const clients: PlatformClient[] = [];
    try {
      const adminClient = await as(admin.user);
      clients.push(adminClient);
      const unit = expectOk(await adminClient.call<UnitView>('unitCreate', { body: { name: DEMO_UNIT, requiresUseApproval: false } }));
      for (const a of accounts) {
        if (a === admin) continue;
        const inUnit = a.role === 'applicant' || a.role === 'approver';
        expectOk(await adminClient.call('accountCreate', { body: { user: a.user, displayName: a.user, password: a.password, roles: [a.role], ...(inUnit ? { unitId: unit.id } : {}) } }));
      }
      const applicant = await as('applicant');
      const approver = await as('approver');
      const maker = await as('maker');
      clients.push(applicant, approver, maker);
      const info = decodeSeal(o.seal.der).eSealInfo.property;
      const filed = expectOk(await applicant.call<ApplicationView>('applicationCreate', { body: {
        sealName: info.name, kind: String(info.type).padStart(2, '0'), keeper: { name: o.seal.keeper },
        impression: { png: fs.readFileSync(o.seal.imagePath).toString('base64'), widthMm: 42, heightMm: 42 },
        validFrom: new Date(info.validStart).toISOString(), validTo: new Date(info.validEnd).toISOString(),
      } }));
      expectOk(await approver.call('decision', { params: { id: filed.id }, body: { decision: 'approve', reason: '演示 / demo' } }));
      const reg = expectOk(await maker.call<{ esID: string }>('sealRegister', { body: { applicationId: filed.id, seal: Buffer.from(o.seal.der).toString('base64') } }));
      fs.writeFileSync(accountsFile, accounts.map((a) => `${a.role} ${a.user} ${a.password}\n`).join(''), { mode: 0o600 });
      return { dir: pdir, url, rootPem, accounts, esID: reg.esID };
    } finally {
      for (const c of clients) c.close();
    }
  } catch (e) {
    stopServer(pdir);
    fs.rmSync(pdir, { recursive: true, force: true });
    fs.rmSync(accountsFile, { force: true });
    throw e;
  }
}

/**
 * The demo CA's revocation service: DIR/revocation holds the CA's `openssl ca` index (every
 * certificate the demo issues is registered there), its CRL, and the loopback address the demo's
 * certificates point at (AIA id-ad-ocsp, CRL distribution point). It runs as a detached process
 * beside the demo's platform server (the OpensslRevocationAuthority: `openssl ocsp` behind an http
 * server on 127.0.0.1, the CRL over http), writes DIR/revocation/service.pid, and is stopped with
 * `sealdesk platform stop --dir DIR/platform` (stopDemoRevocationService). The service is started
 * before the certificates are issued (its first start picks the port, recorded in service.json) and
 * keeps that port on restarts, since the certificates carry it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SealDeskError } from '../errors';
import { loadPemCertificates } from '../crypto/pem';
import { OpensslRevocationAuthority } from './openssl-revocation-authority';

const SERVICE_FILE = 'service.json';
const PID_FILE = 'service.pid';
const MARK = 'sealdesk-demo-revocation';

interface ServiceConfig { mark: typeof MARK; port: number; digest: string; ocspUrl: string; crlUrl: string }

/** Where the demo's certificates say their status is published. */
export interface DemoRevocationPointers { ocspUrl?: string; crlUrl: string }

/** The service's directory inside a demo world. */
export function demoRevocationDir(worldDir: string): string { return path.join(worldDir, 'revocation'); }

function pemBody(pem: string): Uint8Array {
  return new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
}

function readConfig(dir: string): ServiceConfig | undefined {
  try {
    const c = JSON.parse(fs.readFileSync(path.join(dir, SERVICE_FILE), 'utf8')) as ServiceConfig;
    return c.mark === MARK && Number.isInteger(c.port) ? c : undefined;
  } catch {
    return undefined;
  }
}

function authorityIn(dir: string, digest: string): OpensslRevocationAuthority {
  const ca = loadPemCertificates(fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'))[0]!;
  return new OpensslRevocationAuthority({ dir, caCertificate: ca, caKeyPkcs8: pemBody(fs.readFileSync(path.join(dir, 'ca.key'), 'utf8')), digest });
}

/**
 * Sets up DIR/revocation for a CA (its certificate and key, an empty index), starts the service
 * with `start`, and returns the pointers the demo puts into the certificates it issues then, and
 * `register` for each of them (the responder reads the index again when it changed). `ocsp: false`
 * (SM2: OpenSSL 3.0's responder signs with the empty SM2 ID, see docs/ltv.md) gives the CRL only.
 */
export async function prepareDemoRevocation(dir: string, ca: { certificate: Uint8Array; keyPkcs8: Uint8Array; digest: string; ocsp: boolean }, start: (dir: string) => Promise<void>): Promise<{ pointers: DemoRevocationPointers; register(der: Uint8Array): void }> {
  const authority = new OpensslRevocationAuthority({ dir, caCertificate: ca.certificate, caKeyPkcs8: ca.keyPkcs8, digest: ca.digest });
  const initial: ServiceConfig = { mark: MARK, port: 0, digest: ca.digest, ocspUrl: '', crlUrl: '' };
  fs.writeFileSync(path.join(dir, SERVICE_FILE), `${JSON.stringify(initial, null, 2)}\n`);
  await start(dir);
  const config = readConfig(dir)!;
  return {
    pointers: { ...(ca.ocsp ? { ocspUrl: config.ocspUrl } : {}), crlUrl: config.crlUrl },
    register: (der) => authority.register(der),
  };
}

/** The pid of the running service, if one runs. */
export function runningDemoRevocationPid(dir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, PID_FILE), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) ? undefined : pid;
  } catch {
    return undefined;
  }
}

/**
 * The service process itself (`sealdesk demo revocation-serve --dir DIR/revocation`): publishes a
 * fresh CRL, listens on its recorded port, writes the pid file, and on SIGTERM/SIGINT stops the
 * responder and removes the pid file.
 */
export async function serveDemoRevocation(dir: string): Promise<void> {
  const config = readConfig(dir);
  if (!config) throw new SealDeskError('DEMO_REVOCATION_CONFIG', `${dir} 不是演示吊销服务目录`, `${dir} is not a demo revocation service directory`);
  const authority = authorityIn(dir, config.digest);
  authority.publishCrl();
  await authority.start({ port: config.port, ocspMinutes: 10 });
  // the first start picked the port; later ones keep it (the certificates point there)
  const port = Number(new URL(authority.crlUrl).port);
  fs.writeFileSync(path.join(dir, SERVICE_FILE), `${JSON.stringify({ ...config, port, ocspUrl: authority.ocspUrl, crlUrl: authority.crlUrl }, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, PID_FILE), `${process.pid}\n`);
  // Synchronously first (the CLI's own signal handler exits the process right after): the pid
  // file goes and `openssl ocsp` is told to end, so no responder outlives the service.
  const stop = (): void => {
    fs.rmSync(path.join(dir, PID_FILE), { force: true });
    authority.killResponder();
    void authority.stop().finally(() => process.exit(0));
  };
  process.on('exit', () => authority.killResponder());
  for (const s of ['SIGTERM', 'SIGINT'] as const) process.prependListener(s, stop);
  await new Promise<void>(() => undefined);
}

/**
 * Starts the service detached (it outlives the demo) through `cli` (the sealdesk command line as
 * a child process) and waits until it writes its pid file and answers on its port.
 */
export async function startDemoRevocationService(dir: string, cli: { command: string; args: string[] }): Promise<void> {
  if (runningDemoRevocationPid(dir) !== undefined) return;
  fs.rmSync(path.join(dir, PID_FILE), { force: true });
  const out = fs.openSync(path.join(dir, 'service.out'), 'a', 0o600);
  const child = spawn(cli.command, [...cli.args, 'demo', 'revocation-serve', '--dir', dir], { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  child.unref();
  for (let i = 0; i < 300; i++) {
    if (runningDemoRevocationPid(dir) !== undefined) return;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.exitCode === null && child.pid) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }
  throw new SealDeskError('DEMO_REVOCATION_START', `演示吊销服务未能启动(见 ${path.join(dir, 'service.out')})`, `The demo revocation service did not start (see ${path.join(dir, 'service.out')})`);
}

/**
 * Stops a running service (SIGTERM: it stops `openssl ocsp` and its listener) and waits until it
 * is gone; returns its pid, or undefined when none ran. Directories without a demo service are left alone.
 */
export async function stopDemoRevocationService(dir: string): Promise<number | undefined> {
  if (!readConfig(dir)) return undefined;
  const pid = runningDemoRevocationPid(dir);
  if (pid === undefined) { fs.rmSync(path.join(dir, PID_FILE), { force: true }); return undefined; }
  try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  for (let i = 0; i < 100; i++) {
    if (runningDemoRevocationPid(dir) === undefined) { fs.rmSync(path.join(dir, PID_FILE), { force: true }); return pid; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new SealDeskError('DEMO_REVOCATION_STOP_FAILED', `演示吊销服务进程 ${pid} 未退出`, `Demo revocation service process ${pid} did not exit`);
}

/**
 * For `sealdesk platform stop --dir DIR/platform`: stops the demo revocation service of the demo
 * world DIR when there is one (a platform outside a demo world has none and nothing happens).
 */
export async function stopDemoRevocationBeside(platformDir: string, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  const pid = await stopDemoRevocationService(demoRevocationDir(path.dirname(path.resolve(platformDir))));
  if (pid !== undefined) log(`演示吊销服务已停止 / demo revocation service stopped (pid ${pid})`);
}

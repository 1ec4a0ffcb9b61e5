import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The real `sealdesk` CLI from source, for the platform's command-line tests. */
export const MAIN = path.resolve(__dirname, '../../../src/cli/main.ts');

export interface CliResult { status: number | null; stdout: string; stderr: string }

export function cli(args: string[], o: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { input: o.stdin ?? '', encoding: 'utf8', env: { ...process.env, ...o.env }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `platform serve` as its own process; resolves when it has written DIR/server.url. */
export async function serveProcess(dir: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const urlFile = path.join(dir, 'server.url');
  fs.rmSync(urlFile, { force: true });
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'platform', 'serve', '--dir', dir, '--listen', '127.0.0.1:0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  for (let i = 0; i < 600; i++) {
    if (fs.existsSync(urlFile)) {
      const url = fs.readFileSync(urlFile, 'utf8').trim();
      if (url) return { child, url, output: () => output };
    }
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`serve did not start: ${output}`);
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

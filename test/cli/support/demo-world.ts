import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BIN = path.resolve(__dirname, '../../../bin/sealdesk');

export interface CliWorld {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** What the demo command printed on stdout. */
  log: string;
  run(args: string[], stdin?: string): { code: number | null; out: string; err: string };
  auditLines(): Record<string, unknown>[];
  /** Stops the demo platform's server if this world has one (`platform stop --dir DIR/platform`). */
  stopPlatform(): void;
}

/**
 * Runs `sealdesk demo --dir` in a fresh temp dir and returns a runner acting inside that world.
 * Without `platform: true` the demo runs with --no-platform (no server process to leave behind);
 * with it, the caller stops the server with stopPlatform() when done.
 */
export function demoWorld(o: { platform?: boolean } = {}): CliWorld {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-cli-world-')), 'world');
  const base: NodeJS.ProcessEnv = { ...process.env, SEALDESK_FROM_SOURCE: '1' };
  delete base.SEALDESK_PKCS11_MODULE;
  const built = spawnSync(BIN, ['demo', '--dir', dir, ...(o.platform ? [] : ['--no-platform'])], { env: base, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`demo failed (${built.status}): ${built.stderr}\n${built.stdout}`);
  const env: NodeJS.ProcessEnv = { ...base };
  for (const line of fs.readFileSync(path.join(dir, 'env'), 'utf8').split('\n')) {
    const m = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return {
    dir,
    env,
    log: built.stdout,
    run(args, stdin) {
      const r = spawnSync(BIN, args, { env, input: stdin ?? '', encoding: 'utf8' });
      return { code: r.status, out: r.stdout, err: r.stderr };
    },
    stopPlatform() {
      if (o.platform) spawnSync(BIN, ['platform', 'stop', '--dir', path.join(dir, 'platform')], { env, encoding: 'utf8' });
    },
    auditLines() {
      const file = path.join(env.SEALDESK_HOME!, 'audit.log');
      return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

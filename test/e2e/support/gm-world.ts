/**
 * A 国密 demo world for an e2e test file (`sealdesk demo --gm`: SM2 keys on SealDesk's native GM
 * test token, native/), its env exported into this process (the token dir and module are
 * process-wide, like SOFTHSM2_CONF). `prepare` runs first, e.g. to write a token config.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GMTOKEN_MODULE } from '../../../src/core/app/demo-gm-world';
import { repoRoot } from './world';

export interface GmWorld {
  parent: string;
  dir: string;
  home: string;
  cleanup(): void;
}

export function buildGmDemoWorld(prefix: string, prepare?: (parent: string) => void): GmWorld {
  if (!fs.existsSync(GMTOKEN_MODULE)) execFileSync('make', ['-C', path.join(repoRoot, 'native')], { stdio: 'pipe' });
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dir = path.join(parent, 'world');
  prepare?.(parent);
  execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'demo', '--gm', '--no-platform', '--dir', dir], { cwd: repoRoot, env: process.env, stdio: 'pipe', timeout: 180_000 });
  for (const line of fs.readFileSync(path.join(dir, 'env'), 'utf8').split('\n')) {
    const m = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line.trim());
    if (m) process.env[m[1]!] = m[2];
  }
  return { parent, dir, home: process.env.SEALDESK_HOME!, cleanup: () => fs.rmSync(parent, { recursive: true, force: true }) };
}

/**
 * The lead's demo world (`sealdesk demo --dir DIR`): SoftHSM2 tokens DEMO-MAKER and DEMO-KEEPER,
 * a demo root in the trust store, a seal on the keeper token, DIR/stamped.pdf, and DIR/env. Each e2e
 * test file builds its own world and points this process at it (SOFTHSM2_CONF is process-wide).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const KEEPER_PIN = '123456';
export const KEEPER_LABEL = 'DEMO-KEEPER';

export interface DemoWorld {
  dir: string;
  env: Record<string, string>;
  home: string;
  stampedPdf: string;
  contractPdf: string;
  /** Runs the sealdesk CLI inside this world; returns exit code and output. */
  sealdesk(args: string[]): { status: number; stdout: string; stderr: string };
  cleanup(): void;
}

function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    env[m[1]] = m[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

export function buildDemoWorld(prefix = 'sealdesk-e2e-'): DemoWorld {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dir = path.join(parent, 'world');
  const cli = (args: string[], env: NodeJS.ProcessEnv) => {
    try {
      const stdout = execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
      return { status: 0, stdout, stderr: '' };
    } catch (e) {
      const err = e as { status?: number; stdout?: string; stderr?: string };
      return { status: err.status ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
    }
  };
  const made = cli(['demo', '--no-platform', '--dir', dir], { ...process.env });
  if (made.status !== 0) throw new Error(`sealdesk demo failed (${made.status}):\n${made.stdout}\n${made.stderr}`);
  const env = parseEnvFile(fs.readFileSync(path.join(dir, 'env'), 'utf8'));
  for (const k of ['SOFTHSM2_CONF', 'SEALDESK_HOME', 'SEALDESK_PKCS11_MODULE']) {
    if (!env[k]) throw new Error(`DIR/env does not set ${k}`);
  }
  Object.assign(process.env, env);
  const stampedPdf = path.join(dir, 'stamped.pdf');
  const contractPdf = path.join(repoRoot, 'resources', 'samples', 'contract.pdf');
  return {
    dir,
    env,
    home: env.SEALDESK_HOME,
    stampedPdf,
    contractPdf,
    sealdesk: (args) => cli(args, { ...process.env, ...env }),
    cleanup: () => fs.rmSync(parent, { recursive: true, force: true }),
  };
}

/** The SoftHSM2 token directory of this world. */
export function tokenDir(world: DemoWorld): string {
  const conf = fs.readFileSync(world.env.SOFTHSM2_CONF, 'utf8');
  const m = /^\s*directories\.tokendir\s*=\s*(.+)$/m.exec(conf);
  if (!m) throw new Error('no tokendir in SoftHSM2 config');
  return m[1].trim();
}

/** The token subdirectory whose token.object carries this label (SoftHSM2 stores the label there). */
export function tokenSubdir(world: DemoWorld, label: string): string {
  const root = tokenDir(world);
  for (const d of fs.readdirSync(root)) {
    const obj = path.join(root, d, 'token.object');
    if (fs.existsSync(obj) && fs.readFileSync(obj).includes(Buffer.from(label))) return path.join(root, d);
  }
  throw new Error(`no SoftHSM2 token labelled ${label}`);
}

/**
 * A copy of a stamped file with one byte changed inside the signed range: a byte of the binary
 * comment on the second line (readers ignore it, so the pages still show, but the digest breaks).
 */
export function withOneByteChanged(stamped: string, out: string): string {
  const bytes = Buffer.from(fs.readFileSync(stamped));
  const nl = bytes.indexOf(0x0a);
  if (bytes[nl + 1] !== 0x25) throw new Error('the second line of the file is not a % comment');
  bytes[nl + 2] ^= 0x01;
  fs.writeFileSync(out, bytes);
  return out;
}

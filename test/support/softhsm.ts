import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SOFTHSM_MODULE = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so']
  .find((p) => fs.existsSync(p)) ?? '/usr/lib/softhsm/libsofthsm2.so';

let homeWeSet: string | undefined;

export interface SoftHsmWorld {
  dir: string;
  conf: string;
  tokenDir: string;
  module: string;
  /** A SealDesk data dir inside the world (PIN guard, audit log); SEALDESK_HOME points here unless it was set before. */
  home: string;
  /** Removes the world; call from test `after`. */
  cleanup(): void;
}

/**
 * A fresh, private SoftHSM2 world for one test file: its own token directory and SOFTHSM2_CONF.
 * SOFTHSM2_CONF is process-wide for libsofthsm2, so it is set in process.env here; each test file
 * runs in its own process under node --test.
 */
export function freshSoftHsm(prefix = 'sealdesk-test-'): SoftHsmWorld {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const tokenDir = path.join(dir, 'tokens');
  fs.mkdirSync(tokenDir);
  const conf = path.join(dir, 'softhsm2.conf');
  fs.writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n`);
  process.env.SOFTHSM2_CONF = conf;
  // Tests must never touch the real app-data dir; keep a caller's explicit choice, but move along
  // with a later world when the current value is one we set.
  const callerChose = process.env.SEALDESK_HOME !== undefined && process.env.SEALDESK_HOME !== homeWeSet;
  const home = callerChose ? (process.env.SEALDESK_HOME as string) : path.join(dir, 'home');
  if (!callerChose) process.env.SEALDESK_HOME = homeWeSet = home;
  return { dir, conf, tokenDir, module: SOFTHSM_MODULE, home, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

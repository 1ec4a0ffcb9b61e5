import fs from 'node:fs';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const STALE_MS = 30_000;

/**
 * Runs fn while holding an exclusive lock shared by every SealDesk process on this machine:
 * `${file}.lock` created with O_EXCL. A lock older than STALE_MS (its holder crashed) is broken.
 * Synchronous on purpose: the critical sections are a read-modify-write of a small file.
 */
export function withFileLock<T>(file: string, fn: () => T, timeoutMs = 10_000): T {
  const lock = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > STALE_MS) { fs.rmSync(lock, { force: true }); continue; }
      } catch { continue; /* released between our two calls */ }
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lock}`);
      Atomics.wait(sleeper, 0, 0, 5 + Math.floor(Math.random() * 10));
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

/**
 * A file being written so that readers see either nothing or the whole new content: a temp file in
 * the target's directory, then fsync, rename, fsync the directory. On any failure the temp file is
 * removed. Stamping writes its output this way piece by piece (the original streamed in, the update
 * appended, the signature patched in); writeFileAtomic does it for a buffer.
 */
export class AtomicOutput {
  readonly fd: number;
  private readonly tmp: string;
  private readonly dir: string;
  private done = false;

  constructor(readonly target: string, mode = 0o644) {
    this.dir = path.dirname(path.resolve(target));
    this.tmp = path.join(this.dir, `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
    this.fd = fs.openSync(this.tmp, 'wx+', mode);
  }

  /** fsync, rename onto the target, fsync the directory. */
  commit(): void {
    try {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.done = true;
      fs.renameSync(this.tmp, this.target);
    } catch (e) {
      this.discard();
      throw e;
    }
    try {
      const dfd = fs.openSync(this.dir, 'r');
      try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
    } catch { /* directory fsync is not supported everywhere (Windows) */ }
  }

  /** Closes and removes the temp file (nothing is left behind); harmless after commit. */
  discard(): void {
    if (!this.done) try { fs.closeSync(this.fd); } catch { /* already failing */ }
    this.done = true;
    try { fs.unlinkSync(this.tmp); } catch { /* never created, or renamed */ }
  }
}

/** Writes `data` to `target` atomically (see AtomicOutput). */
export function writeFileAtomic(target: string, data: Uint8Array, mode = 0o644): void {
  const out = new AtomicOutput(target, mode);
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(out.fd, data, off, data.length - off);
  } catch (e) {
    out.discard();
    throw e;
  }
  out.commit();
}

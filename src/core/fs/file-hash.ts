import crypto from 'node:crypto';
import fs from 'node:fs';

/** The hex SHA-256 of a file, read in 1 MB chunks (a 1 GB document costs 1 MB of memory). */
export function sha256OfFile(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const h = crypto.createHash('sha256');
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
    return h.digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}

import crypto from 'node:crypto';

/**
 * Digests the two signed ranges (everything but the /Contents hex string) in one pass over the
 * bytes already in memory: no copy of the file is made.
 */
export function digestByteRanges(bytes: Uint8Array, byteRange: readonly [number, number, number, number], algorithm: 'sha256' | 'sm3' = 'sha256'): Uint8Array {
  const [a, la, b, lb] = byteRange;
  const h = crypto.createHash(algorithm);
  h.update(bytes.subarray(a, a + la));
  h.update(bytes.subarray(b, b + lb));
  return new Uint8Array(h.digest());
}

/**
 * SHA-256 through node:crypto for the server and the bench, where millions of node hashes should
 * not each take a Web Crypto thread-pool round trip. Same bytes as webCryptoSha256; not for the
 * browser build (the console uses merkle-hash.ts's Web Crypto hasher).
 */
import { createHash } from 'node:crypto';
import type { Sha256 } from './merkle-hash';

export const nodeSha256: Sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return Promise.resolve(new Uint8Array(h.digest()));
};

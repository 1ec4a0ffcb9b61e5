/**
 * RFC 6962 / RFC 9162 §2.1.1 hashing for the transparency log: leaf hash SHA-256(0x00 ‖ leaf), node
 * hash SHA-256(0x01 ‖ left ‖ right), empty tree SHA-256(""). Browser-safe: the default hasher is
 * Web Crypto (globalThis.crypto.subtle, present in Node 20 and every browser in a secure context),
 * so the console checks proofs with the same code the server uses to make them. The server may
 * pass nodeSha256 (node-hasher.ts, node:crypto) where hashing millions of nodes should not pay a
 * thread-pool round trip each; both give the same bytes.
 */

/** SHA-256 of the concatenation of the parts. Async so that Web Crypto can be one. */
export type Sha256 = (...parts: Uint8Array[]) => Promise<Uint8Array>;

export const HASH_SIZE = 32;

export const webCryptoSha256: Sha256 = async (...parts) => {
  // A fresh copy is always backed by a plain ArrayBuffer, which Web Crypto's typing asks for.
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', concatBytes(parts)));
};

const LEAF_PREFIX = Uint8Array.of(0);
const NODE_PREFIX = Uint8Array.of(1);

/** The leaf hash of one log entry's bytes. */
export function hashLeaf(sha256: Sha256, leaf: Uint8Array): Promise<Uint8Array> {
  return sha256(LEAF_PREFIX, leaf);
}

/** The hash of an inner node from its two children. */
export function hashChildren(sha256: Sha256, left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(NODE_PREFIX, left, right);
}

/** The root of the empty tree (size 0). */
export function emptyRoot(sha256: Sha256): Promise<Uint8Array> {
  return sha256();
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding (RFC 4648 §4), no Node Buffer so the browser build can use it. */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!, b = bytes[i + 1], c = bytes[i + 2];
    s += B64[a >> 2]! + B64[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    s += b === undefined ? '=' : B64[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    s += c === undefined ? '=' : B64[c & 63]!;
  }
  return s;
}

/** Strict standard base64: padding required, no whitespace, no non-canonical trailing bits; undefined if not. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const v: number[] = [];
    for (let k = 0; k < 4; k++) {
      const ch = text[i + k]!;
      if (ch === '=' && i + 4 === text.length && k >= 4 - pad) { v.push(0); continue; }
      const x = B64.indexOf(ch);
      if (x < 0) return undefined;
      v.push(x);
    }
    const n = (v[0]! << 18) | (v[1]! << 12) | (v[2]! << 6) | v[3]!;
    const bytes = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    const keep = i + 4 === text.length ? 3 - pad : 3;
    // Bits below the last kept byte must be zero, or two texts would decode to the same bytes.
    if (keep < 3 && (n & (keep === 1 ? 0xffff : 0xff)) !== 0) return undefined;
    for (let k = 0; k < keep; k++) out[o++] = bytes[k]!;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

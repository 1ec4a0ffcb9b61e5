/**
 * Checking inclusion and consistency proofs: the RFC 9162 §2.1.3.2 and §2.1.4.2 algorithms, step for
 * step, with sizes as safe integers (JavaScript's bit operators are 32-bit, so halving is arithmetic).
 * Browser-safe (the console checks an entry's inclusion with it). A refused proof says why, as a
 * value with a code and a Chinese and English reason, never as a throw.
 *
 * Edge rules (they match the transparency-dev/merkle test vectors): a leaf index must be below the
 * tree size; every hash in a proof and every root compared after hashing is 32 bytes; equal sizes
 * need an empty proof and equal roots, and size 0 has only the empty tree's root; a consistency
 * proof from size 0 to a larger tree is refused as meaningless (nothing to be consistent with).
 */
import { HASH_SIZE, bytesEqual, emptyRoot, hashChildren, type Sha256 } from './merkle-hash';

export type ProofCheck = { ok: true } | { ok: false; code: ProofRefusal; zh: string; en: string };

export type ProofRefusal =
  | 'PROOF_BAD_SIZE' | 'PROOF_BAD_INDEX' | 'PROOF_BAD_HASH' | 'PROOF_WRONG_LENGTH'
  | 'PROOF_ROOT_MISMATCH' | 'PROOF_NOT_EMPTY' | 'PROOF_FROM_EMPTY' | 'PROOF_SIZES_REVERSED';

const refuse = (code: ProofRefusal, zh: string, en: string): ProofCheck => ({ ok: false, code, zh, en });
const OK: ProofCheck = { ok: true };

const isSize = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

function badHash(proof: readonly Uint8Array[]): boolean {
  return proof.some((p) => p.length !== HASH_SIZE);
}

/** Does `proof` show that the leaf with hash `leafHash` is entry `index` of the tree of `size` with `root`? */
export async function verifyInclusion(
  sha256: Sha256, index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array,
): Promise<ProofCheck> {
  if (!isSize(size) || !isSize(index)) return refuse('PROOF_BAD_SIZE', '树的大小或条目序号不是非负整数。', 'The tree size or entry index is not a non-negative integer.');
  if (index >= size) return refuse('PROOF_BAD_INDEX', `条目序号 ${index} 不小于树的大小 ${size}。`, `Entry index ${index} is not below the tree size ${size}.`);
  if (leafHash.length !== HASH_SIZE || root.length !== HASH_SIZE || badHash(proof)) {
    return refuse('PROOF_BAD_HASH', '条目哈希、根哈希或证明中的哈希不是 32 字节。', 'The leaf hash, root hash or a proof hash is not 32 bytes.');
  }
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return wrongLength();
    if (odd(fn) || fn === sn) {
      r = await hashChildren(sha256, p, r);
      while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn); }
    } else {
      r = await hashChildren(sha256, r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return wrongLength();
  return bytesEqual(r, root) ? OK : rootMismatch();
}

/** Does `proof` show that the tree of `size2` with `root2` extends the tree of `size1` with `root1`? */
export async function verifyConsistency(
  sha256: Sha256, size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[],
): Promise<ProofCheck> {
  if (!isSize(size1) || !isSize(size2)) return refuse('PROOF_BAD_SIZE', '树的大小不是非负整数。', 'A tree size is not a non-negative integer.');
  if (size2 < size1) return refuse('PROOF_SIZES_REVERSED', `新树的大小 ${size2} 小于旧树的大小 ${size1}。`, `The new tree size ${size2} is below the old tree size ${size1}.`);
  if (size1 === size2) {
    if (proof.length > 0) return refuse('PROOF_NOT_EMPTY', '两棵树大小相同，证明应为空。', 'The two trees have the same size, so the proof must be empty.');
    if (!bytesEqual(root1, root2)) return rootMismatch();
    if (size1 === 0 && !bytesEqual(root1, await emptyRoot(sha256))) return rootMismatch();
    return OK;
  }
  if (size1 === 0) return refuse('PROOF_FROM_EMPTY', '从空树出发的一致性证明没有意义。', 'A consistency proof from the empty tree proves nothing.');
  if (proof.length === 0) return wrongLength();
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE || badHash(proof)) {
    return refuse('PROOF_BAD_HASH', '根哈希或证明中的哈希不是 32 字节。', 'A root hash or a proof hash is not 32 bytes.');
  }
  // RFC 9162 §2.1.4.2: a first tree whose size is a power of two is itself a node of the second.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) { fn = half(fn); sn = half(sn); }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return wrongLength();
    if (odd(fn) || fn === sn) {
      fr = await hashChildren(sha256, c, fr);
      sr = await hashChildren(sha256, c, sr);
      while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn); }
    } else {
      sr = await hashChildren(sha256, sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return wrongLength();
  return bytesEqual(fr, root1) && bytesEqual(sr, root2) ? OK : rootMismatch();
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n > 1) { if (odd(n)) return false; n = half(n); }
  return true;
}

function wrongLength(): ProofCheck {
  return refuse('PROOF_WRONG_LENGTH', '证明的长度与树的大小不符。', 'The proof has the wrong number of hashes for the tree sizes.');
}

function rootMismatch(): ProofCheck {
  return refuse('PROOF_ROOT_MISMATCH', '由证明算出的根哈希与给定的根哈希不同。', 'The root hash computed from the proof differs from the given root.');
}

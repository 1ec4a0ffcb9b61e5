/**
 * The Merkle tree against an independent oracle (RFC 6962's recursive MTH over the leaf hashes) and the
 * published roots of the transparency-dev tree, then property tests over many sizes: every inclusion
 * proof for every leaf of sizes 1..130, consistency for every pair of sizes up to 64, random large
 * sizes with a fixed seed; every tampered proof, index, size and root refused; append and proof
 * cost counted in hashes and node reads/writes (logarithmic), never timed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  CompactRange, MemoryMerkleTree, emptyRoot, hashChildren, hashLeaf, toHex, verifyConsistency, verifyInclusion, type Sha256,
} from '../../src/platform/log/merkle';
import { nodeSha256 } from '../../src/platform/log/node-hasher';

const sha256 = nodeSha256;
const vectors = path.resolve(__dirname, '../../../shared/testdata/merkle');

/** RFC 6962 §2.1 MTH, written from the definition: the oracle the stored tree must agree with. */
async function mth(leaves: readonly Uint8Array[]): Promise<Uint8Array> {
  if (leaves.length === 0) return emptyRoot(sha256);
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return hashChildren(sha256, await mth(leaves.slice(0, k)), await mth(leaves.slice(k)));
}

function leafBytes(i: number): Uint8Array { return new TextEncoder().encode(`entry ${i}`); }

async function treeOf(n: number, hasher: Sha256 = sha256): Promise<{ tree: MemoryMerkleTree; leafHashes: Uint8Array[] }> {
  const tree = new MemoryMerkleTree(hasher);
  const leafHashes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const h = await hashLeaf(sha256, leafBytes(i));
    leafHashes.push(h);
    await tree.appendLeafHash(h);
  }
  return { tree, leafHashes };
}

/** A copy with one bit of one byte flipped. */
function flip(b: Uint8Array, byte = 0, bit = 0): Uint8Array { const c = Uint8Array.from(b); c[byte % c.length]! ^= 1 << bit; return c; }

/** A seeded generator (mulberry32) so that "random" sizes are the same on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('the tree of the vectors\' eight leaves has the published roots for sizes 0..8', async () => {
  const notice = fs.readFileSync(path.join(vectors, 'NOTICE'), 'utf8');
  const inputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
  const published = [...notice.matchAll(/^\s+(\d) ([0-9a-f]{64})$/gm)].map((m) => m[2]!);
  assert.equal(published.length, 9);
  assert.equal(toHex(await emptyRoot(sha256)), published[0]);
  const tree = new MemoryMerkleTree(sha256);
  for (let i = 0; i < inputs.length; i++) {
    await tree.appendLeafHash(await hashLeaf(sha256, new Uint8Array(Buffer.from(inputs[i]!, 'hex'))));
    assert.equal(toHex(await tree.root()), published[i + 1], `root of size ${i + 1}`);
  }
  // The stored tree's proofs are the published happy-path proofs, byte for byte.
  for (const dir of ['0', '1', '2', '3', '4']) {
    const inc = JSON.parse(fs.readFileSync(path.join(vectors, 'inclusion', dir, 'happy-path.json'), 'utf8')) as { leafIdx: number; treeSize: number; proof: string[] | null };
    const made = (await tree.inclusionProof(inc.leafIdx, inc.treeSize)).map((h) => Buffer.from(h).toString('base64'));
    assert.deepEqual(made, inc.proof ?? [], `inclusion ${dir}`);
    const con = JSON.parse(fs.readFileSync(path.join(vectors, 'consistency', dir, 'happy-path.json'), 'utf8')) as { size1: number; size2: number; proof: string[] | null };
    const madeC = (await tree.consistencyProof(con.size1, con.size2)).map((h) => Buffer.from(h).toString('base64'));
    assert.deepEqual(madeC, con.proof ?? [], `consistency ${dir}`);
  }
});

test('every inclusion proof of every leaf verifies for tree sizes 1..130, and every tampering is refused', async () => {
  const { tree, leafHashes } = await treeOf(130);
  let checked = 0;
  for (let size = 1; size <= 130; size++) {
    const root = await tree.root(size);
    assert.equal(toHex(root), toHex(await mth(leafHashes.slice(0, size))), `root of size ${size} against the RFC definition`);
    for (let i = 0; i < size; i++) {
      const proof = await tree.inclusionProof(i, size);
      const ok = await verifyInclusion(sha256, i, size, leafHashes[i]!, proof, root);
      assert.ok(ok.ok, `leaf ${i} of ${size}`);
      checked++;
      const refused = async (what: string, index: number, sz: number, leaf: Uint8Array, p: Uint8Array[], r: Uint8Array): Promise<void> => {
        const v = await verifyInclusion(sha256, index, sz, leaf, p, r);
        assert.equal(v.ok, false, `${what}: leaf ${i} of ${size} should be refused`);
      };
      await refused('wrong root', i, size, leafHashes[i]!, proof, flip(root, i, 3));
      await refused('another leaf', i, size, leafHashes[(i + 1) % 130]!, proof, root);
      if (i + 1 < size) await refused('index + 1', i + 1, size, leafHashes[i]!, proof, root);
      if (i > 0) await refused('index - 1', i - 1, size, leafHashes[i]!, proof, root);
      await refused('index at size', size, size, leafHashes[i]!, proof, root);
      // (The proof with the same root and size + 1 can fit: a root is bound to its size by the
      // signed checkpoint, not by the proof. With the real root of size + 1 it must fail.)
      if (size < 130) await refused('size + 1 with its root', i, size + 1, leafHashes[i]!, proof, await tree.root(size + 1));
      if (proof.length > 0) {
        await refused('proof cut', i, size, leafHashes[i]!, proof.slice(0, -1), root);
        await refused('proof extended', i, size, leafHashes[i]!, [...proof, proof[0]!], root);
        for (let k = 0; k < proof.length; k++) {
          await refused(`proof[${k}] changed`, i, size, leafHashes[i]!, proof.map((p, j) => (j === k ? flip(p, k + i, (k + size) % 8) : p)), root);
        }
      }
      // Twice the size with the same root can only pass where the proof length happens to fit: never
      // with the real root, which is the root of a different tree.
      if (size * 2 <= 130) await refused('size doubled', i, size * 2, leafHashes[i]!, proof, root);
    }
  }
  assert.equal(checked, (130 * 131) / 2);
});

test('consistency between every pair of sizes up to 64 verifies, and every tampering is refused', async () => {
  const { tree } = await treeOf(64);
  const roots = [await emptyRoot(sha256)];
  for (let s = 1; s <= 64; s++) roots.push(await tree.root(s));
  for (let a = 1; a <= 64; a++) {
    for (let b = a; b <= 64; b++) {
      const proof = await tree.consistencyProof(a, b);
      assert.ok((await verifyConsistency(sha256, a, b, roots[a]!, roots[b]!, proof)).ok, `${a} → ${b}`);
      const refused = async (what: string, s1: number, s2: number, r1: Uint8Array, r2: Uint8Array, p: Uint8Array[]): Promise<void> => {
        assert.equal((await verifyConsistency(sha256, s1, s2, r1, r2, p)).ok, false, `${what}: ${a} → ${b} should be refused`);
      };
      if (a === b) {
        await refused('other root', a, b, roots[a]!, flip(roots[b]!), proof);
        await refused('a proof where none belongs', a, b, roots[a]!, roots[b]!, [roots[1]!]);
        continue;
      }
      await refused('old root changed', a, b, flip(roots[a]!, b), roots[b]!, proof);
      await refused('new root changed', a, b, roots[a]!, flip(roots[b]!, a), proof);
      await refused('roots swapped', a, b, roots[b]!, roots[a]!, proof);
      await refused('sizes swapped', b, a, roots[b]!, roots[a]!, proof);
      await refused('old size - 1', a - 1, b, a - 1 === 0 ? roots[0]! : roots[a - 1]!, roots[b]!, proof);
      if (a + 1 < b) await refused('old size + 1', a + 1, b, roots[a + 1]!, roots[b]!, proof);
      if (b < 64) await refused('new size + 1', a, b + 1, roots[a]!, roots[b + 1]!, proof);
      await refused('proof cut', a, b, roots[a]!, roots[b]!, proof.slice(0, -1));
      await refused('proof extended', a, b, roots[a]!, roots[b]!, [...proof, roots[1]!]);
      for (let k = 0; k < proof.length; k++) {
        await refused(`proof[${k}] changed`, a, b, roots[a]!, roots[b]!, proof.map((p, j) => (j === k ? flip(p, a + k, b % 8) : p)));
      }
    }
  }
});

test('random larger trees (fixed seed): sampled inclusion and consistency proofs verify against the RFC root, tampered ones do not', async () => {
  const next = rng(20261204);
  const { tree, leafHashes } = await treeOf(5000);
  for (let round = 0; round < 40; round++) {
    const size = 131 + Math.floor(next() * (5000 - 131));
    const root = await tree.root(size);
    if (round < 4) assert.equal(toHex(root), toHex(await mth(leafHashes.slice(0, size))), `root of ${size}`);
    const i = Math.floor(next() * size);
    const proof = await tree.inclusionProof(i, size);
    assert.ok((await verifyInclusion(sha256, i, size, leafHashes[i]!, proof, root)).ok, `leaf ${i} of ${size}`);
    assert.equal((await verifyInclusion(sha256, i, size, leafHashes[i]!, proof.map((p, k) => (k === round % proof.length ? flip(p, round) : p)), root)).ok, false);
    const old = 1 + Math.floor(next() * size);
    const cproof = await tree.consistencyProof(old, size);
    const oldRoot = await tree.root(old);
    assert.ok((await verifyConsistency(sha256, old, size, oldRoot, root, cproof)).ok, `${old} → ${size}`);
    if (old < size) {
      assert.equal((await verifyConsistency(sha256, old, size, oldRoot, flip(root, round), cproof)).ok, false);
      assert.equal((await verifyConsistency(sha256, old, size, flip(oldRoot, round), root, cproof)).ok, false);
    }
  }
});

test('the compact range gives the same roots as the stored tree, growing one entry at a time', async () => {
  const { tree, leafHashes } = await treeOf(300);
  const range = new CompactRange(sha256);
  for (let i = 0; i < 300; i++) {
    await range.append(leafHashes[i]!);
    assert.equal(toHex(await range.root()), toHex(await tree.root(i + 1)));
  }
});

test('appending costs at most log2(n)+1 hashes and node writes and log2(n) reads; proofs read at most 2·log2(n) nodes', async () => {
  let hashes = 0;
  const counting: Sha256 = (...parts) => { hashes++; return sha256(...parts); };
  const tree = new MemoryMerkleTree(counting);
  const leaf = await hashLeaf(sha256, leafBytes(0));
  let totalWrites = 0;
  for (let n = 0; n < 1 << 14; n++) {
    const [h0, r0, w0] = [hashes, tree.nodeReads, tree.nodeWrites];
    await tree.appendLeafHash(leaf);
    const bound = Math.floor(Math.log2(n + 1));
    const [h, r, w] = [hashes - h0, tree.nodeReads - r0, tree.nodeWrites - w0];
    assert.ok(w <= bound + 1 && h <= bound && r <= bound, `append at ${n}: ${h} hashes, ${r} reads, ${w} writes`);
    totalWrites += w;
    if (n === (1 << 14) - 1) assert.equal(w, 15); // completing 2^14 writes the leaf and 14 parents
  }
  // Amortised: just under two writes per entry (every node of the tree, once).
  assert.equal(totalWrites, 2 * (1 << 14) - 1);
  for (const size of [100, 1000, 5000, (1 << 14) - 1, 1 << 14]) {
    const r0 = tree.nodeReads;
    await tree.inclusionProof(size - 1, size);
    await tree.inclusionProof(Math.floor(size / 3), size);
    const proofReads = (tree.nodeReads - r0) / 2;
    assert.ok(proofReads <= 2 * Math.ceil(Math.log2(size)), `inclusion in ${size}: ${proofReads} reads`);
    const r1 = tree.nodeReads;
    await tree.consistencyProof(Math.floor(size / 3) + 1, size);
    assert.ok(tree.nodeReads - r1 <= 2 * Math.ceil(Math.log2(size)), `consistency in ${size}: ${tree.nodeReads - r1} reads`);
  }
});

test('the store refuses to build what does not exist: a proof past the tree, a negative or fractional size', async () => {
  const { tree } = await treeOf(10);
  await assert.rejects(tree.inclusionProof(10, 10), /LOG_BAD_INDEX|不小于/);
  await assert.rejects(tree.inclusionProof(3, 11), /不存在|missing/);
  await assert.rejects(tree.consistencyProof(5, 4), /大于/);
  await assert.rejects(tree.root(2.5), /非负整数/);
  await assert.rejects(tree.root(0), /emptyRoot/);
});

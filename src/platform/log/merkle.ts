/**
 * The transparency log's Merkle tree (RFC 6962 §2.1 / RFC 9162 §2.1) kept in a store that can be a
 * database table. Written here rather than taken from a library: no maintained npm package keeps
 * the tree in the caller's own storage with O(log n) reads and writes per append and per proof
 * (the Go transparency-dev/merkle does; this follows its node layout, not its code).
 *
 * Storage: only hashes of COMPLETE subtrees, addressed by (level, index): level 0 index i is leaf
 * i's hash; level L index i covers leaves [i·2^L, (i+1)·2^L). A node is written once, when its last
 * leaf arrives, and never changes, so the table is append-only like the log itself.
 *
 *   interface MerkleNodeReader { readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]> }
 *     // the stored hashes of these nodes, in the order asked; one batched query per call
 *     // (SELECT hash FROM log_node WHERE (level, idx) IN (...)); every id asked for exists
 *
 * Usage (server, inside the transaction that holds the log head, size n before the append):
 *   const leafHash = await hashLeaf(sha256, entryBytes);
 *   const writes = await appendWrites(sha256, reader, n, leafHash);  // ≤ log2(n)+1 nodes, ≤ log2(n) reads
 *   for (const w of writes) INSERT INTO log_node (level, idx, hash) VALUES (w.level, w.index, w.hash);
 *   const root = await rootHash(sha256, reader, n + 1);              // popcount(n+1) reads
 *   const proof = await inclusionProof(sha256, reader, i, size);     // ≤ 2·log2(size) reads, one batch
 *   const cproof = await consistencyProof(sha256, reader, size1, size2);
 * `MemoryMerkleTree` is the same over arrays (tests, bench, `log verify` scratch work). Checking a
 * proof needs no store: verifyInclusion / verifyConsistency (merkle-verify.ts), re-exported here.
 * `sha256` is any Sha256: webCryptoSha256 (browser-safe) or nodeSha256 (node-hasher.ts).
 */
import { SealDeskError } from '../../core/errors';
import { HASH_SIZE, hashChildren, type Sha256 } from './merkle-hash';

export * from './merkle-hash';
export * from './merkle-verify';

export interface NodeId { level: number; index: number }
export interface NodeWrite extends NodeId { hash: Uint8Array }

export interface MerkleNodeReader {
  readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]>;
}

const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new SealDeskError('LOG_BAD_SIZE', `${what}不是非负整数：${String(n)}`, `${what === '树的大小' ? 'The tree size' : 'The entry index'} is not a non-negative integer: ${String(n)}`);
  }
}

/** Largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The complete subtrees whose hashes, folded from the right, give MTH(D[begin:end]) as RFC 6962
 * defines it: the binary decomposition of the length, largest first. Every range the proof
 * recursion produces starts on a multiple of its largest block, so each block is one stored node.
 */
export function rangeNodes(begin: number, end: number): NodeId[] {
  const ids: NodeId[] = [];
  while (begin < end) {
    let size = 1;
    let level = 0;
    while (size * 2 <= end - begin) { size *= 2; level++; }
    if (begin % size !== 0) throw new SealDeskError('LOG_INTERNAL', `区间 [${begin}, ${end}) 未对齐`, `range [${begin}, ${end}) is not aligned`);
    ids.push({ level, index: begin / size });
    begin += size;
  }
  return ids;
}

type Range = readonly [begin: number, end: number];

/** RFC 6962 §2.1.1 PATH(m, D[begin:end]) as the ranges whose hashes form the proof, leaf side first. */
function inclusionRanges(m: number, begin: number, end: number, out: Range[]): void {
  if (end - begin <= 1) return;
  const k = splitPoint(end - begin);
  if (m < begin + k) {
    inclusionRanges(m, begin, begin + k, out);
    out.push([begin + k, end]);
  } else {
    inclusionRanges(m, begin + k, end, out);
    out.push([begin, begin + k]);
  }
}

/** RFC 6962 §2.1.2 SUBPROOF(m, D[begin:end], b) as ranges, in proof order. */
function consistencyRanges(m: number, begin: number, end: number, whole: boolean, out: Range[]): void {
  const n = end - begin;
  if (m === n) {
    if (!whole) out.push([begin, end]);
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    consistencyRanges(m, begin, begin + k, whole, out);
    out.push([begin + k, end]);
  } else {
    consistencyRanges(m - k, begin + k, end, false, out);
    out.push([begin, begin + k]);
  }
}

/** Reads every node the ranges need in one batch, then folds each range into its hash. */
async function rangeHashes(sha256: Sha256, reader: MerkleNodeReader, ranges: readonly Range[]): Promise<Uint8Array[]> {
  const perRange = ranges.map(([b, e]) => rangeNodes(b, e));
  const hashes = await reader.readNodes(perRange.flat());
  if (hashes.length !== perRange.reduce((n, ids) => n + ids.length, 0)) {
    throw new SealDeskError('LOG_STORE_SHORT', '日志存储返回的节点数不对', 'The log store returned the wrong number of nodes');
  }
  let at = 0;
  const out: Uint8Array[] = [];
  for (const ids of perRange) {
    const own = hashes.slice(at, at + ids.length);
    at += ids.length;
    let acc = own[own.length - 1]!;
    for (let i = own.length - 2; i >= 0; i--) acc = await hashChildren(sha256, own[i]!, acc);
    out.push(acc);
  }
  return out;
}

/** The Merkle tree hash of the first `size` entries (size ≥ 1; the empty root is emptyRoot()). */
export async function rootHash(sha256: Sha256, reader: MerkleNodeReader, size: number): Promise<Uint8Array> {
  checkSize(size, '树的大小');
  if (size === 0) throw new SealDeskError('LOG_EMPTY', '空日志没有存储的根哈希', 'An empty log has no stored root; use emptyRoot()');
  return (await rangeHashes(sha256, reader, [[0, size]]))[0]!;
}

/** The inclusion proof of entry `index` in the tree of `size` entries. */
export async function inclusionProof(sha256: Sha256, reader: MerkleNodeReader, index: number, size: number): Promise<Uint8Array[]> {
  checkSize(size, '树的大小');
  checkSize(index, '条目序号');
  if (index >= size) throw new SealDeskError('LOG_BAD_INDEX', `条目序号 ${index} 不小于树的大小 ${size}`, `Entry index ${index} is not below the tree size ${size}`);
  const ranges: Range[] = [];
  inclusionRanges(index, 0, size, ranges);
  return rangeHashes(sha256, reader, ranges);
}

/** The consistency proof from the tree of `size1` entries to the tree of `size2` entries (0 < size1 ≤ size2). */
export async function consistencyProof(sha256: Sha256, reader: MerkleNodeReader, size1: number, size2: number): Promise<Uint8Array[]> {
  checkSize(size1, '树的大小');
  checkSize(size2, '树的大小');
  if (size1 > size2) throw new SealDeskError('LOG_BAD_SIZE', `旧树的大小 ${size1} 大于新树的大小 ${size2}`, `The old tree size ${size1} is above the new tree size ${size2}`);
  if (size1 === 0 || size1 === size2) return [];
  const ranges: Range[] = [];
  consistencyRanges(size1, 0, size2, true, ranges);
  return rangeHashes(sha256, reader, ranges);
}

/**
 * The nodes to store when the entry with `leafHash` is appended to a tree of `size` entries: the
 * leaf itself and every subtree it completes. Reads one stored node per subtree completed
 * (the left siblings), in one batch.
 */
export async function appendWrites(sha256: Sha256, reader: MerkleNodeReader, size: number, leafHash: Uint8Array): Promise<NodeWrite[]> {
  checkSize(size, '树的大小');
  const siblings: NodeId[] = [];
  for (let level = 0, index = size; odd(index); level++, index = half(index)) siblings.push({ level, index: index - 1 });
  const left = siblings.length > 0 ? await reader.readNodes(siblings) : [];
  const writes: NodeWrite[] = [{ level: 0, index: size, hash: leafHash }];
  let hash = leafHash;
  for (let i = 0; i < siblings.length; i++) {
    hash = await hashChildren(sha256, left[i]!, hash);
    writes.push({ level: i + 1, index: half(siblings[i]!.index), hash });
  }
  return writes;
}

/**
 * The tree in memory, with counters so tests and the bench can see what an append or a proof costs.
 * Each level is one growing byte array (32 bytes a node), so 10^6 entries take about 64 MB.
 */
export class MemoryMerkleTree implements MerkleNodeReader {
  private readonly levels: { bytes: Uint8Array; count: number }[] = [];
  nodeReads = 0;
  nodeWrites = 0;

  constructor(readonly sha256: Sha256) {}

  get size(): number { return this.levels[0]?.count ?? 0; }

  async readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    this.nodeReads += ids.length;
    return ids.map(({ level, index }) => {
      const l = this.levels[level];
      if (!l || index >= l.count || index < 0) throw new SealDeskError('LOG_NODE_MISSING', `日志节点 (${level}, ${index}) 不存在`, `Log node (${level}, ${index}) is missing`);
      return l.bytes.slice(index * HASH_SIZE, (index + 1) * HASH_SIZE);
    });
  }

  private write(w: NodeWrite): void {
    const l = (this.levels[w.level] ??= { bytes: new Uint8Array(HASH_SIZE * 64), count: 0 });
    if (w.index !== l.count) throw new SealDeskError('LOG_INTERNAL', `节点 (${w.level}, ${w.index}) 写入次序错误`, `node (${w.level}, ${w.index}) written out of order`);
    if ((l.count + 1) * HASH_SIZE > l.bytes.length) {
      const grown = new Uint8Array(l.bytes.length * 2);
      grown.set(l.bytes);
      l.bytes = grown;
    }
    l.bytes.set(w.hash, l.count * HASH_SIZE);
    l.count++;
    this.nodeWrites++;
  }

  /** Appends an entry whose leaf hash is given; returns its index. */
  async appendLeafHash(leafHash: Uint8Array): Promise<number> {
    const index = this.size;
    for (const w of await appendWrites(this.sha256, this, index, leafHash)) this.write(w);
    return index;
  }

  root(size = this.size): Promise<Uint8Array> { return rootHash(this.sha256, this, size); }
  inclusionProof(index: number, size = this.size): Promise<Uint8Array[]> { return inclusionProof(this.sha256, this, index, size); }
  consistencyProof(size1: number, size2 = this.size): Promise<Uint8Array[]> { return consistencyProof(this.sha256, this, size1, size2); }
}

/**
 * The compact range [0, n): one hash per set bit of n. Appending costs amortised one hash; the root
 * costs popcount(n) − 1. `verifyLog` streams the whole log through it in O(log n) memory.
 */
export class CompactRange {
  private readonly stack: { level: number; hash: Uint8Array }[] = [];
  size = 0;

  constructor(private readonly sha256: Sha256) {}

  async append(leafHash: Uint8Array): Promise<void> {
    let node = { level: 0, hash: leafHash };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.level === node.level) {
      const left = this.stack.pop()!;
      node = { level: node.level + 1, hash: await hashChildren(this.sha256, left.hash, node.hash) };
    }
    this.stack.push(node);
    this.size++;
  }

  /** The root of the entries so far (size ≥ 1). */
  async root(): Promise<Uint8Array> {
    if (this.stack.length === 0) throw new SealDeskError('LOG_EMPTY', '空日志没有存储的根哈希', 'An empty log has no stored root; use emptyRoot()');
    let acc = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) acc = await hashChildren(this.sha256, this.stack[i]!.hash, acc);
    return acc;
  }
}

/**
 * The transparency log's cost as it grows to 10^6 entries (in memory, node:crypto SHA-256):
 * hashes, node reads and node writes per append, inclusion and consistency proof sizes and the
 * node reads they take, and the time per append, at 10^3, 10^4, 10^5 and 10^6 entries. The counts are
 * exact and machine-independent; the growth ratio from 10^3 to 10^6 is set beside log2 n's (2×)
 * and n's (1000×). Not part of `npm test`.
 *
 *   npx tsx bench/platform-log.ts [--max N] [--no-doc]   (only a full run to 10^6 rewrites docs/bench-platform-log.md)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryMerkleTree, hashLeaf, verifyConsistency, verifyInclusion, type Sha256 } from '../src/platform/log/merkle';
import { nodeSha256 } from '../src/platform/log/node-hasher';

interface Row {
  size: number;
  appendUs: number;
  hashesPerAppend: number;
  maxHashesPerAppend: number;
  writesPerAppend: number;
  maxWritesPerAppend: number;
  maxReadsPerAppend: number;
  inclusionHashes: number;
  inclusionReads: number;
  consistencyHashes: number;
  consistencyReads: number;
  proofUs: number;
}

function parseArgs(argv: string[]): { max: number; writeDoc: boolean } {
  let max = 1_000_000;
  let writeDoc = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--max') max = Number(argv[++i]);
    else if (argv[i] === '--no-doc') writeDoc = false;
    else throw new Error(`unknown argument ${argv[i]}; use --max N --no-doc`);
  }
  if (!Number.isSafeInteger(max) || max < 1000) throw new Error('--max needs an integer ≥ 1000');
  return { max, writeDoc };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchLog(max: number, log: (s: string) => void = () => {}): Promise<Row[]> {
  let hashes = 0;
  const counting: Sha256 = (...parts) => { hashes++; return nodeSha256(...parts); };
  const tree = new MemoryMerkleTree(counting);
  const marks: number[] = [];
  for (let m = 1000; m <= max; m *= 10) marks.push(m);
  const rows: Row[] = [];
  const enc = new TextEncoder();
  // Warm the JIT on a scratch tree first, so that the first row does not pay for compilation.
  const scratch = new MemoryMerkleTree(nodeSha256);
  for (let i = 0; i < 20_000; i++) await scratch.appendLeafHash(await hashLeaf(nodeSha256, enc.encode(`${i}`)));
  for (let i = 0; i < 2000; i++) await scratch.inclusionProof(i, 20_000);
  let windowStart = 0;
  for (const mark of marks) {
    // Time and count the appends of the last decade's final 1000 entries: the cost at this size.
    const window = Math.min(1000, mark - windowStart);
    while (tree.size < mark - window) await tree.appendLeafHash(await hashLeaf(nodeSha256, enc.encode(`{"type":"permit","i":${tree.size}}`)));
    let maxHashes = 0, maxWrites = 0, maxReads = 0;
    const [h0, w0] = [hashes, tree.nodeWrites];
    const appendTimes: number[] = [];
    while (tree.size < mark) {
      const leaf = await hashLeaf(nodeSha256, enc.encode(`{"type":"permit","i":${tree.size}}`));
      const [h, r, w] = [hashes, tree.nodeReads, tree.nodeWrites];
      const t0 = process.hrtime.bigint();
      await tree.appendLeafHash(leaf);
      appendTimes.push(Number(process.hrtime.bigint() - t0) / 1000);
      maxHashes = Math.max(maxHashes, hashes - h);
      maxWrites = Math.max(maxWrites, tree.nodeWrites - w);
      maxReads = Math.max(maxReads, tree.nodeReads - r);
    }
    const appendUs = median(appendTimes);
    const [hashesPerAppend, writesPerAppend] = [(hashes - h0) / window, (tree.nodeWrites - w0) / window];
    windowStart = mark;

    // Proofs: the worst case over a spread of leaves (inclusion) and old sizes (consistency).
    let inclusionHashes = 0, inclusionReads = 0, consistencyHashes = 0, consistencyReads = 0;
    const proofTimes: number[] = [];
    const samples = 64;
    for (let k = 0; k < samples; k++) {
      const i = Math.floor(((k * 2654435761) % 4294967296) / 4294967296 * mark);
      const r0 = tree.nodeReads;
      const p0 = process.hrtime.bigint();
      const proof = await tree.inclusionProof(i, mark);
      proofTimes.push(Number(process.hrtime.bigint() - p0) / 1000);
      inclusionReads = Math.max(inclusionReads, tree.nodeReads - r0);
      inclusionHashes = Math.max(inclusionHashes, proof.length);
      const old = Math.max(1, i);
      const r1 = tree.nodeReads;
      const cproof = await tree.consistencyProof(old, mark);
      consistencyReads = Math.max(consistencyReads, tree.nodeReads - r1);
      consistencyHashes = Math.max(consistencyHashes, cproof.length);
      if (k === 0) {
        // The numbers count only for proofs that verify.
        const root = await tree.root(mark);
        const leaf = (await tree.readNodes([{ level: 0, index: i }]))[0]!;
        if (!(await verifyInclusion(nodeSha256, i, mark, leaf, proof, root)).ok) throw new Error(`inclusion proof of ${i} in ${mark} does not verify`);
        if (!(await verifyConsistency(nodeSha256, old, mark, await tree.root(old), root, cproof)).ok) throw new Error(`consistency ${old} → ${mark} does not verify`);
      }
    }
    const proofUs = median(proofTimes);
    const row = { size: mark, appendUs, hashesPerAppend, maxHashesPerAppend: maxHashes, writesPerAppend, maxWritesPerAppend: maxWrites, maxReadsPerAppend: maxReads, inclusionHashes, inclusionReads, consistencyHashes, consistencyReads, proofUs };
    rows.push(row);
    log(`  ${mark} entries: ${appendUs.toFixed(1)} µs/append, ${hashesPerAppend.toFixed(2)} hashes/append (max ${maxHashes}), inclusion ${inclusionHashes} hashes / ${inclusionReads} reads`);
  }
  return rows;
}

export function logTable(rows: Row[]): string {
  const head = '| entries | µs / append | node hashes / append (max) | node writes / append (max) | node reads / append (max) | inclusion proof: hashes (reads) | consistency proof: hashes (reads) | µs / inclusion proof |';
  const sep = '|---:|---:|---:|---:|---:|---:|---:|---:|';
  const body = rows.map((r) => `| ${r.size.toLocaleString('en')} | ${r.appendUs.toFixed(1)} | ${r.hashesPerAppend.toFixed(2)} (${r.maxHashesPerAppend}) | ${r.writesPerAppend.toFixed(2)} (${r.maxWritesPerAppend}) | ${r.maxReadsPerAppend} | ${r.inclusionHashes} (${r.inclusionReads}) | ${r.consistencyHashes} (${r.consistencyReads}) | ${r.proofUs.toFixed(1)} |`);
  return [head, sep, ...body].join('\n');
}

export function growthLines(rows: Row[]): string[] {
  const a = rows[0]!, b = rows[rows.length - 1]!;
  const logRatio = Math.log2(b.size) / Math.log2(a.size);
  return [
    `From ${a.size.toLocaleString('en')} to ${b.size.toLocaleString('en')} entries (n × ${b.size / a.size}, log2 n × ${logRatio.toFixed(2)}):`,
    `- worst-case hashes per append × ${(b.maxHashesPerAppend / a.maxHashesPerAppend).toFixed(2)}, node writes per append × ${(b.maxWritesPerAppend / a.maxWritesPerAppend).toFixed(2)} (average stays ≈ ${b.writesPerAppend.toFixed(2)}: every node is written once)`,
    `- inclusion proof × ${(b.inclusionHashes / a.inclusionHashes).toFixed(2)} hashes, × ${(b.inclusionReads / a.inclusionReads).toFixed(2)} node reads; consistency proof × ${(b.consistencyHashes / a.consistencyHashes).toFixed(2)} hashes`,
    `- median time per append × ${(b.appendUs / a.appendUs).toFixed(2)}, per inclusion proof × ${(b.proofUs / a.proofUs).toFixed(2)} (wall clock on a shared machine: read the counts first)`,
  ];
}

async function main(): Promise<void> {
  const { max, writeDoc } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  process.stderr.write(`transparency log to ${max.toLocaleString('en')} entries\n`);
  const rows = await benchLog(max, (s) => process.stderr.write(`${s}\n`));
  const table = logTable(rows);
  const growth = growthLines(rows);
  process.stdout.write(`\nTransparency log: append cost and proof sizes\n${table}\n\n${growth.join('\n')}\n`);
  if (writeDoc && max === 1_000_000) {
    const doc = path.resolve(__dirname, '../docs/bench-platform-log.md');
    fs.writeFileSync(doc, `# SealDesk benchmark: the platform's transparency log

Generated by \`npx tsx bench/platform-log.ts\` (also run by \`npm run bench\`); do not edit by hand.
The tree in memory (src/platform/log/merkle.ts, MemoryMerkleTree; node:crypto SHA-256), grown to
${max.toLocaleString('en')} entries; each row measures the last 1000 appends before that size (median time, average and
worst-case counts) and 64 inclusion and consistency proofs spread over the tree (worst-case counts,
median time of the inclusion proofs). Took ${((Date.now() - started) / 1000).toFixed(0)} s on
${os.cpus()[0]?.model ?? 'an unknown CPU'} (${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}).

${table}

${growth.join('\n')}

The counts are what a database store pays too: node writes are INSERTs, node reads one batched
SELECT per append or proof (src/platform/log/merkle.ts, MerkleNodeReader).
`);
    process.stderr.write(`wrote ${doc}\n`);
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  });
}

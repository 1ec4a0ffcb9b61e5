/**
 * The platform's bench (not part of npm test): signed status answers per second and stamping
 * permits per second with many concurrent HTTPS clients, on SQLite and on a real PostgreSQL 15,
 * every answer signed by the SoftHSM2 token; and the transparency log's cost as it grows to 10^6
 * entries — node reads/writes per append and proof sizes (they grow like log n), plus database
 * append time per entry at growing sizes.
 *
 *   npx tsx bench/platform.ts [--clients 16] [--seconds 5] [--log-size 1000000] [--backends sqlite,postgres]
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MemoryMerkleTree } from '../src/platform/log/merkle';
import { nodeSha256 } from '../src/platform/log/node-hasher';
import { LogAppender, lockLogHead } from '../src/platform/log/log-store';
import { startPostgres, type TestPostgres } from '../test/support/postgres';
import { createPlatformWorld, sealInUse, type Backend } from '../test/platform/support/platform-world';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] ?? fallback : fallback;
}

async function rate(seconds: number, clients: number, op: () => Promise<number>): Promise<{ perSecond: number; failures: number }> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  let failures = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < end) {
      const status = await op();
      if (status === 200) done++; else failures++;
    }
  }));
  return { perSecond: done / seconds, failures };
}

async function serviceBench(backend: Backend, pg: TestPostgres | undefined, clients: number, seconds: number): Promise<void> {
  const w = await createPlatformWorld(backend, { pg });
  try {
    const keeper = await w.newKeeper('BENCH-KEEPER');
    const { esID } = await sealInUse(w, keeper);
    const pool = Array.from({ length: clients }, () => w.client());
    let i = 0;
    const status = await rate(seconds, clients, async () => (await pool[i++ % clients]!.call('status', { params: { esID }, query: { nonce: `bench-${i}-nonce` } })).status);
    const permits = await rate(seconds, clients, async () => {
      const d = crypto.createHash('sha256').update(`doc-${i++}`).digest('hex');
      return (await pool[i % clients]!.signed('permit', { esID, documentDigest: { alg: 'sha256', hex: d } }, keeper.request)).status;
    });
    process.stdout.write(`| ${backend} | ${clients} | ${status.perSecond.toFixed(0)} | ${permits.perSecond.toFixed(0)} | ${status.failures + permits.failures} |\n`);
    // Database append cost per entry as the log grows (one transaction per append, as the server does).
    const db = w.running.ctx.db;
    for (const batch of [200, 200, 200]) {
      const t0 = performance.now();
      for (let k = 0; k < batch; k++) {
        await db.transaction().execute(async (trx) => new LogAppender(trx, await lockLogHead(trx)).append({ type: 'verification_record', at: new Date().toISOString(), k }));
      }
      const size = Number((await db.selectFrom('log_head').select('size').executeTakeFirstOrThrow()).size);
      process.stdout.write(`|   ${backend} append at size ${size} | ${((performance.now() - t0) / batch).toFixed(2)} ms/entry |\n`);
    }
  } finally {
    await w.close();
  }
}

async function logGrowth(maxSize: number): Promise<void> {
  const tree = new MemoryMerkleTree(nodeSha256);
  process.stdout.write('\n| log size | node writes / append (avg last decade) | node reads / append | inclusion proof hashes | consistency proof (n/2 → n) hashes | µs / append |\n|---|---|---|---|---|---|\n');
  let next = 10;
  let lastWrites = 0;
  let lastReads = 0;
  let lastSize = 0;
  let t0 = performance.now();
  const leaf = new Uint8Array(32);
  while (tree.size < maxSize) {
    crypto.randomFillSync(leaf);
    await tree.appendLeafHash(leaf.slice());
    if (tree.size === next) {
      const n = tree.size - lastSize;
      const us = ((performance.now() - t0) * 1000) / n;
      const [writes, reads] = [tree.nodeWrites, tree.nodeReads];
      const inc = (await tree.inclusionProof(Math.floor(tree.size / 3), tree.size)).length;
      const con = (await tree.consistencyProof(Math.floor(tree.size / 2), tree.size)).length;
      process.stdout.write(`| ${tree.size} | ${((writes - lastWrites) / n).toFixed(2)} | ${((reads - lastReads) / n).toFixed(2)} | ${inc} | ${con} | ${us.toFixed(1)} |\n`);
      lastWrites = tree.nodeWrites;
      lastReads = tree.nodeReads;
      lastSize = tree.size;
      next *= 10;
      t0 = performance.now();
    }
  }
}

async function main(): Promise<void> {
  const clients = Number(arg('clients', '16'));
  const seconds = Number(arg('seconds', '5'));
  const backends = arg('backends', 'sqlite,postgres').split(',') as Backend[];
  process.stdout.write(`# platform bench\n\n| backend | clients | signed status / s | signed permits / s | refused |\n|---|---|---|---|---|\n`);
  let pg: TestPostgres | undefined;
  try {
    for (const b of backends) {
      if (b === 'postgres') pg ??= await startPostgres();
      await serviceBench(b, pg, clients, seconds);
    }
  } finally {
    pg?.cleanup();
  }
  await logGrowth(Number(arg('log-size', '1000000')));
}

main().catch((e: unknown) => { process.stderr.write(`${String((e as Error).stack ?? e)}\n`); process.exit(1); });

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { RecordReceiptPayload, SealView } from '../../src/platform/api/contract';
import { PlatformClient } from '../../src/platform/client/platform-client';
import { databaseTarget, loadPlatformConfig } from '../../src/platform/config';
import { openDatabase } from '../../src/platform/db/database';
import { platformLogVerify } from '../../src/cli/commands/platform-log';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { BACKENDS, createPlatformWorld, sealInUse, type PlatformWorld } from './support/platform-world';
import { exited, serveProcess } from './support/cli';

let pg: TestPostgres;
before(async () => { pg = await startPostgres(); });
after(() => pg?.cleanup());

const digest = (s: string) => ({ alg: 'sha256' as const, hex: crypto.createHash('sha256').update(s).digest('hex') });

interface Acked { index: number; hex: string }

/** Fires verification records with `concurrency` in flight until `stopAfter` are acknowledged or `total` sent; returns the acknowledged ones. */
async function flood(c: PlatformClient, tag: string, total: number, concurrency: number, onAck?: (n: number) => void): Promise<Acked[]> {
  const acked: Acked[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const d = digest(`${tag}-${i}`);
      try {
        const r = await c.call<{ payload: string }>('verificationRecord', { body: { documentDigest: d, signatureDigests: [], result: 'valid' } });
        if (r.status === 200) {
          acked.push({ index: (JSON.parse(r.body.payload) as RecordReceiptPayload).logIndex, hex: d.hex });
          onAck?.(acked.length);
        }
      } catch { /* the server died under this request: not acknowledged */ }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return acked;
}

/** Every acknowledged record is in the log at its index, the tables agree with the head, and the whole log verifies. */
async function assertLogWhole(w: PlatformWorld, url: string, acked: Acked[]): Promise<void> {
  const database = openDatabase(databaseTarget(w.dir, loadPlatformConfig(w.dir)));
  try {
    const db = database.db;
    const head = Number((await db.selectFrom('log_head').select('size').executeTakeFirstOrThrow()).size);
    const leaves = Number((await db.selectFrom('log_leaves').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const maxIdx = (await db.selectFrom('log_leaves').select((eb) => eb.fn.max('idx').as('m')).executeTakeFirstOrThrow()).m;
    assert.equal(leaves, head, 'one leaf per index below the head, no half-written entry');
    assert.equal(Number(maxIdx), head - 1);
    const orphan = await sql<{ n: number }>`select count(*) as n from log_leaves l where l.leaf like ${'%"verification_record"%'} and not exists (select 1 from records r where r.id = l.idx)`.execute(db).catch(() => undefined);
    if (orphan) assert.equal(Number(orphan.rows[0]!.n), 0, 'no leaf without its record row');
    for (const a of acked) {
      const leaf = await db.selectFrom('log_leaves').select('leaf').where('idx', '=', a.index).executeTakeFirst();
      assert.ok(leaf, `acknowledged entry ${a.index} is there`);
      assert.ok(Buffer.from(leaf.leaf).toString('utf8').includes(a.hex), `entry ${a.index} is the acknowledged record`);
    }
    assert.equal(new Set(acked.map((a) => a.index)).size, acked.length, 'no two acknowledgements share an index');
  } finally {
    await database.close();
  }
  const c = new PlatformClient(url, w.rootPem);
  const code = await platformLogVerify(c, { dir: w.dir });
  c.close();
  assert.equal(code, 0, 'log verify recomputes every leaf and root against the signed checkpoints');
}

for (const backend of BACKENDS) {
  describe(`faults and concurrency on ${backend}`, () => {
    let w: PlatformWorld;
    before(async () => { w = await createPlatformWorld(backend, { pg }); });
    after(async () => { await w?.close(); });

    test('the server SIGKILLed in the middle of many appends: after restart no acknowledged event is lost and the log verifies', async () => {
      await w.running.close();
      const server = await serveProcess(w.dir);
      const c = new PlatformClient(server.url, w.rootPem, { maxSockets: 16 });
      // A checkpoint before the crash, so verify also holds the new history against an old signed head.
      assert.equal((await c.call('checkpoint')).status, 200);
      const acked = await flood(c, `kill-${backend}`, 400, 12, (n) => { if (n === 60) server.child.kill('SIGKILL'); });
      await exited(server.child);
      c.close();
      assert.ok(acked.length >= 60 && acked.length < 400, `killed mid-way (${acked.length} acknowledged)`);
      const again = await serveProcess(w.dir);
      try {
        await assertLogWhole(w, again.url, acked);
        const more = new PlatformClient(again.url, w.rootPem);
        assert.equal((await more.call('verificationRecord', { body: { documentDigest: digest('after'), signatureDigests: [], result: 'invalid' } })).status, 200, 'appends go on after the crash');
        more.close();
      } finally {
        again.child.kill('SIGTERM');
        await exited(again.child);
      }
      await w.restart();
    });

    test('concurrent state changes on one seal end in one consistent history', async () => {
      const { esID } = await sealInUse(w, await w.newKeeper(`K-${backend}-race`));
      const admins = await Promise.all([1, 2, 3, 4].map(() => w.as('unitadmin')));
      const results = await Promise.all(Array.from({ length: 24 }, (_, i) => admins[i % 4]!.call<SealView>('stateEvent', { params: { esID }, body: { action: i % 2 === 0 ? 'suspend' : 'resume', reason: `race ${i}` } })));
      for (const r of results) assert.ok(r.status === 200 || (r.status === 409 && (r.body as unknown as { error: { code: string } }).error.code === 'STATE_TRANSITION'), r.text);
      const seal = (await admins[0]!.call<SealView>('seal', { params: { esID } })).body;
      assert.equal(seal.history.length, results.filter((r) => r.status === 200).length + 1, 'one event per success');
      for (let i = 1; i < seal.history.length; i++) {
        const prev = seal.history[i - 1]!.state;
        const cur = seal.history[i]!;
        assert.ok((prev === 'in_use' && cur.action === 'suspend') || (prev === 'suspended' && cur.action === 'resume'), `event ${i} follows from ${prev}`);
        assert.ok(cur.logIndex > seal.history[i - 1]!.logIndex, 'history in log order');
      }
    });

    if (backend === 'postgres') {
      test('PostgreSQL stopped immediately in the middle of appends: after it restarts the log verifies and no acknowledged event is lost', async () => {
        const c = w.client();
        const acked = await flood(c, 'pg-immediate', 300, 8, (n) => { if (n === 50) pg.stop('immediate'); });
        assert.ok(acked.length >= 50 && acked.length < 300, `stopped mid-way (${acked.length} acknowledged)`);
        pg.start();
        // The server survived the database's crash and serves again once it is back.
        let ok = false;
        for (let i = 0; i < 50 && !ok; i++) {
          ok = (await c.call('verificationRecord', { body: { documentDigest: digest(`pg-back-${i}`), signatureDigests: [], result: 'valid' } })).status === 200;
          if (!ok) await new Promise((r) => setTimeout(r, 200));
        }
        assert.ok(ok, 'appends work again after PostgreSQL restarted');
        await assertLogWhole(w, w.running.url, acked);
      });

      test('two server processes on one PostgreSQL append concurrently: nothing lost, duplicated or reordered', async () => {
        const [a, b] = [await serveProcess(w.dir), await serveProcess(w.dir)];
        try {
          const [ca, cb] = [new PlatformClient(a.url, w.rootPem, { maxSockets: 8 }), new PlatformClient(b.url, w.rootPem, { maxSockets: 8 })];
          const [fromA, fromB] = await Promise.all([flood(ca, 'proc-a', 120, 8), flood(cb, 'proc-b', 120, 8)]);
          ca.close();
          cb.close();
          assert.equal(fromA.length, 120);
          assert.equal(fromB.length, 120);
          const all = [...fromA, ...fromB].sort((x, y) => x.index - y.index);
          for (let i = 1; i < all.length; i++) assert.ok(all[i]!.index > all[i - 1]!.index, 'distinct indexes');
          await assertLogWhole(w, a.url, all);
        } finally {
          for (const s of [a, b]) { s.child.kill('SIGTERM'); await exited(s.child); }
        }
      });
    }
  });
}

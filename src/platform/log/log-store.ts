/**
 * The transparency log in the platform's database: leaves (the exact event bytes), the Merkle
 * nodes of complete subtrees (merkle.ts, RFC 6962 shape), the head (its size, the one mutable row)
 * and signed checkpoints. Appends run inside the caller's transaction after `lockLogHead`, which
 * takes the row lock on the head (PostgreSQL) or the database write lock (SQLite): appends from
 * any number of server processes are serialised, and an event row and its leaf commit together or
 * not at all.
 */
import type { Kysely } from 'kysely';
import type { LogEvent } from '../api/contract';
import { refuse, REFUSALS } from '../errors';
import type { PlatformDb } from '../db/schema';
import { appendWrites, consistencyProof, emptyRoot, hashLeaf, inclusionProof, rootHash, type MerkleNodeReader, type NodeId } from './merkle';
import { nodeSha256 } from './node-hasher';
import { signCheckpoint } from './checkpoint';
import type { NoteSigner, NoteVerifier } from './signed-note';
import type { PlatformSigner } from '../signing/platform-signer';

export type Db = Kysely<PlatformDb>;

export const sha256 = nodeSha256;

/** The one text form of an event: JSON with the fields in the order given (what the leaf holds). */
export function eventBytes(event: LogEvent): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(event));
}

export function nodeReader(db: Db): MerkleNodeReader {
  return {
    async readNodes(ids: readonly NodeId[]) {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('log_nodes').select(['level', 'idx', 'hash'])
        .where((eb) => eb.or(ids.map((id) => eb.and([eb('level', '=', id.level), eb('idx', '=', id.index)])))).execute();
      const byKey = new Map(rows.map((r) => [`${r.level}/${r.idx}`, new Uint8Array(r.hash)]));
      return ids.map((id) => {
        const h = byKey.get(`${id.level}/${id.index}`);
        if (!h) throw new Error(`log node (${id.level}, ${id.index}) missing`);
        return h;
      });
    },
  };
}

/** Takes the log head for this transaction; returns the current size. */
export async function lockLogHead(trx: Db): Promise<number> {
  await trx.updateTable('log_head').set((eb) => ({ size: eb.ref('size') })).where('id', '=', 1).execute();
  const head = await trx.selectFrom('log_head').select('size').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(head.size);
}

export interface Appended { index: number; leafHash: Uint8Array }

/** Appends one event; the caller holds the head (lockLogHead) and passes the size it read, which this advances. */
export class LogAppender {
  constructor(private readonly trx: Db, private size: number) {}
  get nextIndex(): number { return this.size; }

  async append(event: LogEvent): Promise<Appended> {
    const leaf = eventBytes(event);
    const index = this.size;
    const leafHash = await hashLeaf(sha256, leaf);
    const writes = await appendWrites(sha256, nodeReader(this.trx), index, leafHash);
    await this.trx.insertInto('log_leaves').values({ idx: index, leaf, leaf_hash: leafHash, appended_at: event.at }).execute();
    await this.trx.insertInto('log_nodes').values(writes.map((w) => ({ level: w.level, idx: w.index, hash: w.hash }))).execute();
    this.size = index + 1;
    await this.trx.updateTable('log_head').set({ size: this.size }).where('id', '=', 1).execute();
    return { index, leafHash };
  }
}

export async function logSize(db: Db): Promise<number> {
  const head = await db.selectFrom('log_head').select('size').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(head.size);
}

export async function rootAt(db: Db, size: number): Promise<Uint8Array> {
  return size === 0 ? emptyRoot(sha256) : rootHash(sha256, nodeReader(db), size);
}

function checkRange(size: number, current: number): void {
  if (size > current) throw refuse(REFUSALS.LOG_RANGE, { size, current });
}

export async function proveInclusion(db: Db, index: number, size: number): Promise<{ leafHash: Uint8Array; proof: Uint8Array[] }> {
  checkRange(size, await logSize(db));
  if (index >= size) throw refuse(REFUSALS.LOG_RANGE, { index, size });
  const [leafHash] = await nodeReader(db).readNodes([{ level: 0, index }]);
  return { leafHash: leafHash!, proof: await inclusionProof(sha256, nodeReader(db), index, size) };
}

export async function proveConsistency(db: Db, from: number, to: number): Promise<Uint8Array[]> {
  checkRange(to, await logSize(db));
  if (from > to) throw refuse(REFUSALS.LOG_RANGE, { from, to });
  return consistencyProof(sha256, nodeReader(db), from, to);
}

export interface StoredLeaf { index: number; leaf: Uint8Array; leafHash: Uint8Array }

export async function readLeaves(db: Db, start: number, end: number): Promise<StoredLeaf[]> {
  const rows = await db.selectFrom('log_leaves').select(['idx', 'leaf', 'leaf_hash']).where('idx', '>=', start).where('idx', '<', end).orderBy('idx').execute();
  return rows.map((r) => ({ index: Number(r.idx), leaf: new Uint8Array(r.leaf), leafHash: new Uint8Array(r.leaf_hash) }));
}

/** The platform key as a note signer: checkpoints are signed by the same token key as every answer. */
export function noteSigner(signer: PlatformSigner, origin: string): NoteSigner {
  return { key: { name: origin, type: 'ecdsa-p256', spki: Buffer.from(signer.key.spki, 'base64') }, sign: (m) => signer.sign(m) };
}

export function noteVerifier(spkiBase64: string, origin: string): NoteVerifier {
  return { key: { name: origin, type: 'ecdsa-p256', spki: new Uint8Array(Buffer.from(spkiBase64, 'base64')) } };
}

export interface StoredCheckpoint { size: number; root: Uint8Array; madeAt: string; note: string }

/**
 * A signed checkpoint of the log as it is now; a new row unless one of this size exists. Reads the
 * size and root outside the append lock: nodes of a committed size never change.
 */
export async function makeCheckpoint(db: Db, signer: PlatformSigner, origin: string, now: Date): Promise<StoredCheckpoint> {
  const size = await logSize(db);
  const existing = await db.selectFrom('checkpoints').selectAll().where('size', '=', size).executeTakeFirst();
  if (existing) return { size, root: new Uint8Array(existing.root_hash), madeAt: existing.made_at, note: existing.note };
  const root = await rootAt(db, size);
  const note = await signCheckpoint(sha256, { origin, size, root, time: now }, [noteSigner(signer, origin)]);
  const row = { size, root_hash: root, made_at: now.toISOString(), note };
  // Two processes may sign the same size at once: the first row stays, the second is dropped.
  await db.insertInto('checkpoints').values(row).onConflict((oc) => oc.column('size').doNothing()).execute();
  const kept = await db.selectFrom('checkpoints').selectAll().where('size', '=', size).executeTakeFirstOrThrow();
  return { size, root: new Uint8Array(kept.root_hash), madeAt: kept.made_at, note: kept.note };
}

export async function latestCheckpoint(db: Db): Promise<StoredCheckpoint | undefined> {
  const r = await db.selectFrom('checkpoints').selectAll().orderBy('size', 'desc').limit(1).executeTakeFirst();
  return r ? { size: Number(r.size), root: new Uint8Array(r.root_hash), madeAt: r.made_at, note: r.note } : undefined;
}

export async function allCheckpointNotes(db: Db): Promise<string[]> {
  return (await db.selectFrom('checkpoints').select('note').orderBy('size').execute()).map((r) => r.note);
}

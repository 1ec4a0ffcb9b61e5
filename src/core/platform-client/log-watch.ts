/**
 * The client's view of the platform's transparency log: the largest signed checkpoint it has seen,
 * kept in the data dir (platform-checkpoint.txt). Every checkpoint the platform shows later is
 * opened with the platform's keys and must extend the kept one by a consistency proof; a smaller
 * one (an old database copy restored) or a different root for a size already seen (two histories)
 * is a LOG_ROLLED_BACK / LOG_FORKED error, and the caller does not trust the platform's answers.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CheckpointView, ConsistencyProofView } from '../../platform/api/contract';
import { openCheckpoint, type Checkpoint } from '../../platform/log/checkpoint';
import { verifyConsistency, verifyInclusion } from '../../platform/log/merkle';
import { nodeSha256 } from '../../platform/log/node-hasher';
import { SealDeskError } from '../errors';
import { writeFileAtomic } from '../fs/atomic-write';
import type { PlatformConnection } from './connection';
import type { PlatformSettings } from './platform-settings';

export const checkpointFile = (home: string) => path.join(home, 'platform-checkpoint.txt');

const untrusted = (code: 'LOG_ROLLED_BACK' | 'LOG_FORKED' | 'LOG_PROOF_INVALID', zh: string, en: string, details: Record<string, unknown>) =>
  new SealDeskError(code, `警告:电子印章管理平台的日志${zh},平台的应答不可信`, `WARNING: the seal platform's log ${en}; its answers are not trusted`, { details });

export async function openPlatformCheckpoint(s: PlatformSettings, note: string): Promise<Checkpoint> {
  const verifiers = s.keys.filter((k) => k.alg === 'ecdsa-p256-sha256').map((k) => ({ key: { name: s.logOrigin, type: 'ecdsa-p256' as const, spki: new Uint8Array(Buffer.from(k.spki, 'base64')) } }));
  return (await openCheckpoint(nodeSha256, note, verifiers, { origin: s.logOrigin })).checkpoint;
}

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export class LogWatch {
  constructor(readonly home: string, readonly settings: PlatformSettings, readonly conn: PlatformConnection) {}

  largest(): Promise<Checkpoint | undefined> {
    const f = checkpointFile(this.home);
    if (!fs.existsSync(f)) return Promise.resolve(undefined);
    return openPlatformCheckpoint(this.settings, fs.readFileSync(f, 'utf8'));
  }

  /** Checks a checkpoint the platform showed against the largest kept; keeps it when larger. */
  async observe(note: string): Promise<Checkpoint> {
    const seen = await openPlatformCheckpoint(this.settings, note);
    const kept = await this.largest();
    if (kept) {
      const details = { keptSize: kept.size, shownSize: seen.size };
      if (seen.size < kept.size) {
        throw untrusted('LOG_ROLLED_BACK', `已回退(曾见 ${kept.size} 条,现仅 ${seen.size} 条)`, `was rolled back (${kept.size} entries seen before, ${seen.size} now)`, details);
      }
      if (seen.size === kept.size && Buffer.compare(Buffer.from(seen.root), Buffer.from(kept.root)) !== 0) {
        throw untrusted('LOG_FORKED', `出现分叉(同为 ${seen.size} 条而根哈希不同)`, `is forked (two roots for ${seen.size} entries)`, details);
      }
      if (seen.size > kept.size) {
        const p = await this.conn.call<ConsistencyProofView>('consistencyProof', { query: { from: kept.size, to: seen.size } });
        const ok = await verifyConsistency(nodeSha256, kept.size, seen.size, kept.root, seen.root, p.proof.map(b64));
        if (!ok.ok) throw untrusted('LOG_FORKED', `与先前所见不一致(${ok.zh})`, `does not extend the one seen before (${ok.en})`, details);
      }
    }
    if (!kept || seen.size > kept.size) writeFileAtomic(checkpointFile(this.home), Buffer.from(note));
    return seen;
  }

  /**
   * A signed answer carries the log size it was made at: one below the largest checkpoint seen
   * comes from a log that was rolled back (an old database restored), so it is not trusted.
   */
  async assertNotBehind(logSize: number): Promise<void> {
    const kept = await this.largest();
    if (kept && logSize < kept.size) {
      throw untrusted('LOG_ROLLED_BACK', `已回退(曾见 ${kept.size} 条,应答仅基于 ${logSize} 条)`, `was rolled back (${kept.size} entries seen before, the answer is based on ${logSize})`, { keptSize: kept.size, shownSize: logSize });
    }
  }

  /** The platform's current checkpoint, checked. */
  async current(): Promise<Checkpoint> {
    return this.observe((await this.conn.call<CheckpointView>('checkpoint')).checkpoint);
  }

  /** An inclusion proof of a receipt against its (observed) checkpoint. */
  async checkInclusion(r: { logIndex: number; leafHash: string; checkpoint: string; inclusionProof: string[] }): Promise<Checkpoint> {
    const cp = await this.observe(r.checkpoint);
    const ok = await verifyInclusion(nodeSha256, r.logIndex, cp.size, b64(r.leafHash), r.inclusionProof.map(b64), cp.root);
    if (!ok.ok) throw untrusted('LOG_PROOF_INVALID', `未包含该记录(${ok.zh})`, `does not include the record (${ok.en})`, { logIndex: r.logIndex });
    return cp;
  }
}

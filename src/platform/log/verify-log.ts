/**
 * `log verify`: recompute the whole log from its entries and hold it against every stored signed
 * checkpoint. Streams the entries (any order of storage, read in index order) through a compact
 * range, so memory stays O(log n) for a log of millions of entries.
 *
 * What it names: an entry whose stored leaf hash is not the hash of its bytes (that entry); a
 * missing or repeated index (where the sequence breaks); a checkpoint whose root the entries do
 * not give (the first entry after the last checkpoint that still matched, and the checkpoint's
 * size: the change is among those entries); a checkpoint larger than the log (entries removed);
 * two checkpoints of one size with different roots (two histories); a checkpoint whose signature
 * fails. The first problem in log order wins.
 */
import { emptyRoot, hashLeaf, bytesEqual, toHex, type Sha256 } from './merkle-hash';
import { CompactRange } from './merkle';
import { openCheckpoint, type Checkpoint } from './checkpoint';
import type { NoteVerifier } from './signed-note';
import { isSealDeskError } from '../../core/errors';

export interface LogEntry {
  index: number;
  /** The entry's bytes as stored (the leaf input). */
  data: Uint8Array;
  /** The leaf hash as stored beside the entry, when the store keeps one. */
  leafHash?: Uint8Array;
}

export type LogVerdict =
  | { ok: true; size: number; root: Uint8Array; checkpoints: number }
  | {
      ok: false;
      code: 'LOG_LEAF_MISMATCH' | 'LOG_SEQUENCE_BROKEN' | 'LOG_ROOT_MISMATCH' | 'LOG_TRUNCATED' | 'LOG_FORKED' | 'LOG_CHECKPOINT_INVALID';
      zh: string;
      en: string;
      /** The first entry that is wrong or missing (for a bad checkpoint, its size). */
      firstBadIndex: number;
      /** The checkpoint concerned, by its position in the list given, where one is. */
      checkpoint?: number;
    };

export async function verifyLog(
  sha256: Sha256,
  entries: Iterable<LogEntry> | AsyncIterable<LogEntry>,
  checkpointNotes: readonly string[],
  verifiers: readonly NoteVerifier[],
  options: { origin?: string } = {},
): Promise<LogVerdict> {
  const checkpoints: { c: Checkpoint; at: number }[] = [];
  for (let at = 0; at < checkpointNotes.length; at++) {
    try {
      checkpoints.push({ c: (await openCheckpoint(sha256, checkpointNotes[at]!, verifiers, options)).checkpoint, at });
    } catch (e) {
      const why = isSealDeskError(e) ? e : undefined;
      return {
        ok: false, code: 'LOG_CHECKPOINT_INVALID', checkpoint: at, firstBadIndex: 0,
        zh: `第 ${at + 1} 个检查点无效：${why?.zh ?? String(e)}`, en: `Checkpoint ${at + 1} is not valid: ${why?.en ?? String(e)}`,
      };
    }
  }
  checkpoints.sort((a, b) => a.c.size - b.c.size || a.at - b.at);
  for (let k = 1; k < checkpoints.length; k++) {
    const [p, q] = [checkpoints[k - 1]!, checkpoints[k]!];
    if (p.c.size === q.c.size && !bytesEqual(p.c.root, q.c.root)) {
      return {
        ok: false, code: 'LOG_FORKED', checkpoint: q.at, firstBadIndex: q.c.size,
        zh: `两个大小同为 ${q.c.size} 的检查点给出不同的根哈希：日志有两个历史`, en: `Two checkpoints of size ${q.c.size} give different roots: the log shows two histories`,
      };
    }
  }

  const range = new CompactRange(sha256);
  let next = 0; // next checkpoint to meet
  let lastGood = 0;
  const meet = async (): Promise<LogVerdict | undefined> => {
    while (next < checkpoints.length && checkpoints[next]!.c.size === range.size) {
      const { c, at } = checkpoints[next]!;
      const root = range.size === 0 ? await emptyRoot(sha256) : await range.root();
      if (!bytesEqual(root, c.root)) {
        return {
          ok: false, code: 'LOG_ROOT_MISMATCH', checkpoint: at, firstBadIndex: lastGood,
          zh: `条目 ${lastGood} 至 ${c.size - 1} 中有被改动的：重新计算的根哈希 ${toHex(root).slice(0, 16)}… 与第 ${at + 1} 个检查点（大小 ${c.size}）不符`,
          en: `An entry among ${lastGood}..${c.size - 1} was changed: the recomputed root ${toHex(root).slice(0, 16)}… differs from checkpoint ${at + 1} (size ${c.size})`,
        };
      }
      lastGood = c.size;
      next++;
    }
    return undefined;
  };

  const early = await meet();
  if (early) return early;
  for await (const e of entries) {
    if (e.index !== range.size) {
      return {
        ok: false, code: 'LOG_SEQUENCE_BROKEN', firstBadIndex: range.size,
        zh: `应为条目 ${range.size}，读到的是条目 ${e.index}：有条目缺失或重复`, en: `Expected entry ${range.size} but read entry ${e.index}: an entry is missing or repeated`,
      };
    }
    const leafHash = await hashLeaf(sha256, e.data);
    if (e.leafHash && !bytesEqual(e.leafHash, leafHash)) {
      return {
        ok: false, code: 'LOG_LEAF_MISMATCH', firstBadIndex: e.index,
        zh: `条目 ${e.index} 的内容与其存储的叶哈希不符：该条目被改动`, en: `Entry ${e.index} does not match its stored leaf hash: the entry was changed`,
      };
    }
    await range.append(leafHash);
    const bad = await meet();
    if (bad) return bad;
  }
  if (next < checkpoints.length) {
    const { c, at } = checkpoints[next]!;
    return {
      ok: false, code: 'LOG_TRUNCATED', checkpoint: at, firstBadIndex: range.size,
      zh: `日志只有 ${range.size} 个条目，但第 ${at + 1} 个检查点签署了 ${c.size} 个：条目被删除`,
      en: `The log has ${range.size} entries but checkpoint ${at + 1} signed ${c.size}: entries were removed`,
    };
  }
  return { ok: true, size: range.size, root: range.size === 0 ? await emptyRoot(sha256) : await range.root(), checkpoints: checkpoints.length };
}

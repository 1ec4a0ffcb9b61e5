import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { withFileLock } from '../fs/file-lock';
import { homePaths } from '../config/paths';
import { SealDeskError } from '../errors';

export type AuditAction =
  | 'seal.make' | 'seal.verify'
  | 'token.login' | 'token.lock' | 'token.unlock' | 'token.change-pin'
  | 'stamp' | 'verify' | 'trust.add' | 'ltv'
  | 'platform.use' | 'platform.record' | 'seal.apply' | 'seal.register' | 'platform.seals';

export type AuditOutcome = 'ok' | 'failed' | 'refused';

/** What a caller records. Never put a PIN (or anything derived from one) here. */
export interface AuditEvent {
  action: AuditAction;
  outcome: AuditOutcome;
  tokenSerial?: string;
  tokenLabel?: string;
  esID?: string;
  /** Hex SHA-256 (or SM3) of the document concerned. */
  documentHash?: string;
  document?: string;
  /** SealDeskError code on failure. */
  code?: string;
  detail?: string;
}

export interface AuditEntry extends AuditEvent {
  seq: number;
  time: string;
  /** hash of the previous entry ("0"×64 for the first). */
  prev: string;
  /** SHA-256 over the canonical JSON of this entry without `hash`. */
  hash: string;
}

const GENESIS = '0'.repeat(64);
const FIELDS: (keyof AuditEntry)[] = ['seq', 'time', 'action', 'outcome', 'tokenSerial', 'tokenLabel', 'esID', 'documentHash', 'document', 'code', 'detail', 'prev'];

function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const canonical = JSON.stringify(FIELDS.map((k) => [k, (e as Record<string, unknown>)[k] ?? null]));
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

interface Head { seq: number; hash: string }

function readHeadFile(logFile: string): Head | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(`${logFile}.head`, 'utf8')) as Head;
    return typeof h.seq === 'number' && typeof h.hash === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

function lastEntryHead(logFile: string): Head {
  if (!fs.existsSync(logFile)) return { seq: 0, hash: GENESIS };
  const lines = fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const last = JSON.parse(lines[i]) as AuditEntry;
      if (typeof last.seq === 'number' && typeof last.hash === 'string') return { seq: last.seq, hash: last.hash };
    } catch { /* a damaged line: verify() reports it; the chain goes on from the last good one */ }
  }
  return { seq: 0, hash: GENESIS };
}

/**
 * Where the next entry chains from: the head record, or — when it is missing or damaged — the last
 * entry of the log itself. A damaged head never stops the logging; verify() reports it.
 */
function readHead(logFile: string): Head {
  return readHeadFile(logFile) ?? lastEntryHead(logFile);
}

/**
 * The hash-chained audit log (签章日志 / 验证日志 / 制章日志): one JSON line per event, each
 * carrying the hash of the one before, so an edited, removed or reordered line is found by
 * verify(). A head file next to the log remembers the last entry so that cutting lines off the
 * end is found too. Appends are serialized across processes by a file lock.
 */
export class AuditLog {
  constructor(readonly file: string = homePaths().auditLog) {}

  append(event: AuditEvent): AuditEntry {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    return withFileLock(this.file, () => {
      const head = readHead(this.file);
      const body: Omit<AuditEntry, 'hash'> = { seq: head.seq + 1, time: new Date().toISOString(), ...event, prev: head.hash };
      const entry: AuditEntry = { ...body, hash: entryHash(body) };
      const fd = fs.openSync(this.file, 'a', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify(entry) + '\n');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.writeFileSync(`${this.file}.head`, JSON.stringify({ seq: entry.seq, hash: entry.hash }));
      return entry;
    });
  }

  /**
   * Refuses (AUDIT_LOG_UNWRITABLE) when an entry could not be appended: the use cases call this
   * before the PIN is asked, so that nothing is stamped or made that the log cannot record.
   */
  assertWritable(): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.closeSync(fs.openSync(this.file, 'a', 0o600));
      fs.accessSync(path.dirname(this.file), fs.constants.W_OK);
    } catch (e) {
      throw new SealDeskError('AUDIT_LOG_UNWRITABLE', `无法写入审计日志 ${this.file},操作未执行`, `The audit log ${this.file} cannot be written; nothing was done`, { cause: e });
    }
  }

  /** Best effort: a failure to log must not hide the failure being logged. */
  record(event: AuditEvent): void {
    try { this.append(event); } catch (e) { process.emitWarning(`audit log not written: ${(e as Error).message}`); }
  }

  entries(): AuditEntry[] {
    if (!fs.existsSync(this.file)) return [];
    return fs.readFileSync(this.file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEntry);
  }

  verify(): AuditVerification {
    const headFile = `${this.file}.head`;
    if (!fs.existsSync(this.file)) {
      const head = fs.existsSync(headFile) ? readHeadFile(this.file) : { seq: 0, hash: GENESIS };
      if (!head) return { ok: false, count: 0, badLine: 1, reason: 'the log is missing and its head record is damaged' };
      return head.seq === 0 ? { ok: true, count: 0 } : { ok: false, count: 0, badLine: 1, reason: `the log file is missing but ${head.seq} entries were written` };
    }
    const lines = fs.readFileSync(this.file, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let prev = GENESIS;
    let seq = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = i + 1;
      let e: AuditEntry;
      try { e = JSON.parse(lines[i]) as AuditEntry; } catch { return { ok: false, count: i, badLine: line, reason: 'not JSON' }; }
      const { hash, ...body } = e;
      if (e.prev !== prev) return { ok: false, count: i, badLine: line, reason: 'chain broken: a line before it was removed, inserted or moved' };
      if (e.seq !== seq + 1) return { ok: false, count: i, badLine: line, reason: `sequence jumps from ${seq} to ${e.seq}` };
      if (entryHash(body) !== hash) return { ok: false, count: i, badLine: line, reason: 'entry was edited (hash mismatch)' };
      prev = hash;
      seq = e.seq;
    }
    if (fs.existsSync(headFile)) {
      const head = readHeadFile(this.file);
      if (!head) return { ok: false, count: lines.length, badLine: lines.length + 1, reason: 'the head record (audit.log.head) is damaged' };
      if (head.seq !== seq || head.hash !== prev) {
        return { ok: false, count: lines.length, badLine: lines.length + 1, reason: `log ends at entry ${seq} but ${head.seq} were written: lines were cut off the end` };
      }
    }
    return { ok: true, count: lines.length };
  }
}

export interface AuditVerification {
  ok: boolean;
  count: number;
  /** 1-based line number of the first bad line. */
  badLine?: number;
  reason?: string;
}

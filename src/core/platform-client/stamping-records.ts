/**
 * After a stamp: the stamping record (permit id, signature digest, document digest) goes to the
 * platform in a request signed on the keeper's token; the signed receipt's inclusion proof is checked
 * against its checkpoint (which must extend the largest seen, log-watch.ts) and kept in the local
 * audit log. A record that cannot be sent is written to the data dir's platform-queue/ and sent by a
 * later stamping job with the same keeper certificate (a record must be signed by its keeper, and
 * the platform's nonces are single-use, so it cannot be signed ahead). Queued records are never
 * dropped except after the platform has acknowledged them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Digest, RecordReceiptPayload, SignedEnvelope } from '../../platform/api/contract';
import { verifyEnvelope } from '../../platform/client-verify';
import type { RequestSigner } from '../../platform/client/platform-client';
import type { AuditLog } from '../audit/audit-log';
import { SealDeskError, asSealDeskError } from '../errors';
import { writeFileAtomic } from '../fs/atomic-write';
import type { PlatformConnection } from './connection';
import { LogWatch } from './log-watch';
import type { PlatformSettings } from './platform-settings';

export interface StampingRecord {
  permitId: string;
  esID: string;
  signatureDigest: Digest;
  documentDigest: Digest;
  /** SHA-256 hex of the keeper certificate that must sign the record's request. */
  certificateSha256: string;
  document?: string;
  /** When it was queued (absent on records sent at once). */
  queuedAt?: string;
}

export const queueDir = (home: string) => path.join(home, 'platform-queue');

export function queuedRecords(home: string): StampingRecord[] {
  const dir = queueDir(home);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().flatMap((f) => {
    // A damaged file stays where it is (never deleted) but is not sent or listed as a record.
    try {
      const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Partial<StampingRecord> | null;
      const ok = r && typeof r.permitId === 'string' && typeof r.esID === 'string' && typeof r.certificateSha256 === 'string'
        && typeof r.documentDigest?.hex === 'string' && typeof r.signatureDigest?.hex === 'string';
      return ok ? [r as StampingRecord] : [];
    } catch { return []; }
  });
}

/** What `sealdesk log show` prints after the audit log: each stamping record still waiting to be sent. */
export function queuedRecordLines(home: string): string[] {
  const q = queuedRecords(home);
  if (q.length === 0) return [];
  return [
    `待发送至电子印章管理平台的用印记录 / stamping records waiting to be sent to the seal platform: ${q.length}`,
    ...q.map((r) => `  permit ${r.permitId}  esID ${r.esID}  hash ${r.documentDigest.hex.slice(0, 16)}…${r.document ? `  file ${r.document}` : ''}${r.queuedAt ? `  queued ${r.queuedAt}` : ''}`),
    '  (下次用同一印章卡签章时发送 / sent with the next stamp made with the same USB-Key)',
  ];
}

function enqueue(home: string, r: StampingRecord): void {
  fs.mkdirSync(queueDir(home), { recursive: true });
  writeFileAtomic(path.join(queueDir(home), `${r.permitId}.json`), Buffer.from(JSON.stringify({ ...r, queuedAt: new Date().toISOString() })));
}

export interface Receipt { recordId: string; logIndex: number; checkpointSize: number }

async function send(conn: PlatformConnection, s: PlatformSettings, watch: LogWatch, r: StampingRecord, signer: RequestSigner): Promise<Receipt> {
  const env = await conn.signed<SignedEnvelope>('stampingRecord', { permitId: r.permitId, signatureDigest: r.signatureDigest, documentDigest: r.documentDigest }, signer);
  const v = verifyEnvelope<RecordReceiptPayload>(env, s.keys, { type: 'stamping-receipt' });
  if (!v.ok) throw new SealDeskError('RECEIPT_INVALID', `用印记录回执无效:${v.zh}`, `The stamping record receipt is not valid: ${v.en}`);
  const cp = await watch.checkInclusion(v.payload);
  return { recordId: v.payload.recordId, logIndex: v.payload.logIndex, checkpointSize: cp.size };
}

function logReceipt(audit: AuditLog, r: StampingRecord, rc: Receipt): void {
  audit.record({ action: 'platform.record', outcome: 'ok', esID: r.esID, documentHash: r.documentDigest.hex, document: r.document,
    detail: JSON.stringify({ permitId: r.permitId, recordId: rc.recordId, logIndex: rc.logIndex, checkpointSize: rc.checkpointSize }) });
}

/**
 * Sends the record of a stamp just made; on failure it is queued (and the audit log says so). Also
 * sends what was queued for the same keeper. Never throws for a send failure: the stamp is made.
 */
export async function recordStamp(o: { home: string; audit: AuditLog; conn: PlatformConnection; settings: PlatformSettings; record: StampingRecord; signer: RequestSigner }): Promise<{ receipt?: Receipt; queued: boolean; error?: SealDeskError }> {
  const watch = new LogWatch(o.home, o.settings, o.conn);
  const mine = crypto.createHash('sha256').update(o.signer.certificate).digest('hex');
  for (const q of queuedRecords(o.home).filter((q) => q.certificateSha256 === mine && q.permitId !== o.record.permitId)) {
    try {
      logReceipt(o.audit, q, await send(o.conn, o.settings, watch, q, o.signer));
      fs.rmSync(path.join(queueDir(o.home), `${q.permitId}.json`), { force: true });
    } catch (e) {
      if (asSealDeskError(e).code === 'RECORD_EXISTS') fs.rmSync(path.join(queueDir(o.home), `${q.permitId}.json`), { force: true });
      break;
    }
  }
  try {
    const receipt = await send(o.conn, o.settings, watch, o.record, o.signer);
    logReceipt(o.audit, o.record, receipt);
    return { receipt, queued: false };
  } catch (e) {
    const error = asSealDeskError(e);
    enqueue(o.home, o.record);
    o.audit.record({ action: 'platform.record', outcome: 'failed', esID: o.record.esID, documentHash: o.record.documentDigest.hex, document: o.record.document, code: error.code, detail: `queued ${o.record.permitId}` });
    return { queued: true, error };
  }
}

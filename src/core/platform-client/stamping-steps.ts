/**
 * The platform's part of 签章 (seed 001 flow 3), called by src/core/app/stamping.ts: with no platform
 * configured every step is a no-op and the result carries the "not checked" note; with one, (a) the
 * seal's state before anything else, (d) after the PIN a permit for the document's digest signed on
 * the token, and after signing the stamping record with its receipt (or the queue).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { DigestAlgorithm } from '../../platform/api/contract';
import type { RequestSigner } from '../../platform/client/platform-client';
import type { AuditLog } from '../audit/audit-log';
import type { SealDeskConfig } from '../config/config';
import type { Signer } from '../signer';
import { SealDeskError, asSealDeskError } from '../errors';
import { PlatformConnection } from './connection';
import { requestPermit } from './permit';
import { NO_PLATFORM_NOTE, type PlatformSettings } from './platform-settings';
import { checkSealOnPlatform } from './seal-gate';
import { recordStamp, type Receipt } from './stamping-records';

export interface PlatformStampOutcome {
  checked: boolean;
  note?: { zh: string; en: string };
  permitId?: string;
  receipt?: Receipt;
  /** The record could not be sent: it waits in the data dir's queue. */
  recordQueued?: boolean;
}

export function requestSignerOf(signer: Signer): RequestSigner {
  const digestAlg: DigestAlgorithm = signer.keyAlgorithm === 'SM2' ? 'sm3' : 'sha256';
  return { certificate: signer.certificate, digestAlg, sign: (m) => signer.sign(m, signer.defaultScheme) };
}

/** The stamping job's session with the platform, or the offline note. */
export class PlatformStamping {
  private readonly conn?: PlatformConnection;
  private readonly settings?: PlatformSettings;
  private checkedEsID?: string;

  constructor(config: SealDeskConfig, readonly home: string, readonly audit: AuditLog) {
    this.settings = config.platform;
    if (this.settings) this.conn = PlatformConnection.of(this.settings);
  }

  get configured(): boolean { return this.settings !== undefined; }

  /** Step (a): refuses a seal the platform says may not stamp (or an unreachable platform). */
  async checkSeal(esID: string): Promise<void> {
    if (!this.conn || !this.settings || this.checkedEsID === esID) return;
    await checkSealOnPlatform(this.conn, this.settings, esID, this.home);
    this.checkedEsID = esID;
  }

  /** Step (d): the permit envelope to embed, or undefined offline. The PIN is asked here (first use of the key). */
  async permit(o: { esID: string; input: string; signer: Signer }): Promise<{ envelope: Uint8Array; permitId: string; documentDigest: { alg: 'sha256'; hex: string } } | undefined> {
    if (!this.conn || !this.settings) return undefined;
    let bytes: Buffer;
    try { bytes = fs.readFileSync(o.input); } catch (e) {
      throw new SealDeskError('FILE_UNREADABLE', `无法读取文件 ${o.input}`, `Cannot read the file ${o.input}`, { cause: e });
    }
    const documentDigest = { alg: 'sha256' as const, hex: crypto.createHash('sha256').update(bytes).digest('hex') };
    const p = await requestPermit(this.conn, this.settings, { esID: o.esID, documentDigest, signer: requestSignerOf(o.signer) });
    return { envelope: p.envelope, permitId: p.payload.permitId, documentDigest };
  }

  /** After signing: the record of the last signature written to OUT (the one covering the whole file). */
  async afterStamp(o: { esID: string; output: string; byteRange: [number, number, number, number]; permit?: { permitId: string; documentDigest: { alg: 'sha256'; hex: string } }; signer: Signer }): Promise<PlatformStampOutcome> {
    if (!this.conn || !this.settings || !o.permit) return { checked: false, note: { ...NO_PLATFORM_NOTE } };
    let out: Buffer;
    // The stamp is made and saved: a failure from here on is reported, never thrown.
    try { out = fs.readFileSync(o.output); } catch (e) {
      return { checked: true, permitId: o.permit.permitId, recordQueued: false, note: { zh: `用印记录未发送:${asSealDeskError(e).zh}`, en: `stamping record not sent: ${asSealDeskError(e).en}` } };
    }
    const contents = Buffer.from(out.subarray(o.byteRange[1] + 1, o.byteRange[2] - 1).toString('latin1'), 'hex');
    const r = await recordStamp({
      home: this.home, audit: this.audit, conn: this.conn, settings: this.settings, signer: requestSignerOf(o.signer),
      record: {
        permitId: o.permit.permitId, esID: o.esID, documentDigest: o.permit.documentDigest, document: o.output,
        signatureDigest: { alg: 'sha256', hex: crypto.createHash('sha256').update(contents).digest('hex') },
        certificateSha256: crypto.createHash('sha256').update(o.signer.certificate).digest('hex'),
      },
    });
    return { checked: true, permitId: o.permit.permitId, receipt: r.receipt, recordQueued: r.queued };
  }

  close(): void { this.conn?.close(); }
}

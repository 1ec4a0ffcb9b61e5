/**
 * Stamping records (from the permit's keeper, signed request: permit, signature digest, document
 * digest) and verification records (anyone; digests only). Each is a log leaf; the answer is a
 * signed receipt with a fresh checkpoint and the record's inclusion proof in it.
 */
import type { RecordReceiptPayload, RecordView, SignedEnvelope, StampingRecordRequest, VerificationRecordRequest } from '../api/contract';
import { iso, write, type PlatformContext } from '../context';
import { refuse, REFUSALS } from '../errors';
import { makeCheckpoint, proveInclusion, type Db } from '../log/log-store';
import { signEnvelope } from '../signing/signed-envelope';
import { consumeNonce, type VerifiedSigner } from './signed-request';
import { STATUS_LIFETIME_MS } from './seal-status';
import { verificationRecordRequest } from '../api/contract';

async function receipt(ctx: PlatformContext, type: RecordReceiptPayload['type'], index: number): Promise<SignedEnvelope<RecordReceiptPayload>> {
  const now = ctx.now();
  const cp = await makeCheckpoint(ctx.db, ctx.signer, ctx.config.logOrigin, now);
  const { leafHash, proof } = await proveInclusion(ctx.db, index, cp.size);
  return signEnvelope(ctx.signer, {
    type, producedAt: iso(now), nextUpdate: iso(new Date(now.getTime() + STATUS_LIFETIME_MS)), recordId: String(index), logIndex: index,
    leafHash: Buffer.from(leafHash).toString('base64'), checkpoint: cp.note, inclusionProof: proof.map((p) => Buffer.from(p).toString('base64')),
  });
}

export async function recordStamping(ctx: PlatformContext, signer: VerifiedSigner, req: StampingRecordRequest): Promise<SignedEnvelope<RecordReceiptPayload>> {
  const nowDate = ctx.now();
  const now = iso(nowDate);
  const index = await write(ctx, async (trx, log) => {
    await consumeNonce(trx, signer.nonce, nowDate);
    const permit = await trx.selectFrom('permits').selectAll().where('id', '=', Number(req.permitId)).executeTakeFirst();
    if (!permit) throw refuse(REFUSALS.PERMIT_UNKNOWN, { permitId: req.permitId });
    if (permit.cert_sha256 !== signer.certificateSha256 || permit.digest_alg !== req.documentDigest.alg || permit.digest_hex !== req.documentDigest.hex) {
      throw refuse(REFUSALS.PERMIT_MISMATCH, { permitId: req.permitId });
    }
    if (await trx.selectFrom('records').select('id').where('permit_id', '=', permit.id).where('kind', '=', 'stamping').executeTakeFirst()) throw refuse(REFUSALS.RECORD_EXISTS, { permitId: req.permitId });
    const body = { permitId: req.permitId, esID: permit.es_id, signatureDigest: req.signatureDigest, documentDigest: req.documentDigest, certificateSha256: signer.certificateSha256 };
    const { index: i } = await log.append({ type: 'stamping_record', at: now, ...body });
    await trx.insertInto('records').values({ id: i, kind: 'stamping', permit_id: permit.id, body: JSON.stringify(body), recorded_at: now }).execute();
    return i;
  });
  ctx.log.info({ event: 'stamping_recorded', recordId: index }, 'stamping recorded');
  return receipt(ctx, 'stamping-receipt', index);
}

export async function recordVerification(ctx: PlatformContext, input: VerificationRecordRequest): Promise<SignedEnvelope<RecordReceiptPayload>> {
  const req = verificationRecordRequest.parse(input);
  const now = iso(ctx.now());
  const index = await write(ctx, async (trx, log) => {
    const body = { documentDigest: req.documentDigest, signatureDigests: req.signatureDigests, esIDs: req.esIDs, result: req.result };
    const { index: i } = await log.append({ type: 'verification_record', at: now, ...body });
    await trx.insertInto('records').values({ id: i, kind: 'verification', permit_id: null, body: JSON.stringify(body), recorded_at: now }).execute();
    return i;
  });
  return receipt(ctx, 'verification-receipt', index);
}

export async function listRecords(db: Db, f: { kind?: 'stamping' | 'verification'; esID?: string }): Promise<RecordView[]> {
  let q = db.selectFrom('records').selectAll().orderBy('id');
  if (f.kind) q = q.where('kind', '=', f.kind);
  const rows = await q.execute();
  return rows.map((r) => ({ id: String(r.id), kind: r.kind as RecordView['kind'], recordedAt: r.recorded_at, logIndex: Number(r.id), body: JSON.parse(r.body) as Record<string, unknown> }))
    .filter((r) => !f.esID || r.body.esID === f.esID || (Array.isArray(r.body.esIDs) && (r.body.esIDs as string[]).includes(f.esID)));
}

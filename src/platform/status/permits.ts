/**
 * Stamping permits (用印许可) and use approvals (用印审批). A permit is given for one document digest
 * to a keeper whose signed request verifies, whose certificate is in the seal's list, for a seal in
 * use and within its validity, and — where the unit requires 用印审批 — under an approver's
 * approval of that document or of a count of uses within a time window. Every permit is a log leaf.
 */
import type { PermitPayload, PermitRequest, SignedEnvelope, UseApprovalRequest, UseApprovalView } from '../api/contract';
import { requireRole } from '../auth/accounts';
import { iso, write, type Actor, type PlatformContext } from '../context';
import { refuse, REFUSALS } from '../errors';
import type { Db } from '../log/log-store';
import { certificateMatches, sealEvents } from '../registry/seals';
import { stateAt } from '../registry/seal-states';
import { signEnvelope } from '../signing/signed-envelope';
import { consumeNonce, type VerifiedSigner } from './signed-request';

export const PERMIT_LIFETIME_MS = 10 * 60_000;

async function permitsUnder(db: Db, approvalId: number): Promise<number> {
  const r = await db.selectFrom('permits').select((eb) => eb.fn.countAll().as('n')).where('use_approval_id', '=', approvalId).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** The approval that covers this use now, if any: a document approval first, else a count window with uses left. */
async function coveringApproval(db: Db, esID: string, digestAlg: string, digestHex: string, now: string) {
  const rows = await db.selectFrom('use_approvals').innerJoin('accounts', 'accounts.id', 'use_approvals.approver_id')
    .selectAll('use_approvals').select('accounts.user_name').where('es_id', '=', esID).orderBy('use_approvals.id').execute();
  const doc = rows.find((r) => r.kind === 'document' && r.digest_alg === digestAlg && r.digest_hex === digestHex);
  if (doc) return doc;
  for (const r of rows) {
    if (r.kind !== 'count' || !r.not_before || !r.not_after || now < r.not_before || now > r.not_after) continue;
    if ((await permitsUnder(db, r.id)) < Number(r.max_count)) return r;
  }
  return undefined;
}

export async function issuePermit(ctx: PlatformContext, signer: VerifiedSigner, req: PermitRequest): Promise<SignedEnvelope<PermitPayload>> {
  const producedDate = ctx.now();
  const produced = iso(producedDate);
  const expires = iso(new Date(producedDate.getTime() + PERMIT_LIFETIME_MS));
  const payload = await write(ctx, async (trx, log) => {
    await consumeNonce(trx, signer.nonce, producedDate);
    const seal = await trx.selectFrom('seals').innerJoin('units', 'units.id', 'seals.unit_id')
      .select(['seals.es_id', 'seals.valid_start', 'seals.valid_end', 'units.requires_use_approval']).where('seals.es_id', '=', req.esID).executeTakeFirst();
    if (!seal) throw refuse(REFUSALS.SEAL_UNKNOWN, { esID: req.esID });
    const state = stateAt(await sealEvents(trx, req.esID), produced)?.state;
    if (state !== 'in_use') throw refuse(REFUSALS.SEAL_NOT_IN_USE, { esID: req.esID, state });
    if (produced < seal.valid_start || produced > seal.valid_end) throw refuse(REFUSALS.SEAL_EXPIRED, { esID: req.esID, validStart: seal.valid_start, validEnd: seal.valid_end });
    const certs = await trx.selectFrom('seal_certs').select(['cert_sha256', 'subject']).where('es_id', '=', req.esID).execute();
    if (!certs.some((c) => certificateMatches(c, signer.certificate))) throw refuse(REFUSALS.CERT_NOT_IN_SEAL, { esID: req.esID, certificateSha256: signer.certificateSha256 });
    let approval: PermitPayload['useApproval'] = null;
    let approvalId: number | null = null;
    if (Number(seal.requires_use_approval) === 1) {
      const a = await coveringApproval(trx, req.esID, req.documentDigest.alg, req.documentDigest.hex, produced);
      if (!a) throw refuse(REFUSALS.USE_APPROVAL_REQUIRED, { esID: req.esID });
      approvalId = a.id;
      approval = { id: String(a.id), approver: a.user_name, approvedAt: a.approved_at };
    }
    const { index } = await log.append({
      type: 'permit', at: produced, esID: req.esID, certificateSha256: signer.certificateSha256, documentDigest: req.documentDigest,
      useApprovalId: approval?.id ?? null, expiresAt: expires,
    });
    await trx.insertInto('permits').values({
      id: index, es_id: req.esID, cert_sha256: signer.certificateSha256, digest_alg: req.documentDigest.alg, digest_hex: req.documentDigest.hex,
      use_approval_id: approvalId, produced_at: produced, expires_at: expires, nonce: req.nonce ?? null,
    }).execute();
    const p: PermitPayload = {
      type: 'permit', producedAt: produced, nextUpdate: expires, ...(req.nonce ? { nonce: req.nonce } : {}), permitId: String(index), esID: req.esID,
      certificateSha256: signer.certificateSha256, documentDigest: req.documentDigest, state: 'in_use', useApproval: approval, logIndex: index,
    };
    return p;
  });
  ctx.log.info({ event: 'permit_issued', esID: req.esID, permitId: payload.permitId }, 'permit issued');
  return signEnvelope(ctx.signer, payload);
}

export async function approveUse(ctx: PlatformContext, actor: Actor, req: UseApprovalRequest): Promise<UseApprovalView> {
  requireRole(actor, ['approver']);
  const now = iso(ctx.now());
  const scope = req.scope;
  if (scope.kind === 'count' && !(Date.parse(scope.notBefore) < Date.parse(scope.notAfter))) throw refuse(REFUSALS.USE_APPROVAL_WINDOW);
  const id = await write(ctx, async (trx, log) => {
    const seal = await trx.selectFrom('seals').select(['es_id', 'unit_id']).where('es_id', '=', req.esID).executeTakeFirst();
    if (!seal) throw refuse(REFUSALS.SEAL_UNKNOWN, { esID: req.esID });
    if (actor.unitId !== null && actor.unitId !== seal.unit_id) throw refuse(REFUSALS.OTHER_UNIT, { esID: req.esID });
    const { index } = await log.append({ type: 'use_approval', at: now, esID: req.esID, scope, reason: req.reason, approver: actor.user });
    await trx.insertInto('use_approvals').values({
      id: index, es_id: req.esID, kind: scope.kind,
      digest_alg: scope.kind === 'document' ? scope.documentDigest.alg : null, digest_hex: scope.kind === 'document' ? scope.documentDigest.hex : null,
      max_count: scope.kind === 'count' ? scope.count : null,
      not_before: scope.kind === 'count' ? iso(new Date(scope.notBefore)) : null, not_after: scope.kind === 'count' ? iso(new Date(scope.notAfter)) : null,
      reason: req.reason, approver_id: actor.id, approved_at: now,
    }).execute();
    return index;
  });
  ctx.log.info({ event: 'use_approved', esID: req.esID, id, user: actor.user }, 'use approved');
  return (await listUseApprovals(ctx.db, req.esID)).find((a) => a.id === String(id))!;
}

export async function listUseApprovals(db: Db, esID?: string): Promise<UseApprovalView[]> {
  let q = db.selectFrom('use_approvals').innerJoin('accounts', 'accounts.id', 'use_approvals.approver_id').selectAll('use_approvals').select('accounts.user_name').orderBy('use_approvals.id');
  if (esID !== undefined) q = q.where('use_approvals.es_id', '=', esID);
  const out: UseApprovalView[] = [];
  for (const r of await q.execute()) {
    const scope: UseApprovalView['scope'] = r.kind === 'document'
      ? { kind: 'document', documentDigest: { alg: r.digest_alg as 'sha256' | 'sm3', hex: r.digest_hex! } }
      : { kind: 'count', count: Number(r.max_count), notBefore: r.not_before!, notAfter: r.not_after! };
    out.push({ id: String(r.id), esID: r.es_id, scope, reason: r.reason, approver: r.user_name, approvedAt: r.approved_at, used: await permitsUnder(db, r.id), logIndex: Number(r.id) });
  }
  return out;
}

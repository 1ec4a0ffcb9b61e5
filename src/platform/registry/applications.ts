/**
 * Seal applications (印章申请) and their decisions (审批). An applicant files for its own unit with
 * the impression image (a PNG, decoded to prove it is one, bounded in bytes and pixels); an approver
 * of that unit (or the platform's) decides once, with a reason, and never on an application it
 * filed itself. Each filing and each decision is a log leaf; the rows are never changed.
 */
import crypto from 'node:crypto';
import { decodePng } from '../../core/image';
import { tryParseCertificate } from '../../core/crypto/certificate';
import {
  MAX_IMPRESSION_BYTES, type ApplicationCreateRequest, type ApplicationState, type ApplicationView, type DecisionRequest, type SealKind,
} from '../api/contract';
import { iso, write, type Actor, type PlatformContext } from '../context';
import { refuse, REFUSALS } from '../errors';
import type { Db } from '../log/log-store';
import { requireRole } from '../auth/accounts';

const MAX_IMPRESSION_PIXELS = 4096 * 4096;
const hex = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

export function checkImpression(png: Uint8Array): { width: number; height: number } {
  if (png.length > MAX_IMPRESSION_BYTES) throw refuse(REFUSALS.IMPRESSION_TOO_LARGE, { bytes: png.length, max: MAX_IMPRESSION_BYTES });
  let img;
  try {
    img = decodePng(png);
  } catch (e) {
    throw refuse(REFUSALS.IMPRESSION_INVALID, {}, { zh: (e as Error).message, en: (e as Error).message, cause: e });
  }
  if (img.width * img.height > MAX_IMPRESSION_PIXELS) throw refuse(REFUSALS.IMPRESSION_TOO_LARGE, { width: img.width, height: img.height });
  return { width: img.width, height: img.height };
}

export async function fileApplication(ctx: PlatformContext, actor: Actor, req: ApplicationCreateRequest): Promise<ApplicationView> {
  requireRole(actor, ['applicant']);
  const unitId = req.unitId === undefined ? actor.unitId : Number(req.unitId);
  if (unitId === null) throw refuse(REFUSALS.OTHER_UNIT, { user: actor.user }, { zh: '账号不属于任何单位', en: 'the account belongs to no unit' });
  if (actor.unitId !== null && unitId !== actor.unitId) throw refuse(REFUSALS.OTHER_UNIT, { unitId });
  const png = Buffer.from(req.impression.png, 'base64');
  const { width, height } = checkImpression(png);
  if (!(Date.parse(req.validFrom) < Date.parse(req.validTo))) throw refuse(REFUSALS.VALIDITY_INVALID);
  let keeperCert: Buffer | null = null;
  if (req.keeper.certificate !== undefined) {
    keeperCert = Buffer.from(req.keeper.certificate, 'base64');
    if (!tryParseCertificate(keeperCert)) throw refuse(REFUSALS.CERTIFICATE_INVALID, { field: 'keeper.certificate' });
  }
  const now = iso(ctx.now());
  const id = await write(ctx, async (trx, log) => {
    if (!(await trx.selectFrom('units').select('id').where('id', '=', unitId).executeTakeFirst())) throw refuse(REFUSALS.UNIT_UNKNOWN, { unitId });
    const validFrom = iso(new Date(req.validFrom));
    const validTo = iso(new Date(req.validTo));
    const { index } = await log.append({
      type: 'application', at: now, unitId: String(unitId), sealName: req.sealName, kind: req.kind, keeperName: req.keeper.name,
      keeperCertificateSha256: keeperCert ? hex(keeperCert) : null, impressionSha256: hex(png), validFrom, validTo, applicant: actor.user,
    });
    await trx.insertInto('applications').values({
      id: index, unit_id: unitId, seal_name: req.sealName, kind: req.kind, keeper_name: req.keeper.name, keeper_cert: keeperCert,
      impression: png, impression_sha256: hex(png), width_mm: req.impression.widthMm, height_mm: req.impression.heightMm,
      width_px: width, height_px: height, valid_from: validFrom, valid_to: validTo, note: req.note ?? null, applicant_id: actor.id, filed_at: now,
    }).execute();
    return index;
  });
  ctx.log.info({ event: 'application_filed', applicationId: id, user: actor.user }, 'application filed');
  return getApplication(ctx.db, String(id));
}

export async function decide(ctx: PlatformContext, actor: Actor, applicationId: string, req: DecisionRequest): Promise<ApplicationView> {
  requireRole(actor, ['approver']);
  const now = iso(ctx.now());
  await write(ctx, async (trx, log) => {
    const app = await trx.selectFrom('applications').select(['id', 'unit_id', 'applicant_id']).where('id', '=', Number(applicationId)).executeTakeFirst();
    if (!app) throw refuse(REFUSALS.APPLICATION_UNKNOWN, { applicationId });
    if (actor.unitId !== null && app.unit_id !== actor.unitId) throw refuse(REFUSALS.OTHER_UNIT, { applicationId });
    if (app.applicant_id === actor.id) throw refuse(REFUSALS.SELF_APPROVAL, { applicationId, user: actor.user });
    if (await trx.selectFrom('decisions').select('id').where('application_id', '=', app.id).executeTakeFirst()) throw refuse(REFUSALS.APPLICATION_DECIDED, { applicationId });
    const { index } = await log.append({ type: 'decision', at: now, applicationId, decision: req.decision, reason: req.reason, actor: actor.user });
    await trx.insertInto('decisions').values({ id: index, application_id: app.id, decision: req.decision, reason: req.reason, actor_id: actor.id, decided_at: now }).execute();
  });
  ctx.log.info({ event: 'application_decided', applicationId, decision: req.decision, user: actor.user }, 'application decided');
  return getApplication(ctx.db, applicationId);
}

function applicationQuery(db: Db) {
  return db.selectFrom('applications')
    .innerJoin('units', 'units.id', 'applications.unit_id')
    .innerJoin('accounts as applicant', 'applicant.id', 'applications.applicant_id')
    .leftJoin('decisions', 'decisions.application_id', 'applications.id')
    .leftJoin('accounts as decider', 'decider.id', 'decisions.actor_id')
    .leftJoin('seals', 'seals.application_id', 'applications.id')
    .select([
      'applications.id', 'applications.unit_id', 'units.name as unit_name', 'applications.seal_name', 'applications.kind', 'applications.keeper_name',
      'applications.keeper_cert', 'applications.impression_sha256', 'applications.width_mm', 'applications.height_mm', 'applications.width_px',
      'applications.height_px', 'applications.valid_from', 'applications.valid_to', 'applications.note', 'applicant.user_name as applicant',
      'applications.filed_at', 'decisions.id as decision_id', 'decisions.decision', 'decisions.reason', 'decider.user_name as decider', 'decisions.decided_at',
      'seals.es_id',
    ]);
}

type AppRow = Awaited<ReturnType<ReturnType<typeof applicationQuery>['executeTakeFirstOrThrow']>>;

function applicationView(r: AppRow): ApplicationView {
  const state: ApplicationState = r.es_id ? 'registered' : r.decision === 'approve' ? 'approved' : r.decision === 'reject' ? 'rejected' : 'pending';
  return {
    id: String(r.id), unitId: String(r.unit_id), unitName: r.unit_name, sealName: r.seal_name, kind: r.kind as SealKind,
    keeper: { name: r.keeper_name, certificateSha256: r.keeper_cert ? hex(r.keeper_cert) : null },
    impression: { sha256: r.impression_sha256, widthMm: Number(r.width_mm), heightMm: Number(r.height_mm), widthPx: Number(r.width_px), heightPx: Number(r.height_px) },
    validFrom: r.valid_from, validTo: r.valid_to, note: r.note, applicant: r.applicant, filedAt: r.filed_at, state,
    decision: r.decision_id === null || r.decision === null ? null : {
      decision: r.decision as 'approve' | 'reject', reason: r.reason ?? '', actor: r.decider ?? '', decidedAt: r.decided_at ?? '', logIndex: Number(r.decision_id),
    },
    esID: r.es_id ?? null, logIndex: Number(r.id),
  };
}

export async function getApplication(db: Db, id: string): Promise<ApplicationView> {
  const r = /^[0-9]{1,15}$/.test(id) ? await applicationQuery(db).where('applications.id', '=', Number(id)).executeTakeFirst() : undefined;
  if (!r) throw refuse(REFUSALS.APPLICATION_UNKNOWN, { applicationId: id });
  return applicationView(r);
}

export async function listApplications(db: Db, f: { state?: ApplicationState; unitId?: number }): Promise<ApplicationView[]> {
  let q = applicationQuery(db).orderBy('applications.id');
  if (f.unitId !== undefined) q = q.where('applications.unit_id', '=', f.unitId);
  const all = (await q.execute()).map(applicationView);
  return f.state ? all.filter((a) => a.state === f.state) : all;
}

export async function applicationImpression(db: Db, id: string): Promise<Uint8Array> {
  const r = /^[0-9]{1,15}$/.test(id) ? await db.selectFrom('applications').select('impression').where('id', '=', Number(id)).executeTakeFirst() : undefined;
  if (!r) throw refuse(REFUSALS.APPLICATION_UNKNOWN, { applicationId: id });
  return new Uint8Array(r.impression);
}

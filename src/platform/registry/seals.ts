/**
 * Seal registration (备案) and the state history. A maker registers a made SESeal, kept byte for
 * byte, only against an approved application it matches (name, kind, picture, keeper certificate),
 * with a valid maker signature, and never onto a keeper certificate already bound to a seal that
 * can stamp. State events follow seal-states.ts; each one is a new row and a log leaf.
 */
import crypto from 'node:crypto';
import { decodeSeal, type SESeal } from '../../core/asn1/ses-seal';
import { tryParseCertificate } from '../../core/crypto/certificate';
import { verifyChain } from '../../core/crypto/chain';
import { digest, digestAlgorithmByName } from '../../core/crypto/digest';
import { loadPemCertificates } from '../../core/crypto/pem';
import { verifySignature } from '../../core/crypto/verify-signature';
import type { SealAction, SealKind, SealRegisterRequest, SealState, SealView, StateEventRequest, StateEventView } from '../api/contract';
import { requireRole } from '../auth/accounts';
import { iso, write, type Actor, type PlatformContext } from '../context';
import { refuse, REFUSALS } from '../errors';
import type { Db } from '../log/log-store';
import { BINDING_STATES, FINAL_STATES, RETROACTIVE_ACTIONS, TRANSITIONS } from './seal-states';

const sha256Hex = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');
/** Clocks of the admin's machine and the server may differ a little; "now" is this much. */
const FUTURE_SLACK_MS = 60_000;

interface KeeperEntry { digestHex: string; digestAlg: string; cert: Uint8Array | null; subject: string }

function keeperEntries(seal: SESeal): KeeperEntry[] {
  const p = seal.eSealInfo.property;
  if (p.certListType === 1) {
    return p.certList.map((der) => ({ digestHex: sha256Hex(der), digestAlg: 'sha256', cert: der, subject: tryParseCertificate(der)?.subject ?? '?' }));
  }
  return p.certList.map((d) => ({ digestHex: Buffer.from(d.value).toString('hex'), digestAlg: d.type.toLowerCase(), cert: null, subject: `digest:${d.type}` }));
}

/** Does this certificate appear in a seal's keeper list (as the certificate or as its digest)? */
export function certificateMatches(entry: { cert_sha256: string; subject: string }, certDer: Uint8Array): boolean {
  if (!entry.subject.startsWith('digest:')) return entry.cert_sha256 === sha256Hex(certDer);
  const alg = digestAlgorithmByName(entry.subject.slice('digest:'.length));
  return alg !== undefined && Buffer.from(digest(alg, certDer)).toString('hex') === entry.cert_sha256;
}

function decode(der: Uint8Array): SESeal {
  try {
    return decodeSeal(der);
  } catch (e) {
    throw refuse(REFUSALS.SEAL_MALFORMED, {}, { zh: (e as Error).message, en: (e as Error).message, cause: e });
  }
}

export async function registerSeal(ctx: PlatformContext, actor: Actor, req: SealRegisterRequest): Promise<SealView> {
  requireRole(actor, ['maker']);
  const der = new Uint8Array(Buffer.from(req.seal, 'base64'));
  const seal = decode(der);
  const info = seal.eSealInfo;
  const maker = tryParseCertificate(seal.cert);
  if (!maker) throw refuse(REFUSALS.SEAL_MALFORMED, {}, { zh: '制章者证书无法解析', en: 'the maker certificate cannot be parsed' });
  const signed = seal.version === 1 ? seal.v1SignedContentDer ?? seal.sealInfoDer : seal.sealInfoDer;
  const check = verifySignature({ algorithm: seal.signAlgID, publicKey: maker.publicKey, data: signed, signature: seal.signedValue });
  if (!check.ok) throw refuse(REFUSALS.SEAL_SIGNATURE_INVALID, { reason: check.reason });
  const roots = ctx.acceptedRoots.flatMap((pem) => loadPemCertificates(pem));
  if (roots.length > 0) {
    const chain = verifyChain(seal.cert, { roots, at: ctx.now() });
    if (!chain.ok) throw refuse(REFUSALS.SEAL_SIGNATURE_INVALID, { reason: chain.problems.map((p) => p.code).join(',') }, { zh: '制章者证书不可信', en: 'the maker certificate is not trusted' });
  }
  const keepers = keeperEntries(seal);
  if (keepers.length === 0) throw refuse(REFUSALS.SEAL_MISMATCH, {}, { zh: '印章没有保管人证书', en: 'the seal lists no keeper certificate' });
  const now = iso(ctx.now());
  const esID = info.esID;
  await write(ctx, async (trx, log) => {
    const app = await trx.selectFrom('applications').leftJoin('decisions', 'decisions.application_id', 'applications.id')
      .select(['applications.id', 'applications.unit_id', 'applications.seal_name', 'applications.kind', 'applications.impression', 'applications.keeper_cert', 'decisions.decision'])
      .where('applications.id', '=', Number(req.applicationId)).executeTakeFirst();
    if (!app) throw refuse(REFUSALS.APPLICATION_UNKNOWN, { applicationId: req.applicationId });
    if (app.decision !== 'approve') throw refuse(REFUSALS.APPLICATION_NOT_APPROVED, { applicationId: req.applicationId, decision: app.decision ?? 'pending' });
    if (await trx.selectFrom('seals').select('es_id').where('application_id', '=', app.id).executeTakeFirst()) throw refuse(REFUSALS.APPLICATION_USED, { applicationId: req.applicationId });
    if (await trx.selectFrom('seals').select('es_id').where('es_id', '=', esID).executeTakeFirst()) throw refuse(REFUSALS.SEAL_EXISTS, { esID });
    const mismatch: string[] = [];
    if (info.property.name !== app.seal_name) mismatch.push('name');
    if (info.property.type !== Number(app.kind)) mismatch.push('kind');
    if (!Buffer.from(info.picture.data).equals(Buffer.from(app.impression))) mismatch.push('picture');
    if (app.keeper_cert && !keepers.some((k) => certificateMatches({ cert_sha256: k.digestHex, subject: k.subject }, app.keeper_cert!))) mismatch.push('keeper certificate');
    if (mismatch.length > 0) throw refuse(REFUSALS.SEAL_MISMATCH, { fields: mismatch }, { zh: mismatch.join('、'), en: mismatch.join(', ') });
    // A keeper certificate already bound to a seal that can stamp (or be resumed) takes no second one.
    const bound = await trx.selectFrom('seal_certs').select(['es_id', 'cert_sha256']).where('cert_sha256', 'in', keepers.map((k) => k.digestHex)).execute();
    for (const b of bound) {
      const state = await currentState(trx, b.es_id);
      if (state && BINDING_STATES.includes(state)) throw refuse(REFUSALS.KEEPER_CERT_BOUND, { esID: b.es_id, certificateSha256: b.cert_sha256 });
    }
    const validStart = iso(info.property.validStart);
    const validEnd = iso(info.property.validEnd);
    const { index } = await log.append({
      type: 'seal_registered', at: now, esID, applicationId: req.applicationId, sealSha256: sha256Hex(der), makerCertificateSha256: sha256Hex(seal.cert),
      keeperCertificates: keepers.map((k) => k.digestHex), validStart, validEnd, actor: actor.user,
    });
    await trx.insertInto('seals').values({
      es_id: esID, id: index, application_id: app.id, unit_id: app.unit_id, name: info.property.name, kind: app.kind, der, seal_sha256: sha256Hex(der),
      maker_cert: seal.cert, maker_sha256: sha256Hex(seal.cert), maker_subject: maker.subject, valid_start: validStart, valid_end: validEnd,
      registered_at: now, registered_by: actor.id,
    }).execute();
    await trx.insertInto('seal_certs').values(keepers.map((k, position) => ({ es_id: esID, position, cert_sha256: k.digestHex, cert: k.cert, subject: k.subject }))).execute();
    const event = await log.append({ type: 'state_change', at: now, esID, seq: 0, action: 'register', state: 'in_use', effectiveAt: now, reason: 'registered', actor: actor.user });
    await trx.insertInto('seal_events').values({ id: event.index, es_id: esID, seq: 0, state: 'in_use', action: 'register', effective_at: now, reported_at: now, reason: 'registered', actor_id: actor.id }).execute();
  });
  ctx.log.info({ event: 'seal_registered', esID, user: actor.user }, 'seal registered');
  return getSeal(ctx, esID);
}

async function currentState(db: Db, esID: string): Promise<SealState | undefined> {
  const last = await db.selectFrom('seal_events').select('state').where('es_id', '=', esID).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return last?.state as SealState | undefined;
}

export async function fileStateEvent(ctx: PlatformContext, actor: Actor, esID: string, req: StateEventRequest): Promise<SealView> {
  const transition = TRANSITIONS[req.action];
  requireRole(actor, transition.roles);
  const asked = req.effectiveAt === undefined ? undefined : iso(new Date(req.effectiveAt));
  if (asked !== undefined && Date.parse(asked) > ctx.now().getTime() + FUTURE_SLACK_MS) throw refuse(REFUSALS.EFFECTIVE_IN_FUTURE, { effectiveAt: asked });
  await write(ctx, async (trx, log) => {
    // "Now" is read under the log lock, so events filed at once get times in the order they commit.
    const now = iso(ctx.now());
    const seal = await trx.selectFrom('seals').select(['es_id', 'unit_id', 'registered_at']).where('es_id', '=', esID).executeTakeFirst();
    if (!seal) throw refuse(REFUSALS.SEAL_UNKNOWN, { esID });
    const isAdminOfUnit = actor.roles.includes('unit_admin') && (actor.unitId === null || actor.unitId === seal.unit_id);
    const isMaker = actor.roles.includes('maker') && transition.roles.includes('maker');
    if (!isAdminOfUnit && !isMaker) throw refuse(REFUSALS.OTHER_UNIT, { esID });
    const last = await trx.selectFrom('seal_events').selectAll().where('es_id', '=', esID).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    const state = last.state as SealState;
    if (FINAL_STATES.includes(state)) throw refuse(REFUSALS.STATE_FINAL, { esID, state });
    if (!transition.from.includes(state)) throw refuse(REFUSALS.STATE_TRANSITION, { esID, state, action: req.action });
    // Without an asked time, "now" — but never before the previous event (clocks of two servers may differ by a little).
    const effective = asked ?? (now < last.effective_at ? last.effective_at : now);
    const earliest = RETROACTIVE_ACTIONS.includes(req.action) ? seal.registered_at : last.effective_at;
    if (effective < earliest) throw refuse(REFUSALS.EFFECTIVE_BEFORE_PREVIOUS, { esID, effectiveAt: effective, earliest });
    const seq = Number(last.seq) + 1;
    const { index } = await log.append({ type: 'state_change', at: now, esID, seq, action: req.action, state: transition.to, effectiveAt: effective, reason: req.reason, actor: actor.user });
    await trx.insertInto('seal_events').values({ id: index, es_id: esID, seq, state: transition.to, action: req.action, effective_at: effective, reported_at: now, reason: req.reason, actor_id: actor.id }).execute();
  });
  ctx.log.info({ event: 'seal_state_changed', esID, action: req.action, user: actor.user }, 'seal state changed');
  return getSeal(ctx, esID);
}

export interface StoredEvent { seq: number; state: SealState; action: SealAction | 'register'; effective_at: string; reported_at: string; reason: string; actor: string; id: number }

export async function sealEvents(db: Db, esID: string): Promise<StoredEvent[]> {
  const rows = await db.selectFrom('seal_events').leftJoin('accounts', 'accounts.id', 'seal_events.actor_id')
    .select(['seal_events.id', 'seal_events.seq', 'seal_events.state', 'seal_events.action', 'seal_events.effective_at', 'seal_events.reported_at', 'seal_events.reason', 'accounts.user_name'])
    .where('seal_events.es_id', '=', esID).orderBy('seal_events.seq').execute();
  return rows.map((r) => ({
    id: Number(r.id), seq: Number(r.seq), state: r.state as SealState, action: r.action as SealAction | 'register', effective_at: r.effective_at,
    reported_at: r.reported_at, reason: r.reason, actor: r.user_name ?? '',
  }));
}

export function eventView(e: StoredEvent): StateEventView {
  return { state: e.state, action: e.action, effectiveAt: e.effective_at, reportedAt: e.reported_at, reason: e.reason, actor: e.actor, logIndex: e.id };
}

export async function getSeal(ctx: PlatformContext, esID: string): Promise<SealView> {
  const s = await ctx.db.selectFrom('seals').innerJoin('units', 'units.id', 'seals.unit_id').innerJoin('accounts', 'accounts.id', 'seals.registered_by')
    .select(['seals.es_id', 'seals.unit_id', 'units.name as unit_name', 'seals.application_id', 'seals.name', 'seals.kind', 'seals.seal_sha256', 'seals.maker_sha256',
      'seals.maker_subject', 'seals.valid_start', 'seals.valid_end', 'seals.registered_at', 'accounts.user_name'])
    .where('seals.es_id', '=', esID).executeTakeFirst();
  if (!s) throw refuse(REFUSALS.SEAL_UNKNOWN, { esID });
  const certs = await ctx.db.selectFrom('seal_certs').select(['cert_sha256', 'subject']).where('es_id', '=', esID).orderBy('position').execute();
  const events = await sealEvents(ctx.db, esID);
  const now = iso(ctx.now());
  return {
    esID: s.es_id, unitId: String(s.unit_id), unitName: s.unit_name, applicationId: String(s.application_id), name: s.name, kind: s.kind as SealKind,
    sealSha256: s.seal_sha256, keeperCertificates: certs.map((c) => ({ sha256: c.cert_sha256, subject: c.subject })),
    maker: { sha256: s.maker_sha256, subject: s.maker_subject }, validStart: s.valid_start, validEnd: s.valid_end, registeredAt: s.registered_at,
    registeredBy: s.user_name, state: events[events.length - 1]!.state, expired: now < s.valid_start || now > s.valid_end, history: events.map(eventView),
  };
}

export async function listSeals(ctx: PlatformContext, f: { unitId?: number; state?: SealState }): Promise<SealView[]> {
  let q = ctx.db.selectFrom('seals').select('es_id').orderBy('id');
  if (f.unitId !== undefined) q = q.where('unit_id', '=', f.unitId);
  const out: SealView[] = [];
  for (const r of await q.execute()) {
    const v = await getSeal(ctx, r.es_id);
    if (!f.state || v.state === f.state) out.push(v);
  }
  return out;
}

export async function sealDer(db: Db, esID: string): Promise<Uint8Array> {
  const r = await db.selectFrom('seals').select('der').where('es_id', '=', esID).executeTakeFirst();
  if (!r) throw refuse(REFUSALS.SEAL_UNKNOWN, { esID });
  return new Uint8Array(r.der);
}


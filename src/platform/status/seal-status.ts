/**
 * Status of a seal at a time (now or past), signed: the state then, the history known now, the
 * validity window, producedAt / nextUpdate and the caller's nonce. A loss reported later but
 * effective before `at` counts (seal-states.ts stateAt). Reads seals; never writes them.
 */
import type { SignedEnvelope, StatusPayload } from '../api/contract';
import { iso, type PlatformContext } from '../context';
import { logSize } from '../log/log-store';
import { eventView, sealEvents } from '../registry/seals';
import { stateAt } from '../registry/seal-states';
import { signEnvelope } from '../signing/signed-envelope';

/** How long a status answer may be relied on. */
export const STATUS_LIFETIME_MS = 5 * 60_000;

export async function statusPayload(ctx: PlatformContext, esID: string, atText?: string, nonce?: string): Promise<StatusPayload> {
  const produced = ctx.now();
  const at = atText === undefined ? iso(produced) : iso(new Date(atText));
  const base = { type: 'status' as const, producedAt: iso(produced), nextUpdate: iso(new Date(produced.getTime() + STATUS_LIFETIME_MS)), ...(nonce ? { nonce } : {}), esID, at };
  const seal = await ctx.db.selectFrom('seals').select(['valid_start', 'valid_end', 'seal_sha256']).where('es_id', '=', esID).executeTakeFirst();
  const size = await logSize(ctx.db);
  if (!seal) return { ...base, state: 'unknown', expired: false, validStart: null, validEnd: null, sealSha256: null, history: [], decidingEvent: null, logSize: size };
  const events = await sealEvents(ctx.db, esID);
  const visible = events.filter((e) => e.effective_at <= at);
  const decided = stateAt(events, at);
  return {
    ...base,
    state: decided ? decided.state : 'not_yet_registered',
    expired: at < seal.valid_start || at > seal.valid_end,
    validStart: seal.valid_start, validEnd: seal.valid_end, sealSha256: seal.seal_sha256,
    history: visible.map(eventView), decidingEvent: decided ? eventView(decided.deciding) : null, logSize: size,
  };
}

export async function signedStatus(ctx: PlatformContext, esID: string, at?: string, nonce?: string): Promise<SignedEnvelope<StatusPayload>> {
  return signEnvelope(ctx.signer, await statusPayload(ctx, esID, at, nonce));
}

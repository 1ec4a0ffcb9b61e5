/**
 * The seal lifecycle as one table: which action moves which state where, who may file it, and how
 * each state maps to other code lists (RFC 5280 revocation reasons for clients that think in
 * certificate terms). in use ⇄ suspended → lost | cancelled; lost and cancelled are final.
 */
import type { Role, SealAction, SealState } from '../api/contract';

export interface Transition { from: readonly SealState[]; to: SealState; roles: readonly Role[] }

export const TRANSITIONS: Record<SealAction, Transition> = {
  suspend: { from: ['in_use'], to: 'suspended', roles: ['unit_admin'] },
  resume: { from: ['suspended'], to: 'in_use', roles: ['unit_admin'] },
  lost: { from: ['in_use', 'suspended'], to: 'lost', roles: ['unit_admin'] },
  cancel: { from: ['in_use', 'suspended'], to: 'cancelled', roles: ['unit_admin', 'maker'] },
};

export const FINAL_STATES: readonly SealState[] = ['lost', 'cancelled'];

/** Only 挂失 may take effect before the previous event (the key went missing before anyone noticed). */
export const RETROACTIVE_ACTIONS: readonly SealAction[] = ['lost'];

export const STATE_CODES: Record<SealState, { zh: string; en: string; rfc5280Reason: number | null }> = {
  in_use: { zh: '启用', en: 'in use', rfc5280Reason: null },
  suspended: { zh: '停用', en: 'suspended', rfc5280Reason: 6 /* certificateHold */ },
  lost: { zh: '挂失', en: 'lost', rfc5280Reason: 1 /* keyCompromise, with invalidityDate = effectiveAt */ },
  cancelled: { zh: '注销', en: 'cancelled', rfc5280Reason: 5 /* cessationOfOperation */ },
};

/** A keeper certificate is bound while its seal can still stamp or be resumed. */
export const BINDING_STATES: readonly SealState[] = ['in_use', 'suspended'];

export interface EventLike { seq: number; state: SealState; effective_at: string }

/**
 * The state at time `at`: the events whose effect began by then, applied in the order they were
 * filed. A loss reported late but effective earlier thus counts from its effectiveAt.
 */
export function stateAt<E extends EventLike>(events: readonly E[], at: string): { state: SealState; deciding: E } | undefined {
  let last: E | undefined;
  for (const e of [...events].sort((a, b) => a.seq - b.seq)) if (e.effective_at <= at) last = e;
  return last ? { state: last.state, deciding: last } : undefined;
}

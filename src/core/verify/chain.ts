import { verifyChain, type ChainProblem } from '../crypto/chain';

/**
 * The verifier's view of a certificate chain: 'trusted' = sound and ends at a trust root;
 * 'untrusted' = sound as far as it goes but ends at no trusted root (an unknown root is a warning in
 * the report, not a failure); 'invalid' = a link is broken or a certificate is outside its validity.
 * Built on crypto/chain.ts (which checks RSA, ECDSA and SM2 links).
 */
export interface ChainOutcome {
  status: 'trusted' | 'untrusted' | 'invalid' | 'not_checked';
  /** Leaf first, up to the trusted root when one was reached. */
  chain?: Uint8Array[];
  /** English, for logs and tests. */
  problems: string[];
  /** Bilingual, for the report. */
  details: ChainProblem[];
}

export interface ChainInput {
  intermediates: Uint8Array[];
  roots: Uint8Array[];
  at: Date;
}

export function checkChain(leaf: Uint8Array, input: ChainInput): ChainOutcome {
  const r = verifyChain(leaf, { intermediates: input.intermediates, roots: input.roots, at: input.at });
  const chain = r.chain.map((c) => c.der);
  const details = r.problems;
  const problems = details.map((p) => p.en);
  if (r.ok) return { status: 'trusted', chain, problems, details };
  const onlyUntrusted = details.length > 0 && details.every((p) => p.code === 'CHAIN_UNTRUSTED');
  return { status: onlyUntrusted ? 'untrusted' : 'invalid', chain, problems, details };
}

export const NOT_CHECKED: ChainOutcome = { status: 'not_checked', problems: [], details: [] };

/**
 * The revocation check of one stamp: the signer's chain judged at the signing time, the seal
 * maker's chain at the seal's creation (never later than the signing time: GM/T 0031-2025 judges the
 * maker's certificate at createDate), and a signature timestamp's TSA chain at the timestamp's time.
 * Chains are built with crypto/chain.ts from the certificates at hand (the CMS's, the /DSS's, the
 * trust roots).
 */
import type { CheckStatus, BilingualText, RevocationSummary } from '../../api/verification-report';
import { tryParseCertificate } from '../crypto/certificate';
import { verifyChain } from '../crypto/chain';
import type { CertificateToCheck } from './gather-revocation';
import { judgeRevocation, type ChainToJudge } from './judge-revocation';
import type { RevocationEvidence } from './evidence';
import { configuredFor, type RevocationConfig } from './revocation-config';

export interface StampCertificates {
  signer?: Uint8Array;
  /** The seal maker's certificate, when the stamp carries a seal. */
  maker?: Uint8Array;
  /** The seal's createDate. */
  makerAt?: Date;
  /** The TSA certificate of the signature timestamp, when there is one. */
  tsa?: Uint8Array;
  tsaAt?: Date;
  intermediates: Uint8Array[];
  roots: Uint8Array[];
}

/** The chains of a stamp, leaf first (the validity of each certificate is checked elsewhere; here only the path matters). */
export function chainsOfStamp(s: StampCertificates, at: Date): Array<ChainToJudge & { at: Date }> {
  const out: Array<ChainToJudge & { at: Date }> = [];
  const add = (der: Uint8Array | undefined, role: ChainToJudge['role'], when: Date): void => {
    if (!der || !tryParseCertificate(der)) return;
    const r = verifyChain(der, { intermediates: s.intermediates, roots: s.roots, at: when });
    out.push({ chain: r.chain, anchored: r.trusted, role, at: when });
  };
  add(s.signer, 'signer', at);
  add(s.maker, 'maker', s.makerAt && s.makerAt < at ? s.makerAt : at);
  add(s.tsa, 'tsa', s.tsaAt ?? at);
  return out;
}

/** Every (certificate, issuer) pair below a trust anchor, for fetching. */
export function certificatesToCheck(chains: ChainToJudge[]): CertificateToCheck[] {
  const out: CertificateToCheck[] = [];
  for (const { chain } of chains) {
    // the last certificate is the anchor, or one whose issuer is not at hand: neither can be asked about
    for (let i = 0; i < chain.length - 1; i++) out.push({ cert: chain[i]!, issuer: chain[i + 1]! });
  }
  return out;
}

export interface StampRevocationInput extends StampCertificates {
  at: Date;
  timeTrusted: boolean;
  pool: RevocationEvidence;
  config?: RevocationConfig;
}

export function judgeStampRevocation(input: StampRevocationInput): { status: CheckStatus; message: BilingualText; summary: RevocationSummary } {
  const chains = chainsOfStamp(input, input.at);
  // Each chain at its own time: judged one by one, then folded (the worst status leads).
  const parts = chains.map((c) => judgeRevocation({
    chains: [c], at: c.at, timeTrusted: c.role === 'signer' ? input.timeTrusted : true, pool: input.pool,
    configured: input.config ? (issuer) => { const r = configuredFor(input.config!, issuer.subject); return r.ocsp.length + r.crl.length > 0; } : undefined,
  }));
  const signerPart = parts[0] ?? judgeRevocation({ chains: [], at: input.at, timeTrusted: input.timeTrusted, pool: input.pool });
  const rank: Record<CheckStatus, number> = { failed: 3, warning: 2, ok: 1, not_checked: 0 };
  const worst = parts.reduce((w, p) => (rank[p.status] > rank[w.status] ? p : w), signerPart);
  const certificates = parts.flatMap((p) => p.summary.certificates);
  // the TSA's status counts when it was checked; an unpublished one does not hold the stamp's proof back
  const proven = parts.filter((p, i) => chains[i]!.role !== 'tsa' || p.summary.provenAt).map((p) => p.summary.provenAt);
  const allProven = parts.length > 0 && proven.every((x) => x !== undefined);
  const summary: RevocationSummary = {
    judgedAt: input.at.toISOString(), timeTrusted: input.timeTrusted, offline: !input.pool.online, certificates,
    provenAt: allProven ? (proven as string[]).sort()[proven.length - 1] : undefined,
  };
  // Mixed results: a signer or maker chain that publishes nothing beside one that was checked reads
  // as a warning (a TSA's unpublished status is listed, not held against the stamp).
  const status: CheckStatus = worst.status === 'ok' && parts.some((p, i) => p.status === 'not_checked' && chains[i]!.role !== 'tsa') ? 'warning' : worst.status;
  const message = parts.length <= 1 || status === worst.status && worst.status !== 'ok'
    ? worst.message
    : { zh: parts.map((p) => p.message.zh).join('；'), en: parts.map((p) => p.message.en).join('; ') };
  return { status, message, summary };
}

import type { BilingualText } from '../../api/verification-report';
import type { RevocationSource } from './status-finding';

/**
 * The revocation data a verification may use, whatever its origin: embedded in the file (/DSS),
 * fetched now from a responder, or read from the on-disk cache. Verification itself is offline and
 * synchronous over this pool; fetching fills it beforehand (gather-revocation.ts).
 */
export interface EvidenceItem {
  der: Uint8Array;
  source: RevocationSource;
  /** For data fetched now or cached: when it was fetched (it must be current at that time). */
  fetchedAt?: Date;
  /** For an OCSP response to our own request: the nonce sent. */
  nonce?: Uint8Array;
}

export interface RevocationEvidence {
  ocsps: EvidenceItem[];
  crls: EvidenceItem[];
  /** Certificates for path building (the /DSS /Certs, delegated responders). */
  certificates: Uint8Array[];
  /** Why data for a certificate could not be had, keyed by certificateKey(). */
  failures: Map<string, BilingualText[]>;
  /** True when fetching was attempted (online verification); false: the file's own data only. */
  online: boolean;
}

export function emptyEvidence(online = false): RevocationEvidence {
  return { ocsps: [], crls: [], certificates: [], failures: new Map(), online };
}

/** One pool from several (embedded + fetched); the failures of all are kept. */
export function mergeEvidence(...pools: Array<RevocationEvidence | undefined>): RevocationEvidence {
  const out = emptyEvidence(pools.some((p) => p?.online));
  for (const p of pools) {
    if (!p) continue;
    out.ocsps.push(...p.ocsps);
    out.crls.push(...p.crls);
    out.certificates.push(...p.certificates);
    for (const [k, v] of p.failures) out.failures.set(k, [...(out.failures.get(k) ?? []), ...v]);
  }
  return out;
}

/** Identifies a certificate by issuer and serial (hex), as OCSP and CRLs do. */
export function certificateKey(c: { issuer: string; serialHex: string }): string {
  return `${c.issuer}#${c.serialHex.replace(/^(00)+(?=.)/, '')}`;
}

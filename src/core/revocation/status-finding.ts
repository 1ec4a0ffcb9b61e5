import type { BilingualText } from '../../api/verification-report';

/**
 * What one piece of revocation data (an OCSP response or a CRL, with its delta) says about one
 * certificate, once its signature, its issuer and its times were checked. The judgement at the
 * signing time is made from these findings (judge-status.ts); a piece of data that fails a check is a
 * `problem` and proves nothing.
 */
export type RevocationMethod = 'ocsp' | 'crl';
/** embedded: from the file's /DSS (or the GM extDatas); fetched: asked now; cache: fetched earlier, kept on disk. */
export type RevocationSource = 'embedded' | 'fetched' | 'cache';

export interface StatusFinding {
  method: RevocationMethod;
  status: 'good' | 'revoked' | 'unknown';
  /** When the CA revoked the certificate. */
  revokedAt?: Date;
  /** RFC 5280 §5.3.2 invalidityDate: when the key was known or suspected to be compromised. */
  invalidityDate?: Date;
  /** RFC 5280 CRLReason name, e.g. keyCompromise. */
  reason?: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** OCSP producedAt. */
  producedAt?: Date;
  /** Subject of whoever signed the data (the CA or its delegated responder). */
  signedBy: string;
  /** Certificates the data's signature depends on beyond the CA (a delegated OCSP responder), for the DSS. */
  extraCertificates: Uint8Array[];
}

export type Judged = { ok: true; finding: StatusFinding } | { ok: false; problem: BilingualText };

/** RFC 5280 §5.3.1 CRLReason, also used by OCSP RevokedInfo. */
export const CRL_REASONS: Record<number, string> = {
  0: 'unspecified', 1: 'keyCompromise', 2: 'cACompromise', 3: 'affiliationChanged', 4: 'superseded',
  5: 'cessationOfOperation', 6: 'certificateHold', 8: 'removeFromCRL', 9: 'privilegeWithdrawn', 10: 'aACompromise',
};

/** The time that counts: the invalidity date when it is earlier than the revocation (a compromise found late). */
export function effectiveRevocationTime(f: StatusFinding): Date | undefined {
  if (!f.revokedAt) return f.invalidityDate;
  if (f.invalidityDate && f.invalidityDate.getTime() < f.revokedAt.getTime()) return f.invalidityDate;
  return f.revokedAt;
}

export const fail = (zh: string, en: string): Judged => ({ ok: false, problem: { zh, en } });

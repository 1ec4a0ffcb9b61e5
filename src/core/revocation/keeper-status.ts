/**
 * The stamping pre-check of issue 15 (the certificate side of 挂失): a keeper certificate its CA has
 * revoked is refused now, before the PIN is asked. Status is fetched as for verification (OCSP, then
 * CRLs, cached); a responder that cannot be reached does not block stamping (the stamp's verifier
 * will judge at the signing time), a revocation it reports does.
 */
import { SealDeskError } from '../errors';
import { tryParseCertificate } from '../crypto/certificate';
import { verifyChain } from '../crypto/chain';
import { gatherRevocation } from './gather-revocation';
import { statusAt } from './judge-revocation';
import type { RevocationConfig } from './revocation-config';
import { effectiveRevocationTime } from './status-finding';

export async function refuseRevokedKeeper(certificate: Uint8Array, o: { roots: Uint8Array[]; intermediates?: Uint8Array[]; config?: RevocationConfig; now?: Date }): Promise<void> {
  const now = o.now ?? new Date();
  const leaf = tryParseCertificate(certificate);
  if (!leaf) return; // the certificate checks before this one refuse an unreadable certificate
  const chain = verifyChain(certificate, { intermediates: o.intermediates ?? [], roots: o.roots, at: now }).chain;
  const pairs = chain.slice(0, -1).map((cert, i) => ({ cert, issuer: chain[i + 1]! }));
  if (pairs.length === 0) return;
  const pool = await gatherRevocation(pairs, { config: o.config, now });
  for (const { cert, issuer } of pairs) {
    const f = statusAt(cert, issuer, now, pool).finding;
    const when = f && f.status === 'revoked' ? effectiveRevocationTime(f) : undefined;
    if (when && when.getTime() <= now.getTime()) {
      const who = cert === leaf || cert.serialHex === leaf.serialHex ? '签章人证书' : `上级 CA 证书“${cert.subject}”`;
      const whoEn = cert.serialHex === leaf.serialHex ? "The keeper's certificate" : `The CA certificate "${cert.subject}"`;
      throw new SealDeskError('KEEPER_CERT_REVOKED',
        `${who}已于 ${f!.revokedAt?.toISOString()} 被吊销${f!.reason ? `(${f!.reason})` : ''},不能签章`,
        `${whoEn} was revoked at ${f!.revokedAt?.toISOString()}${f!.reason ? ` (${f!.reason})` : ''}: it cannot stamp`,
        { details: { subject: cert.subject, serial: cert.serialHex, method: f!.method } });
    }
  }
}

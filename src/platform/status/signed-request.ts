/**
 * Requests signed on a keeper's USB-Key (contract.ts SIGNED_REQUEST_HEADERS): the signature over
 * (method, path, body digest, server nonce, time) must verify with the certificate sent, the time
 * must be near the platform's clock, and the nonce must be one the platform issued, unexpired and
 * never used before (consumed inside the caller's transaction, so a replay loses the race).
 */
import crypto from 'node:crypto';
import { OID_ECDSA_SHA256, OID_SHA256_WITH_RSA, OID_SM2_WITH_SM3 } from '../../core/asn1/oids';
import { tryParseCertificate, type ParsedCertificate } from '../../core/crypto/certificate';
import { digest } from '../../core/crypto/digest';
import { verifySignature } from '../../core/crypto/verify-signature';
import {
  DIGEST_ALGORITHMS, NONCE_LIFETIME_MS, REQUEST_CLOCK_SKEW_MS, SIGNED_REQUEST_HEADERS, signedRequestText, type DigestAlgorithm, type NonceView,
} from '../api/contract';
import { iso, type PlatformContext } from '../context';
import { refuse, REFUSALS } from '../errors';
import type { Db } from '../log/log-store';

export interface SignedRequestInput {
  method: string;
  /** Path with query string, as sent. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

export interface VerifiedSigner { certificate: Uint8Array; parsed: ParsedCertificate; certificateSha256: string; nonce: string }

const header = (h: SignedRequestInput['headers'], name: string): string | undefined => {
  const v = h[name];
  return typeof v === 'string' ? v : undefined;
};

const ALGORITHM_BY_KEY: Record<string, string> = { RSA: OID_SHA256_WITH_RSA, 'EC-P256': OID_ECDSA_SHA256, SM2: OID_SM2_WITH_SM3 };

export async function issueNonce(ctx: PlatformContext): Promise<NonceView> {
  const now = ctx.now();
  const nonce = crypto.randomBytes(24).toString('base64url');
  const expiresAt = iso(new Date(now.getTime() + NONCE_LIFETIME_MS));
  await ctx.db.insertInto('nonces').values({ nonce, issued_at: iso(now), expires_at: expiresAt }).execute();
  return { nonce, expiresAt };
}

/** Checks signature and time (no database writes); the nonce is consumed later by consumeNonce. */
export function verifySignedRequest(ctx: PlatformContext, r: SignedRequestInput): VerifiedSigner {
  const H = SIGNED_REQUEST_HEADERS;
  const certB64 = header(r.headers, H.certificate);
  const nonce = header(r.headers, H.nonce);
  const time = header(r.headers, H.time);
  const alg = header(r.headers, H.digestAlg);
  const sigB64 = header(r.headers, H.signature);
  if (!certB64 || !nonce || !time || !alg || !sigB64) throw refuse(REFUSALS.SIGNED_REQUEST_MISSING);
  if (!(DIGEST_ALGORITHMS as readonly string[]).includes(alg)) throw refuse(REFUSALS.SIGNED_REQUEST_MISSING, { digestAlg: alg }, { zh: '摘要算法不支持', en: 'unsupported digest algorithm' });
  const certificate = new Uint8Array(Buffer.from(certB64, 'base64'));
  const parsed = tryParseCertificate(certificate);
  if (!parsed) throw refuse(REFUSALS.CERTIFICATE_INVALID, { header: H.certificate });
  const t = Date.parse(time);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(time) || Number.isNaN(t) || Math.abs(t - ctx.now().getTime()) > REQUEST_CLOCK_SKEW_MS) {
    throw refuse(REFUSALS.SIGNED_REQUEST_STALE, { time, platformTime: iso(ctx.now()) });
  }
  const bodyDigestHex = Buffer.from(digest(alg as DigestAlgorithm, r.body)).toString('hex');
  const text = signedRequestText({ method: r.method, path: r.path, digestAlg: alg as DigestAlgorithm, bodyDigestHex, nonce, time });
  const algorithm = ALGORITHM_BY_KEY[parsed.publicKey.kind];
  const ok = algorithm !== undefined && verifySignature({ algorithm, publicKey: parsed.publicKey, data: new TextEncoder().encode(text), signature: Buffer.from(sigB64, 'base64') }).ok;
  if (!ok) throw refuse(REFUSALS.SIGNED_REQUEST_BAD_SIGNATURE, { subject: parsed.subject });
  return { certificate, parsed, certificateSha256: crypto.createHash('sha256').update(certificate).digest('hex'), nonce };
}

/** Inside the write transaction: the nonce must be issued, unexpired, and this its first use. */
export async function consumeNonce(trx: Db, nonce: string, now: Date): Promise<void> {
  const issued = await trx.selectFrom('nonces').select('expires_at').where('nonce', '=', nonce).executeTakeFirst();
  if (!issued || issued.expires_at < iso(now)) throw refuse(REFUSALS.SIGNED_REQUEST_NONCE, { reason: issued ? 'expired' : 'unknown' });
  const used = await trx.selectFrom('used_nonces').select('nonce').where('nonce', '=', nonce).executeTakeFirst();
  if (used) throw refuse(REFUSALS.SIGNED_REQUEST_NONCE, { reason: 'used' });
  await trx.insertInto('used_nonces').values({ nonce, used_at: iso(now) }).execute();
}

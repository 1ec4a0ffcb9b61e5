/**
 * The platform's answers about a seal, checked before they are used: the signed status of a seal at
 * a time, and the signed stamping permit (platform key of the configured trust bundle, the nonce we
 * sent, the seal, the keeper certificate and the document digest asked for).
 */
import crypto from 'node:crypto';
import type { Digest, PermitPayload, SignedEnvelope, StatusPayload } from '../../platform/api/contract';
import { verifyEnvelope } from '../../platform/client-verify';
import type { RequestSigner } from '../../platform/client/platform-client';
import { SealDeskError } from '../errors';
import type { PlatformConnection } from './connection';
import type { PlatformSettings } from './platform-settings';

const newNonce = () => crypto.randomBytes(16).toString('hex');

function permitRefused(zh: string, en: string, code = 'PERMIT_INVALID'): SealDeskError {
  return new SealDeskError(code, `用印许可无效:${zh}`, `The stamping permit is not valid: ${en}`);
}

export async function signedStatus(conn: PlatformConnection, s: PlatformSettings, esID: string, at?: Date): Promise<StatusPayload> {
  const nonce = newNonce();
  const env = await conn.call<SignedEnvelope>('status', { params: { esID }, query: { at: at?.toISOString(), nonce } });
  const v = verifyEnvelope<StatusPayload>(env, s.keys, { type: 'status', nonce });
  if (!v.ok) throw new SealDeskError(v.code, `电子印章管理平台的状态应答无效:${v.zh}`, `The seal platform's status answer is not valid: ${v.en}`);
  if (v.payload.esID !== esID) throw new SealDeskError('STATUS_WRONG_SEAL', '平台应答的是另一枚印章的状态', 'The platform answered about another seal');
  return v.payload;
}

/** Without documentDigest the caller checks the digest itself (a verifier: against the file's earlier revisions). */
export interface PermitExpectations { esID: string; certificate: Uint8Array; documentDigest?: Digest; nonce?: string; now?: Date }

/** Checks a permit envelope (as carried in a stamp or just received); the payload when it holds. */
export function checkPermit(envelope: unknown, s: Pick<PlatformSettings, 'keys'>, e: PermitExpectations): PermitPayload {
  const v = verifyEnvelope<PermitPayload>(envelope, s.keys, { type: 'permit', nonce: e.nonce, now: e.now });
  if (!v.ok) throw permitRefused(v.zh, v.en, v.code === 'ENVELOPE_UNKNOWN_KEY' ? 'PERMIT_UNKNOWN_KEY' : 'PERMIT_INVALID');
  const p = v.payload;
  if (p.esID !== e.esID) throw permitRefused('许可针对另一枚印章', 'it is for another seal', 'PERMIT_WRONG_SEAL');
  if (p.certificateSha256 !== crypto.createHash('sha256').update(e.certificate).digest('hex')) throw permitRefused('许可针对另一签章人证书', "it is for another signer's certificate", 'PERMIT_WRONG_SIGNER');
  if (typeof p.documentDigest?.hex !== 'string' || (e.documentDigest && (p.documentDigest.alg !== e.documentDigest.alg || p.documentDigest.hex !== e.documentDigest.hex))) throw permitRefused('许可针对另一份文档', 'it is for another document', 'PERMIT_WRONG_DOCUMENT');
  if (p.state !== 'in_use') throw permitRefused('许可中的印章状态不是“在用”', 'the seal is not "in use" in it');
  return p;
}

/** The platform's refusals of a permit, in the keeper's words (the platform's own text kept after). */
function permitDenied(e: unknown): unknown {
  if (!(e instanceof SealDeskError)) return e;
  if (e.code === 'USE_APPROVAL_REQUIRED') {
    return new SealDeskError(e.code, `用印未经审批(${e.zh})`, `The use of the seal is not approved (${e.en})`, { cause: e, details: e.details });
  }
  return e;
}

/** Asks for a permit in a request signed on the keeper's token, and checks what comes back. */
export async function requestPermit(conn: PlatformConnection, s: PlatformSettings, o: { esID: string; documentDigest: Digest; signer: RequestSigner; now?: Date }): Promise<{ envelope: Uint8Array; payload: PermitPayload }> {
  const nonce = newNonce();
  const env = await conn.signed<SignedEnvelope>('permit', { esID: o.esID, documentDigest: o.documentDigest, nonce }, o.signer).catch((e: unknown) => {
    throw permitDenied(e);
  });
  const payload = checkPermit(env, s, { esID: o.esID, certificate: o.signer.certificate, documentDigest: o.documentDigest, nonce, now: o.now ?? new Date() });
  return { envelope: new Uint8Array(Buffer.from(JSON.stringify({ payload: env.payload, signature: env.signature }), 'utf8')), payload };
}

/** A permit envelope carried in a stamp: parsed, not yet checked. */
export function parsePermitBytes(bytes: Uint8Array): unknown {
  try { return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown; } catch { return undefined; }
}

/**
 * Checking the platform's signed answers, for the client (issue #9), the CLI and the tests: no
 * server dependencies, node:crypto only. An envelope is valid when its key id names a key of the
 * trust bundle, the ECDSA P-256 / SHA-256 signature over the payload's UTF-8 bytes verifies, the
 * payload parses to the type asked for, and (when given) the nonce echoes the caller's.
 */
import crypto from 'node:crypto';
import type { PlatformKey, SignedEnvelope, SignedPayloadBase } from './api/contract';

export type EnvelopeCheck<T> =
  | { ok: true; payload: T }
  | { ok: false; code: 'ENVELOPE_MALFORMED' | 'ENVELOPE_UNKNOWN_KEY' | 'ENVELOPE_BAD_SIGNATURE' | 'ENVELOPE_WRONG_TYPE' | 'ENVELOPE_NONCE' | 'ENVELOPE_STALE'; zh: string; en: string };

const fail = <T>(code: Exclude<EnvelopeCheck<T>, { ok: true }>['code'], zh: string, en: string): EnvelopeCheck<T> => ({ ok: false, code, zh, en });

export function platformKeyId(spkiDer: Uint8Array): string {
  return crypto.createHash('sha256').update(spkiDer).digest('hex');
}

export interface EnvelopeExpectations {
  type?: string;
  nonce?: string;
  /** Refuse when now is after nextUpdate. */
  now?: Date;
}

export function verifyEnvelope<T extends SignedPayloadBase>(envelope: unknown, keys: readonly PlatformKey[], expect: EnvelopeExpectations = {}): EnvelopeCheck<T> {
  const e = envelope as Partial<SignedEnvelope>;
  if (typeof e !== 'object' || e === null || typeof e.payload !== 'string' || typeof e.signature !== 'object' || e.signature === null
    || typeof e.signature.keyId !== 'string' || typeof e.signature.value !== 'string') {
    return fail('ENVELOPE_MALFORMED', '平台应答格式不正确', 'The platform answer is malformed');
  }
  const key = keys.find((k) => k.keyId === e.signature!.keyId);
  if (!key) return fail('ENVELOPE_UNKNOWN_KEY', '平台应答由未知密钥签名', 'The platform answer is signed by an unknown key');
  if (key.alg !== 'ecdsa-p256-sha256' || e.signature.alg !== key.alg) return fail('ENVELOPE_BAD_SIGNATURE', '平台应答的签名算法不符', 'The platform answer’s signature algorithm does not match its key');
  let ok = false;
  try {
    const pub = crypto.createPublicKey({ key: Buffer.from(key.spki, 'base64'), format: 'der', type: 'spki' });
    ok = crypto.verify('sha256', Buffer.from(e.payload, 'utf8'), { key: pub, dsaEncoding: 'der' }, Buffer.from(e.signature.value, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok) return fail('ENVELOPE_BAD_SIGNATURE', '平台应答的签名验证失败(内容被改动或密钥不符)', 'The platform answer’s signature does not verify (changed, or a different key)');
  let payload: T;
  try {
    payload = JSON.parse(e.payload) as T;
  } catch {
    return fail('ENVELOPE_MALFORMED', '平台应答内容不是 JSON', 'The platform answer’s payload is not JSON');
  }
  if (expect.type !== undefined && payload.type !== expect.type) return fail('ENVELOPE_WRONG_TYPE', `平台应答类型不符(${String(payload.type)})`, `The platform answer is a ${String(payload.type)}, not a ${expect.type}`);
  if (expect.nonce !== undefined && payload.nonce !== expect.nonce) return fail('ENVELOPE_NONCE', '平台应答未回显本次请求的随机数(可能是重放)', 'The platform answer does not echo this request’s nonce (a replay?)');
  if (expect.now !== undefined && !(Date.parse(payload.nextUpdate) >= expect.now.getTime())) return fail('ENVELOPE_STALE', '平台应答已过期', 'The platform answer is past its nextUpdate');
  return { ok: true, payload };
}

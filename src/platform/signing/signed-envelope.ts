/**
 * The one signed-answer format of the platform: the payload's JSON text travels as a string, and
 * the signature is over its UTF-8 bytes exactly, so nobody has to re-serialise JSON to check it.
 * Signing lives here; checking lives in client-verify.ts (no server dependencies).
 */
import type { SignedEnvelope, SignedPayloadBase } from '../api/contract';
import type { PlatformSigner } from './platform-signer';

export async function signEnvelope<T extends SignedPayloadBase>(signer: PlatformSigner, payload: T): Promise<SignedEnvelope<T>> {
  const text = JSON.stringify(payload);
  const value = await signer.sign(new TextEncoder().encode(text));
  return { payload: text, signature: { keyId: signer.key.keyId, alg: signer.key.alg, value: Buffer.from(value).toString('base64') } };
}

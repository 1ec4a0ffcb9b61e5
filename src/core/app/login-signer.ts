import type { Signer, SignatureScheme } from '../signer';
import { tokenSigner, withUserLogin, type KeyPairInfo, type TokenInfo, type VendorProfile } from '../pkcs11';
import { SealDeskError } from '../errors';
import type { AppContext } from './context';

/** Asks the person for a PIN; gets the tries left so the dialog can show them. */
export type PinPrompt = (request: { token: TokenInfo; purpose: 'stamp' | 'make-seal'; triesLeft?: number }) => Promise<Buffer>;

/**
 * A Signer for a key on a token that logs in only when it is asked to sign: every check that can
 * fail without the token's key runs first, and the PIN is asked for at the last moment. A job that
 * signs several times (every occurrence of a keyword) asks once: the PIN is held for the job only
 * and zeroed by dispose(), which the caller runs when the job ends, whatever happened.
 */
export function loginOnSign(ctx: AppContext, token: TokenInfo, key: KeyPairInfo, o: { profile: VendorProfile; askPin: PinPrompt; purpose: 'stamp' | 'make-seal'; triesLeft?: number }): Signer & { dispose(): void } {
  if (!key.certificate) {
    throw new SealDeskError('KEY_CERT_MISSING', '印章卡上的密钥没有对应的证书', 'The key on the USB-Key has no certificate');
  }
  let held: Buffer | undefined;
  const scheme: Record<KeyPairInfo['keyAlgorithm'], SignatureScheme> = { RSA: 'rsa-pkcs1-sha256', 'EC-P256': 'ecdsa-sha256', SM2: 'sm2-sm3' };
  return {
    certificate: key.certificate,
    keyAlgorithm: key.keyAlgorithm,
    defaultScheme: scheme[key.keyAlgorithm],
    async sign(message, s) {
      held ??= await o.askPin({ token, purpose: o.purpose, triesLeft: o.triesLeft });
      // withUserLogin zeroes the buffer it gets, so it gets a copy; a refused PIN is not kept.
      try {
        return await withUserLogin(ctx.module(), token, Buffer.from(held), (session) => tokenSigner(session, key.ckaId, o.profile).sign(message, s), { home: ctx.home });
      } catch (e) {
        this.dispose();
        throw e;
      }
    },
    dispose() {
      held?.fill(0);
      held = undefined;
    },
  };
}

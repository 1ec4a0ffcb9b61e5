import type { Signer, SignatureScheme } from '../signer';
import { tokenSigner, withUserLogin, type KeyPairInfo, type TokenInfo, type VendorProfile } from '../pkcs11';
import { SealDeskError } from '../errors';
import type { AppContext } from './context';

/** Asks the person for a PIN; gets the tries left so the dialog can show them. */
export type PinPrompt = (request: { token: TokenInfo; purpose: 'stamp' | 'make-seal'; triesLeft?: number }) => Promise<Buffer>;

/**
 * A Signer for a key on a token that logs in only when it is asked to sign: every check that can
 * fail without the token's key runs first, and the PIN is asked for at the last moment, used for
 * one login and zeroed by withUserLogin.
 */
export function loginOnSign(ctx: AppContext, token: TokenInfo, key: KeyPairInfo, o: { profile: VendorProfile; askPin: PinPrompt; purpose: 'stamp' | 'make-seal'; triesLeft?: number }): Signer {
  if (!key.certificate) {
    throw new SealDeskError('KEY_CERT_MISSING', '印章卡上的密钥没有对应的证书', 'The key on the USB-Key has no certificate');
  }
  const scheme: Record<KeyPairInfo['keyAlgorithm'], SignatureScheme> = { RSA: 'rsa-pkcs1-sha256', 'EC-P256': 'ecdsa-sha256', SM2: 'sm2-sm3' };
  return {
    certificate: key.certificate,
    keyAlgorithm: key.keyAlgorithm,
    defaultScheme: scheme[key.keyAlgorithm],
    async sign(message, s) {
      const pin = await o.askPin({ token, purpose: o.purpose, triesLeft: o.triesLeft });
      return withUserLogin(ctx.module(), token, pin, (session) => tokenSigner(session, key.ckaId, o.profile).sign(message, s), { home: ctx.home });
    },
  };
}

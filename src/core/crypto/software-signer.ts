/**
 * Software keys behind the Signer contract: for tests and demos, never for keepers' real keys
 * (those live on tokens). SM2 signs through sm-crypto with the GM default ID; RSA and ECDSA P-256
 * through node:crypto.
 */
import crypto from 'node:crypto';
import { SealDeskError } from '../errors';
import type { KeyAlgorithm, SignatureScheme, Signer } from '../signer';
import { sm2Sign } from './sm2';

function schemeRefused(scheme: SignatureScheme, key: KeyAlgorithm): SealDeskError {
  return new SealDeskError('SIGNER_SCHEME_UNSUPPORTED', `该密钥（${key}）不能用 ${scheme} 签名`, `This ${key} key cannot sign with ${scheme}`);
}

/** An SM2 signer from the private scalar (64 hex digits) and the key's certificate. */
export function sm2SoftwareSigner(privateKeyHex: string, certificate: Uint8Array): Signer {
  return {
    certificate,
    keyAlgorithm: 'SM2',
    defaultScheme: 'sm2-sm3',
    async sign(message, scheme = 'sm2-sm3') {
      if (scheme !== 'sm2-sm3') throw schemeRefused(scheme, 'SM2');
      return sm2Sign(message, privateKeyHex);
    },
  };
}

/** An RSA or ECDSA P-256 signer from a node:crypto private KeyObject and the key's certificate. */
export function nodeKeySigner(key: crypto.KeyObject, certificate: Uint8Array): Signer {
  let keyAlgorithm: KeyAlgorithm;
  if (key.asymmetricKeyType === 'rsa') keyAlgorithm = 'RSA';
  else if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') keyAlgorithm = 'EC-P256';
  else throw new SealDeskError('ALGORITHM_UNSUPPORTED', '软件签名只支持 RSA 和 ECDSA P-256 密钥', 'Software signing supports RSA and ECDSA P-256 keys only');
  const defaultScheme: SignatureScheme = keyAlgorithm === 'RSA' ? 'rsa-pkcs1-sha256' : 'ecdsa-sha256';
  return {
    certificate,
    keyAlgorithm,
    defaultScheme,
    async sign(message, scheme = defaultScheme) {
      const data = Buffer.from(message);
      if (keyAlgorithm === 'RSA' && scheme === 'rsa-pkcs1-sha256') {
        return new Uint8Array(crypto.sign('sha256', data, { key, padding: crypto.constants.RSA_PKCS1_PADDING }));
      }
      if (keyAlgorithm === 'RSA' && scheme === 'rsa-pss-sha256') {
        // Salt = hash length, the value PAdES readers and SealDesk's token signers use.
        return new Uint8Array(crypto.sign('sha256', data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
      }
      if (keyAlgorithm === 'EC-P256' && scheme === 'ecdsa-sha256') {
        return new Uint8Array(crypto.sign('sha256', data, { key, dsaEncoding: 'der' }));
      }
      throw schemeRefused(scheme, keyAlgorithm);
    },
  };
}

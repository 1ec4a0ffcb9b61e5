import crypto from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import { SealDeskError } from '../errors';
import type { KeyAlgorithm, SignatureScheme, Signer } from '../signer';
import { certificateFields, isDerSignature, pointFromEcSpki, rawSignatureToDer, uncompressedPoint } from './key-encoding';
import { attribute, ckaIdBytes, findCertificate, findKeyObject, findObjects, keyAlgorithmOf, ulong } from './key-objects';
import { p11 } from './pkcs11-errors';
import type { TokenSession } from './session';
import { sm2E } from './sm2-digest';
import { STANDARD_PROFILE, type VendorProfile } from './vendor-profile';

/**
 * A Signer backed by a private key on a token. The mechanism is chosen from the key type, the
 * scheme asked for, what the token offers (C_GetMechanismList) and the vendor profile; callers
 * never see a mechanism number. Only usable inside the withUserLogin callback that made it.
 */
export interface TokenSigner extends Signer {
  readonly ckaId: string;
  /** The mechanism of the last signature (tests check which path was taken). */
  readonly lastMechanism: number | undefined;
}

/** DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2), for CKM_RSA_PKCS over a host-side hash. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

const DEFAULT_SCHEME: Record<KeyAlgorithm, SignatureScheme> = { RSA: 'rsa-pkcs1-sha256', 'EC-P256': 'ecdsa-sha256', SM2: 'sm2-sm3' };
const ALLOWED: Record<KeyAlgorithm, SignatureScheme[]> = { RSA: ['rsa-pkcs1-sha256', 'rsa-pss-sha256'], 'EC-P256': ['ecdsa-sha256'], SM2: ['sm2-sm3'] };

const sha256 = (m: Uint8Array): Buffer => crypto.createHash('sha256').update(m).digest();

function pssParams(): pkcs11js.IParams {
  // Salt as long as the hash: what PAdES validators and node:crypto's default expectations agree on.
  return { type: pkcs11js.CK_PARAMS_RSA_PSS, hashAlg: pkcs11js.CKM_SHA256, mgf: pkcs11js.CKG_MGF1_SHA256, saltLen: 32 } as pkcs11js.IParams;
}

function notSupported(what: string): SealDeskError {
  return new SealDeskError('MECHANISM_NOT_SUPPORTED', `印章卡不支持所需的签名算法:${what}`, `The USB-Key does not offer the signature mechanism needed: ${what}`);
}

export function tokenSigner(session: TokenSession, ckaId: string, profile: VendorProfile = STANDARD_PROFILE): TokenSigner {
  const key = findKeyObject(session, pkcs11js.CKO_PRIVATE_KEY, ckaId);
  const keyAlgorithm = keyAlgorithmOf(session, key, profile);
  if (!keyAlgorithm) {
    const ckk = ulong(attribute(session, key, pkcs11js.CKA_KEY_TYPE));
    const hex = ckk === undefined ? '?' : `0x${ckk.toString(16)}`;
    throw new SealDeskError('KEY_TYPE_UNSUPPORTED',
      `该密钥类型(CKK ${hex})在厂商配置“${profile.name}”中未定义,无法签名`,
      `Key type CKK ${hex} is not known to vendor profile "${profile.name}"; it cannot sign`, { details: { ckaId, ckk } });
  }
  const certificate = findCertificate(session, ckaId);
  if (!certificate) {
    throw new SealDeskError('CERTIFICATE_NOT_FOUND', `印章卡上没有与密钥 ${ckaId} 对应的证书`, `No certificate for key ${ckaId} on the USB-Key`, { details: { ckaId } });
  }
  const alwaysAuthenticate = attribute(session, key, pkcs11js.CKA_ALWAYS_AUTHENTICATE)?.[0] === 1;
  const mechanisms = new Set(p11('listing mechanisms', () => session.lib.C_GetMechanismList(session.slot)));
  let lastMechanism: number | undefined;

  const signRaw = (mechanism: pkcs11js.Mechanism, data: Buffer): Buffer => {
    if (!session.loggedIn) {
      throw new SealDeskError('SESSION_CLOSED', '签名须在印章卡登录期间完成', 'Signing must happen while the USB-Key session is logged in');
    }
    return p11('signing', () => {
      session.lib.C_SignInit(session.handle, mechanism, key);
      if (alwaysAuthenticate) {
        // CKA_ALWAYS_AUTHENTICATE: the token wants the PIN again for this one operation.
        if (!session.contextLogin) throw new SealDeskError('PIN_REQUIRED', '该密钥每次签名都需要输入密码', 'This key needs the PIN for every signature');
        session.contextLogin();
      }
      lastMechanism = mechanism.mechanism;
      return session.lib.C_Sign(session.handle, data, Buffer.alloc(1024));
    }, { ckaId });
  };

  // Z needs the public key: the token's public key object when there is one, else the certificate's.
  const sm2PublicPoint = (): Buffer => {
    const [pub] = findObjects(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY }, { type: pkcs11js.CKA_ID, value: ckaIdBytes(ckaId) }], 1);
    const point = pub ? attribute(session, pub, pkcs11js.CKA_EC_POINT) : undefined;
    return point ? uncompressedPoint(point) : pointFromEcSpki(certificateFields(certificate).spki);
  };

  const rsaHashOnHost = profile.rsaHashOnHost === true;
  const has = (m: number): boolean => mechanisms.has(m);

  const sign = async (message: Uint8Array, scheme?: SignatureScheme): Promise<Uint8Array> => {
    const s = scheme ?? DEFAULT_SCHEME[keyAlgorithm];
    if (!ALLOWED[keyAlgorithm].includes(s)) {
      throw new SealDeskError('SCHEME_UNSUPPORTED', `${keyAlgorithm} 密钥不能使用 ${s} 签名`, `A ${keyAlgorithm} key cannot sign with ${s}`);
    }
    const msg = Buffer.from(message);
    switch (s) {
      case 'rsa-pkcs1-sha256':
        if (has(pkcs11js.CKM_SHA256_RSA_PKCS) && !rsaHashOnHost) return new Uint8Array(signRaw({ mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, msg));
        if (has(pkcs11js.CKM_RSA_PKCS)) return new Uint8Array(signRaw({ mechanism: pkcs11js.CKM_RSA_PKCS }, Buffer.concat([SHA256_DIGEST_INFO, sha256(msg)])));
        throw notSupported('RSA PKCS#1 v1.5');
      case 'rsa-pss-sha256':
        if (has(pkcs11js.CKM_SHA256_RSA_PKCS_PSS) && !rsaHashOnHost) return new Uint8Array(signRaw({ mechanism: pkcs11js.CKM_SHA256_RSA_PKCS_PSS, parameter: pssParams() }, msg));
        if (has(pkcs11js.CKM_RSA_PKCS_PSS)) return new Uint8Array(signRaw({ mechanism: pkcs11js.CKM_RSA_PKCS_PSS, parameter: pssParams() }, sha256(msg)));
        throw notSupported('RSA-PSS');
      case 'ecdsa-sha256': {
        if (!has(pkcs11js.CKM_ECDSA)) throw notSupported('CKM_ECDSA');
        const out = signRaw({ mechanism: pkcs11js.CKM_ECDSA }, sha256(msg));
        return new Uint8Array(out.length === 64 ? rawSignatureToDer(out) : isDerSignature(out) ? out : rawSignatureToDer(out));
      }
      case 'sm2-sm3': {
        const mech = profile.mechanisms.sm2Sign;
        if (mech === undefined || profile.sm2Input === undefined) throw notSupported(`SM2 (vendor profile "${profile.name}" has no SM2 mechanism)`);
        const input = profile.sm2Input === 'message' ? msg : sm2E(sm2PublicPoint(), msg);
        const out = signRaw({ mechanism: mech }, input);
        if (profile.sm2SignatureFormat === 'der') {
          if (!isDerSignature(out)) throw new SealDeskError('SIGNATURE_FORMAT', '印章卡返回的 SM2 签名不是 DER 格式', 'The USB-Key returned an SM2 signature that is not DER, unlike its vendor profile says');
          return new Uint8Array(out);
        }
        if (out.length !== 64) throw new SealDeskError('SIGNATURE_FORMAT', '印章卡返回的 SM2 签名长度异常', `The USB-Key returned a raw SM2 signature of ${out.length} bytes, expected 64`);
        return new Uint8Array(rawSignatureToDer(out));
      }
    }
    throw notSupported(s);
  };

  return {
    ckaId,
    certificate,
    keyAlgorithm,
    defaultScheme: DEFAULT_SCHEME[keyAlgorithm],
    sign,
    get lastMechanism() { return lastMechanism; },
  };
}


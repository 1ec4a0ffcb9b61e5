/**
 * SM2 signatures with SM3 and the GM default user ID "1234567812345678" (GM/T 0009), through
 * sm-crypto. node:crypto cannot be used to sign or verify: it computes Z with an empty ID
 * (gm-formats.md §8), which no GM verifier accepts.
 */
import * as asn1js from 'asn1js';
import type * as SmCrypto from 'sm-crypto';
import { SealDeskError } from '../errors';
import { DerFields, decodeDer } from '../asn1/der';

/** sm-crypto loads on the first SM2 signature, not with every verification (issue 13: start-up). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sm2 = (): typeof SmCrypto.sm2 => (require('sm-crypto') as typeof SmCrypto).sm2;

export const SM2_DEFAULT_ID = '1234567812345678';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** Verifies a DER SEQUENCE{r,s} SM2-with-SM3 signature over `message` with an uncompressed public point (04‖x‖y). */
export function sm2Verify(message: Uint8Array, signatureDer: Uint8Array, publicPoint: Uint8Array): boolean {
  if (publicPoint.length !== 65 || publicPoint[0] !== 0x04) return false;
  if (signatureDer.length < 8 || signatureDer.length > 80 || signatureDer[0] !== 0x30) return false;
  try {
    // Array.from: sm-crypto hexes typed arrays wrongly before 0.5.7 (gm-formats.md §8).
    return sm2().doVerifySignature(Array.from(message), hex(signatureDer), hex(publicPoint), { der: true, hash: true, userId: SM2_DEFAULT_ID });
  } catch {
    return false; // sm-crypto throws on some malformed signatures; that is a failed verification, not a crash
  }
}

/** Signs `message` with an SM2 private key (64 hex digits); returns DER SEQUENCE{r,s}. */
export function sm2Sign(message: Uint8Array, privateKeyHex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(privateKeyHex)) {
    throw new SealDeskError('SM2_KEY_INVALID', 'SM2 私钥格式不正确', 'The SM2 private key is malformed');
  }
  const publicKey = sm2().getPublicKeyFromPrivateKey(privateKeyHex);
  const sigHex = sm2().doSignature(Array.from(message), privateKeyHex, { der: true, hash: true, publicKey, userId: SM2_DEFAULT_ID });
  return new Uint8Array(Buffer.from(sigHex, 'hex'));
}

export function sm2PublicPointFromPrivate(privateKeyHex: string): Uint8Array {
  return new Uint8Array(Buffer.from(sm2().getPublicKeyFromPrivateKey(privateKeyHex), 'hex'));
}

export function sm2GenerateKeyPair(): { privateKeyHex: string; publicPoint: Uint8Array } {
  const k = sm2().generateKeyPairHex();
  return { privateKeyHex: k.privateKey.padStart(64, '0'), publicPoint: new Uint8Array(Buffer.from(k.publicKey, 'hex')) };
}

/**
 * The private scalar of an SM2 key in PKCS#8 (OpenSSL `genpkey -algorithm SM2`) or SEC1
 * ("EC PRIVATE KEY") DER, as 64 hex digits.
 */
export function sm2PrivateKeyFromDer(der: Uint8Array): string {
  const f = new DerFields('certificate');
  const fail = (): never => {
    throw new SealDeskError('SM2_KEY_INVALID', 'SM2 私钥格式不正确', 'The SM2 private key is malformed');
  };
  let root: asn1js.AsnType;
  try {
    root = decodeDer(der, 'certificate');
  } catch {
    return fail();
  }
  try {
    let items = f.sequence(root, 'key', 2);
    if (f.isSequence(items[1])) {
      // PKCS#8: version, AlgorithmIdentifier, OCTET STRING { ECPrivateKey }
      const inner = decodeDer(f.octets(items[2], 'privateKey'), 'certificate');
      items = f.sequence(inner, 'ECPrivateKey', 2);
    }
    const d = f.octets(items[1], 'ECPrivateKey.privateKey');
    if (d.length === 0 || d.length > 32) return fail();
    return hex(d).padStart(64, '0');
  } catch {
    return fail();
  }
}

/** Same, from PEM text ("PRIVATE KEY" or "EC PRIVATE KEY"). */
export function sm2PrivateKeyFromPem(pem: string): string {
  const m = /-----BEGIN (?:EC )?PRIVATE KEY-----([\s\S]*?)-----END (?:EC )?PRIVATE KEY-----/.exec(pem);
  if (!m) throw new SealDeskError('SM2_KEY_INVALID', 'SM2 私钥格式不正确', 'The SM2 private key is malformed');
  return sm2PrivateKeyFromDer(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
}

import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import { SealDeskError } from '../errors';

/**
 * The small DER pieces token code needs: ECDSA/SM2 r||s ↔ DER, EC points as tokens store them,
 * SubjectPublicKeyInfo from token attributes, curve OIDs.
 */

/** DER of OBJECT IDENTIFIER 1.2.840.10045.3.1.7 (P-256), as in CKA_EC_PARAMS. */
export const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
/** DER of OBJECT IDENTIFIER 1.2.156.10197.1.301 (sm2p256v1). */
export const SM2_PARAMS = Buffer.from('06082a811ccf5501822d', 'hex');

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derInteger(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  let v = unsigned.subarray(i);
  if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return Buffer.concat([Buffer.from([0x02]), derLength(v.length), v]);
}

/** r||s (two equal halves, as CKM_ECDSA and raw SM2 mechanisms return them) → DER SEQUENCE{r, s}. */
export function rawSignatureToDer(raw: Uint8Array): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0) {
    throw new SealDeskError('SIGNATURE_FORMAT', '印章卡返回的签名格式异常', `The USB-Key returned a signature of odd length ${raw.length}`);
  }
  const b = Buffer.from(raw);
  const half = b.length / 2;
  const body = Buffer.concat([derInteger(b.subarray(0, half)), derInteger(b.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** True when the bytes are exactly one DER SEQUENCE of two INTEGERs (a DER ECDSA/SM2 signature). */
export function isDerSignature(b: Uint8Array): boolean {
  try {
    if (b.length < 8 || b[0] !== 0x30) return false;
    const [len, off] = readLen(b, 1);
    if (off + len !== b.length) return false;
    let p = off;
    for (let k = 0; k < 2; k++) {
      if (b[p] !== 0x02) return false;
      const [l, o] = readLen(b, p + 1);
      if (l === 0) return false;
      p = o + l;
    }
    return p === b.length;
  } catch {
    return false;
  }
}

function readLen(b: Uint8Array, at: number): [number, number] {
  const first = b[at];
  if (first === undefined) throw new Error('truncated');
  if (first < 0x80) return [first, at + 1];
  const n = first & 0x7f;
  if (n === 0 || n > 3) throw new Error('bad length');
  let len = 0;
  for (let i = 1; i <= n; i++) {
    const v = b[at + i];
    if (v === undefined) throw new Error('truncated');
    len = len * 256 + v;
  }
  return [len, at + 1 + n];
}

/**
 * CKA_EC_POINT is specified as a DER OCTET STRING around the uncompressed point, but some
 * modules store the bare point; accept both and return 04||x||y.
 */
export function uncompressedPoint(ecPoint: Buffer): Buffer {
  if (ecPoint.length === 67 && ecPoint[0] === 0x04 && ecPoint[1] === 0x41 && ecPoint[2] === 0x04) return ecPoint.subarray(2);
  if (ecPoint.length === 65 && ecPoint[0] === 0x04) return ecPoint;
  throw new SealDeskError('KEY_FORMAT', '印章卡上的公钥格式无法识别', 'The public key point on the USB-Key has an unknown format');
}

export function rsaSpki(modulus: Buffer, publicExponent: Buffer): Buffer {
  const b64 = (x: Buffer): string => x.toString('base64url');
  const strip = (x: Buffer): Buffer => { let i = 0; while (i < x.length - 1 && x[i] === 0) i++; return x.subarray(i); };
  return crypto.createPublicKey({ key: { kty: 'RSA', n: b64(strip(modulus)), e: b64(strip(publicExponent)) }, format: 'jwk' })
    .export({ type: 'spki', format: 'der' });
}

export function p256Spki(point: Buffer): Buffer {
  const p = uncompressedPoint(point);
  return crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: p.subarray(1, 33).toString('base64url'), y: p.subarray(33).toString('base64url') }, format: 'jwk' })
    .export({ type: 'spki', format: 'der' });
}

/**
 * SubjectPublicKeyInfo for an SM2 point: id-ecPublicKey with the sm2p256v1 curve OID, as GM
 * certificates carry it (gm-formats.md §3). Built by hand: node:crypto has no JWK for SM2.
 */
export function sm2Spki(point: Buffer): Buffer {
  const p = uncompressedPoint(point);
  const algo = Buffer.from('301306072a8648ce3d020106082a811ccf5501822d', 'hex');
  const bits = Buffer.concat([Buffer.from([0x03]), derLength(p.length + 1), Buffer.from([0]), p]);
  const body = Buffer.concat([algo, bits]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** The uncompressed point (04||x||y) inside an EC SubjectPublicKeyInfo. */
export function pointFromEcSpki(spki: Uint8Array): Buffer {
  const b = Buffer.from(spki);
  // The BIT STRING is the last element; its payload is 00 04 x y for an uncompressed point.
  for (let i = b.length - 67; i >= 0; i--) {
    if (b[i] === 0x03 && b[i + 1] === 0x42 && b[i + 2] === 0x00 && b[i + 3] === 0x04 && i + 4 + 64 === b.length) return b.subarray(i + 3);
  }
  throw new SealDeskError('KEY_FORMAT', '证书中的公钥不是未压缩的 256 位椭圆曲线点', 'The certificate public key is not an uncompressed 256-bit EC point');
}

/** Issuer, serial number, subject and SubjectPublicKeyInfo DER of an X.509 certificate (PKCS#11 wants the first three). */
export function certificateFields(der: Uint8Array): { issuer: Buffer; serial: Buffer; subject: Buffer; spki: Buffer } {
  const bad = (why: string) => new SealDeskError('CERTIFICATE_MALFORMED', `证书格式错误:${why}`, `Malformed certificate: ${why}`);
  const parsed = asn1js.fromBER(new Uint8Array(der));
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) throw bad('not DER');
  const tbs = parsed.result.valueBlock.value[0];
  if (!(tbs instanceof asn1js.Sequence)) throw bad('no TBSCertificate');
  const f = tbs.valueBlock.value;
  const start = f[0] && f[0].idBlock.tagClass === 3 && f[0].idBlock.tagNumber === 0 ? 1 : 0;
  const [serial, , issuer, , subject, spki] = f.slice(start, start + 6);
  if (!serial || !issuer || !subject || !spki) throw bad('missing fields');
  const raw = (el: asn1js.AsnType) => Buffer.from(el.valueBeforeDecodeView);
  return { serial: raw(serial), issuer: raw(issuer), subject: raw(subject), spki: raw(spki) };
}

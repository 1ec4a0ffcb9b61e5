/**
 * SM2 and ECDSA signature values as vendors store them, turned into the DER SEQUENCE{r, s} the
 * verifiers take. The value is not part of what it signs, so reading a vendor habit here never
 * changes the signed bytes; the message is verified exactly as received.
 *
 * Accepted, each reported as a deviation:
 * - 64 raw bytes r‖s (koal, TONGZHIWEIYE, SKF/SDF devices return that form) when the value is not
 *   valid DER — a value that is valid DER is always read as DER, so no value has two readings;
 * - INTEGERs with superfluous leading zero bytes (non-minimal DER).
 * Refused: a negative r or s (the high bit set without a zero byte: under DER a negative number, as
 * an unsigned number another value, so two readings), r or s longer than the curve, trailing bytes.
 */
import { encodingDeviation, type EncodingDeviation } from './der';
import { OID_ECDSA_SHA256, OID_ECDSA_SHA384, OID_ECDSA_SHA512, OID_SM2_SIGN, OID_SM2_WITH_SM3 } from './oids';

const EC_SIGNATURE_OIDS = new Set([OID_SM2_WITH_SM3, OID_SM2_SIGN, OID_ECDSA_SHA256, OID_ECDSA_SHA384, OID_ECDSA_SHA512]);

export type SignatureValueReading =
  | { ok: true; der: Uint8Array; deviation?: EncodingDeviation }
  | { ok: false; reason: string };

/** Is this algorithm's value a SEQUENCE{r, s} (SM2, ECDSA)? */
export function isEcSignatureAlgorithm(oid: string): boolean {
  return EC_SIGNATURE_OIDS.has(oid);
}

/**
 * The DER SEQUENCE{r, s} of an SM2/ECDSA signature value `field`; other algorithms' values (RSA)
 * are returned unchanged.
 */
export function readSignatureValue(value: Uint8Array, algorithmOid: string, field: string, scalarBytes = 32): SignatureValueReading {
  if (!isEcSignatureAlgorithm(algorithmOid)) return { ok: true, der: value };
  const parsed = parseDerRs(value, scalarBytes);
  if (parsed.kind === 'der') {
    if (!parsed.nonMinimal) return { ok: true, der: value };
    return {
      ok: true,
      der: encodeRs(parsed.r, parsed.s),
      deviation: encodingDeviation('SIGNATURE_INTEGER_LEADING_ZERO', field, { zh: '的 r、s 整数有多余的前导零字节', en: 'has INTEGERs r, s with superfluous leading zero bytes' }, { zh: '同值的 r、s', en: 'the same r, s' }),
    };
  }
  if (parsed.kind === 'refused') return { ok: false, reason: parsed.reason };
  if (value.length === 2 * scalarBytes) {
    return {
      ok: true,
      der: encodeRs(value.subarray(0, scalarBytes), value.subarray(scalarBytes)),
      deviation: encodingDeviation('SM2_RAW_SIGNATURE', field, { zh: `是 ${value.length} 字节的 r‖s 而不是 DER SEQUENCE{r, s}`, en: `is ${value.length} raw bytes r‖s instead of DER SEQUENCE{r, s}` }, { zh: '原始 r‖s', en: 'raw r‖s' }),
    };
  }
  return { ok: false, reason: `the signature value is neither DER SEQUENCE{r, s} nor ${2 * scalarBytes} raw bytes r‖s` };
}

type Parsed =
  | { kind: 'der'; r: Uint8Array; s: Uint8Array; nonMinimal: boolean }
  | { kind: 'refused'; reason: string }
  | { kind: 'not-der' };

/** Strict reading of 30 L 02 Lr r 02 Ls s with short-form lengths only (values are < 128 bytes). */
function parseDerRs(v: Uint8Array, scalarBytes: number): Parsed {
  if (v.length < 8 || v[0] !== 0x30 || v[1]! >= 0x80 || v[1]! + 2 !== v.length) return { kind: 'not-der' };
  let p = 2;
  const ints: Uint8Array[] = [];
  let nonMinimal = false;
  for (let i = 0; i < 2; i++) {
    if (v[p] !== 0x02 || p + 2 > v.length) return { kind: 'not-der' };
    const len = v[p + 1]!;
    if (len === 0 || len >= 0x80 || p + 2 + len > v.length) return { kind: 'not-der' };
    const body = v.subarray(p + 2, p + 2 + len);
    p += 2 + len;
    ints.push(body);
    if (body[0]! & 0x80) return { kind: 'refused', reason: 'r or s is a negative INTEGER (high bit set without a leading zero): two readings, refused' };
    if (body.length > 1 && body[0] === 0 && (body[1]! & 0x80) === 0) nonMinimal = true;
  }
  if (p !== v.length) return { kind: 'not-der' };
  const [r, s] = ints.map(stripZeros) as [Uint8Array, Uint8Array];
  if (r.length > scalarBytes || s.length > scalarBytes) return { kind: 'refused', reason: 'r or s is longer than the curve order' };
  return { kind: 'der', r, s, nonMinimal };
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function derUnsigned(b: Uint8Array): number[] {
  const v = [...stripZeros(b)];
  if (v[0]! & 0x80) v.unshift(0);
  return [0x02, v.length, ...v];
}

/** DER SEQUENCE{INTEGER r, INTEGER s} of two unsigned big-endian numbers. */
export function encodeRs(r: Uint8Array, s: Uint8Array): Uint8Array {
  const body = [...derUnsigned(r), ...derUnsigned(s)];
  return Uint8Array.from([0x30, body.length, ...body]);
}

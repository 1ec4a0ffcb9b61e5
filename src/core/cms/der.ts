import * as asn1js from 'asn1js';
import { SealDeskError } from '../errors';

import { toArrayBuffer } from '../asn1/der';

// One copy of these byte helpers, in asn1/der; CMS code imports them from here too.
export { toArrayBuffer, bytesEqual } from '../asn1/der';

export function cmsMalformed(what: string, cause?: unknown): SealDeskError {
  // `what` is the parser's English account: in the English message and the details, not in the Chinese one.
  return new SealDeskError('CMS_MALFORMED', '签名数据（CMS）格式错误', `Malformed CMS signature data: ${what}`, { cause, details: { detail: what } });
}

/**
 * Decodes one DER value and insists it spans the whole input. Trailing bytes are tolerated only when
 * they are zero padding — PDF /Contents placeholders are zero-filled after the CMS.
 */
export function decodeDer(bytes: Uint8Array, what: string): asn1js.AsnType {
  if (bytes.length === 0) throw cmsMalformed(`${what} is empty`);
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(toArrayBuffer(bytes));
  } catch (e) {
    throw cmsMalformed(`${what}: not DER`, e);
  }
  if (parsed.offset === -1 || parsed.result.error) throw cmsMalformed(`${what}: not DER (${parsed.result.error || 'decode error'})`);
  for (let i = parsed.offset; i < bytes.length; i++) {
    if (bytes[i] !== 0) throw cmsMalformed(`${what}: unexpected bytes after the DER value`);
  }
  return parsed.result;
}

/**
 * The length of the first BER value in `bytes` (a CMS inside a zero-padded /Contents). RFC 5652 lets
 * a SignedData be BER outside its signed attributes, and NSS-based signers (poppler's pdfsig,
 * Firefox-era tools) write indefinite lengths: the end is then found by decoding, not by the header.
 */
export function cmsValueLength(bytes: Uint8Array): number {
  if (bytes.length >= 2 && bytes[1] === 0x80) {
    let parsed: ReturnType<typeof asn1js.fromBER>;
    try {
      parsed = asn1js.fromBER(toArrayBuffer(bytes));
    } catch (e) {
      throw cmsMalformed('not BER', e);
    }
    if (parsed.offset === -1 || parsed.result.error) throw cmsMalformed(`not BER (${parsed.result.error || 'decode error'})`);
    return parsed.offset;
  }
  return derValueLength(bytes);
}

/** The length of the first DER value in `bytes` (the CMS inside a zero-padded /Contents). */
export function derValueLength(bytes: Uint8Array): number {
  if (bytes.length < 2) throw cmsMalformed('too short');
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || bytes.length < 2 + n) throw cmsMalformed('bad length');
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + bytes[2 + i]!;
  const total = 2 + n + len;
  if (total > bytes.length) throw cmsMalformed('declared length exceeds the data');
  return total;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

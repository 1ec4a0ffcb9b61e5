import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SealDeskError } from '../errors';
import { toArrayBuffer } from '../cms/der';
import { OID_BY_DIGEST } from '../cms/oids';
import { boundedRequest, type HttpFailure } from '../net/bounded-http';

/**
 * RFC 3161 client over HTTP(S): POST application/timestamp-query, read application/timestamp-reply.
 * Bounded in time and in response size, so a slow or hostile TSA cannot hang or exhaust the signer.
 */
export interface TimestampRequestOptions {
  url: string;
  /** Whole exchange, connection to last byte. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  digestAlgorithm?: 'sha256' | 'sm3';
  /** Ask the TSA to include its certificate in the token (default true: verifiers need it). */
  certReq?: boolean;
}

export const DEFAULT_TSA_TIMEOUT_MS = 15_000;
export const DEFAULT_TSA_MAX_RESPONSE = 256 * 1024;

export function tsaError(code: string, zhWhat: string, enWhat: string, cause?: unknown): SealDeskError {
  return new SealDeskError(code, `时间戳服务错误:${zhWhat}`, `Timestamp authority error: ${enWhat}`, { cause });
}

/** DER TimeStampReq for `imprint` (already the digest of the data) with a random nonce. */
export function buildTimestampRequest(imprint: Uint8Array, digestAlgorithm: 'sha256' | 'sm3', nonce: Uint8Array, certReq = true): Uint8Array {
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_BY_DIGEST[digestAlgorithm]! }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(imprint) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq,
  });
  return new Uint8Array(req.toSchema().toBER(false));
}

/** Requests a timestamp token over `data` (hashed here). Returns the token (ContentInfo DER). */
export async function requestTimestamp(data: Uint8Array, options: TimestampRequestOptions): Promise<Uint8Array> {
  const alg = options.digestAlgorithm ?? 'sha256';
  const imprint = new Uint8Array(crypto.createHash(alg).update(data).digest());
  return requestTimestampForImprint(imprint, options);
}

export async function requestTimestampForImprint(imprint: Uint8Array, options: TimestampRequestOptions): Promise<Uint8Array> {
  const alg = options.digestAlgorithm ?? 'sha256';
  // A positive 64-bit nonce (top bit clear so the INTEGER is not negative).
  const nonce = new Uint8Array(crypto.randomBytes(8));
  nonce[0] = (nonce[0]! & 0x7f) | 0x01;
  const body = buildTimestampRequest(imprint, alg, nonce, options.certReq ?? true);
  const reply = await postQuery(options.url, body, options.timeoutMs ?? DEFAULT_TSA_TIMEOUT_MS, options.maxResponseBytes ?? DEFAULT_TSA_MAX_RESPONSE);
  return tokenFromResponse(reply, { imprint, nonce });
}

/**
 * Checks a TimeStampResp: status granted, token present, its TSTInfo echoes our imprint and nonce.
 * (The TSA's signature and chain are verified with the token by verifyTimestampToken.)
 */
export function tokenFromResponse(reply: Uint8Array, expect: { imprint: Uint8Array; nonce?: Uint8Array }): Uint8Array {
  let resp: pkijs.TimeStampResp;
  try {
    resp = pkijs.TimeStampResp.fromBER(toArrayBuffer(reply));
  } catch (e) {
    throw tsaError('TSA_BAD_RESPONSE', '应答不是有效的 RFC 3161 格式', 'the reply is not an RFC 3161 TimeStampResp', e);
  }
  const status = resp.status.status;
  if (status !== pkijs.PKIStatus.granted && status !== pkijs.PKIStatus.grantedWithMods) {
    const text = (resp.status.statusStrings ?? []).map((s) => s.valueBlock.value).join('; ');
    throw tsaError('TSA_REJECTED', `请求被拒绝(状态 ${status}${text ? `:${text}` : ''})`, `request rejected (status ${status}${text ? `: ${text}` : ''})`);
  }
  if (!resp.timeStampToken) throw tsaError('TSA_BAD_RESPONSE', '应答中没有时间戳令牌', 'the reply carries no token');
  const tokenDer = new Uint8Array(resp.timeStampToken.toSchema().toBER(false));
  let tst: pkijs.TSTInfo;
  try {
    const signed = new pkijs.SignedData({ schema: resp.timeStampToken.content });
    const econtent = signed.encapContentInfo.eContent;
    if (!econtent) throw new Error('no TSTInfo');
    tst = pkijs.TSTInfo.fromBER(econtent.getValue());
  } catch (e) {
    throw tsaError('TSA_BAD_RESPONSE', '时间戳令牌无法解析', 'the token cannot be parsed', e);
  }
  const got = tst.messageImprint.hashedMessage.valueBlock.valueHexView;
  if (Buffer.compare(Buffer.from(got), Buffer.from(expect.imprint)) !== 0) {
    throw tsaError('TSA_IMPRINT_MISMATCH', '令牌的摘要与请求不符', 'the token stamps a different digest than requested');
  }
  if (expect.nonce) {
    const nonce = tst.nonce?.valueBlock.valueHexView;
    if (!nonce || Buffer.compare(stripZeros(nonce), stripZeros(expect.nonce)) !== 0) {
      throw tsaError('TSA_NONCE_MISMATCH', '令牌的随机数与请求不符(可能是重放)', 'the token nonce does not match the request (possible replay)');
    }
  }
  return tokenDer;
}

function stripZeros(b: Uint8Array): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return Buffer.from(b.subarray(i));
}

const TSA_CODES: Record<HttpFailure, string> = {
  url_invalid: 'TSA_URL_INVALID', timeout: 'TSA_TIMEOUT', http_error: 'TSA_HTTP_ERROR', too_large: 'TSA_RESPONSE_TOO_LARGE', unreachable: 'TSA_UNREACHABLE',
};

function postQuery(url: string, body: Uint8Array, timeoutMs: number, maxBytes: number): Promise<Uint8Array> {
  return boundedRequest({
    url, method: 'POST', body, contentType: 'application/timestamp-query', accept: 'application/timestamp-reply', timeoutMs, maxBytes, allowHttps: true,
    fail: (kind, d, cause) => tsaError(TSA_CODES[kind], d.zh, d.en, cause),
  });
}

import http from 'node:http';
import { SealDeskError } from '../errors';

/**
 * One HTTP exchange with a revocation responder (OCSP POST, CRL GET), bounded in time (connection to
 * last byte) and in size, so a slow or hostile responder can neither hang a verification nor
 * exhaust memory. Plain http only: OCSP and CRL data are signed, and RFC 6960 / RFC 5280 publish
 * them over http (an https CRL URL would need a revocation check of its own TLS chain).
 */
export interface BoundedRequest {
  url: string;
  method?: 'GET' | 'POST';
  body?: Uint8Array;
  contentType?: string;
  accept?: string;
  timeoutMs: number;
  maxBytes: number;
}

export function revocationFetchError(code: string, zh: string, en: string, cause?: unknown): SealDeskError {
  return new SealDeskError(code, `吊销信息获取失败:${zh}`, `Revocation data could not be fetched: ${en}`, { cause });
}

export function boundedFetch(r: BoundedRequest): Promise<Uint8Array> {
  let target: URL;
  try {
    target = new URL(r.url);
  } catch (e) {
    return Promise.reject(revocationFetchError('REVOCATION_URL_INVALID', `地址无效 ${r.url}`, `invalid URL ${r.url}`, e));
  }
  if (target.protocol !== 'http:') {
    return Promise.reject(revocationFetchError('REVOCATION_URL_INVALID', `只支持 http 地址:${r.url}`, `only http URLs are supported: ${r.url}`));
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err: SealDeskError | null, value?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (err) reject(err); else resolve(value!);
    };
    const timer = setTimeout(() => done(revocationFetchError('REVOCATION_TIMEOUT', `${target.host} 在 ${r.timeoutMs} 毫秒内没有应答`, `${target.host} did not answer within ${r.timeoutMs} ms`)), r.timeoutMs);
    const headers: Record<string, string | number> = {};
    if (r.body) { headers['Content-Type'] = r.contentType ?? 'application/octet-stream'; headers['Content-Length'] = r.body.length; }
    if (r.accept) headers.Accept = r.accept;
    const req = http.request(target, { method: r.method ?? 'GET', headers }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        done(revocationFetchError('REVOCATION_HTTP_ERROR', `${target.host} 返回 HTTP ${res.statusCode}`, `${target.host} answered HTTP ${res.statusCode}`));
        return;
      }
      const declared = Number(res.headers['content-length'] ?? '0');
      if (declared > r.maxBytes) {
        done(revocationFetchError('REVOCATION_TOO_LARGE', `应答过大(${declared} 字节)`, `the answer is too large (${declared} bytes)`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > r.maxBytes) done(revocationFetchError('REVOCATION_TOO_LARGE', `应答超过 ${r.maxBytes} 字节`, `the answer exceeds ${r.maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => done(null, new Uint8Array(Buffer.concat(chunks))));
      res.on('error', (e) => done(revocationFetchError('REVOCATION_UNREACHABLE', '读取应答失败', 'reading the answer failed', e)));
    });
    req.on('error', (e) => done(revocationFetchError('REVOCATION_UNREACHABLE', `无法连接 ${target.host}`, `cannot reach ${target.host}`, e)));
    req.end(r.body ? Buffer.from(r.body) : undefined);
  });
}

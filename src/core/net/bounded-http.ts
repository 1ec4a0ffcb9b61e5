import http from 'node:http';
import https from 'node:https';
import type { BilingualText } from '../../api/verification-report';
import type { SealDeskError } from '../errors';

/**
 * One HTTP exchange with a service SealDesk depends on (a TSA, an OCSP responder, a CRL server),
 * bounded in time (connection to last byte) and in size, so a slow or hostile peer can neither hang
 * the caller nor exhaust its memory. The caller names its own errors (codes and words) per kind of
 * failure; the detail of each failure is worded here.
 */
export type HttpFailure = 'url_invalid' | 'timeout' | 'http_error' | 'too_large' | 'unreachable';

export interface BoundedRequest {
  url: string;
  method?: 'GET' | 'POST';
  body?: Uint8Array;
  contentType?: string;
  accept?: string;
  timeoutMs: number;
  maxBytes: number;
  /** https too (a TSA may be https; OCSP and CRL data are signed and published over http). */
  allowHttps?: boolean;
  fail: (kind: HttpFailure, detail: BilingualText, cause?: unknown) => SealDeskError;
}

export function boundedRequest(r: BoundedRequest): Promise<Uint8Array> {
  let target: URL;
  try {
    target = new URL(r.url);
  } catch (e) {
    return Promise.reject(r.fail('url_invalid', { zh: `地址无效 ${r.url}`, en: `invalid URL ${r.url}` }, e));
  }
  const httpsOk = r.allowHttps && target.protocol === 'https:';
  if (target.protocol !== 'http:' && !httpsOk) {
    const allowed = r.allowHttps ? 'http/https' : 'http';
    return Promise.reject(r.fail('url_invalid', { zh: `只支持 ${allowed} 地址：${r.url}`, en: `only ${allowed} URLs are supported: ${r.url}` }));
  }
  const lib = httpsOk ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err: SealDeskError | null, value?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (err) reject(err); else resolve(value!);
    };
    const timer = setTimeout(() => done(r.fail('timeout', { zh: `${target.host} 在 ${r.timeoutMs} 毫秒内没有应答`, en: `${target.host} did not answer within ${r.timeoutMs} ms` })), r.timeoutMs);
    const headers: Record<string, string | number> = {};
    if (r.body) { headers['Content-Type'] = r.contentType ?? 'application/octet-stream'; headers['Content-Length'] = r.body.length; }
    if (r.accept) headers.Accept = r.accept;
    const req = lib.request(target, { method: r.method ?? 'GET', headers }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        done(r.fail('http_error', { zh: `${target.host} 返回 HTTP ${res.statusCode}`, en: `${target.host} answered HTTP ${res.statusCode}` }));
        return;
      }
      const declared = Number(res.headers['content-length'] ?? '0');
      if (declared > r.maxBytes) {
        done(r.fail('too_large', { zh: `应答过大（${declared} 字节）`, en: `the answer is too large (${declared} bytes)` }));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > r.maxBytes) done(r.fail('too_large', { zh: `应答超过 ${r.maxBytes} 字节`, en: `the answer exceeds ${r.maxBytes} bytes` }));
        else chunks.push(chunk);
      });
      res.on('end', () => done(null, new Uint8Array(Buffer.concat(chunks))));
      res.on('error', (e) => done(r.fail('unreachable', { zh: '读取应答失败', en: 'reading the answer failed' }, e)));
    });
    req.on('error', (e) => done(r.fail('unreachable', { zh: `无法连接 ${target.host}`, en: `cannot reach ${target.host}` }, e)));
    req.end(r.body ? Buffer.from(r.body) : undefined);
  });
}

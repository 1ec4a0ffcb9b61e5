import { SealDeskError } from '../errors';
import { boundedRequest, type BoundedRequest, type HttpFailure } from '../net/bounded-http';

/**
 * An exchange with a revocation responder (OCSP POST, CRL GET) over plain http (RFC 6960 / RFC 5280
 * publish signed data there; an https CRL URL would need a revocation check of its own TLS chain),
 * bounded by net/bounded-http.ts, failing with REVOCATION_* errors.
 */
const CODES: Record<HttpFailure, string> = {
  url_invalid: 'REVOCATION_URL_INVALID', timeout: 'REVOCATION_TIMEOUT', http_error: 'REVOCATION_HTTP_ERROR',
  too_large: 'REVOCATION_TOO_LARGE', unreachable: 'REVOCATION_UNREACHABLE',
};

export function boundedFetch(r: Omit<BoundedRequest, 'fail' | 'allowHttps'>): Promise<Uint8Array> {
  return boundedRequest({
    ...r,
    fail: (kind, d, cause) => new SealDeskError(CODES[kind], `吊销信息获取失败:${d.zh}`, `Revocation data could not be fetched: ${d.en}`, { cause }),
  });
}

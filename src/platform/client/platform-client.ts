/**
 * A small HTTPS client for the platform's API (CLI, tests, and issue #9's client): TLS pinned to
 * the platform's root (only that CA is trusted), the console session cookie and CSRF token kept
 * after login, and USB-Key-signed requests (a server nonce, then the signature over
 * signedRequestText). Answers are returned as sent; signed ones are checked with client-verify.ts.
 */
import crypto from 'node:crypto';
import https from 'node:https';
import { API_PREFIX, CSRF_HEADER, ROUTES, SIGNED_REQUEST_HEADERS, signedRequestText, type DigestAlgorithm, type NonceView, type RouteName, type SessionView } from '../api/contract';

export interface ApiAnswer<T = unknown> { status: number; body: T; text: string; headers: Record<string, string | string[] | undefined> }

export interface RequestSigner {
  certificate: Uint8Array;
  digestAlg: DigestAlgorithm;
  /** Signs the request text (RSA PKCS#1 / ECDSA with SHA-256, SM2 with SM3), e.g. on the USB-Key. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export class PlatformClient {
  private cookie: string | undefined;
  private csrf: string | undefined;
  private readonly agent: https.Agent;

  constructor(readonly baseUrl: string, rootPem: string, o: { maxSockets?: number } = {}) {
    this.agent = new https.Agent({ ca: rootPem, keepAlive: true, maxSockets: o.maxSockets ?? 8 });
  }

  close(): void { this.agent.destroy(); }

  /** Low level: any method, path under the API prefix (with query), raw body bytes or JSON. */
  raw(method: string, pathAndQuery: string, body?: Uint8Array | string, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const url = new URL(API_PREFIX + pathAndQuery, this.baseUrl);
    const h: Record<string, string> = { ...headers };
    if (body !== undefined && h['content-type'] === undefined) h['content-type'] = 'application/json';
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET' && h[CSRF_HEADER] === undefined) h[CSRF_HEADER] = this.csrf;
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, headers: h, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const setCookie = res.headers['set-cookie'];
          if (setCookie) for (const c of setCookie) if (c.startsWith('sealdesk_session=')) this.cookie = c.split(';')[0];
          const text = buf.toString('utf8');
          let parsed: unknown = buf;
          if ((res.headers['content-type'] ?? '').includes('json')) {
            try { parsed = JSON.parse(text); } catch { parsed = text; }
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** A route of the table, with `:params` filled from `params` and an optional query. */
  call<T = unknown>(name: RouteName, o: { params?: Record<string, string>; query?: Record<string, string | number | undefined>; body?: unknown } = {}): Promise<ApiAnswer<T>> {
    const r = ROUTES[name];
    let p: string = r.path;
    for (const [k, v] of Object.entries(o.params ?? {})) p = p.replace(`:${k}`, encodeURIComponent(v));
    const q = Object.entries(o.query ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&');
    return this.raw(r.method, q ? `${p}?${q}` : p, o.body === undefined ? undefined : JSON.stringify(o.body)) as Promise<ApiAnswer<T>>;
  }

  async login(user: string, password: Buffer): Promise<ApiAnswer<SessionView>> {
    const body = Buffer.from(`{"user":${JSON.stringify(user)},"password":`);
    const pw = Buffer.from(JSON.stringify(password.toString('utf8')));
    const all = Buffer.concat([body, pw, Buffer.from('}')]);
    password.fill(0);
    pw.fill(0);
    try {
      const a = await this.raw('POST', ROUTES.login.path, all) as ApiAnswer<SessionView>;
      if (a.status === 200) this.csrf = a.body.csrfToken;
      return a;
    } finally {
      all.fill(0);
    }
  }

  /** A request signed by the keeper's key: fetch a server nonce, sign, send. */
  async signed<T = unknown>(name: RouteName, bodyValue: unknown, signer: RequestSigner, o: { time?: Date; nonce?: string; tamper?: (body: string) => string } = {}): Promise<ApiAnswer<T>> {
    const r = ROUTES[name];
    const nonce = o.nonce ?? ((await this.call<NonceView>('nonce')).body.nonce);
    const text = JSON.stringify(bodyValue);
    const time = (o.time ?? new Date()).toISOString();
    const bodyDigestHex = crypto.createHash(signer.digestAlg).update(text).digest('hex');
    const toSign = signedRequestText({ method: r.method, path: API_PREFIX + r.path, digestAlg: signer.digestAlg, bodyDigestHex, nonce, time });
    const signature = await signer.sign(new TextEncoder().encode(toSign));
    const H = SIGNED_REQUEST_HEADERS;
    return this.raw(r.method, r.path, o.tamper ? o.tamper(text) : text, {
      [H.certificate]: Buffer.from(signer.certificate).toString('base64'), [H.nonce]: nonce, [H.time]: time, [H.digestAlg]: signer.digestAlg,
      [H.signature]: Buffer.from(signature).toString('base64'),
    }) as Promise<ApiAnswer<T>>;
  }
}

/**
 * The console's calls to the platform's JSON API (src/platform/api/contract.ts): same-origin fetch with
 * the HttpOnly session cookie, and the CSRF token from the login answer in CSRF_HEADER on every call
 * that changes something. A failure becomes an ApiError with the server's code and {zh, en} message.
 */
import {
  API_PREFIX, CSRF_HEADER,
  type ApplicationCreateRequest, type ApplicationState, type ApplicationView, type CheckpointView, type ConsistencyProofView, type DecisionRequest,
  type InclusionProofView, type LeafView, type LoginRequest, type SealView, type SessionView, type SignedEnvelope,
  type StateEventRequest, type TrustBundlePayload, type UnitView,
} from '../api/contract';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly zh: string, readonly en: string, readonly details: Record<string, unknown> = {}) {
    super(`${code}: ${en}`);
  }
}

let csrfToken: string | undefined;

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`${API_PREFIX}${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'OFFLINE', '无法连接平台，请检查网络后重试。', 'The platform cannot be reached; check the network and retry.');
  }
  const text = await res.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : {}; } catch { json = undefined; }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; zh?: string; en?: string; details?: Record<string, unknown> } } | undefined)?.error;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.zh ?? `平台返回错误 ${res.status}`, e?.en ?? `The platform answered ${res.status}`, e?.details ?? {});
  }
  if (json === undefined) throw new ApiError(res.status, 'BAD_ANSWER', '平台的回答不是有效的 JSON', 'The platform’s answer is not valid JSON');
  return json as T;
}

const q = (params: Record<string, string | number | undefined>): string => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, String(v));
  const t = s.toString();
  return t ? `?${t}` : '';
};

export const api = {
  async login(r: LoginRequest): Promise<SessionView> {
    const s = await call<SessionView>('POST', '/session/login', r);
    csrfToken = s.csrfToken;
    return s;
  },
  async session(): Promise<SessionView> {
    const s = await call<SessionView>('GET', '/session');
    csrfToken = s.csrfToken;
    return s;
  },
  async logout(): Promise<void> {
    try { await call('POST', '/session/logout'); } finally { csrfToken = undefined; }
  },
  units: () => call<{ units: UnitView[] }>('GET', '/units'),
  applications: (state?: ApplicationState) => call<{ applications: ApplicationView[] }>('GET', `/applications${q({ state })}`),
  createApplication: (r: ApplicationCreateRequest) => call<ApplicationView>('POST', '/applications', r),
  decide: (id: string, r: DecisionRequest) => call<ApplicationView>('POST', `/applications/${encodeURIComponent(id)}/decision`, r),
  impressionUrl: (id: string) => `${API_PREFIX}/applications/${encodeURIComponent(id)}/impression`,
  seals: () => call<{ seals: SealView[] }>('GET', '/seals'),
  stateEvent: (esID: string, r: StateEventRequest) => call<SealView>('POST', `/seals/${encodeURIComponent(esID)}/events`, r),
  checkpoint: () => call<CheckpointView>('GET', '/log/checkpoint'),
  consistency: (from: number, to: number) => call<ConsistencyProofView>('GET', `/log/proof/consistency${q({ from, to })}`),
  inclusion: (index: number, size: number) => call<InclusionProofView>('GET', `/log/proof/inclusion${q({ index, size })}`),
  leaves: (start: number, end: number) => call<{ leaves: LeafView[] }>('GET', `/log/leaves${q({ start, end })}`),
  trustBundle: () => call<SignedEnvelope<TrustBundlePayload>>('GET', '/trust-bundle'),
};

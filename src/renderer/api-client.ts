/**
 * The renderer's view of the typed API: window.sealdesk (put there by the preload in Electron, by
 * an HTTP shim in the e2e tests). `call` unwraps a result, throwing the error value for catch blocks.
 */
import type { ApiError, OperationName, Req, Res, SealdeskApi } from '../api/contract';

declare global {
  interface Window {
    sealdesk?: SealdeskApi;
  }
}

export class ApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.en);
  }
}

export function api(): SealdeskApi {
  if (!window.sealdesk) throw new ApiFailure({ code: 'NO_API', zh: '应用接口不可用', en: 'The application API is not available' });
  return window.sealdesk;
}

export async function call<K extends OperationName>(op: K, req: Req<K>): Promise<Res<K>> {
  const fn = api()[op] as (r: Req<K>) => ReturnType<SealdeskApi[K]>;
  const r = await fn(req);
  if (!r.ok) throw new ApiFailure(r.error);
  return r.value as Res<K>;
}

export function errorOf(e: unknown): ApiError {
  if (e instanceof ApiFailure) return e.error;
  const msg = e instanceof Error ? e.message : String(e);
  return { code: 'RENDERER_ERROR', zh: `出错了：${msg}`, en: `Something went wrong: ${msg}` };
}

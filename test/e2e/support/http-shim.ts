/**
 * Injected into the page with Playwright's addInitScript: a window.sealdesk with exactly the
 * preload's functions, forwarding each call over loopback HTTP to the test server. It replaces only
 * the Electron IPC transport; the server behind it runs the same handler table over the real core.
 */
import { OPERATION_NAMES, type ApiEvent, type ApiResult, type DocumentRef } from '../../../src/api/contract';
import { decodeWire, encodeWire } from './wire';

async function post(path: string, body: unknown): Promise<ApiResult<unknown>> {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encodeWire(body) });
  return decodeWire(await res.text()) as ApiResult<unknown>;
}

const api: Record<string, unknown> = {};
for (const op of OPERATION_NAMES) api[op] = (req: unknown) => post(`/api/${op}`, req ?? {});
api.openDroppedFile = async (file: File): Promise<ApiResult<DocumentRef>> => {
  // In the browser there is no file path: the test server receives the dropped bytes instead.
  const bytes = new Uint8Array(await file.arrayBuffer());
  return post('/test/drop', { name: file.name, bytes }) as Promise<ApiResult<DocumentRef>>;
};
const listeners = new Set<(e: ApiEvent) => void>();
api.onEvent = (listener: (e: ApiEvent) => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};
// The test can raise main's events (e.g. "documents waiting" after an argv open) through this hook.
(window as unknown as { __sealdeskEmit: (e: ApiEvent) => void }).__sealdeskEmit = (e) => listeners.forEach((l) => l(e));
(window as unknown as { sealdesk: unknown }).sealdesk = Object.freeze(api);

/**
 * The token host: an Electron utilityProcess running the in-process core gateway, so blocking
 * PKCS#11 calls (C_Login, C_Sign take 100 ms to seconds on a real key) never freeze the window.
 * It receives the PIN once, as bytes, for one stamp job; the gateway zeroes it after use.
 */
import { SealDeskError, asSealDeskError } from '../core/errors';
import { realCoreApp } from './core-app';
import { createDirectCore } from './core-direct';
import type { BatchJob, StampJob } from './core-gateway';
import { HOST_METHODS, type HostReply, type HostRequest } from './token-host-protocol';

interface ParentPort {
  on(event: 'message', listener: (e: { data: HostRequest }) => void): void;
  postMessage(message: HostReply): void;
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!port) throw new Error('token-host must run as an Electron utilityProcess');

const core = createDirectCore(realCoreApp());
const aborts = new Map<number, AbortController>();

port.on('message', ({ data }) => {
  if ('abort' in data) {
    aborts.get(data.id)?.abort();
    return;
  }
  void handle(data);
});

async function handle(req: Extract<HostRequest, { method: string }>): Promise<void> {
  const { id, method, args } = req;
  try {
    if (!HOST_METHODS.includes(method)) throw new SealDeskError('OPERATION_UNKNOWN', '未知操作', 'Unknown operation');
    let value: unknown;
    if (method === 'stamp') {
      const job = args[0] as StampJob & { pin: Uint8Array };
      // The PIN arrives as a structured-clone copy; wrap it without another copy and zero it after.
      const pin = Buffer.from(job.pin.buffer, job.pin.byteOffset, job.pin.byteLength);
      const abort = new AbortController();
      aborts.set(id, abort);
      try {
        value = await core.stamp({ ...job, pin }, { signal: abort.signal, onProgress: (stage, fraction) => port!.postMessage({ id, progress: { stage, fraction } }) });
      } finally {
        pin.fill(0);
        aborts.delete(id);
      }
    } else if (method === 'stampBatch') {
      const job = args[0] as BatchJob & { pin: Uint8Array };
      const pin = Buffer.from(job.pin.buffer, job.pin.byteOffset, job.pin.byteLength);
      const abort = new AbortController();
      aborts.set(id, abort);
      try {
        value = await core.stampBatch({ ...job, pin }, { signal: abort.signal, onFile: (file, done, total) => port!.postMessage({ id, progress: { stage: 'file', fraction: done / total, file } }) });
      } finally {
        pin.fill(0);
        aborts.delete(id);
      }
    } else {
      value = await (core[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    }
    port!.postMessage({ id, ok: true, value });
  } catch (e) {
    const err = e instanceof Error && e.name === 'AbortError' ? new SealDeskError('CANCELLED', '已取消', 'Cancelled') : asSealDeskError(e);
    const details = typeof err.details?.triesLeft === 'number' ? { triesLeft: err.details.triesLeft } : undefined;
    port!.postMessage({ id, ok: false, error: { code: err.code, zh: err.zh, en: err.en, ...(details ? { details } : {}) } });
  }
}

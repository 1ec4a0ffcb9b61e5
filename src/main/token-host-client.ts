/**
 * Main's side of the token host: a CoreGateway whose every call is a message to the utilityProcess.
 * The per-token queue lives in the host (one process holds the PKCS#11 module).
 */
import { SealDeskError } from '../core/errors';
import type { BatchResultView } from '../api/contract';
import type { BatchHooks, BatchJob, CoreGateway, StampHooks, StampJob } from './core-gateway';
import type { HostMethod, HostReply, HostRequest } from './token-host-protocol';

export interface HostProcessLike {
  postMessage(message: HostRequest): void;
  on(event: 'message', listener: (message: HostReply) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  kill(): boolean;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (stage: string, fraction: number, file?: BatchResultView) => void;
}

export function createTokenHostClient(spawn: () => HostProcessLike): CoreGateway {
  let host: HostProcessLike | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const ensureHost = (): HostProcessLike => {
    if (host) return host;
    const h = spawn();
    h.on('message', (m: HostReply) => {
      const p = pending.get(m.id);
      if (!p) return;
      if ('progress' in m) return p.onProgress?.(m.progress.stage, m.progress.fraction, m.progress.file);
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new SealDeskError(m.error.code, m.error.zh, m.error.en, { details: m.error.details }));
    });
    h.on('exit', () => {
      host = null;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new SealDeskError('TOKEN_HOST_EXITED', '密钥服务进程意外退出，请重试', 'The token host process stopped unexpectedly; please retry'));
      }
    });
    host = h;
    return h;
  };

  const call = (method: HostMethod, args: unknown[], hooks?: { signal?: AbortSignal; onProgress?: Pending['onProgress'] }): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject, onProgress: hooks?.onProgress });
      const h = ensureHost();
      hooks?.signal?.addEventListener('abort', () => h.postMessage({ id, abort: true }), { once: true });
      h.postMessage({ id, method, args });
    });

  return {
    listTokens: () => call('listTokens', []) as ReturnType<CoreGateway['listTokens']>,
    stamp: async (job: StampJob, hooks: StampHooks) => {
      // The PIN crosses to the host once (structured clone copies it), then main's copy is wiped.
      const pin = new Uint8Array(job.pin);
      job.pin.fill(0);
      try {
        return (await call('stamp', [{ ...job, pin }], hooks)) as Awaited<ReturnType<CoreGateway['stamp']>>;
      } finally {
        pin.fill(0);
      }
    },
    stampBatch: async (job: BatchJob, hooks: BatchHooks) => {
      const pin = new Uint8Array(job.pin);
      job.pin.fill(0);
      try {
        const onProgress = (_stage: string, fraction: number, file?: BatchResultView) => { if (file) hooks.onFile?.(file, Math.round(fraction * job.inputs.length), job.inputs.length); };
        return (await call('stampBatch', [{ ...job, pin }], { signal: hooks.signal, onProgress })) as Awaited<ReturnType<CoreGateway['stampBatch']>>;
      } finally {
        pin.fill(0);
      }
    },
    sealPicture: (job) => call('sealPicture', [job]) as ReturnType<CoreGateway['sealPicture']>,
    verify: (file) => call('verify', [file]) as ReturnType<CoreGateway['verify']>,
    signatureDetails: (file, field) => call('signatureDetails', [file, field]) as ReturnType<CoreGateway['signatureDetails']>,
    findKeyword: (file, text) => call('findKeyword', [file, text]) as ReturnType<CoreGateway['findKeyword']>,
    trustAdd: (file) => call('trustAdd', [file]) as ReturnType<CoreGateway['trustAdd']>,
    trustList: () => call('trustList', []) as ReturnType<CoreGateway['trustList']>,
    auditList: (limit) => call('auditList', [limit]) as ReturnType<CoreGateway['auditList']>,
    auditVerify: () => call('auditVerify', []) as ReturnType<CoreGateway['auditVerify']>,
    settingsGet: () => call('settingsGet', []) as ReturnType<CoreGateway['settingsGet']>,
    settingsSet: (s) => call('settingsSet', [s]) as ReturnType<CoreGateway['settingsSet']>,
    sealStates: (esIDs) => call('sealStates', [esIDs]) as ReturnType<CoreGateway['sealStates']>,
    platformGet: () => call('platformGet', []) as ReturnType<CoreGateway['platformGet']>,
    platformUse: (url, rootFile) => call('platformUse', [url, rootFile]) as ReturnType<CoreGateway['platformUse']>,
    platformRemove: () => call('platformRemove', []) as ReturnType<CoreGateway['platformRemove']>,
    close: () => {
      host?.kill();
      host = null;
    },
  };
}

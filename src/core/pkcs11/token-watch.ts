import { execFile } from 'node:child_process';
import { SealDeskError } from '../errors';
import type { Pkcs11Module } from './module';
import { tokenInfoFrom, type TokenInfo } from './tokens';

/**
 * Noticing USB-Keys being inserted and removed. There is no portable event: SoftHSM2 has no
 * C_WaitForSlotEvent, and like many modules it reads its slot configuration only in C_Initialize,
 * so polling C_GetSlotList in this process would never see a token directory appear. Each poll
 * therefore asks a short-lived child process that loads the module afresh and prints the present
 * tokens; the sessions of this process are never disturbed. When the set of tokens changes and
 * no session is open here, the in-process module is re-initialized so that findToken and
 * withSession see the same world the watcher reported.
 */

// The child: plain JS (no TypeScript loader needed, fast start), talks to the module through pkcs11js.
const PROBE = `
const [pkcs11jsPath, modulePath] = process.argv.slice(-2);
const pkcs11js = require(pkcs11jsPath);
const lib = new pkcs11js.PKCS11();
lib.load(modulePath);
lib.C_Initialize();
const out = [];
try {
  for (const slot of lib.C_GetSlotList(true)) {
    try {
      const t = lib.C_GetTokenInfo(slot);
      out.push({ slotId: slot.toString('hex'), label: t.label, serialNumber: t.serialNumber, manufacturerID: t.manufacturerID, model: t.model, flags: t.flags, minPinLen: t.minPinLen, maxPinLen: t.maxPinLen });
    } catch (e) { /* pulled while we looked */ }
  }
} finally { lib.C_Finalize(); }
process.stdout.write(JSON.stringify(out));
`;

type ProbeRow = Parameters<typeof tokenInfoFrom>[1] & { slotId: string };

/** Lists the tokens as a fresh process sees them now (initialized tokens only). */
export function probeTokens(modulePath: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<TokenInfo[]> {
  const pkcs11jsPath = require.resolve('pkcs11js');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', PROBE, pkcs11jsPath, modulePath], {
      // ELECTRON_RUN_AS_NODE lets the same code run under Electron's binary.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      timeout: opts.timeoutMs ?? 15_000,
      maxBuffer: 1024 * 1024,
      signal: opts.signal,
      windowsHide: true,
    }, (err, stdout, stderr) => {
      if (err) {
        const why = (stderr || err.message).split('\n').find((l) => /CKR_|Error/.test(l)) ?? err.message;
        reject(new SealDeskError('TOKEN_PROBE_FAILED', `无法查询印章卡:${why}`, `Could not look for USB-Keys: ${why}`, { cause: err, details: { module: modulePath } }));
        return;
      }
      try {
        const rows = JSON.parse(stdout) as ProbeRow[];
        resolve(rows.map((r) => tokenInfoFrom(r.slotId, r)).filter((t) => t.flags.tokenInitialized));
      } catch (e) {
        reject(new SealDeskError('TOKEN_PROBE_FAILED', '查询印章卡的结果无法解析', 'The USB-Key probe returned unreadable output', { cause: e }));
      }
    });
  });
}

export interface TokenChange {
  inserted: TokenInfo[];
  removed: TokenInfo[];
}

export interface WatchOptions {
  /** Poll interval (default 1000 ms). The next poll starts that long after the previous one ended. */
  intervalMs?: number;
  /** Report the tokens present at start as inserted (default true), so a UI gets its first state. */
  emitInitial?: boolean;
  /** Probe failures (module gone, timeout); the watcher keeps polling. */
  onError?: (e: SealDeskError) => void;
}

const identity = (t: TokenInfo): string => `${t.serial}\n${t.label}`;

/**
 * Polls for inserted and removed tokens; onChange gets the full current list and what changed.
 * Returns stop().
 */
export function watchTokens(mod: Pkcs11Module, opts: WatchOptions, onChange: (tokens: TokenInfo[], change: TokenChange) => void): () => void {
  const interval = Math.max(50, opts.intervalMs ?? 1000);
  const abort = new AbortController();
  let known: Map<string, TokenInfo> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const tick = async (): Promise<void> => {
    try {
      const tokens = await probeTokens(mod.path, { signal: abort.signal });
      if (stopped) return;
      const now = new Map(tokens.map((t) => [identity(t), t]));
      const before = known ?? new Map<string, TokenInfo>();
      const inserted = [...now].filter(([k]) => !before.has(k)).map(([, t]) => t);
      const removed = [...before].filter(([k]) => !now.has(k)).map(([, t]) => t);
      const first = known === undefined;
      known = now;
      if (inserted.length || removed.length) {
        if (!first) {
          // Bring the in-process module up to date when that disturbs nobody.
          try { mod.refresh(); } catch { /* the next findToken will report it */ }
        }
        if (!first || (opts.emitInitial ?? true)) onChange(tokens, { inserted, removed });
      }
    } catch (e) {
      if (stopped) return;
      opts.onError?.(e instanceof SealDeskError ? e : new SealDeskError('TOKEN_PROBE_FAILED', '无法查询印章卡', 'Could not look for USB-Keys', { cause: e }));
    } finally {
      if (!stopped) timer = setTimeout(() => void tick(), interval);
    }
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    abort.abort();
  };
}

/**
 * The binding to the lead's use cases in src/core/app (listTokens, stampDocument, verifyDocument):
 * the only place that knows their exact signatures, converting to and from the API's view types.
 */
import fs from 'node:fs';
import type { BatchOutcome, KeywordHit, StampPlatformView, TokenView, VerificationReport } from '../api/contract';
import { findKeyword } from '../core/sign/keyword-locator';
import { AppContext } from '../core/app/context';
import { stampDocument } from '../core/app/stamping';
import { verifyDocumentWithStatus } from '../core/app/verification';
import { homePaths } from '../core/config/paths';
import { listTokens as listModuleTokens } from '../core/pkcs11';
import { keeperKeyPair, listTokenOverviews, type TokenOverview } from '../core/app/token-overview';
import type { BatchHooks, BatchJob, StampHooks, StampJob } from './core-gateway';
import { stampBatch } from '../core/app/batch-stamping';
import path from 'node:path';

export interface CoreApp {
  listTokens(modulePaths: string[]): Promise<TokenView[]>;
  stamp(job: StampJob & { modulePaths: string[]; tsaUrl?: string }, hooks: StampHooks): Promise<{ output: string; fields: string[]; platform: StampPlatformView }>;
  verify(file: string): Promise<VerificationReport>;
  findKeyword(file: string, text: string): Promise<KeywordHit[]>;
  stampBatch(job: BatchJob & { modulePaths: string[]; tsaUrl?: string }, hooks: BatchHooks): Promise<BatchOutcome>;
}

/** Rough share of the work done when a stage starts, for the progress bar. */
const STAGE_FRACTION: Record<string, number> = { seal_status: 0.01, permit: 0.03, record: 0.95, reading: 0.05, placing: 0.15, preparing: 0.3, hashing: 0.5, signing: 0.7, writing: 0.9, done: 1 };

/** A token as the panel shows it: only seals that decode and whose picture a browser can draw. */
export function tokenView(o: TokenOverview): TokenView {
  const seals = o.seals.flatMap((s) => {
    const info = s.seal?.eSealInfo;
    if (!info) return [];
    const type = info.picture.type.toUpperCase();
    const pictureType = type === 'PNG' ? 'png' : type === 'JPG' || type === 'JPEG' ? 'jpeg' : null;
    if (!pictureType) return [];
    return [{ esID: info.esID, name: info.property.name, pictureType, picture: info.picture.data, widthMm: info.picture.width, heightMm: info.picture.height } as const];
  });
  const keeper = keeperKeyPair(o, o.seals[0]?.ckaId) ?? keeperKeyPair(o);
  return { label: o.token.label, serial: o.token.serial, keeperSubject: keeper?.subject, seals, triesLeft: o.pin.triesLeft, locked: o.pin.locked };
}

export function realCoreApp(home?: string): CoreApp {
  // One context per configured module path; the module itself is loaded once per process.
  const contexts = new Map<string, AppContext>();
  // A context holds config.json as it was read; when the settings change it (a platform configured
  // or removed), the next call gets a fresh one.
  const configFile = homePaths(home).configFile;
  let configSeen = '';
  const configStamp = () => { try { const st = fs.statSync(configFile); return `${st.mtimeMs}:${st.size}`; } catch { return 'none'; } };
  // Seals seen on the tokens listed in this session: copies of them are named when verifying.
  const tokenSeals = new Map<string, Uint8Array>();
  const contextFor = (modulePath: string | undefined) => {
    const stamp = configStamp();
    if (stamp !== configSeen) {
      contexts.clear();
      configSeen = stamp;
    }
    const key = modulePath ?? '';
    let ctx = contexts.get(key);
    if (!ctx) {
      ctx = new AppContext({ home, module: modulePath });
      contexts.set(key, ctx);
    }
    return ctx;
  };
  const contextForToken = (modulePaths: string[], serial: string) => {
    const candidates = modulePaths.length > 0 ? modulePaths : [undefined];
    // The module that holds this token (several vendor libraries may be configured).
    return contextFor(candidates.find((m) => listModuleTokens(contextFor(m).module()).some((t) => t.serial === serial)) ?? candidates[0]);
  };
  return {
    listTokens: async (modulePaths) => {
      const out: TokenView[] = [];
      for (const m of modulePaths.length > 0 ? modulePaths : [undefined]) {
        const ctx = contextFor(m);
        // Modules like SoftHSM2 learn about inserted/removed tokens only on re-initialization;
        // refresh() declines while a session (a stamp) is open, and then the last state stands.
        ctx.module().refresh();
        const overviews = await listTokenOverviews(ctx);
        for (const o of overviews) for (const s of o.seals) if (s.seal) tokenSeals.set(s.seal.eSealInfo.esID, s.der);
        out.push(...overviews.map(tokenView));
      }
      return out;
    },
    stamp: async (job, hooks) => {
      const ctx = contextForToken(job.modulePaths, job.tokenSerial);
      const result = await stampDocument(ctx, {
        input: job.input,
        output: job.output,
        token: job.tokenSerial,
        esID: job.esID,
        placement: job.placement,
        // Core asks for the PIN at the last moment, once per signature (several for "every 盖章处"),
        // and zeroes what it gets after the login; each ask gets a fresh copy of the one PIN the
        // person typed, and the gateway zeroes that when the job ends.
        askPin: async () => Buffer.from(job.pin),
        tsaUrl: job.tsaUrl,
        signal: hooks.signal,
        onProgress: (p) => hooks.onProgress?.(p.stage, p.total ? (p.index ?? 0) / p.total : STAGE_FRACTION[p.stage] ?? 0),
      });
      const p = result.platform;
      const platform: StampPlatformView = { checked: p.checked, ...(p.note ? { note: p.note } : {}), ...(p.receipt ? { logIndex: p.receipt.logIndex } : {}), ...(p.recordQueued ? { recordQueued: true } : {}) };
      return { output: result.output, fields: result.stamps.map((s) => s.fieldName), platform };
    },
    stampBatch: async (job, hooks): Promise<BatchOutcome> => {
      let done = 0;
      const s = await stampBatch(contextForToken(job.modulePaths, job.tokenSerial), {
        inputs: job.inputs, outDir: job.outDir, token: job.tokenSerial, esID: job.esID, placement: job.placement,
        // One PIN for the batch: core asks once and logs in once; each ask gets a fresh copy.
        askPin: async () => Buffer.from(job.pin), tsaUrl: job.tsaUrl, signal: hooks.signal,
        onFile: (r, { total }) => hooks.onFile?.({ name: path.basename(r.input), status: r.status, code: r.code, zh: r.zh, en: r.en }, ++done, total),
      });
      return {
        total: s.total, stamped: s.stamped, skipped: s.skipped, failed: s.failed, notAttempted: s.notAttempted, stoppedBy: s.stoppedBy,
        results: s.results.map((r) => ({ name: path.basename(r.input), status: r.status, code: r.code, zh: r.zh, en: r.en })),
      };
    },
    // 验章 with the seal status check (印章状态) against the configured platform, offline as before without one.
    verify: async (file) => verifyDocumentWithStatus(contextFor(undefined), file, { sealCatalog: [...tokenSeals.values()] }),
    // The same locator the stamping pipeline uses, so the preview shows where the seals will land.
    findKeyword: async (file, text) => (await findKeyword(new Uint8Array(await fs.promises.readFile(file)), text)).map((h) => ({ page: h.pageIndex + 1, x: h.x, y: h.y })),
  };
}

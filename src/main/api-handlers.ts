/**
 * The one handler table: every operation of the contract mapped onto core calls. The Electron IPC
 * layer (ipc.ts) and the e2e test server both call it, so the tests exercise exactly this code.
 * No domain rule lives here: verdicts, PIN counting and placement come from core.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ApiError, ApiResult, BatchResultView, Language, OperationName, Operations, Req, Res, SealPictureSource } from '../api/contract';
import { RequestInvalid, invalidRequestError, validators } from '../api/validate';
import { SealDeskError } from '../core/errors';
import { writeFileAtomic } from '../core/fs/atomic-write';
import { auditCsv } from './audit-csv';
import { RecentFiles } from './recent-files';
import type { CoreGateway, SealPictureJob } from './core-gateway';
import { DocumentRegistry, defaultStampedPath } from './document-registry';
import { reportHtmlFor, writeReportPdf, type HtmlToPdf, type ReportSources } from './report-pdf';

/** The dialogs main shows (Electron's dialog module; a test-controlled queue in the e2e server). */
export interface Dialogs {
  chooseOpenPdf(): Promise<string | null>;
  chooseSavePdf(defaultPath: string): Promise<string | null>;
  chooseTrustRoot(): Promise<string | null>;
  chooseSaveReport(defaultPath: string): Promise<string | null>;
  chooseSaveCsv(defaultPath: string): Promise<string | null>;
  /** The seal platform's root CA certificate (PEM), chosen when configuring the platform. */
  choosePlatformRoot(): Promise<string | null>;
  /** Several PDFs at once (批量签章); [] when cancelled. */
  chooseOpenPdfs(): Promise<string[]>;
  /** A folder for a batch's outputs. */
  chooseDirectory(): Promise<string | null>;
  /** A scan or photo (PNG/JPEG) of a seal impression. */
  chooseSealScan(): Promise<string | null>;
  chooseSavePng(defaultPath: string): Promise<string | null>;
}

export interface HandlerDeps {
  core: CoreGateway;
  dialogs: Dialogs;
  documents: DocumentRegistry;
  /** Chromium's print engine (Electron's printToPDF in the app, page.pdf in the e2e harness). */
  htmlToPdf: HtmlToPdf;
  /** Recently opened documents (persisted by the app; in memory when absent). */
  recent?: RecentFiles;
}

export type HandlerTable = { [K in OperationName]: (req: Req<K>) => Promise<Res<K>> };

/** Documents larger than this are not sent to the renderer in one piece. */
const MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;

interface Job {
  abort: AbortController;
  progress: { stage: string; fraction: number } | null;
  signing: boolean;
}

export function createApiHandlers({ core, dialogs, documents, htmlToPdf, recent = new RecentFiles() }: HandlerDeps): HandlerTable {
  // A document served by ranges (document-ranges.ts) joins the recent files the first time it is read.
  documents.onFirstRead = (p) => recent.remember(p);
  const jobs = new Map<string, Job>();
  // Folders and scans a person chose in a dialog, by opaque id (the renderer never sees a path).
  const outputDirs = new Map<string, string>();
  const scans = new Map<string, string>();
  const batches = new Map<string, { done: number; total: number; results: BatchResultView[] }>();
  const newId = () => crypto.randomBytes(12).toString('hex');
  const pictureJob = (src: SealPictureSource): SealPictureJob => {
    if (src.from === 'text') return src;
    const file = scans.get(src.scanId);
    if (!file) throw new SealDeskError('SCAN_UNKNOWN', '未选择扫描图片', 'No scan was chosen');
    return { from: 'scan', file, widthMm: src.widthMm, heightMm: src.heightMm };
  };
  const reportSources = async (docId: string, lang: Language): Promise<ReportSources> => {
    const file = documents.pathOf(docId);
    return { report: await core.verify(file), file, documentName: path.basename(file), lang, details: (field) => core.signatureDetails(file, field) };
  };

  return {
    async openDocument() {
      const p = await dialogs.chooseOpenPdf();
      return p ? documents.add(p) : null;
    },
    async recentDocuments() {
      return recent.names();
    },
    async openRecent({ index }) {
      const p = recent.pathAt(index);
      if (!p) throw new SealDeskError('RECENT_UNKNOWN', '最近文件列表中没有这一项', 'No such entry in the recent files');
      return documents.add(p);
    },
    async readDocument({ docId }) {
      const p = documents.pathOf(docId);
      const st = await fs.promises.stat(p);
      if (st.size > MAX_DOCUMENT_BYTES) throw new SealDeskError('DOCUMENT_TOO_LARGE', '文件过大，无法显示', 'The file is too large to display');
      const bytes = new Uint8Array(await fs.promises.readFile(p));
      recent.remember(p);
      return bytes;
    },
    async verifyDocument({ docId }) {
      return core.verify(documents.pathOf(docId));
    },
    async takeOpenedDocuments() {
      return documents.takeWaiting();
    },
    async listTokens() {
      return core.listTokens();
    },
    async findKeyword({ docId, text }) {
      return core.findKeyword(documents.pathOf(docId), text);
    },
    async chooseStampOutput({ docId }) {
      const original = documents.pathOf(docId);
      const chosen = await dialogs.chooseSavePdf(defaultStampedPath(original));
      if (!chosen) return null;
      if (path.resolve(chosen) === path.resolve(original)) {
        throw new SealDeskError('OUTPUT_IS_ORIGINAL', '不能覆盖原文件，请另存为新文件', 'The original is never overwritten: save the stamped copy under a new name');
      }
      return documents.addOutput(docId, chosen);
    },
    async stamp({ jobId, docId, outputId, tokenSerial, esID, placement, pin }) {
      // One copy of the PIN goes to core; the request's bytes are wiped now so no second copy lingers.
      const pinBuf = Buffer.from(pin);
      pin.fill(0);
      if (jobs.has(jobId)) {
        pinBuf.fill(0);
        throw new SealDeskError('JOB_EXISTS', '签章任务已存在', 'A stamping job with this id is already running');
      }
      const job: Job = { abort: new AbortController(), progress: { stage: 'start', fraction: 0 }, signing: false };
      jobs.set(jobId, job);
      try {
        const input = documents.pathOf(docId);
        const output = documents.outputPath(outputId, docId);
        const result = await core.stamp(
          { input, output, tokenSerial, esID, placement, pin: pinBuf },
          {
            signal: job.abort.signal,
            onProgress: (stage, fraction) => {
              job.progress = { stage, fraction };
              // From the moment the token is asked to sign, cancelling is no longer offered.
              if (stage === 'signing' || stage === 'sign') job.signing = true;
            },
          },
        );
        documents.releaseOutput(outputId);
        return { document: documents.addStampedCopy(docId, result.output), fields: result.fields, ...(result.platform ? { platform: result.platform } : {}) };
      } finally {
        pinBuf.fill(0);
        // Keep the finished job briefly so a last progress poll sees it end, then forget it.
        job.progress = { stage: 'done', fraction: 1 };
        setTimeout(() => jobs.delete(jobId), 5_000).unref?.();
      }
    },
    async cancelStamp({ jobId }) {
      const job = jobs.get(jobId);
      // Once the token signs, cancelling would leave the keeper unsure whether a stamp exists.
      if (!job || job.signing || job.progress?.stage === 'done') return { cancelled: false };
      job.abort.abort();
      return { cancelled: true };
    },
    async stampProgress({ jobId }) {
      return jobs.get(jobId)?.progress ?? null;
    },
    async trustAdd() {
      const p = await dialogs.chooseTrustRoot();
      if (!p) return core.trustList();
      return core.trustAdd(p);
    },
    async trustList() {
      return core.trustList();
    },
    async auditList({ limit }) {
      return core.auditList(limit);
    },
    auditVerify() {
      return core.auditVerify();
    },
    async auditExport({ language }) {
      const target = await dialogs.chooseSaveCsv(language === 'zh' ? '审计日志.csv' : 'audit-log.csv');
      if (!target) return null;
      const entries = (await core.auditList(1_000_000)).reverse();
      writeFileAtomic(target, Buffer.from(auditCsv(entries, language)));
      return { name: path.basename(target), count: entries.length };
    },
    async settingsGet() {
      return core.settingsGet();
    },
    async settingsSet(settings) {
      return core.settingsSet(settings);
    },
    async exportReport({ docId, language }) {
      const p = documents.pathOf(docId);
      const target = await dialogs.chooseSaveReport(p.replace(/\.pdf$/i, '') + (language === 'zh' ? '-验证报告.pdf' : '-verification-report.pdf'));
      if (!target) return null;
      if (path.resolve(target) === path.resolve(p)) {
        throw new SealDeskError('OUTPUT_IS_ORIGINAL', '不能覆盖原文件，请另存为新文件', 'The original is never overwritten: save the report under a new name');
      }
      await writeReportPdf(await reportSources(docId, language), target, htmlToPdf);
      return { name: path.basename(target) };
    },
    async reportHtml({ docId, language }) {
      return reportHtmlFor(await reportSources(docId, language));
    },
    async signatureDetails({ docId, field }) {
      return core.signatureDetails(documents.pathOf(docId), field);
    },
    async sealStates({ esIDs }) {
      return core.sealStates(esIDs);
    },
    async platformGet() {
      return core.platformGet();
    },
    async platformUse({ url }) {
      const root = await dialogs.choosePlatformRoot();
      if (!root) return null;
      return core.platformUse(url, root);
    },
    async platformRemove() {
      return core.platformRemove();
    },
    async chooseBatchDocuments() {
      return (await dialogs.chooseOpenPdfs()).map((p) => documents.add(p));
    },
    async chooseBatchOutputDir() {
      const dir = await dialogs.chooseDirectory();
      if (!dir) return null;
      const outputId = newId();
      outputDirs.set(outputId, path.resolve(dir));
      return { outputId, name: path.basename(dir) };
    },
    async stampBatch({ jobId, docIds, outputId, tokenSerial, esID, placement, pin }) {
      const pinBuf = Buffer.from(pin);
      pin.fill(0);
      if (jobs.has(jobId)) {
        pinBuf.fill(0);
        throw new SealDeskError('JOB_EXISTS', '签章任务已存在', 'A stamping job with this id is already running');
      }
      // A batch can be cancelled between documents at any time: the current one finishes or fails whole.
      const job: Job = { abort: new AbortController(), progress: { stage: 'batch', fraction: 0 }, signing: false };
      jobs.set(jobId, job);
      const progress = { done: 0, total: docIds.length, results: [] as BatchResultView[] };
      batches.set(jobId, progress);
      try {
        const outDir = outputDirs.get(outputId);
        if (!outDir) throw new SealDeskError('OUTPUT_UNKNOWN', '未选择保存位置', 'No output folder was chosen');
        const inputs = docIds.map((d) => documents.pathOf(d));
        return await core.stampBatch({ inputs, outDir, tokenSerial, esID, placement, pin: pinBuf }, {
          signal: job.abort.signal,
          onFile: (r, done, total) => {
            progress.results.push(r);
            progress.done = done;
            job.progress = { stage: 'batch', fraction: done / total };
          },
        });
      } finally {
        pinBuf.fill(0);
        job.progress = { stage: 'done', fraction: 1 };
        setTimeout(() => { jobs.delete(jobId); batches.delete(jobId); }, 5_000).unref?.();
      }
    },
    async batchProgress({ jobId }) {
      const b = batches.get(jobId);
      return b ? { done: b.done, total: b.total, results: [...b.results] } : null;
    },
    async chooseSealScan() {
      const p = await dialogs.chooseSealScan();
      if (!p) return null;
      const scanId = newId();
      scans.set(scanId, path.resolve(p));
      return { scanId, name: path.basename(p) };
    },
    async sealPicturePreview(src) {
      return core.sealPicture(pictureJob(src));
    },
    async saveSealPicture(src) {
      const job = pictureJob(src);
      const picture = await core.sealPicture(job);
      const target = await dialogs.chooseSavePng(job.from === 'scan' ? job.file.replace(/\.(png|jpe?g)$/i, '') + '-印模.png' : `${job.name}-印模.png`);
      if (!target) return null;
      if (job.from === 'scan' && path.resolve(target) === path.resolve(job.file)) {
        throw new SealDeskError('OUTPUT_IS_ORIGINAL', '不能覆盖扫描原件,请另存为新文件', 'The scan is never overwritten: save the picture under a new name');
      }
      writeFileAtomic(target, picture.png);
      return { name: path.basename(target), bytes: picture.png.length };
    },
  };
}

/** Turns anything thrown into an error value the UI can show; never leaks a stack or a path. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof SealDeskError) {
    const details: ApiError['details'] = {};
    const d = e.details ?? {};
    if (typeof d.triesLeft === 'number') details.triesLeft = d.triesLeft;
    if (e.code === 'PIN_LOCKED' || d.locked === true) details.locked = true;
    return { code: e.code, zh: e.zh, en: e.en, ...(Object.keys(details).length ? { details } : {}) };
  }
  if (e instanceof RequestInvalid) return invalidRequestError('request', e);
  if (e instanceof Error && e.name === 'AbortError') return { code: 'CANCELLED', zh: '已取消', en: 'Cancelled' };
  if (isErrorValue(e)) return e;
  return { code: 'INTERNAL', zh: '内部错误', en: 'Internal error' };
}

function isErrorValue(e: unknown): e is ApiError {
  return typeof e === 'object' && e !== null && typeof (e as ApiError).code === 'string' && typeof (e as ApiError).zh === 'string' && typeof (e as ApiError).en === 'string';
}

/**
 * Validate, then call: the entry point both transports use. An unknown operation or a request that
 * fails its validator never reaches a handler.
 */
export async function invokeOperation(table: HandlerTable, op: string, raw: unknown): Promise<ApiResult<unknown>> {
  if (!Object.prototype.hasOwnProperty.call(validators, op)) {
    return { ok: false, error: { code: 'OPERATION_UNKNOWN', zh: '未知操作', en: 'Unknown operation' } };
  }
  const name = op as OperationName;
  let req: Operations[OperationName]['req'];
  try {
    req = validators[name](raw);
  } catch (e) {
    if (e instanceof RequestInvalid) return { ok: false, error: invalidRequestError(name, e) };
    return { ok: false, error: toApiError(e) };
  }
  try {
    const handler = table[name] as (r: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(req) };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BatchOutcome, BatchResultView } from '../../api/contract';
import { SealDeskError, asSealDeskError } from '../errors';
import { verifyPdf } from '../verify/verify-pdf';
import type { AppContext } from './context';
import { BatchJournal, JOURNAL_NAME, type JournalState } from './batch-journal';
import { HeldLogin } from './held-login';
import { stampDocument, type StampRequest } from './stamping';

/**
 * 批量签章: the same seal at the same placement on many PDFs with one PIN entry and one login.
 * Each document goes through stampDocument (every pre-check, the platform permit where a platform
 * is configured, the atomic write, the audit entry), so a batch stamps exactly like single stamps.
 * A document that fails is named and the batch carries on; a failure that would fail every
 * document alike (PIN, token, seal, audit log) ends the batch. The journal in OUTDIR makes an
 * interrupted batch resumable: running it again skips outputs that are complete and intact.
 */
export interface BatchRequest extends Pick<StampRequest, 'token' | 'esID' | 'placement' | 'askPin' | 'tsaUrl' | 'signal'> {
  inputs: string[];
  outDir: string;
  onStart?: (p: { total: number; alreadyDone: number }) => void;
  /** Before each document: what the progress shows. */
  onBegin?: (p: { index: number; total: number; input: string }) => void;
  onFile?: (r: BatchFileResult, p: { index: number; total: number }) => void;
  now?: () => Date;
}

export type BatchFileStatus = BatchResultView['status'];

export interface BatchFileResult {
  input: string;
  output: string;
  status: BatchFileStatus;
  /** For 'skipped': why (already stamped by an earlier run of this batch). */
  note?: string;
  code?: string;
  zh?: string;
  en?: string;
  stamps?: { field: string; page: number }[];
}

/** The API's outcome (counts, the error that ended the batch early) with core's per-file results (paths). */
export interface BatchSummary extends Omit<BatchOutcome, 'results'> {
  logins: number;
  results: BatchFileResult[];
}

/** Errors after which every further document would fail the same way: the batch stops (and can be resumed). */
const BATCH_STOPPERS = /^(PIN_|TOKEN_|SESSION_|USER_|MODULE_|PKCS11_|SEAL_NOT_ON_TOKEN|SEAL_AMBIGUOUS|SEAL_INVALID|KEEPER_CERT_|KEY_CERT_|SIGNER_NOT_IN_SEAL|AUDIT_|OUTPUT_DIR_UNWRITABLE|CANCELLED|STAMP_CANCELLED|MECHANISM_NOT_SUPPORTED|KEY_CANNOT_SIGN)/;

export function stopsBatch(code: string): boolean {
  return BATCH_STOPPERS.test(code);
}

function batchError(code: string, zh: string, en: string, details: Record<string, unknown> = {}): SealDeskError {
  return new SealDeskError(code, zh, en, { details });
}

/**
 * The documents of a batch: a directory (its *.pdf files, sorted by name) or a list file (one path
 * a line, relative to the list's folder; blank lines and lines starting with # are skipped).
 */
export function batchInputs(spec: string): string[] {
  let st: fs.Stats;
  try { st = fs.statSync(spec); } catch (e) {
    throw new SealDeskError('BATCH_LIST_UNREADABLE', `找不到批量签章的文件列表或目录 ${spec}`, `The batch list or folder ${spec} does not exist`, { cause: e });
  }
  if (st.isDirectory()) {
    return fs.readdirSync(spec, { withFileTypes: true }).filter((d) => d.isFile() && /\.pdf$/i.test(d.name) && !d.name.startsWith('.'))
      .map((d) => path.join(spec, d.name)).sort();
  }
  const base = path.dirname(path.resolve(spec));
  return fs.readFileSync(spec, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => path.resolve(base, l));
}

const sha256File = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Names every clash up front: two inputs with one output name, an output that would replace an input. */
function planOutputs(inputs: string[], outDir: string): string[] {
  if (inputs.length === 0) throw batchError('BATCH_EMPTY', '批量签章列表中没有 PDF 文件', 'The batch has no PDF files');
  const seen = new Map<string, string>();
  const resolvedInputs = new Set(inputs.map((i) => path.resolve(i)));
  return inputs.map((input) => {
    const name = path.basename(input);
    if (name === JOURNAL_NAME) throw batchError('BATCH_NAME_CLASH', `文件名 ${name} 保留给批量签章日志`, `The name ${name} is reserved for the batch journal`);
    const other = seen.get(name);
    if (other) throw batchError('BATCH_NAME_CLASH', `${other} 与 ${input} 的输出文件同名 (${name})`, `${other} and ${input} would both be written to ${name}`, { name });
    seen.set(name, input);
    const output = path.join(outDir, name);
    if (resolvedInputs.has(path.resolve(output))) {
      throw batchError('BATCH_OUTPUT_IS_INPUT', `输出目录不能是输入文件所在目录(会覆盖 ${input})`, `The output folder must not hold the inputs (${input} would be replaced)`);
    }
    return output;
  });
}

/** Temp files of writeFileAtomic left by a killed earlier run (their process is gone). */
function removeStaleTempFiles(outDir: string): void {
  for (const name of fs.readdirSync(outDir)) {
    const m = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    let alive = true;
    try { process.kill(Number(m[1]), 0); } catch (e) { alive = (e as NodeJS.ErrnoException).code === 'EPERM'; }
    if (!alive) try { fs.unlinkSync(path.join(outDir, name)); } catch { /* gone already */ }
  }
}

/**
 * Whether OUT is INPUT with one more stamp whose bytes are intact: OUT starts with INPUT byte for byte
 * (an incremental update) and its newest signature's byte range, digest and signature check out.
 * Trust is not judged here: it is the same for every output of the batch and verify reports it.
 */
export function isCompleteStampOf(input: Buffer, output: string): boolean {
  let out: Buffer;
  try { out = fs.readFileSync(output); } catch { return false; }
  if (out.length <= input.length || !out.subarray(0, input.length).equals(input)) return false;
  try {
    const report = verifyPdf(new Uint8Array(out.buffer, out.byteOffset, out.length), { trustRoots: [] });
    const newest = report.signatures.find((s) => s.coversWholeFile);
    if (!newest) return false;
    return ['byte_range', 'digest', 'signature'].every((id) => newest.checks.find((c) => c.id === id)?.status === 'ok');
  } catch {
    return false;
  }
}

type Decision = { skip: true; note: string; recovered: boolean } | { skip: false } | { fail: SealDeskError };

function decide(state: JournalState, input: string, output: string, inputBytes: Buffer, inputSha256: string): Decision {
  const name = path.basename(output);
  const exists = fs.existsSync(output);
  const done = state.done.get(name);
  if (done && exists && done.inputSha256 === inputSha256) {
    try {
      if (sha256File(output) === done.outputSha256) return { skip: true, note: 'already stamped by an earlier run of this batch', recovered: false };
    } catch { /* unreadable: judged below */ }
  }
  if (!exists) return { skip: false };
  // Killed after the output was renamed into place but before "done" was written.
  const started = state.started.get(name);
  if ((started?.inputSha256 === inputSha256 || done?.inputSha256 === inputSha256) && isCompleteStampOf(inputBytes, output)) {
    return { skip: true, note: 'found complete after an interrupted run', recovered: true };
  }
  return { fail: batchError('OUTPUT_EXISTS', `输出文件 ${output} 已存在且不是本批次签章的结果,未覆盖`, `The output ${output} already exists and is not this batch's result; it was not replaced`, { input, output }) };
}

export async function stampBatch(ctx: AppContext, r: BatchRequest): Promise<BatchSummary> {
  const outDir = path.resolve(r.outDir);
  // Clashes are named before anything is created.
  const outputs = planOutputs(r.inputs, outDir);
  try {
    fs.mkdirSync(outDir, { recursive: true });
    fs.accessSync(outDir, fs.constants.W_OK);
  } catch (e) {
    throw new SealDeskError('OUTPUT_DIR_UNWRITABLE', `无法在 ${outDir} 中保存签章后的文件`, `The stamped files cannot be saved in ${outDir}`, { cause: e });
  }
  const journal = new BatchJournal(outDir);
  journal.begin();
  removeStaleTempFiles(outDir);
  const state = journal.read();
  const total = r.inputs.length;
  r.onStart?.({ total, alreadyDone: r.inputs.filter((_, i) => state.done.has(path.basename(outputs[i]!))).length });

  const login = new HeldLogin(ctx, r.askPin);
  const results: BatchFileResult[] = [];
  let stoppedBy: SealDeskError | undefined;
  const time = () => (r.now?.() ?? new Date()).toISOString();
  try {
    for (let i = 0; i < total; i++) {
      const input = r.inputs[i]!;
      const output = outputs[i]!;
      const report = (res: BatchFileResult) => { results.push(res); r.onFile?.(res, { index: i, total }); };
      if (stoppedBy || r.signal?.aborted) {
        stoppedBy ??= new SealDeskError('CANCELLED', '已取消', 'Cancelled');
        report({ input, output, status: 'not-attempted' });
        continue;
      }
      r.onBegin?.({ index: i, total, input });
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(input);
      } catch (e) {
        const err = new SealDeskError('FILE_UNREADABLE', `无法读取文件 ${input}`, `Cannot read the file ${input}`, { cause: e });
        ctx.audit.record({ action: 'stamp', outcome: 'failed', document: input, code: err.code });
        journal.append({ at: 'failed', input, output, code: err.code, time: time() });
        report({ input, output, status: 'failed', code: err.code, zh: err.zh, en: err.en });
        continue;
      }
      const inputSha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      const d = decide(state, input, output, bytes, inputSha256);
      if ('fail' in d) {
        ctx.audit.record({ action: 'stamp', outcome: 'refused', document: input, documentHash: inputSha256, code: d.fail.code });
        report({ input, output, status: 'failed', code: d.fail.code, zh: d.fail.zh, en: d.fail.en });
        continue;
      }
      if (d.skip) {
        if (d.recovered) {
          const outputSha256 = sha256File(output);
          journal.append({ at: 'done', input, output, inputSha256, outputSha256, time: time(), recovered: true });
          // The killed run may have died before its audit entry: the log must still name this output.
          if (!ctx.audit.entries().some((e) => e.action === 'stamp' && e.outcome === 'ok' && e.document === output)) {
            ctx.audit.record({ action: 'stamp', outcome: 'ok', document: output, documentHash: inputSha256, detail: 'batch: output found complete after an interrupted run' });
          }
        }
        report({ input, output, status: 'skipped', note: d.note });
        continue;
      }
      journal.append({ at: 'start', input, output, inputSha256, time: time() });
      try {
        const stamped = await stampDocument(ctx, {
          input, output, token: r.token, esID: r.esID, placement: r.placement, askPin: r.askPin, tsaUrl: r.tsaUrl,
          signal: r.signal, now: r.now?.(), signer: (token, key) => login.signerFor(token, key),
        });
        journal.append({ at: 'done', input, output, inputSha256, outputSha256: sha256File(output), time: time() });
        report({ input, output, status: 'stamped', stamps: stamped.stamps.map((s) => ({ field: s.fieldName, page: s.page })) });
      } catch (e) {
        const err = asSealDeskError(e);
        journal.append({ at: 'failed', input, output, code: err.code, time: time() });
        report({ input, output, status: 'failed', code: err.code, zh: err.zh, en: err.en });
        if (stopsBatch(err.code)) stoppedBy = err;
      }
    }
  } finally {
    await login.close();
  }
  const count = (s: BatchFileStatus) => results.filter((x) => x.status === s).length;
  return {
    total, stamped: count('stamped'), skipped: count('skipped'), failed: count('failed'), notAttempted: count('not-attempted'),
    stoppedBy: stoppedBy && { code: stoppedBy.code, zh: stoppedBy.zh, en: stoppedBy.en }, logins: login.logins, results,
  };
}

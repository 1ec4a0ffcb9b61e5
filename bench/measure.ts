/**
 * Runs one measurement in a child process under bench/rusage.py, which reports the child's wall
 * time and peak resident memory (wait4's ru_maxrss) for node and native programs alike.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

export interface Sample {
  /** Time of the operation itself: reported by a node child, or the whole process for a native tool. */
  ms: number;
  /**
   * CPU time (user + system, all threads) of the same span as ms: less disturbed than wall time
   * when other work shares the machine.
   */
  cpuMs: number;
  /** Wall time of the whole child process, start-up included. */
  wallMs: number;
  maxRssKb: number;
  /** What the operation says it did (field name, verdict, …): shown once, to prove it worked. */
  detail: string;
  /** Milliseconds per stage: SealDesk signing (reading … writing) and the baseline (read, hash, write). */
  stages?: Record<string, number>;
}

const RUSAGE = path.join(__dirname, 'rusage.py');
const CHILD = path.join(__dirname, 'child.ts');
/** No single run may take longer than this; a hang fails the bench instead of stalling it. */
const CHILD_TIMEOUT_MS = 240_000;

export type NodeOp = 'sealdesk-sign' | 'signpdf-sign' | 'sealdesk-verify' | 'baseline';

/** A node operation of bench/child.ts; its JSON line gives ms and detail. */
export function measureNodeOp(op: NodeOp, keeperDir: string, input: string, output: string): Sample {
  const r = runUnderRusage([process.execPath, '--import', 'tsx', CHILD, op, keeperDir, input, output]);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let parsed: Pick<Sample, 'ms' | 'cpuMs' | 'detail' | 'stages'>;
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch {
    throw new Error(`${op} on ${input} printed no result:\n${r.stdout}\n${r.stderr}`);
  }
  return { ...parsed, wallMs: r.wallMs, maxRssKb: r.maxRssKb };
}

/** poppler's pdfsig verifying every signature of FILE; its time is the whole process. */
export function measurePdfsig(file: string): Sample {
  const r = runUnderRusage(['pdfsig', file], true);
  const text = r.stdout + r.stderr;
  const total = (text.match(/^Signature #\d+:/gm) ?? []).length;
  const valid = (text.match(/Signature is Valid\./g) ?? []).length;
  const cert = /Certificate Validation: (.*)/.exec(text)?.[1] ?? 'no certificate line';
  return { ms: r.wallMs, cpuMs: r.cpuMs, wallMs: r.wallMs, maxRssKb: r.maxRssKb, detail: `${valid}/${total} "Signature is Valid."; certificate: ${cert}` };
}

export function runUnderRusage(command: string[], anyExitStatus = false, env?: NodeJS.ProcessEnv): { stdout: string; stderr: string; status: number | null; wallMs: number; cpuMs: number; maxRssKb: number } {
  const reportFile = path.join(os.tmpdir(), `sealdesk-bench-rusage-${process.pid}.json`);
  const r = spawnSync('python3', [RUSAGE, reportFile, ...command], { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, env });
  try {
    if (r.error) throw new Error(`${command.join(' ')}: ${r.error.message}`);
    if (r.status !== 0 && !anyExitStatus) throw new Error(`${command.join(' ')} exited with ${r.status}:\n${r.stderr}`);
    const usage = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { wallMs: number; cpuMs: number; maxRssKb: number };
    return { stdout: r.stdout, stderr: r.stderr, status: r.status, ...usage };
  } finally {
    fs.rmSync(reportFile, { force: true });
  }
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

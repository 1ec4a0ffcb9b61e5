/**
 * Turns the samples into the two tables (signing, verifying) printed on stdout and written, with
 * the machine and the method, to docs/bench.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { BenchInput } from './inputs';
import { median, type Sample } from './measure';

export interface InputResult {
  input: BenchInput;
  sealdeskSign: Sample[];
  signpdfSign: Sample[];
  baseline: Sample[];
  sealdeskVerify: Sample[];
  pdfsigVerify: Sample[];
  /** Bytes SealDesk appended to the original (its output is the original plus an update). */
  sealdeskAppended: number;
  /** Size of @signpdf's output, which pdf-lib wrote from scratch. */
  signpdfOutput: number;
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 2 : 1);
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
const rss = (samples: Sample[]): number => Math.max(...samples.map((s) => s.maxRssKb)) / 1024;
const med = (samples: Sample[], key: 'ms' | 'cpuMs' | 'wallMs' = 'ms'): number => median(samples.map((s) => s[key]));

export function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function signTable(results: InputResult[]): string {
  return table(
    ['input', 'size MB', 'pages', 'N', 'SealDesk ms', '@signpdf ms', 'SealDesk / @signpdf', 'SealDesk CPU ms', '@signpdf CPU ms', 'CPU ratio',
      'read+hash+write ms', 'SealDesk / baseline', 'baseline CPU ms', 'CPU SealDesk / baseline'],
    results.map((r) => [
      r.input.name, mb(r.input.bytes), String(r.input.pages), String(r.sealdeskSign.length),
      ms(med(r.sealdeskSign)), ms(med(r.signpdfSign)), ratio(med(r.sealdeskSign), med(r.signpdfSign)),
      ms(med(r.sealdeskSign, 'cpuMs')), ms(med(r.signpdfSign, 'cpuMs')), ratio(med(r.sealdeskSign, 'cpuMs'), med(r.signpdfSign, 'cpuMs')),
      ms(med(r.baseline)), ratio(med(r.sealdeskSign), med(r.baseline)),
      ms(med(r.baseline, 'cpuMs')), ratio(med(r.sealdeskSign, 'cpuMs'), med(r.baseline, 'cpuMs')),
    ]),
  );
}

export function signMemoryTable(results: InputResult[]): string {
  return table(
    ['input', 'size MB', 'SealDesk peak MB', '@signpdf peak MB', 'SealDesk / @signpdf', 'baseline peak MB', 'SealDesk appended KB', '@signpdf output MB'],
    results.map((r) => [
      r.input.name, mb(r.input.bytes), rss(r.sealdeskSign).toFixed(0), rss(r.signpdfSign).toFixed(0), ratio(rss(r.sealdeskSign), rss(r.signpdfSign)),
      rss(r.baseline).toFixed(0), (r.sealdeskAppended / 1024).toFixed(1), mb(r.signpdfOutput),
    ]),
  );
}

/**
 * Median milliseconds per stampPdf stage, next to the baseline's read, hash and write: stage by
 * stage, what SealDesk does beyond the floor (less noisy than comparing totals).
 */
export function signStagesTable(results: InputResult[]): string {
  const stagesOf = (pick: (r: InputResult) => Sample[]): string[] => [...new Set(results.flatMap((r) => pick(r).flatMap((s) => Object.keys(s.stages ?? {}))))];
  const sdStages = stagesOf((r) => r.sealdeskSign);
  const baseStages = stagesOf((r) => r.baseline);
  const stageMedian = (samples: Sample[], stage: string): string => ms(median(samples.map((s) => s.stages?.[stage] ?? 0)));
  return table(
    ['input', 'size MB', ...sdStages.map((s) => `${s} ms`), 'SealDesk total ms', ...baseStages.map((s) => `baseline ${s} ms`), 'baseline total ms'],
    results.map((r) => [
      r.input.name, mb(r.input.bytes),
      ...sdStages.map((st) => stageMedian(r.sealdeskSign, st)), ms(med(r.sealdeskSign)),
      ...baseStages.map((st) => stageMedian(r.baseline, st)), ms(med(r.baseline)),
    ]),
  );
}

export function verifyTable(results: InputResult[]): string {
  return table(
    ['input', 'size MB', 'N', 'SealDesk ms', 'pdfsig ms', 'SealDesk / pdfsig', 'SealDesk CPU ms', 'pdfsig CPU ms', 'CPU ratio', 'SealDesk process ms',
      'SealDesk peak MB', 'pdfsig peak MB', 'SealDesk says', 'pdfsig says'],
    results.map((r) => [
      r.input.name, mb(r.input.bytes), String(r.sealdeskVerify.length),
      ms(med(r.sealdeskVerify)), ms(med(r.pdfsigVerify)), ratio(med(r.sealdeskVerify), med(r.pdfsigVerify)),
      ms(med(r.sealdeskVerify, 'cpuMs')), ms(med(r.pdfsigVerify, 'cpuMs')), ratio(med(r.sealdeskVerify, 'cpuMs'), med(r.pdfsigVerify, 'cpuMs')),
      ms(med(r.sealdeskVerify, 'wallMs')), rss(r.sealdeskVerify).toFixed(0), rss(r.pdfsigVerify).toFixed(0),
      r.sealdeskVerify[0]!.detail, r.pdfsigVerify[0]!.detail,
    ]),
  );
}

/** Machine, tool versions, the code measured (commit, and whether src/ had uncommitted changes) and how busy the machine was. */
/** The headline numbers in words, computed from the tables. */
export function summary(results: InputResult[]): string[] {
  return [...results.map(inputSummary), ...marginalCost(results), ...beyondTheFloor(results)];
}

/**
 * Stage by stage on the largest generated input: what SealDesk does that one read + one hash + one
 * write does not (parsing inside "reading", placing, preparing, signing). Its hashing and writing
 * are the same work as the baseline's hash and write; their spread from run to run is the disk's.
 */
function beyondTheFloor(results: InputResult[]): string[] {
  const r = results.filter((x) => x.input.generated).sort((a, b) => b.input.bytes - a.input.bytes)[0];
  if (!r) return [];
  const st = (samples: Sample[], stage: string): number => median(samples.map((s) => s.stages?.[stage] ?? 0));
  const parse = st(r.sealdeskSign, 'reading') - st(r.baseline, 'read');
  const rest = ['placing', 'preparing', 'signing'].map((x) => st(r.sealdeskSign, x));
  const extra = parse + rest.reduce((a, b) => a + b, 0);
  const floor = med(r.baseline);
  return [`- ${r.input.name} stage by stage: beyond the floor SealDesk spends ${ms(extra)} ms (parsing ${ms(parse)}, placing ${ms(rest[0]!)}, `
    + `preparing ${ms(rest[1]!)}, signing ${ms(rest[2]!)}); with its hashing and writing costing what the baseline's do, signing takes `
    + `${ratio(floor + extra, floor)} one read + hash + write (${ms(floor)} ms). SealDesk's hashing ${ms(st(r.sealdeskSign, 'hashing'))} ms vs `
    + `the baseline's ${ms(st(r.baseline, 'hash'))} ms; writing ${ms(st(r.sealdeskSign, 'writing'))} ms vs ${ms(st(r.baseline, 'write'))} ms (same function).`];
}

/**
 * Whether signing "tracks one read + one hash + one write": between the two largest generated
 * inputs (same structure, only more bytes) the fixed per-stamp cost cancels out, and what remains
 * is SealDesk's cost per extra megabyte against the baseline's.
 */
function marginalCost(results: InputResult[]): string[] {
  const gen = results.filter((r) => r.input.generated).sort((a, b) => a.input.bytes - b.input.bytes);
  if (gen.length < 2) return [];
  const [small, big] = [gen[gen.length - 2]!, gen[gen.length - 1]!];
  const extraMb = (big.input.bytes - small.input.bytes) / 1024 / 1024;
  const perMb = (key: 'ms' | 'cpuMs', pick: (r: InputResult) => Sample[]): number => (med(pick(big), key) - med(pick(small), key)) / extraMb;
  const line = (key: 'ms' | 'cpuMs', label: string): string => {
    const sd = perMb(key, (r) => r.sealdeskSign);
    const base = perMb(key, (r) => r.baseline);
    const peer = perMb(key, (r) => r.signpdfSign);
    return `${label} ${sd.toFixed(2)} ms/MB for SealDesk, ${base.toFixed(2)} ms/MB for read + hash + write (${ratio(sd, base)}), ${peer.toFixed(2)} ms/MB for @signpdf`;
  };
  return [`- Cost of each extra megabyte, ${small.input.name} → ${big.input.name}: ${line('ms', 'wall')}; ${line('cpuMs', 'CPU')}.`];
}

function inputSummary(r: InputResult): string {
  const sd = med(r.sealdeskSign);
  return `- ${r.input.name} (${mb(r.input.bytes)} MB): SealDesk signs in ${ms(sd)} ms, ${ratio(sd, med(r.signpdfSign))} @signpdf's time `
    + `(CPU ${ratio(med(r.sealdeskSign, 'cpuMs'), med(r.signpdfSign, 'cpuMs'))}) and ${ratio(sd, med(r.baseline))} one read + hash + write `
    + `(CPU ${ratio(med(r.sealdeskSign, 'cpuMs'), med(r.baseline, 'cpuMs'))}), peaking at ${rss(r.sealdeskSign).toFixed(0)} MB vs ${rss(r.signpdfSign).toFixed(0)} MB; `
    + `verifies in ${ms(med(r.sealdeskVerify))} ms, ${ratio(med(r.sealdeskVerify), med(r.pdfsigVerify))} pdfsig's time (CPU ${ratio(med(r.sealdeskVerify, 'cpuMs'), med(r.pdfsigVerify, 'cpuMs'))}).`;
}

export function machineInfo(load: { start: number[]; end: number[] }): string[] {
  const cpus = os.cpus();
  const version = (pkg: string): string => {
    try {
      return (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return '?';
    }
  };
  const pdfsig = spawnSync('pdfsig', ['-v'], { encoding: 'utf8' });
  const repo = path.resolve(__dirname, '..');
  const commit = spawnSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || '?';
  const dirty = spawnSync('git', ['-C', repo, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).stdout.trim() !== '';
  const avg = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' / ');
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} (${os.arch()})`,
    `- code: commit ${commit}${dirty ? ' plus uncommitted changes in src/ (the working tree was measured)' : ''}`,
    `- load average (1 / 5 / 15 min) at start ${avg(load.start)}, at end ${avg(load.end)}: other work on the machine shows up in wall times; CPU times are steadier`,
    `- node ${process.version}; pdf-lib ${version('pdf-lib')}, @signpdf/signpdf ${version('@signpdf/signpdf')}, @signpdf/placeholder-pdf-lib ${version('@signpdf/placeholder-pdf-lib')}, @signpdf/signer-p12 ${version('@signpdf/signer-p12')}, node-forge ${version('node-forge')}; ${(pdfsig.stderr || pdfsig.stdout).split('\n')[0] ?? 'pdfsig ?'}`,
  ];
}

export function inputList(results: InputResult[]): string[] {
  return results.map((r) => `- **${r.input.name}** — ${mb(r.input.bytes)} MB, ${r.input.pages} pages: ${r.input.description}`);
}

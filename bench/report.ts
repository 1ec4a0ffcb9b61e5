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
const med = (samples: Sample[], key: 'ms' | 'wallMs' = 'ms'): number => median(samples.map((s) => s[key]));

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function signTable(results: InputResult[]): string {
  return table(
    ['input', 'size MB', 'pages', 'N', 'SealDesk ms', '@signpdf ms', 'SealDesk / @signpdf', 'read+hash+write ms', 'SealDesk / baseline',
      'SealDesk peak MB', '@signpdf peak MB', 'baseline peak MB', 'SealDesk appended KB', '@signpdf output MB'],
    results.map((r) => [
      r.input.name, mb(r.input.bytes), String(r.input.pages), String(r.sealdeskSign.length),
      ms(med(r.sealdeskSign)), ms(med(r.signpdfSign)), ratio(med(r.sealdeskSign), med(r.signpdfSign)),
      ms(med(r.baseline)), ratio(med(r.sealdeskSign), med(r.baseline)),
      rss(r.sealdeskSign).toFixed(0), rss(r.signpdfSign).toFixed(0), rss(r.baseline).toFixed(0),
      (r.sealdeskAppended / 1024).toFixed(1), mb(r.signpdfOutput),
    ]),
  );
}

export function verifyTable(results: InputResult[]): string {
  return table(
    ['input', 'size MB', 'N', 'SealDesk ms', 'pdfsig ms', 'SealDesk / pdfsig', 'SealDesk process ms', 'SealDesk peak MB', 'pdfsig peak MB', 'SealDesk says', 'pdfsig says'],
    results.map((r) => [
      r.input.name, mb(r.input.bytes), String(r.sealdeskVerify.length),
      ms(med(r.sealdeskVerify)), ms(med(r.pdfsigVerify)), ratio(med(r.sealdeskVerify), med(r.pdfsigVerify)),
      ms(med(r.sealdeskVerify, 'wallMs')), rss(r.sealdeskVerify).toFixed(0), rss(r.pdfsigVerify).toFixed(0),
      r.sealdeskVerify[0]!.detail, r.pdfsigVerify[0]!.detail,
    ]),
  );
}

export function machineInfo(): string[] {
  const cpus = os.cpus();
  const version = (pkg: string): string => {
    try {
      return (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return '?';
    }
  };
  const pdfsig = spawnSync('pdfsig', ['-v'], { encoding: 'utf8' });
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} (${os.arch()})`,
    `- node ${process.version}; pdf-lib ${version('pdf-lib')}, @signpdf/signpdf ${version('@signpdf/signpdf')}, @signpdf/placeholder-pdf-lib ${version('@signpdf/placeholder-pdf-lib')}, @signpdf/signer-p12 ${version('@signpdf/signer-p12')}, node-forge ${version('node-forge')}; ${(pdfsig.stderr || pdfsig.stdout).split('\n')[0] ?? 'pdfsig ?'}`,
  ];
}

export function inputList(results: InputResult[]): string[] {
  return results.map((r) => `- **${r.input.name}** — ${mb(r.input.bytes)} MB, ${r.input.pages} pages: ${r.input.description}`);
}

/**
 * The documents the benchmark runs on: generated PDFs of about 1, 10 and 100 MB (cached under the
 * system temp dir, never committed) and real multi-page PDFs that are on this machine.
 */
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { GENERATOR_VERSION, writeGeneratedPdf, type GeneratedPdfSpec } from './generated-pdf';

export interface BenchInput {
  /** Short label for tables and --inputs. */
  name: string;
  file: string;
  /** How it was made, for the report. */
  description: string;
  /** Made by the bench (same structure at every size), so sizes can be compared with each other. */
  generated: boolean;
  pages: number;
  bytes: number;
  /**
   * Measured runs per operation: fewer for big files keeps the whole bench within minutes; more than
   * the usual 7/5/3 because the build machine is shared and its wall times are noisy.
   */
  runs: number;
}

const MB = 1024 * 1024;

export const GENERATED: ReadonlyArray<GeneratedPdfSpec & { runs: number }> = [
  { name: 'gen-1MB', pages: 20, targetBytes: 1 * MB, runs: 9 },
  { name: 'gen-10MB', pages: 100, targetBytes: 10 * MB, runs: 7 },
  { name: 'gen-100MB', pages: 400, targetBytes: 100 * MB, runs: 5 },
];

/** Real documents: the product's sample contract, and a typical TeX manual if the OS ships one. */
const REAL: ReadonlyArray<{ name: string; file: string; description: string }> = [
  { name: 'contract', file: path.resolve(__dirname, '../resources/samples/contract.pdf'), description: 'resources/samples/contract.pdf (Chromium/Skia, embedded CJK fonts)' },
  { name: 'libtasn1-manual', file: '/usr/share/doc/libtasn1-doc/libtasn1.pdf', description: 'Debian libtasn1-doc manual (pdfTeX, object streams)' },
];

export function benchCacheDir(): string {
  const dir = path.join(os.tmpdir(), 'sealdesk-bench-cache');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Generates missing inputs (once; later runs reuse the cache) and lists every input found. */
export function prepareInputs(log: (line: string) => void): BenchInput[] {
  const dir = benchCacheDir();
  const inputs: BenchInput[] = [];
  for (const spec of GENERATED) {
    const file = path.join(dir, `${spec.name}-v${GENERATOR_VERSION}.pdf`);
    if (!fs.existsSync(file)) {
      log(`generating ${file} …`);
      const tmp = `${file}.${process.pid}.tmp`;
      writeGeneratedPdf(tmp, spec);
      fs.renameSync(tmp, file); // an interrupted run never leaves a half file in the cache
    }
    inputs.push({
      name: spec.name, file, pages: spec.pages, bytes: fs.statSync(file).size, runs: spec.runs, generated: true,
      description: `generated: ${spec.pages} pages, each a full-page 8-bit grey image of pseudo-random pixels plus a line of text, classic xref`,
    });
  }
  for (const real of REAL) {
    if (!fs.existsSync(real.file)) {
      log(`skipping ${real.name}: ${real.file} is not on this machine`);
      continue;
    }
    inputs.push({ name: real.name, file: real.file, description: real.description, generated: false, pages: pageCount(real.file), bytes: fs.statSync(real.file).size, runs: 9 });
  }
  return inputs;
}

/** pdfinfo's page count (poppler is a bench prerequisite anyway, for pdfsig). */
function pageCount(file: string): number {
  const r = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  const m = /^Pages:\s+(\d+)/m.exec(r.stdout ?? '');
  return m ? Number(m[1]) : 0;
}

/**
 * Constant memory and streaming (issue #13), each figure a ratio to a peer in the same run:
 * - peak memory stamping / verifying a 1 GB PDF against a 10 MB one (goal: within 1.5×);
 * - stamping 1 GB against one `cat FILE | sha256sum` of it (goal: within 1.5×);
 * - stamping 100 MB against read + hash + write of it (bench/child.ts "baseline"; goal: within 1.5×);
 * - verifying a 100 MB file with 1 and with K stamps: the file is hashed once however many stamps
 *   there are, so the time stays about the same (pdfsig beside it hashes once per stamp).
 *   tsx bench/memory.ts [--runs N] [--no-doc]     (also run by bench/run.ts)
 * A full run writes docs/bench-memory.md. Generated inputs are cached like bench/inputs.ts's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBenchKeeper } from './bench-keeper';
import { GENERATOR_VERSION, writeGeneratedPdf, type GeneratedPdfSpec } from './generated-pdf';
import { benchCacheDir } from './inputs';
import { measureNodeOp, measurePdfsig, median, runUnderRusage, type Sample } from './measure';
import { machineInfo } from './report';

const MB = 1024 * 1024;
const SPECS: Record<'small' | 'medium' | 'large', GeneratedPdfSpec> = {
  small: { name: 'gen-10MB', pages: 100, targetBytes: 10 * MB },
  medium: { name: 'gen-100MB', pages: 400, targetBytes: 100 * MB },
  large: { name: 'gen-1GB', pages: 1000, targetBytes: 1024 * MB },
};
const K_STAMPS = 4;
const log = (line: string): void => { process.stderr.write(`${line}\n`); };

function cachedInput(spec: GeneratedPdfSpec): string {
  const file = path.join(benchCacheDir(), `${spec.name}-v${GENERATOR_VERSION}.pdf`);
  if (!fs.existsSync(file)) {
    log(`generating ${file} …`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeGeneratedPdf(tmp, spec);
    fs.renameSync(tmp, file);
  }
  return file;
}

/** `cat FILE | sha256sum` as one whole process tree (the shell's children are waited for inside it). */
function catSha256sum(file: string): Sample {
  const r = runUnderRusage(['sh', '-c', 'cat "$1" | sha256sum >/dev/null', 'sh', file]);
  return { ms: r.wallMs, cpuMs: r.cpuMs, wallMs: r.wallMs, maxRssKb: r.maxRssKb, detail: 'cat | sha256sum' };
}

interface Row { what: string; samples: Sample[] }
const med = (s: Sample[], k: 'ms' | 'wallMs' | 'cpuMs'): number => median(s.map((x) => x[k]));
const peakMb = (s: Sample[]): number => Math.max(...s.map((x) => x.maxRssKb)) / 1024;
const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
  const writeDoc = !args.includes('--no-doc');
  const started = Date.now();
  const loadStart = os.loadavg();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-bench-memory-'));
  try {
    await createBenchKeeper(work);
    const files = { small: cachedInput(SPECS.small), medium: cachedInput(SPECS.medium), large: cachedInput(SPECS.large) };
    const out = (n: string): string => path.join(work, `${n}.pdf`);
    const rows: Record<string, Row> = {};
    const run = (key: string, what: string, op: () => Sample): Sample => {
      const s = op();
      (rows[key] ??= { what, samples: [] }).samples.push(s);
      log(`  ${what}: ${fmt(s.ms)} ms, ${fmt(s.maxRssKb / 1024)} MB`);
      return s;
    };
    for (let i = 0; i < runs; i++) {
      log(`run ${i + 1} of ${runs}`);
      for (const size of ['small', 'medium', 'large'] as const) {
        run(`sign-${size}`, `SealDesk stamp ${SPECS[size].name}`, () => measureNodeOp('sealdesk-sign', work, files[size], out(`${size}-1`)));
        run(`verify-${size}`, `SealDesk verify ${SPECS[size].name}`, () => measureNodeOp('sealdesk-verify', work, out(`${size}-1`), '-'));
      }
      run('cat-large', `cat | sha256sum ${SPECS.large.name}`, () => catSha256sum(files.large));
      run('baseline-medium', `read+hash+write ${SPECS.medium.name}`, () => measureNodeOp('baseline', work, files.medium, out('baseline')));
      fs.rmSync(out('baseline'), { force: true });
      fs.rmSync(out('large-1'), { force: true });
    }
    // K stamps on the 100 MB file, each stamping the previous output; verified with 1 and with K.
    for (let k = 2; k <= K_STAMPS; k++) measureNodeOp('sealdesk-sign', work, out(`medium-${k - 1}`), out(`medium-${k}`));
    const kFile = out(`medium-${K_STAMPS}`);
    for (let i = 0; i < runs; i++) {
      run('verify-k', `SealDesk verify ${SPECS.medium.name}, ${K_STAMPS} stamps`, () => measureNodeOp('sealdesk-verify', work, kFile, '-'));
      run('pdfsig-1', `pdfsig ${SPECS.medium.name}, 1 stamp`, () => measurePdfsig(out('medium-1')));
      run('pdfsig-k', `pdfsig ${SPECS.medium.name}, ${K_STAMPS} stamps`, () => measurePdfsig(kFile));
    }
    const verifiedK = rows['verify-k']!.samples[0]!.detail;
    const r = (k: string): Sample[] => rows[k]!.samples;
    const sizes = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, fs.statSync(f).size / MB])) as Record<keyof typeof files, number>;
    const lines = [
      '| figure | SealDesk | peer | ratio | goal |',
      '| --- | ---: | ---: | ---: | --- |',
      `| peak memory, stamping ${fmt(sizes.large)} MB vs ${fmt(sizes.small)} MB | ${fmt(peakMb(r('sign-large')))} MB | ${fmt(peakMb(r('sign-small')))} MB | ${(peakMb(r('sign-large')) / peakMb(r('sign-small'))).toFixed(2)} | ≤ 1.5 |`,
      `| peak memory, verifying ${fmt(sizes.large)} MB vs ${fmt(sizes.small)} MB | ${fmt(peakMb(r('verify-large')))} MB | ${fmt(peakMb(r('verify-small')))} MB | ${(peakMb(r('verify-large')) / peakMb(r('verify-small'))).toFixed(2)} | ≤ 1.5 |`,
      `| stamping ${fmt(sizes.large)} MB (operation) vs \`cat \\| sha256sum\` (process) | ${fmt(med(r('sign-large'), 'ms'))} ms | ${fmt(med(r('cat-large'), 'ms'))} ms | ${(med(r('sign-large'), 'ms') / med(r('cat-large'), 'ms')).toFixed(2)} | ≤ 1.5 |`,
      `| stamping ${fmt(sizes.large)} MB, CPU time vs \`cat \\| sha256sum\`'s | ${fmt(med(r('sign-large'), 'cpuMs'))} ms | ${fmt(med(r('cat-large'), 'cpuMs'))} ms | ${(med(r('sign-large'), 'cpuMs') / med(r('cat-large'), 'cpuMs')).toFixed(2)} | (the wall time's difference is the write and its fsync) |`,
      `| stamping ${fmt(sizes.large)} MB, whole process vs \`cat \\| sha256sum\` | ${fmt(med(r('sign-large'), 'wallMs'))} ms | ${fmt(med(r('cat-large'), 'wallMs'))} ms | ${(med(r('sign-large'), 'wallMs') / med(r('cat-large'), 'wallMs')).toFixed(2)} | (start-up included) |`,
      `| stamping ${fmt(sizes.medium)} MB vs read+hash+write | ${fmt(med(r('sign-medium'), 'ms'))} ms | ${fmt(med(r('baseline-medium'), 'ms'))} ms | ${(med(r('sign-medium'), 'ms') / med(r('baseline-medium'), 'ms')).toFixed(2)} | ≤ 1.5 |`,
      `| verifying ${fmt(sizes.medium)} MB: ${K_STAMPS} stamps vs 1 (SealDesk) | ${fmt(med(r('verify-k'), 'ms'))} ms | ${fmt(med(r('verify-medium'), 'ms'))} ms | ${(med(r('verify-k'), 'ms') / med(r('verify-medium'), 'ms')).toFixed(2)} | ≈ 1 (one hash) |`,
      `| the same for pdfsig (process) | ${fmt(med(r('pdfsig-k'), 'ms'))} ms | ${fmt(med(r('pdfsig-1'), 'ms'))} ms | ${(med(r('pdfsig-k'), 'ms') / med(r('pdfsig-1'), 'ms')).toFixed(2)} | (hashes per stamp) |`,
    ];
    const detail = [
      '| operation | median ms | median CPU ms | whole process ms | peak MB |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...Object.values(rows).map((row) => `| ${row.what.replace(/\|/g, '\\|')} | ${fmt(med(row.samples, 'ms'))} | ${fmt(med(row.samples, 'cpuMs'))} | ${fmt(med(row.samples, 'wallMs'))} | ${fmt(peakMb(row.samples))} |`),
    ];
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(['', 'Memory and streaming', ...lines, '', ...detail, '', `verify of ${K_STAMPS} stamps: ${verifiedK}`, `total ${seconds.toFixed(0)} s`, ''].join('\n'));
    if (writeDoc) {
      const doc = path.resolve(__dirname, '../docs/bench-memory.md');
      fs.writeFileSync(doc, `# SealDesk benchmark: constant memory and streaming (issue #13)

Generated by \`tsx bench/memory.ts\` (also run by \`npm run bench\`); do not edit by hand — rerun instead.
Took ${seconds.toFixed(0)} s, ${runs} runs per operation (medians; peak memory is the largest ru_maxrss over the runs).

## Machine
${machineInfo({ start: loadStart, end: os.loadavg() }).join('\n')}

The build machine is shared with other engineers' builds and tests while this runs (see the load
average): wall times move with it, so read the ratios, which compare runs made side by side.

## Figures
${lines.join('\n')}

## Every operation
${detail.join('\n')}

The ${K_STAMPS}-stamp file: ${verifiedK}.

## Method
- Inputs are bench/generated-pdf.ts documents (full-page pseudo-random grey images, classic xref):
  ${Object.values(SPECS).map((s) => `${s.name} (${s.pages} pages)`).join(', ')}.
- SealDesk operations run in a fresh \`node --import tsx\` child (bench/child.ts); "median ms" is the
  operation after modules and keys are loaded, "whole process" includes Node's and tsx's start-up.
  Peak memory is the child's ru_maxrss (wait4, bench/rusage.py) and so includes Node, tsx and the
  modules bench/child.ts loads for the peers (pdf-lib, @signpdf): the part that does not grow with the file.
- Stamping reads the input by positioned reads (src/core/pdf/byte-source.ts: the xref, the objects
  it needs, a 4 MB block cache), streams it into the temp output while hashing it (1 MB chunks),
  appends the update, patches the signature in and fsyncs and renames the output: the one read,
  one hash and one write of architecture.md. The write and its fsync are counted; \`cat | sha256sum\`
  writes nothing, so on a shared disk the wall-time ratio is mostly the disk's (compare the CPU row).
- Verifying k stamps streams the file through the hashes once (test/verify/one-pass-digest.test.ts
  counts the bytes); what grows with k is the per-stamp work (CMS and seal checks, the picture
  comparison, the analysis of each later revision), not the hashing. pdfsig hashes once per stamp.
- Verifying streams the file once through every stamp's digest and the report's SHA-256 at once
  (src/core/verify/byte-range.ts, forking the running hash at each stamp's gap).
- read+hash+write is bench/child.ts's baseline: readFileSync, SHA-256, writeFileAtomic.
`);
      log(`wrote ${doc}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  log(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exit(1);
});

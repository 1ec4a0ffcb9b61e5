/**
 * The command as a user runs it (issue 13): whole processes of the built `sealdesk` (dist/cli/main.mjs,
 * what bin/sealdesk runs) against their peers, measured in the same run on the same files:
 * - start-up: `sealdesk verify` of a 1 MB stamped file vs `pdfsig` of it; `sealdesk --help` vs `node -e 0`;
 * - many files: `sealdesk verify F1 … Fn` in one process, per file, vs one `pdfsig` per file;
 * - batch stamping (`sign --batch`, files per second beside the token's signatures per second): a
 *   hook, measured once that command exists (it is built on another branch).
 *
 *   tsx bench/startup.ts [--runs N] [--files N] [--no-doc]
 * Writes its section of docs/bench.md (between the startup markers) unless --no-doc; npm run bench runs it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createBenchKeeper, keeperFiles } from './bench-keeper';
import { benchCacheDir, GENERATED } from './inputs';
import { GENERATOR_VERSION, writeGeneratedPdf } from './generated-pdf';
import { measureNodeOp, median, runUnderRusage } from './measure';
import { table } from './report';
import { writeDocSection } from './doc-section';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.mjs');

interface Options { runs: number; files: number; writeDoc: boolean }

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 11, files: 20, writeDoc: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--files') o.files = Number(argv[++i]);
    else if (a === '--no-doc') o.writeDoc = false;
    else throw new Error(`unknown argument ${a}; use --runs N --files N --no-doc`);
  }
  if (!(Number.isInteger(o.runs) && o.runs > 0) || !(Number.isInteger(o.files) && o.files > 1)) throw new Error('--runs needs a positive integer, --files one above 1');
  return o;
}

const log = (line: string): void => { process.stderr.write(`${line}\n`); };

/** Wall and CPU milliseconds of one whole process. */
interface Run { wallMs: number; cpuMs: number }

function processRun(command: string[], env: NodeJS.ProcessEnv, expect: (out: string, status: number | null) => void): Run {
  const r = runUnderRusage(command, true, env);
  expect(r.stdout, r.status);
  return { wallMs: r.wallMs, cpuMs: r.cpuMs };
}

interface Figure { name: string; ours: Run[]; peer: Run[]; peerName: string; goal: number; note?: string }

const med = (runs: Run[], key: keyof Run): number => median(runs.map((r) => r[key]));
const f1 = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

export interface StartupResult { figures: Figure[]; perFile: { files: number; sealdesk: Run[]; sealdeskOne: Run[]; pdfsig: Run[] }; batchStamping?: string }

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  // The bench measures the shipped command: build it from these sources first.
  const b = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--cli-only'], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`building the CLI failed: ${b.stderr}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-bench-startup-'));
  try {
    const result = await measureAll(work, o);
    const text = render(result, o);
    process.stdout.write(`\n${text}\n`);
    if (o.writeDoc) writeDocSection('startup', 'bench/startup.ts', text);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function measureAll(work: string, o: Options): Promise<StartupResult> {
  await createBenchKeeper(work);
  const keeper = keeperFiles(work);
  const spec = GENERATED.find((g) => g.name === 'gen-1MB')!;
  const input = path.join(benchCacheDir(), `${spec.name}-v${GENERATOR_VERSION}.pdf`);
  if (!fs.existsSync(input)) {
    const tmp = `${input}.${process.pid}.tmp`;
    writeGeneratedPdf(tmp, spec);
    fs.renameSync(tmp, input);
  }
  const stamped = path.join(work, 'stamped-1MB.pdf');
  measureNodeOp('sealdesk-sign', work, input, stamped);
  const copies = Array.from({ length: o.files }, (_, i) => {
    const f = path.join(work, `copy-${String(i + 1).padStart(3, '0')}.pdf`);
    fs.copyFileSync(stamped, f);
    return f;
  });
  const env = { ...process.env, SEALDESK_HOME: path.join(work, 'home') };
  const node = process.execPath;
  const trust = ['--trust', keeper.rootDer];
  const valid = (n: number) => (out: string, status: number | null): void => {
    const verdicts = out.trim().split('\n').map((l) => (JSON.parse(l) as { verdict: string }).verdict);
    if (status !== 0 || verdicts.length !== n || verdicts.some((v) => v !== 'valid')) throw new Error(`sealdesk verify did not find ${n} valid file(s): exit ${status}, ${verdicts.join(',')}`);
  };
  const pdfsigValid = (out: string): void => { if (!/Signature is Valid\./.test(out)) throw new Error(`pdfsig did not find the signature valid:\n${out}`); };
  const helpOk = (out: string, status: number | null): void => { if (status !== 0 || !out.includes('sealdesk verify')) throw new Error('sealdesk --help printed no usage'); };

  const verifyOne: Run[] = []; const pdfsigOne: Run[] = []; const help: Run[] = []; const nodeBare: Run[] = [];
  const many: Run[] = []; const pdfsigEach: Run[] = [];
  const ops: Array<() => void> = [
    () => verifyOne.push(processRun([node, CLI, 'verify', stamped, '--json', ...trust], env, valid(1))),
    () => pdfsigOne.push(processRun(['pdfsig', stamped], env, pdfsigValid)),
    () => help.push(processRun([node, CLI, '--help'], env, helpOk)),
    () => nodeBare.push(processRun([node, '-e', '0'], env, () => undefined)),
    () => many.push(processRun([node, CLI, 'verify', ...copies, '--json', ...trust], env, valid(copies.length))),
    () => {
      // pdfsig verifies one file per process: the peer's per-file time is a whole process per file.
      let wallMs = 0; let cpuMs = 0;
      for (const f of copies) {
        const r = processRun(['pdfsig', f], env, pdfsigValid);
        wallMs += r.wallMs; cpuMs += r.cpuMs;
      }
      pdfsigEach.push({ wallMs: wallMs / copies.length, cpuMs: cpuMs / copies.length });
    },
  ];
  for (const op of ops) op(); // warm-up: page cache, the first run of the audit log
  verifyOne.length = pdfsigOne.length = help.length = nodeBare.length = many.length = pdfsigEach.length = 0;
  // Runs interleaved, in a rotating order, so that a slow moment of the shared machine does not always hit the same figure.
  for (let i = 0; i < o.runs; i++) {
    for (let k = 0; k < ops.length; k++) ops[(i + k) % ops.length]!();
    log(`  startup run ${i + 1}/${o.runs}: verify ${f1(verifyOne.at(-1)!.wallMs)} ms, pdfsig ${f1(pdfsigOne.at(-1)!.wallMs)} ms, --help ${f1(help.at(-1)!.wallMs)} ms, node -e 0 ${f1(nodeBare.at(-1)!.wallMs)} ms, ${copies.length} files ${f1(many.at(-1)!.wallMs)} ms`);
  }
  // Per file in one process: the run of n files less the run of one, over n - 1 (start-up counted once, in neither).
  const marginal: Run[] = many.map((r, i) => ({ wallMs: (r.wallMs - verifyOne[i]!.wallMs) / (copies.length - 1), cpuMs: (r.cpuMs - verifyOne[i]!.cpuMs) / (copies.length - 1) }));
  return {
    figures: [
      { name: '`sealdesk verify` of a 1 MB stamped file, whole process', ours: verifyOne, peer: pdfsigOne, peerName: '`pdfsig` of the same file', goal: 8 },
      { name: '`sealdesk --help`, whole process', ours: help, peer: nodeBare, peerName: '`node -e 0`', goal: 2 },
      { name: `\`sealdesk verify\` of ${copies.length} such files in one process, per file`, ours: marginal, peer: pdfsigEach, peerName: '`pdfsig`, one process per file', goal: 2, note: `(run of ${copies.length} files − run of one) / ${copies.length - 1}` },
    ],
    perFile: { files: copies.length, sealdesk: many, sealdeskOne: verifyOne, pdfsig: pdfsigEach },
    batchStamping: batchStampingFigure(),
  };
}

/**
 * `sealdesk sign --batch` (files per second, next to the token's own signatures per second) is built
 * on another branch; until this checkout's command knows it, the figure says so instead of a number.
 */
function batchStampingFigure(): string | undefined {
  const r = spawnSync(process.execPath, [CLI, 'sign', '--help'], { encoding: 'utf8' });
  if (!/--batch/.test(`${r.stdout}${r.stderr}`)) return 'not measured: this checkout\'s `sealdesk sign` has no `--batch` yet (issue 14, branch batch-image); bench/startup.ts measures it here once it has';
  return 'not measured yet: `sign --batch` exists; add its run (a SoftHSM2 token, N files) to bench/startup.ts batchStampingFigure()';
}

function render(r: StartupResult, o: Options): string {
  const rows = r.figures.map((f) => {
    const wall = med(f.ours, 'wallMs') / med(f.peer, 'wallMs');
    const cpu = med(f.ours, 'cpuMs') / med(f.peer, 'cpuMs');
    return [f.name + (f.note ? ` ${f.note}` : ''), f1(med(f.ours, 'wallMs')), f.peerName, f1(med(f.peer, 'wallMs')), `${wall.toFixed(2)}×`, f1(med(f.ours, 'cpuMs')), f1(med(f.peer, 'cpuMs')), `${cpu.toFixed(2)}×`, `${f.goal}×`, wall <= f.goal ? 'met' : cpu <= f.goal ? 'met on CPU time' : 'not met'];
  });
  const load = os.loadavg().map((l) => l.toFixed(2)).join(', ');
  return [
    '## Start-up and many files: the built command as a whole process (bench/startup.ts)',
    '',
    `Median of ${o.runs} runs each, interleaved in a rotating order, in the same run as their peers; the built bundle`,
    '(dist/cli/main.mjs, what bin/sealdesk runs), SEALDESK_HOME in a temp dir (every verification is written to',
    'its audit log, as it is for a user). Wall time is what a user waits; CPU time (user + system, wait4) moves',
    `less with the load of the shared machine (load average at the end: ${load}).`,
    '',
    table(['figure', 'SealDesk ms', 'peer', 'peer ms', 'ratio', 'SealDesk CPU ms', 'peer CPU ms', 'CPU ratio', 'goal', ''], rows),
    '',
    `- ${r.perFile.files} files in one process: ${f1(med(r.perFile.sealdesk, 'wallMs'))} ms in all, ${f1(med(r.perFile.sealdesk, 'wallMs') / r.perFile.files)} ms per file with the start-up shared out.`,
    `- Batch stamping (\`sign --batch\`): ${r.batchStamping ?? 'not measured'}.`,
  ].join('\n');
}

main().catch((e: unknown) => {
  log(`bench startup failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exit(1);
});

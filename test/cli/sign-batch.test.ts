import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, demoWorld, type CliWorld } from './support/demo-world';
import { batchFolder } from '../app/support/batch-files';
import { AppContext } from '../../src/core/app/context';
import { verifyPdf } from '../../src/core/verify/verify-pdf';

/**
 * `sealdesk sign --batch` against a real SoftHSM2 token in a demo world: 200 small PDFs of which
 * three are broken (not a PDF, cut in half, a page too small for the placement).
 */
const PIN = '123456';
let world: CliWorld;
let inDir: string;
let broken: string[];

before(async () => {
  world = demoWorld();
  inDir = path.join(world.dir, 'incoming');
  ({ broken } = await batchFolder(inDir, 200, { notPdf: 17, truncated: 101, tinyPage: 188 }));
});

const batchArgs = (out: string) => ['sign', '--batch', inDir, '-o', out, '--token', 'DEMO-KEEPER', '--pin-stdin', '--page', '1', '--at', '300,400', '--json'];

function jsonLines(out: string): Record<string, unknown>[] {
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Every output in OUTDIR is the input with one valid stamp (sealdesk's verifier with the world's trust). */
function assertEveryOutputVerifies(outDir: string, expected: number): void {
  const ctx = new AppContext({ home: world.env.SEALDESK_HOME });
  const outputs = fs.readdirSync(outDir).filter((n) => n.endsWith('.pdf'));
  assert.equal(outputs.length, expected);
  for (const name of outputs) {
    const report = verifyPdf(fs.readFileSync(path.join(outDir, name)), { trustRoots: ctx.trust.roots() });
    assert.equal(report.signatures.length, 1, `${name}: one stamp`);
    assert.equal(report.verdict, 'valid', `${name}: ${JSON.stringify(report.signatures[0]?.checks)}`);
    assert.ok(fs.readFileSync(path.join(outDir, name)).subarray(0, fs.statSync(path.join(inDir, name)).size).equals(fs.readFileSync(path.join(inDir, name))), `${name} is an incremental update of its input`);
  }
  assert.deepEqual(fs.readdirSync(outDir).filter((n) => n.endsWith('.tmp')), [], 'no temp file is left behind');
}

/** Stamp entries of the audit log for the outputs in OUTDIR, counted per output file. */
function okStampsPerOutput(outDir: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of world.auditLines()) {
    if (e.action !== 'stamp' || e.outcome !== 'ok' || path.dirname(String(e.document)) !== outDir) continue;
    counts.set(String(e.document), (counts.get(String(e.document)) ?? 0) + 1);
  }
  return counts;
}

test('a batch of 200 PDFs with three broken ones stamps 197, names the 3, asks for the PIN once and logs every file', () => {
  const out = path.join(world.dir, 'stamped-all');
  const auditBefore = world.auditLines().length;
  // Exactly one PIN on stdin: a second prompt would fail with PIN_INPUT_MISSING.
  const r = world.run(batchArgs(out), `${PIN}\n`);
  assert.equal(r.code, 1, 'a batch with failures exits 1');
  assert.doesNotMatch(r.err, /PIN_INPUT_MISSING/);
  assert.ok(!r.err.includes('\r'), 'no progress bar when stderr is not a terminal');
  const lines = jsonLines(r.out);
  const summary = lines.at(-1)!.summary as Record<string, unknown>;
  assert.equal(summary.stamped, 197);
  assert.equal(summary.failed, 3);
  assert.deepEqual(summary.failedFiles, broken);
  const failed = lines.filter((l) => l.status === 'failed');
  assert.deepEqual(failed.map((l) => [path.basename(String(l.input)), l.code]), [['doc-017.pdf', 'PDF_MALFORMED'], ['doc-101.pdf', failed[1]!.code], ['doc-188.pdf', 'PLACEMENT_INVALID']]);
  assert.match(String(failed[1]!.code), /^PDF_/);
  for (const f of failed) assert.ok(String(f.zh).length > 0 && String(f.en).length > 0, 'each failure says why in Chinese and English');
  assert.equal(lines.filter((l) => l.status === 'stamped').length, 197);
  for (const b of broken) assert.equal(fs.existsSync(path.join(out, path.basename(b))), false, 'a failed document leaves no output');

  const audit = world.auditLines().slice(auditBefore).filter((e) => e.action === 'stamp');
  assert.equal(audit.length, 200, 'every file is in the audit log');
  assert.deepEqual(audit.filter((e) => e.outcome !== 'ok').map((e) => e.document), broken);
  assert.deepEqual([...okStampsPerOutput(out).values()].filter((n) => n !== 1), []);
  assert.equal(okStampsPerOutput(out).size, 197);
  assertEveryOutputVerifies(out, 197);
  for (const name of ['doc-001.pdf', 'doc-200.pdf']) {
    assert.match(spawnSync('pdfsig', [path.join(out, name)], { encoding: 'utf8' }).stdout, /Signature is Valid\./, `pdfsig accepts ${name}`);
  }
  assert.ok(!(r.out + r.err).includes(PIN));
});

test('a batch killed with SIGKILL mid-way resumes: nothing is stamped twice, every output verifies', async () => {
  const out = path.join(world.dir, 'stamped-resumed');
  const journal = path.join(out, '.sealdesk-batch.jsonl');
  const child = spawn(BIN, batchArgs(out), { env: world.env, stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.end(`${PIN}\n`);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const doneLines = () => { try { return fs.readFileSync(journal, 'utf8').split('\n').filter((l) => l.includes('"at":"done"')).length; } catch { return 0; } };
  const deadline = Date.now() + 120_000;
  while (doneLines() < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', 'the first run was killed, not finished');
  const doneBeforeKill = doneLines();
  assert.ok(doneBeforeKill >= 40 && doneBeforeKill < 197, `killed mid-batch (${doneBeforeKill} done)`);

  const r = world.run(batchArgs(out), `${PIN}\n`);
  const summary = jsonLines(r.out).at(-1)!.summary as Record<string, number>;
  assert.ok(summary.skipped >= doneBeforeKill, `outputs complete before the kill are skipped (${summary.skipped} ≥ ${doneBeforeKill})`);
  assert.equal(summary.stamped + summary.skipped, 197);
  assert.equal(summary.failed, 3);
  const counts = okStampsPerOutput(out);
  assert.equal(counts.size, 197, 'every output is in the audit log');
  assert.deepEqual([...counts.entries()].filter(([, n]) => n !== 1), [], 'no document was stamped twice');
  assertEveryOutputVerifies(out, 197);

  const again = world.run(batchArgs(out), '');
  const last = jsonLines(again.out).at(-1)!.summary as Record<string, number>;
  assert.equal(last.skipped, 197, 'a finished batch run again stamps nothing (and needs no PIN)');
  assert.equal(last.stamped, 0);
});

test('an output file the batch did not write is never replaced', async () => {
  const dir = path.join(world.dir, 'small-in');
  await batchFolder(dir, 3);
  const out = path.join(world.dir, 'small-out');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'doc-002.pdf'), 'somebody else\'s file');
  const r = world.run(['sign', '--batch', dir, '-o', out, '--token', 'DEMO-KEEPER', '--pin-stdin', '--keyword', 'Seal here', '--offset', '0,-30'], `${PIN}\n`);
  assert.equal(r.code, 1);
  assert.match(r.out, /doc-002\.pdf \[OUTPUT_EXISTS\]/);
  assert.equal(fs.readFileSync(path.join(out, 'doc-002.pdf'), 'utf8'), 'somebody else\'s file');
  assert.match(r.out, /stamped 2, skipped 0, failed 1/);
  const v = JSON.parse(world.run(['verify', path.join(out, 'doc-001.pdf'), '--json']).out);
  const [x1, y1, x2, y2] = v.signatures[0].rect as number[];
  // "Seal here" sits at y 500 (baseline), the seal 30 points below the text's middle.
  assert.ok(Math.abs((y1! + y2!) / 2 - (500 + 14 * 0.35 - 30)) < 3, `centre y ${(y1! + y2!) / 2}`);
  assert.ok(x1! < 140 && x2! > 140, 'horizontally on the text');
});

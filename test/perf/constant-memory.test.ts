// Stamping and verifying read the file through positioned reads and stream the byte ranges through
// the hash (issue #13): the memory they take must not grow with the document. A 300 MB PDF (30
// pages of scanned-looking images, generated streamed into a temp dir) is stamped and then
// verified in a child process, and the kernel's own peak resident set size of that process
// (wait4's ru_maxrss, through bench/rusage.py) must stay far below the file's size — and within a
// few MB of what the same work on a 10 MB file takes. Not timed: the bench measures speed.
// The signer is a software key (bench/bench-keeper.ts): the memory under test is the PDF pipeline's,
// a token would add nothing to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeGeneratedPdf } from '../../bench/generated-pdf';
import { createBenchKeeper } from '../../bench/bench-keeper';

const MB = 1024 * 1024;
const RUSAGE = path.resolve(__dirname, '../../bench/rusage.py');
const CHILD = path.resolve(__dirname, 'support/stamp-and-verify-child.ts');

interface ChildOutcome { verdict: string; size: number; signatures: number; digest?: string; coversWholeFile?: boolean; maxRssMb: number }

/** Stamps INPUT into OUTPUT and verifies OUTPUT in one child process; its peak RSS as the kernel counted it. */
function stampAndVerify(dir: string, input: string, output: string): ChildOutcome {
  const usage = path.join(dir, `rusage-${path.basename(input)}.json`);
  const r = spawnSync('python3', [RUSAGE, usage, process.execPath, '--import', 'tsx', CHILD, dir, input, output], { encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, `the child failed: ${r.stderr}`);
  const { maxRssKb } = JSON.parse(fs.readFileSync(usage, 'utf8')) as { maxRssKb: number };
  return { ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as Omit<ChildOutcome, 'maxRssMb'>), maxRssMb: maxRssKb / 1024 };
}

test('stamping and verifying a 300 MB PDF takes far less memory than the file, about as much as for a 10 MB one', { timeout: 900_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-constant-memory-'));
  try {
    await createBenchKeeper(dir);
    const small = path.join(dir, 'small.pdf');
    const big = path.join(dir, 'big.pdf');
    writeGeneratedPdf(small, { name: '10MB', pages: 3, targetBytes: 10 * MB });
    writeGeneratedPdf(big, { name: '300MB', pages: 30, targetBytes: 300 * MB });
    const bigSize = fs.statSync(big).size;
    assert.ok(bigSize >= 300_000_000, `the generated file has ${bigSize} bytes`);

    const s = stampAndVerify(dir, small, path.join(dir, 'small-stamped.pdf'));
    fs.rmSync(small);
    const b = stampAndVerify(dir, big, path.join(dir, 'big-stamped.pdf'));

    t.diagnostic(`peak RSS: ${s.maxRssMb.toFixed(0)} MB for 10 MB, ${b.maxRssMb.toFixed(0)} MB for ${Math.round(bigSize / MB)} MB`);
    // The work was done: one stamp over the whole new file, its digest intact, the seal trusted.
    for (const o of [s, b]) {
      assert.equal(o.signatures, 1);
      assert.equal(o.digest, 'ok');
      assert.equal(o.coversWholeFile, true);
      assert.equal(o.verdict, 'valid');
    }
    assert.ok(b.size > bigSize, 'the stamped file is the original plus its update');
    // Memory: well under the file, and not growing with it (Node, tsx and the core take most of it:
    // about 140 MB for any size; measured 158 MB for 300 MB beside 142 MB for 10 MB).
    assert.ok(b.maxRssMb < 175, `peak RSS for a ${Math.round(bigSize / MB)} MB file was ${b.maxRssMb.toFixed(0)} MB`);
    assert.ok(b.maxRssMb < s.maxRssMb + 40, `peak RSS ${b.maxRssMb.toFixed(0)} MB for 300 MB against ${s.maxRssMb.toFixed(0)} MB for 10 MB`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

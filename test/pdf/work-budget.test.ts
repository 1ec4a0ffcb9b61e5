import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/**
 * Hostile sizes end in a clear refusal within bounded memory, in reading, verifying, stamping at a
 * point and stamping at a keyword (where pdf.js does the text extraction). Each file is generated
 * here (nothing big is committed) by a child process, and each operation runs in a fresh child
 * whose peak resident memory (process.resourceUsage().maxRSS) is asserted: a few hundred MB,
 * never gigabytes. No timing is asserted; the work budget's own deadline bounds the time.
 */
const child = path.join(__dirname, 'support/budget-child.ts');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-budget-'));
/** Node with tsx and the reader loaded is ~120 MB; one stream may decode to 64 MB (twice that while inflating). */
const MAX_RSS_MB = 512;

type Op = 'read' | 'verify' | 'stamp-point' | 'stamp-keyword';
interface Outcome { outcome: 'ok' | 'refused' | 'crash'; code?: string; zh?: string; en?: string; reason?: string; verdict?: string; maxRssMb: number }

function node(args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', child, ...args], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', maxBuffer: 1 << 20 });
}

function build(name: string): string {
  const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.pdf`);
  node(['build', name, file]);
  return file;
}

/** Runs the operations one after another in one fresh child; one outcome per operation. */
function runAll(file: string, ops: Op[]): Map<Op, Outcome> {
  const lines = node(['run', file, ...ops]).trim().split('\n').filter((l) => l.startsWith('{'));
  return new Map(lines.map((l) => { const o = JSON.parse(l) as Outcome & { op: Op }; return [o.op, o]; }));
}

/** What each operation must end in: 'ok', or refused with this code. */
const CASES: Array<{ name: string; expect: Partial<Record<Op, 'ok' | 'PDF_TOO_COMPLEX' | 'PDF_MALFORMED'>>; reason?: RegExp }> = [
  // the content is never decoded to stamp at a point or to verify; the keyword search must not hand it to pdf.js
  { name: 'content stream deflate bomb', expect: { verify: 'ok', 'stamp-point': 'ok', 'stamp-keyword': 'PDF_TOO_COMPLEX' }, reason: /one stream decompresses to more data than allowed/ },
  { name: 'object stream deflate bomb', expect: { read: 'PDF_TOO_COMPLEX', verify: 'PDF_TOO_COMPLEX', 'stamp-point': 'PDF_TOO_COMPLEX' }, reason: /decompress/ },
  { name: 'two dozen object streams of 40 MB each', expect: { read: 'PDF_TOO_COMPLEX', 'stamp-point': 'PDF_TOO_COMPLEX' }, reason: /its streams decompress to more data than allowed/ },
  { name: 'a 100 MB string', expect: { verify: 'PDF_TOO_COMPLEX', 'stamp-point': 'PDF_TOO_COMPLEX' }, reason: /string in it is too long/ },
  { name: 'a million pages', expect: { verify: 'PDF_TOO_COMPLEX', 'stamp-point': 'PDF_TOO_COMPLEX' }, reason: /more pages than allowed/ },
  { name: 'pages beyond the limit under a /Count that lies', expect: { 'stamp-point': 'PDF_TOO_COMPLEX' }, reason: /more pages than allowed/ },
  { name: 'forms that draw forms ten deep, ten times each', expect: { 'stamp-point': 'ok', 'stamp-keyword': 'PDF_TOO_COMPLEX' }, reason: /decompress to more data than allowed/ },
  { name: 'a page tree nested ten thousand deep', expect: { 'stamp-point': 'PDF_MALFORMED' }, reason: /page tree too deep/ },
];

for (const c of CASES) {
  test(`${c.name}: refused clearly where it must be, and never more than ${MAX_RSS_MB} MB`, () => {
    const file = build(c.name);
    const before = fs.readFileSync(file).subarray(0, 64).toString('hex');
    const ops = Object.keys(c.expect) as Op[];
    const outcomes = runAll(file, ops);
    for (const op of ops) {
      const want = c.expect[op]!;
      const r = outcomes.get(op)!;
      assert.ok(r, `${op}: no outcome`);
      assert.notEqual(r.outcome, 'crash', `${op}: ${JSON.stringify(r)}`);
      assert.ok(r.maxRssMb < MAX_RSS_MB, `${op}: peak memory ${r.maxRssMb} MB`);
      console.log(`${c.name} / ${op}: ${r.outcome} ${r.code ?? ''}, peak ${r.maxRssMb} MB`);
      if (want === 'ok') {
        assert.equal(r.outcome, 'ok', `${op}: ${JSON.stringify(r)}`);
        continue;
      }
      assert.equal(r.outcome, 'refused', `${op}: ${JSON.stringify(r)}`);
      assert.equal(r.code, want, `${op}: ${r.code} ${r.en}`);
      assert.ok(r.zh && /[\u4e00-\u9fff]/.test(r.zh) && r.en, `${op}: a message in both languages`);
      if (c.reason) assert.match(`${r.reason} ${r.en}`, c.reason, `${op}: ${r.en}`);
      if (op.startsWith('stamp')) assert.equal(fs.existsSync(`${file}.${op}.pdf`), false, `${op}: no output after a refusal`);
    }
    assert.equal(fs.readFileSync(file).subarray(0, 64).toString('hex'), before, 'the input is untouched');
    fs.rmSync(file, { force: true });
  });
}

test('clean up', () => { fs.rmSync(dir, { recursive: true, force: true }); });

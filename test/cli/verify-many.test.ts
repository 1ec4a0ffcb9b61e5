import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { demoWorld } from './support/demo-world';

const world = demoWorld();
const repoRoot = path.resolve(__dirname, '../..');
const stamped = path.join(world.dir, 'stamped.pdf');
const unsigned = path.resolve(repoRoot, 'resources/samples/contract.pdf');
const OFD_INVOICE = path.resolve(__dirname, '../../../shared/testdata/gm/v4signed.ofd');

/** A copy of the stamped contract with one byte inside the signed range changed. */
function tamperedCopy(): string {
  const bytes = fs.readFileSync(stamped);
  const at = bytes.indexOf('/MediaBox');
  assert.ok(at > 0);
  bytes[at + 1] = 'N'.charCodeAt(0); // /MediaBox → /NediaBox: still a PDF, no longer what was signed
  const file = path.join(world.dir, 'tampered.pdf');
  fs.writeFileSync(file, bytes);
  return file;
}

const junk = path.join(world.dir, 'junk.pdf');
fs.writeFileSync(junk, 'this is not a PDF\n');
const tampered = tamperedCopy();

test('sealdesk verify FILE... reports each file in one process, in order, as JSON lines with --json', () => {
  const r = world.run(['verify', stamped, unsigned, junk, stamped, '--json']);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { verdict: string; file: { name?: string }; error?: { code: string } });
  assert.deepEqual(lines.map((l) => [l.file.name, l.verdict]), [
    ['stamped.pdf', 'valid'], ['contract.pdf', 'warning'], ['junk.pdf', 'unreadable'], ['stamped.pdf', 'valid'],
  ]);
  assert.equal(lines[2]!.error!.code, 'PDF_MALFORMED');
  assert.equal(r.code, 2, 'an unreadable file is worse than a warning');
  // Each file is verified and logged on its own.
  const verifies = world.auditLines().filter((l) => l.action === 'verify').slice(-4);
  assert.deepEqual(verifies.map((l) => path.basename(String(l.document))), ['stamped.pdf', 'contract.pdf', 'junk.pdf', 'stamped.pdf']);
});

test('the exit code of several files is the worst verdict: one forged file makes the whole run invalid', () => {
  assert.equal(world.run(['verify', stamped, stamped]).code, 0);
  assert.equal(world.run(['verify', stamped, unsigned]).code, 3);
  const r = world.run(['verify', stamped, tampered, junk, unsigned]);
  assert.equal(r.code, 1, r.err);
  // The text reports follow each other, one per file, the broken one named on stderr.
  assert.equal((r.out.match(/^文件 \/ File: /gm) ?? []).length, 3);
  assert.match(r.err, /junk\.pdf:\n错误 \[PDF_MALFORMED\]/);
});

test('sealdesk verify with no file is a usage error', () => {
  const r = world.run(['verify', '--json']);
  assert.equal(r.code, 64);
  assert.match(r.err, /FILE\.\.\./);
});

// The built command (scripts/build.mjs --cli-only), built into a private dir so that parallel test files never race on dist/.
const bundleDir = path.join(repoRoot, 'dist', `cli-test-${process.pid}`);
after(() => fs.rmSync(bundleDir, { recursive: true, force: true }));

function buildBundle(): string {
  const b = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build.mjs'), '--cli-only', '--cli-out', bundleDir], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  return path.join(bundleDir, 'main.mjs');
}

/**
 * Runs the bundle with a preload that notes every package loaded from node_modules and every
 * module file the ES loader resolves, so a test can see what a command pulled in.
 */
function runBundle(main: string, args: string[]): { code: number | null; out: string; err: string; packages: string[]; files: string[] } {
  const trace = path.join(bundleDir, `trace-${Date.now()}.txt`);
  const hook = path.join(bundleDir, 'trace-hook.cjs');
  fs.writeFileSync(hook, `
const fs = require('node:fs');
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (!request.startsWith('node:') && !request.startsWith('.') && !request.startsWith('/') && !Module.isBuiltin(request)) fs.appendFileSync(process.env.TRACE, 'package ' + request + '\\n');
  return load.apply(this, arguments);
};
Module.register('data:text/javascript,' + encodeURIComponent(
  "import fs from 'node:fs'; export async function resolve(s, c, next) { const r = await next(s, c); fs.appendFileSync(process.env.TRACE, 'file ' + r.url + '\\\\n'); return r; }"));
`);
  const r = spawnSync(process.execPath, ['--require', hook, main, ...args], { env: { ...world.env, TRACE: trace }, encoding: 'utf8' });
  const lines = fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8').split('\n').filter(Boolean) : [];
  return {
    code: r.status, out: r.stdout, err: r.stderr,
    packages: lines.filter((l) => l.startsWith('package ')).map((l) => l.slice(8)),
    files: lines.filter((l) => l.startsWith('file file:')).map((l) => path.relative(bundleDir, new URL(l.slice(5)).pathname)),
  };
}

test('the built sealdesk loads only what a command uses: --help loads no command, verify loads no token, server or pdf.js code', () => {
  const main = buildBundle();
  const help = runBundle(main, ['--help']);
  assert.equal(help.code, 0, help.err);
  assert.match(help.out, /sealdesk verify FILE/);
  // main.mjs and the small shared chunk with the error printing; no command's code.
  const helpFiles = [...new Set(help.files)];
  assert.ok(!helpFiles.some((f) => /^chunks\/(verify|sign|token|seal|platform|demo|trust|log)-/.test(f)), helpFiles.join(', '));
  const helpBytes = helpFiles.reduce((n, f) => n + fs.statSync(path.join(bundleDir, f)).size, 0);
  assert.ok(helpBytes < 16 * 1024, `--help loads ${helpBytes} bytes of code: ${helpFiles.join(', ')}`);
  assert.deepEqual(help.packages, []);

  const v = runBundle(main, ['verify', stamped, '--json']);
  assert.equal(v.code, 0, v.err);
  assert.equal(JSON.parse(v.out).verdict, 'valid');
  assert.ok(v.files.some((f) => /^chunks\/verify-/.test(f)), `the verify command's chunk is loaded: ${v.files.join(', ')}`);
  assert.ok(!v.files.some((f) => /^chunks\/(sign|token|seal|platform|demo)-/.test(f)), `no other command's chunk: ${v.files.join(', ')}`);
  const heavy = ['pkcs11js', 'graphene-pk11', 'fastify', 'kysely', 'better-sqlite3', 'pg', 'pino', 'pdfjs-dist', 'zod', 'saxes', 'jpeg-js', 'sm-crypto'];
  assert.deepEqual(v.packages.filter((p) => heavy.some((h) => p === h || p.startsWith(`${h}/`))), []);
  assert.ok(!v.files.some((f) => f.includes('pdfjs-dist')), 'pdf.js is not imported to verify');
});

test('the built sealdesk still loads the token code when a command needs it, and verifies an OFD through its lazily loaded reader', () => {
  const main = path.join(bundleDir, 'main.mjs');
  if (!fs.existsSync(main)) buildBundle();
  const t = runBundle(main, ['token', 'list']);
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /DEMO-KEEPER/);
  assert.ok(t.packages.includes('pkcs11js'), `token list loads pkcs11js: ${t.packages.join(', ')}`);
  const o = runBundle(main, ['verify', OFD_INVOICE, '--json']);
  assert.equal(JSON.parse(o.out).verdict, 'warning', o.err);
  assert.ok(o.packages.includes('saxes'), 'the OFD reader loads its XML parser when it is needed');
});

// Builds the Electron app into dist/: main + token host (Node, CommonJS), the sandboxed preload
// (one self-contained script; sandboxed preloads may only require 'electron'), and the renderer
// (React + pdf.js, one browser bundle) with pdf.js's worker, cmaps and fonts served from app://.
// Usage: node scripts/build.mjs [--renderer-only | --console-only] [--out DIR] [--console-out DIR]  (DIR replaces dist/renderer; the e2e tests
// build into a private dir so that parallel test files never race on dist/)
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const rendererOnly = process.argv.includes('--renderer-only');
const pdfjsDir = path.join(root, 'node_modules', 'pdfjs-dist');

const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };

const outArg = process.argv.indexOf('--out');
const rendererOut = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(dist, 'renderer');

async function buildRenderer() {
  const out = rendererOut;
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  await build({
    ...common,
    entryPoints: [path.join(root, 'src/renderer/index.tsx')],
    outfile: path.join(out, 'app.js'),
    platform: 'browser',
    format: 'esm',
    target: ['chrome120'],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    minify: true,
  });
  fs.copyFileSync(path.join(root, 'src/renderer/index.html'), path.join(out, 'index.html'));
  fs.copyFileSync(path.join(root, 'src/renderer/styles.css'), path.join(out, 'styles.css'));
  // pdf.js's worker must come from our own origin (CSP worker-src 'self').
  fs.copyFileSync(path.join(pdfjsDir, 'build', 'pdf.worker.min.mjs'), path.join(out, 'pdf.worker.mjs'));
  fs.cpSync(path.join(pdfjsDir, 'cmaps'), path.join(out, 'cmaps'), { recursive: true });
  fs.cpSync(path.join(pdfjsDir, 'standard_fonts'), path.join(out, 'standard_fonts'), { recursive: true });
}

// The platform's web console (src/platform/console): one browser bundle, served by the platform server.
const consoleOutArg = process.argv.indexOf('--console-out');
const consoleOut = consoleOutArg > 0 ? path.resolve(process.argv[consoleOutArg + 1]) : path.join(dist, 'console');

async function buildConsole() {
  fs.rmSync(consoleOut, { recursive: true, force: true });
  fs.mkdirSync(consoleOut, { recursive: true });
  await build({
    ...common,
    entryPoints: [path.join(root, 'src/platform/console/index.tsx')],
    outfile: path.join(consoleOut, 'console.js'),
    platform: 'browser',
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari16'],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    minify: true,
  });
  fs.copyFileSync(path.join(root, 'src/platform/console/index.html'), path.join(consoleOut, 'index.html'));
  fs.copyFileSync(path.join(root, 'src/platform/console/console.css'), path.join(consoleOut, 'console.css'));
}

async function buildElectron() {
  await build({
    ...common,
    entryPoints: { 'main/main': 'src/main/main.ts', 'main/token-host': 'src/main/token-host.ts' },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Native and large packages load from node_modules at run time (pkcs11js is unpacked from asar).
    packages: 'external',
  });
  await build({
    ...common,
    entryPoints: ['src/preload/preload.ts'],
    outfile: path.join(dist, 'preload', 'preload.js'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron'],
  });
}

const consoleOnly = process.argv.includes('--console-only');
if (!consoleOnly) await buildRenderer();
if (!rendererOnly && !consoleOnly) await buildElectron();
if (!rendererOnly) await buildConsole();
console.log(`built ${consoleOnly ? 'the platform console' : rendererOnly ? 'renderer' : 'main, token host, preload, renderer and the platform console'} into ${path.relative(process.cwd(), dist) || 'dist'}`);

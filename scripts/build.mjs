// Builds the Electron app into dist/: main + token host (Node, CommonJS), the sandboxed preload
// (one self-contained script; sandboxed preloads may only require 'electron'), and the renderer
// (React + pdf.js, one browser bundle) with pdf.js's worker, cmaps and fonts served from app://.
// The sealdesk command goes to dist/cli (bin/sealdesk runs dist/cli/main.mjs when it is there).
// Usage: node scripts/build.mjs [--renderer-only | --console-only | --cli-only] [--out DIR] [--console-out DIR] [--cli-out DIR]
// (--cli-out must lie inside this checkout: the bundle finds resources/ and node_modules from where it is)  (DIR replaces dist/renderer; the e2e tests
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

// Packages the CLI loads from node_modules at run time: native addons, packages that load files
// beside themselves (pino's transport threads) and the server stack, which only `platform serve`
// needs. Everything else is bundled. They are loaded through require() where they are first used,
// never as ES imports at the top of a chunk: an ES import would load graphene and the pkcs11js addon
// with every chunk that holds token code, and Node's CommonJS-to-ESM translation costs time too.
// pdf.js (ES only) stays a plain external, loaded by the import() of the code that needs it.
const CLI_REQUIRED = [
  'pkcs11js', 'graphene-pk11', 'better-sqlite3', '@resvg/resvg-js', 'pg', 'pg-native',
  'pino', 'fastify', '@fastify/cookie', '@fastify/rate-limit', 'kysely', 'react', 'react-dom', 'electron',
  // Loaded by one path each (JPEG pictures, SM2 signatures, OFD files): not parsed with every command.
  'jpeg-js', 'sm-crypto', 'saxes',
];
const requiredAtRunTime = {
  name: 'required-at-run-time',
  setup(b) {
    const names = CLI_REQUIRED.map((n) => n.replace(/[/.]/g, (c) => `\\${c}`)).join('|');
    const filter = new RegExp(`^(${names})(/.*)?$`);
    b.onResolve({ filter }, (a) => (a.namespace === 'required' ? { path: a.path, external: true } : { path: a.path, namespace: 'required' }));
    b.onLoad({ filter: /.*/, namespace: 'required' }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});`, loader: 'js' }));
  },
};

// ES modules need these three from CommonJS: the bundled CommonJS packages call require(), and
// __dirname / __filename locate files (through core/config/install-root.ts).
const CLI_BANNER = [
  "import { createRequire as __sdRequire } from 'node:module';",
  "import { fileURLToPath as __sdPath } from 'node:url';",
  "import { dirname as __sdDirname } from 'node:path';",
  'const require = __sdRequire(import.meta.url);',
  'const __filename = __sdPath(import.meta.url);',
  'const __dirname = __sdDirname(__filename);',
].join(' ');

// The sealdesk command: ES modules split into chunks, so that a command loads only its own code
// (src/cli/main.ts imports each command lazily, and heavy paths import their modules lazily):
// `sealdesk --help` loads nothing but main.mjs, `sealdesk verify` never loads the token or server code.
const cliOutArg = process.argv.indexOf('--cli-out');
const cliOut = cliOutArg > 0 ? path.resolve(process.argv[cliOutArg + 1]) : path.join(dist, 'cli');

async function buildCli() {
  const out = cliOut;
  fs.rmSync(out, { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: { main: 'src/cli/bin.ts' },
    outdir: out,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['pdfjs-dist', 'pdfjs-dist/*'],
    plugins: [requiredAtRunTime],
    banner: { js: CLI_BANNER },
  });
}

const consoleOnly = process.argv.includes('--console-only');
const cliOnly = process.argv.includes('--cli-only');
if (cliOnly) {
  await buildCli();
} else {
  if (!consoleOnly) await buildRenderer();
  if (!rendererOnly && !consoleOnly) await buildElectron();
  if (!rendererOnly) await buildConsole();
  if (!rendererOnly && !consoleOnly) await buildCli();
}
const what = cliOnly ? 'the sealdesk command' : consoleOnly ? 'the platform console' : rendererOnly ? 'renderer' : 'main, token host, preload, renderer, the platform console and the sealdesk command';
console.log(`built ${what} into ${path.relative(process.cwd(), dist) || 'dist'}`);

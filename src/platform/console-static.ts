/**
 * Serves the built web console (dist/console, made by `node scripts/build.mjs --console-only`) from
 * the platform server: `/` is the page, plus its script and style sheet. A fixed list of names, read
 * once at start, so no request path ever reaches the file system. Strict headers: the page's CSP (no
 * inline script, API calls to its own origin only), no framing, no sniffing, no referrer.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

export const DEFAULT_CONSOLE_DIR = path.resolve(__dirname, '../../dist/console');

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

const HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** Registers the console's routes; where the console was not built, `/` says how to build it. */
export function registerConsole(app: FastifyInstance, dir = DEFAULT_CONSOLE_DIR): { served: boolean } {
  const loaded = Object.entries(FILES).map(([route, f]) => {
    try { return { route, type: f.type, body: fs.readFileSync(path.join(dir, f.file)) }; } catch { return undefined; }
  });
  const served = loaded.every((l) => l !== undefined);
  if (!served) {
    app.get('/', async (_req, reply) => reply.code(503).headers(HEADERS).type('text/plain; charset=utf-8')
      .send('控制台尚未构建：请运行 node scripts/build.mjs --console-only\nThe console is not built: run node scripts/build.mjs --console-only\n'));
    return { served };
  }
  for (const l of loaded) {
    app.get(l!.route, async (_req, reply) => reply.headers(HEADERS).type(l!.type).send(l!.body));
  }
  return { served };
}

/**
 * How the platform serves the console: the built page, script and style at fixed paths with the
 * strict headers; nothing else from the directory (no path reaches the file system); a clear 503
 * where the console was not built. Fastify's inject over the real route code, no network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { registerConsole } from '../../src/platform/console-static';
import { buildConsole } from './support/console-browser';

test('the built console is served at / with its CSP, and only the three files it is made of', async () => {
  const dir = buildConsole();
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for the web');
  const app = Fastify();
  assert.deepEqual(registerConsole(app, dir), { served: true });
  const page = await app.inject({ method: 'GET', url: '/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-type'] as string, /^text\/html; charset=utf-8/);
  assert.match(page.body, /<title>电子印章管理平台<\/title>/);
  assert.match(page.headers['content-security-policy'] as string, /script-src 'self';.*connect-src 'self';.*frame-ancestors 'none'/);
  assert.equal(page.headers['x-frame-options'], 'DENY');
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  const js = await app.inject({ method: 'GET', url: '/console.js' });
  assert.equal(js.statusCode, 200);
  assert.match(js.headers['content-type'] as string, /^text\/javascript/);
  assert.ok(js.body.length > 1000);
  for (const url of ['/secret.txt', '/index.html', '/console.js.map', '/../package.json', '/%2e%2e/package.json', '/console.js/']) {
    assert.equal((await app.inject({ method: 'GET', url })).statusCode, 404, url);
  }
  await app.close();
});

test('where the console was not built, / says how to build it (503), in Chinese and English', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-no-console-'));
  const app = Fastify();
  assert.deepEqual(registerConsole(app, empty), { served: false });
  const r = await app.inject({ method: 'GET', url: '/' });
  assert.equal(r.statusCode, 503);
  assert.match(r.body, /控制台尚未构建/);
  assert.match(r.body, /The console is not built: run node scripts\/build\.mjs --console-only/);
  await app.close();
  fs.rmSync(empty, { recursive: true, force: true });
});

// The Electron rules that are plain data: the CSP, the app:// asset resolver, window preferences.
// These run without the Electron binary.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { APP_ENTRY, CONTENT_SECURITY_POLICY, assetHeaders, isAllowedNavigation, isTrustedSenderUrl, resolveAppAsset, secureWebPreferences } from '../../src/main/security';

const directives = (csp: string) => new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((p) => p[0]).map(([k, ...v]) => [k, v]));

test('the CSP allows scripts, workers and connections from our own origin only, and no inline or eval script', () => {
  const d = directives(CONTENT_SECURITY_POLICY);
  assert.deepEqual(d.get('default-src'), ["'none'"]);
  assert.deepEqual(d.get('script-src'), ["'self'"]);
  assert.deepEqual(d.get('worker-src'), ["'self'"]);
  assert.deepEqual(d.get('connect-src'), ["'self'"]);
  assert.deepEqual(d.get('object-src'), ["'none'"]);
  assert.deepEqual(d.get('frame-ancestors'), ["'none'"]);
  for (const [name, values] of d) {
    assert.ok(!values.some((v) => /unsafe-eval|^\*$|^https?:|^file:/.test(v)), `${name} must not allow ${values.join(' ')}`);
    if (name !== 'style-src') assert.ok(!values.includes("'unsafe-inline'"), `${name} must not allow inline code`);
  }
});

test('the page itself carries the same script policy in a meta tag, in case a header is lost', () => {
  const html = fs.readFileSync(path.join(__dirname, '../../src/renderer/index.html'), 'utf8');
  const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
  assert.ok(meta, 'index.html has a CSP meta tag');
  const m = directives(meta[1]);
  const h = directives(CONTENT_SECURITY_POLICY);
  for (const k of ['default-src', 'script-src', 'worker-src', 'connect-src', 'object-src', 'img-src', 'style-src']) assert.deepEqual(m.get(k), h.get(k), k);
  assert.ok(!/<script>(?!<\/script>)|<script(?![^>]*src=)[^>]*>[^<]/.test(html), 'no inline script in index.html');
});

test('every asset from app:// is sent with the CSP and nosniff', () => {
  const h = assetHeaders('/x/app.js');
  assert.equal(h['Content-Security-Policy'], CONTENT_SECURITY_POLICY);
  assert.equal(h['X-Content-Type-Options'], 'nosniff');
  assert.match(h['Content-Type'], /javascript/);
  assert.match(assetHeaders('pdf.worker.mjs')['Content-Type'], /javascript/, 'the pdf.js worker is served as a script');
});

test('app:// resolves only files inside the renderer directory', () => {
  assert.equal(resolveAppAsset('app://sealdesk/'), 'index.html');
  assert.equal(resolveAppAsset('app://sealdesk/cmaps/UniGB-UCS2-H.bcmap'), 'cmaps/UniGB-UCS2-H.bcmap');
  // A literal ../ is collapsed by URL parsing itself: it stays inside the renderer dir.
  const collapsed = resolveAppAsset('app://sealdesk/../../etc/passwd');
  assert.ok(collapsed !== null && path.resolve('/r', collapsed).startsWith('/r/'), String(collapsed));
  for (const bad of [
    'app://sealdesk/..%2f..%2fetc%2fpasswd',
    'app://sealdesk/a%5c..%5c..%5cwindows',
    'app://sealdesk/index.html%00.png',
    'app://other/index.html',
    'file:///etc/passwd',
    'app://sealdesk/%E0%A4%A',
  ]) {
    assert.equal(resolveAppAsset(bad), null, bad);
  }
});

test('only our own app:// page is a trusted sender or a navigation target', () => {
  assert.equal(isTrustedSenderUrl(APP_ENTRY), true);
  for (const u of ['file:///work/index.html', 'https://sealdesk/index.html', 'app://evil/index.html', 'app://user:pw@sealdesk/', 'about:blank', '', null, 'javascript:alert(1)', 'data:text/html,x']) {
    assert.equal(isTrustedSenderUrl(u as string), false, String(u));
    assert.equal(isAllowedNavigation(u as string), false, String(u));
  }
});

test('windows get context isolation and the sandbox, and no Node integration anywhere', () => {
  const wp = secureWebPreferences('/p/preload.js');
  assert.equal(wp.contextIsolation, true);
  assert.equal(wp.sandbox, true);
  assert.equal(wp.nodeIntegration, false);
  assert.equal(wp.nodeIntegrationInWorker, false);
  assert.equal(wp.nodeIntegrationInSubFrames, false);
  assert.equal(wp.webSecurity, true);
  assert.equal(wp.webviewTag, false);
  assert.equal(wp.allowRunningInsecureContent, false);
});

test('main loads the renderer from app://, never from file://, and denies new windows and permissions', () => {
  const main = fs.readFileSync(path.join(__dirname, '../../src/main/main.ts'), 'utf8');
  assert.match(main, /loadURL\(APP_ENTRY\)/);
  assert.doesNotMatch(main, /loadFile\(|file:\/\//);
  assert.match(main, /setWindowOpenHandler\(\(\) => \(\{ action: 'deny' \}\)\)/);
  assert.match(main, /setPermissionRequestHandler\([^)]*\) => callback\(false\)\)/);
  assert.match(main, /will-navigate/);
});

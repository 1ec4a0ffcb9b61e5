// Other ways in and around: a file dropped on the window, a path from the command line, the audit
// log, settings (trust root, language). Playwright drives Debian's Chromium over the BUILT renderer;
// window.sealdesk is an HTTP shim replacing only Electron's IPC transport (a dropped file's bytes
// travel to the test server instead of its path); behind it the real core and the demo world.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { useDemoUi, type Ui } from './support/ui';
import type { DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
useDemoUi((w, u) => {
  world = w;
  ui = u;
});

test('a stamped PDF dropped onto the window opens and verifies itself', async () => {
  const bytes = [...fs.readFileSync(world.stampedPdf)];
  await ui.page.evaluate((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], '拖入的合同.pdf', { type: 'application/pdf' }));
    const target = document.querySelector('.app')!;
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, bytes);
  await ui.page.locator('[data-testid=docname]', { hasText: '拖入的合同.pdf' }).waitFor({ timeout: 30_000 });
  await ui.page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 60_000 });
});

test('a path given on the command line is open when the window starts', async () => {
  // What main does with argv: register the path as waiting; the page takes it when it starts.
  ui.server.documents.addWaiting(world.stampedPdf);
  await ui.page.reload();
  await ui.page.locator('[data-testid=docname]', { hasText: 'stamped.pdf' }).waitFor({ timeout: 30_000 });
  await ui.page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 60_000 });
});

test('the audit log shows the verifications just made, newest first', async () => {
  await ui.page.getByRole('button', { name: '审计日志' }).click();
  const rows = ui.page.locator('[data-testid=audit] tbody tr');
  await rows.first().waitFor({ timeout: 30_000 });
  const first = await rows.first().innerText();
  assert.match(first, /verify/);
  const seqs = await rows.locator('td:first-child').allInnerTexts();
  assert.deepEqual(seqs.map(Number), [...seqs.map(Number)].sort((a, b) => b - a));
  await ui.page.locator('[data-testid=audit] button', { hasText: '关闭' }).click();
});

test('settings add a trust root from a file and switch the language to English and back', async () => {
  const key = path.join(world.dir, 'other-root.key');
  const cert = path.join(world.dir, 'other-root.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=Another Root/O=Elsewhere'], { stdio: 'ignore' });
  await ui.page.getByRole('button', { name: '设置' }).click();
  const settings = ui.page.locator('[data-testid=settings]');
  await settings.waitFor();
  const before = await settings.locator('.roots li').count();
  assert.ok(before >= 1, 'the demo root is trusted');
  ui.server.dialogs.trust.push(cert);
  await settings.getByRole('button', { name: '添加根证书文件…' }).click();
  await settings.locator('.roots li', { hasText: 'Another Root' }).waitFor();
  assert.equal(await settings.locator('.roots li').count(), before + 1);

  await settings.locator('select').selectOption('en');
  await settings.getByRole('button', { name: '保存' }).click();
  await ui.page.getByRole('button', { name: 'Open document' }).waitFor();
  await ui.page.getByRole('button', { name: 'Settings' }).click();
  await settings.locator('select').selectOption('zh');
  await settings.getByRole('button', { name: 'Save' }).click();
  await ui.page.getByRole('button', { name: '打开文档' }).waitFor();
});

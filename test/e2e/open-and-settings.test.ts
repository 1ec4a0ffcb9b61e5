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

test('the audit log shows the verifications just made in Chinese, newest first, with the document; filters, exports, and checks its hash chain', async () => {
  await ui.page.getByRole('button', { name: '审计日志' }).click();
  const audit = ui.page.locator('[data-testid=audit]');
  const rows = audit.locator('tbody tr');
  await rows.first().waitFor({ timeout: 30_000 });
  const first = await rows.first().innerText();
  assert.match(first, /验证文档/);
  assert.match(first, /成功/);
  assert.match(first, /stamped\.pdf|拖入的合同\.pdf/, 'the document column names the file');
  assert.doesNotMatch(first, /\bverify\b|\bok\b/, 'no raw action or outcome names');
  const seqs = await rows.locator('td:first-child').allInnerTexts();
  assert.deepEqual(seqs.map(Number), [...seqs.map(Number)].sort((a, b) => b - a));

  // Filters: by action (the demo world's own stamp, then no PIN change at all), by outcome, by text.
  await audit.locator('[data-testid=audit-filter-action]').selectOption('stamp');
  await audit.locator('tbody tr[data-action=stamp]').first().waitFor();
  assert.equal(await audit.locator('tbody tr:not([data-action=stamp])').count(), 0, 'only stamps are listed');
  assert.match(await rows.first().innerText(), /文档签章/);
  await audit.locator('[data-testid=audit-filter-action]').selectOption('token.change-pin');
  await audit.getByText('暂无记录').waitFor();
  await audit.locator('[data-testid=audit-filter-action]').selectOption('');
  await audit.locator('[data-testid=audit-filter-outcome]').selectOption('ok');
  assert.equal(await audit.locator('tbody tr:not([data-outcome=ok])').count(), 0);
  await audit.locator('[data-testid=audit-filter-outcome]').selectOption('');
  assert.equal(await rows.count(), seqs.length);
  await audit.locator('[data-testid=audit-filter-text]').fill('拖入的合同');
  assert.ok((await rows.count()) >= 1 && (await rows.count()) < seqs.length, 'the text filter narrows to one document');
  await audit.locator('[data-testid=audit-filter-text]').fill('');

  // Export: a CSV with a header in Chinese and one line per entry.
  const csv = path.join(world.dir, '审计日志.csv');
  ui.server.dialogs.csv.push(csv);
  await audit.locator('[data-testid=audit-export]').click();
  await audit.locator('[data-testid=audit-note]').waitFor();
  const lines = fs.readFileSync(csv, 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
  assert.match(lines[0]!, /"序号","时间","操作","结果","文档"/);
  assert.equal(lines.length, seqs.length + 1);

  // The chain check (sealdesk log verify): intact now; after one entry is edited on disk, it says where.
  await audit.locator('[data-testid=audit-verify]').click();
  await audit.locator('[data-testid=audit-check][data-ok=yes]', { hasText: '哈希链校验通过' }).waitFor();
  const logFile = path.join(world.home, 'audit.log');
  const logLines = fs.readFileSync(logFile, 'utf8').split('\n');
  logLines[0] = logLines[0]!.replace('"outcome":"ok"', '"outcome":"failed"');
  fs.writeFileSync(logFile, logLines.join('\n'));
  await audit.locator('[data-testid=audit-verify]').click();
  const bad = audit.locator('[data-testid=audit-check][data-ok=no]');
  await bad.waitFor();
  assert.match(await bad.innerText(), /第 1 条记录起校验失败\uff08该记录被修改过/);
  assert.equal(world.sealdesk(['log', 'verify']).status === 0, false, 'the CLI agrees');
  await ui.page.keyboard.press('Escape');
  await audit.waitFor({ state: 'detached' });
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

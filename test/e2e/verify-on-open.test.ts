// Opening a document verifies it by itself (domain.md flow 4). Playwright drives Debian's Chromium
// over the BUILT renderer; window.sealdesk is an HTTP shim that replaces only Electron's IPC
// transport — behind it the same handler table runs over the real core, the demo world's SoftHSM2
// tokens and its trust store.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { withOneByteChanged, type DemoWorld } from './support/world';
import { openInUi, useDemoUi, type Ui } from './support/ui';

let world: DemoWorld;
let ui: Ui;
useDemoUi((w, u) => {
  world = w;
  ui = u;
});

const tamperedCopy = () => withOneByteChanged(world.stampedPdf, path.join(world.dir, 'tampered.pdf'));

test('a validly stamped contract opens with the valid banner and its seal listed with every check', async () => {
  await openInUi(ui, world.stampedPdf);
  const banner = ui.page.locator('[data-testid=banner]');
  await ui.page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 60_000 });
  assert.equal(await banner.getAttribute('data-verdict'), 'valid', await banner.innerText());
  assert.match(await banner.innerText(), /全部印章有效/);
  const item = ui.page.locator('[data-testid=seal-list] .seal-item');
  assert.equal(await item.count(), 1);
  assert.equal(await item.getAttribute('data-verdict'), 'valid');
  const esid = (await item.locator('.esid').innerText()).trim();
  assert.ok(esid.length > 0 && esid !== '—', 'the seal esID is shown');
  const checks = item.locator('.check');
  assert.ok((await checks.count()) >= 4, 'each check is listed');
  assert.equal(await item.locator('.check[data-status=failed]').count(), 0);
  // Clicking the seal in the list scrolls to it; on the page it carries the small valid mark.
  await item.click();
  const overlay = ui.page.locator('.seal-overlay.highlighted');
  await overlay.waitFor({ timeout: 30_000 });
  assert.ok(await overlay.isVisible());
  assert.equal(await overlay.getAttribute('data-verdict'), 'valid');
  assert.equal(await overlay.locator('.seal-mark').count(), 1);
  const sealPage = await overlay.evaluate((el) => el.closest('.page')!.getAttribute('data-page'));
  await ui.page.locator(`.thumb[data-page="${sealPage}"] .seal-overlay[data-verdict=valid] .seal-mark`).waitFor({ timeout: 15_000 });
  assert.equal(await ui.page.locator('.seal-overlay .cross').count(), 0);
});

test('a stamped contract with one changed byte opens with the invalid banner and the seal greyed and crossed out', async () => {
  await openInUi(ui, tamperedCopy());
  const banner = ui.page.locator('[data-testid=banner][data-verdict=invalid]');
  await banner.waitFor({ timeout: 60_000 });
  assert.match(await banner.innerText(), /无效印章/);
  const item = ui.page.locator('[data-testid=seal-list] .seal-item');
  assert.equal(await item.getAttribute('data-verdict'), 'invalid');
  assert.ok((await item.locator('.check[data-status=failed]').count()) >= 1, 'the failed check is shown');
  await item.click();
  const overlay = ui.page.locator('[data-testid=document] .seal-overlay[data-verdict=invalid]');
  await overlay.waitFor({ timeout: 30_000 });
  assert.ok(await overlay.isVisible());
  assert.equal(await overlay.locator('.cross').count(), 1, 'crossed out');
  const reason = (await overlay.getAttribute('title')) ?? '';
  assert.match(reason, /^无效原因\uff1a.+/, 'the reason shows on hover');
  const box = await overlay.boundingBox();
  assert.ok(box && box.width > 20 && box.height > 20, 'the cross covers the widget');
  // The thumbnail shows the seal exactly as the page does: greyed and crossed, not as a normal seal.
  const sealPage = await overlay.evaluate((el) => el.closest('.page')!.getAttribute('data-page'));
  const thumbMark = ui.page.locator(`.thumb[data-page="${sealPage}"] .seal-overlay[data-verdict=invalid]`);
  await thumbMark.waitFor({ timeout: 15_000 });
  assert.equal(await thumbMark.locator('.cross').count(), 1, 'crossed out in the thumbnail too');
  assert.equal(await ui.page.locator('.thumb .seal-overlay[data-verdict=valid]').count(), 0, 'no thumbnail shows it valid');
  // The headline names the failed check, and no "not modified after stamping" contradicts it.
  assert.match(await item.locator('[data-testid=seal-headline]').innerText(), /内容完整性|签名范围|签名值/);
  assert.equal(await item.locator('.check[data-check=modifications][data-status=ok]').count(), 0, 'no "unchanged since stamping" beside a failed integrity check');
});

test('a document without seals says so and is readable at once', async () => {
  await openInUi(ui, world.contractPdf);
  const banner = ui.page.locator('[data-testid=banner][data-verdict=none]');
  await banner.waitFor({ timeout: 60_000 });
  assert.match(await banner.innerText(), /没有电子印章/);
  assert.equal(await ui.page.locator('[data-testid=seal-list]').count(), 0);
});

test('the verification report exports as a PDF naming the verdict and the seal', async () => {
  await openInUi(ui, world.stampedPdf);
  await ui.page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 60_000 });
  const target = path.join(world.dir, 'report.pdf');
  ui.server.dialogs.report.push(target);
  await ui.page.click('[data-testid=export]');
  await ui.page.locator('[data-testid=toast]').waitFor({ timeout: 60_000 });
  assert.equal(fs.readFileSync(target).subarray(0, 5).toString('latin1'), '%PDF-');
  const text = execFileSync('pdftotext', ['-layout', target, '-'], { encoding: 'utf8' });
  assert.match(text, /全部印章有效/);
  const esid = (await ui.page.locator('.seal-item .esid').innerText()).trim();
  assert.ok(text.includes(esid), 'the seal esID is in the report');
});

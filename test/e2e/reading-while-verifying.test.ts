// Verification never blocks reading (issue 4, domain.md flow 4): while a large stamped file is being
// verified, its first page is already on screen and the person can scroll and zoom; the banner says
// "verifying" until the report arrives, then the seal shows. Playwright drives Debian's Chromium over
// the BUILT renderer; window.sealdesk is an HTTP shim replacing only Electron's IPC transport; the
// real handler table and core stand behind it.
//
// The one stand-in: the real verification of this file takes well under a second here, too short to
// look at the screen "during" it. The test holds the verify call at the gateway (as a slow disk or a
// busy token host would) until it has scrolled and zoomed, then lets the real verification run.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeGeneratedPdf } from '../../bench/generated-pdf';
import type { CoreGateway } from '../../src/main/core-gateway';
import { openInUi, type Ui, startUi } from './support/ui';
import { KEEPER_PIN, buildDemoWorld, type DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
let stamped: string;
/** Verify calls waiting at the gateway; each resolves when the test lets verification run. */
const waiting: (() => void)[] = [];

function slowVerifyGateway(real: CoreGateway): CoreGateway {
  return {
    ...real,
    verify: async (file) => {
      await new Promise<void>((resolve) => waiting.push(resolve));
      return real.verify(file);
    },
  };
}

before(async () => {
  world = buildDemoWorld('sealdesk-e2e-reading-');
  const big = path.join(world.dir, '档案-40MB.pdf');
  writeGeneratedPdf(big, { name: 'e2e-40MB', pages: 40, targetBytes: 40_000_000 });
  ui = await startUi(world.home, { wrapCore: slowVerifyGateway, beforeClose: () => waiting.forEach((go) => go()) });
  const core = ui.core;
  // A large stamped file, stamped by the real core with the keeper's key (page 1, near the top).
  const keeper = (await core.listTokens()).find((t) => t.seals.length > 0)!;
  stamped = path.join(world.dir, '档案-40MB-已签章.pdf');
  await core.stamp({ input: big, output: stamped, tokenSerial: keeper.serial, esID: keeper.seals[0]!.esID, placement: { kind: 'point', page: 1, x: 300, y: 600 }, pin: Buffer.from(KEEPER_PIN) }, {});
});
after(async () => {
  await ui?.close();
  world?.cleanup();
});

test('while a large stamped file is being verified, its first page is on screen and can be scrolled and zoomed; then the seal shows valid', async () => {
  const { page } = ui;
  await openInUi(ui, stamped); // returns once a page is drawn
  const banner = page.locator('[data-testid=banner]');
  assert.equal(await banner.getAttribute('data-verdict'), 'pending', 'verification has not finished');
  assert.match(await banner.innerText(), /正在验证/);
  assert.equal(waiting.length, 1, 'the verify call is still outstanding at the server');
  // Pages arrive by byte ranges, each in its own time: page 1 is drawn too while the verify call stays outstanding.
  await page.locator('.page[data-page="1"][data-rendered=yes]').waitFor({ timeout: 30_000 });
  assert.equal(waiting.length, 1, 'still verifying when page 1 is drawn');
  // The seal on page 1 is shown unproven — muted and labelled 验证中 — never as a plain seal.
  const pending = page.locator('.page[data-page="1"] .seal-overlay[data-verdict=pending]');
  await pending.waitFor({ timeout: 15_000 });
  assert.match(await pending.innerText(), /验证中/);
  assert.equal(await page.locator('.seal-overlay:not([data-verdict=pending])').count(), 0, 'no verdict is drawn on the seal yet');
  await page.locator('.thumb[data-page="1"] .seal-overlay[data-verdict=pending]').waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('[data-testid=export]').isDisabled(), true, 'no report can be exported before there is one');

  // Scrolling with the wheel: down to the fourth page, which gets drawn, and the page number follows.
  const doc = page.locator('[data-testid=document]');
  await doc.hover();
  const shownPage = () => page.inputValue('[data-testid=page-jump]');
  for (let i = 0; i < 40 && (await shownPage()) !== '4'; i++) {
    await page.mouse.wheel(0, 300);
    await page.waitForTimeout(50);
  }
  assert.equal(await shownPage(), '4', 'the page number follows the scrolling');
  await page.locator('.page[data-page="4"][data-rendered=yes]').waitFor({ timeout: 15_000 });
  assert.ok((await doc.evaluate((el) => el.scrollTop)) > 2000, 'the document scrolled');

  // Zooming: 150 % redraws the pages half as large again.
  await page.selectOption('[data-testid=zoom]', '150');
  await page.waitForFunction(() => {
    const drawn = [...document.querySelectorAll<HTMLElement>('.page[data-rendered=yes]')];
    return drawn.length > 0 && drawn.every((el) => el.getBoundingClientRect().width > 1000);
  }, undefined, { timeout: 15_000 });
  const zoomed = (await page.locator('.page[data-page="4"]').boundingBox())!;
  // 150 % of real size: the generated pages are A4 (595 pt), at 96/72 CSS px per point.
  assert.ok(Math.abs(zoomed.width - 595 * (96 / 72) * 1.5) < 4, `page width at 150 %: ${zoomed.width}`);
  assert.equal(await banner.getAttribute('data-verdict'), 'pending', 'all this happened while verification was still running');

  // Now the real verification runs; the banner and the seal follow without reopening anything.
  waiting.splice(0).forEach((go) => go());
  // (The file-wide verdict may carry a warning: core's copied-seal scan has a time budget, and on 40
  // pages of scanned images it may say some pictures were not checked. The stamp itself is valid.)
  await page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 60_000 });
  assert.notEqual(await banner.getAttribute('data-verdict'), 'invalid');
  await page.locator('[data-testid=seal-list] .seal-item[data-verdict=valid]').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('.seal-item').count(), 1, 'the seal is listed');
  await page.locator('.seal-item').first().click();
  await page.locator('.page[data-page="1"] .seal-overlay[data-verdict=valid]').waitFor({ timeout: 15_000 });
  assert.equal(await page.inputValue('[data-testid=zoom]'), '150', 'the zoom the person chose stays');
});

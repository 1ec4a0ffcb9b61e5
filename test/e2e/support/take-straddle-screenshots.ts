/**
 * Takes the screenshots of the 骑缝章 / 多页盖章 flow (docs/straddle.md) from the real stack: the
 * demo world, the built renderer in Debian's Chromium at 1280×800, the real core behind the
 * loopback API. Run: node --import tsx test/e2e/support/take-straddle-screenshots.ts → docs/screenshots/straddle-*.png
 */
import fs from 'node:fs';
import path from 'node:path';
import { KEEPER_PIN, buildDemoWorld, repoRoot } from './world';
import { dragSealOnto, openInUi, startUi } from './ui';

async function main() {
  const out = path.join(repoRoot, 'docs', 'screenshots');
  fs.mkdirSync(out, { recursive: true });
  const world = buildDemoWorld('sealdesk-straddle-shots-');
  const ui = await startUi(world.home, { viewport: { width: 1280, height: 800 } });
  const { page } = ui;
  const shot = async (name: string) => {
    await page.waitForTimeout(600);
    await page.screenshot({ path: path.join(out, name) });
  };
  try {
    // 1. The panel: all pages, right edge, 100 mm from the top; page 1 shows its strip.
    await openInUi(ui, world.contractPdf);
    await page.selectOption('[data-testid=zoom]', 'fit-page').catch(() => undefined);
    await dragSealOnto(ui, 0.5, 0.8);
    await page.click('[data-testid=multi-open]');
    await page.fill('[data-testid=multi-offset]', '100');
    await page.locator('.page[data-page="1"] [data-testid=straddle-strip]').waitFor();
    await page.locator('[data-testid=multi-stamp]').scrollIntoViewIfNeeded();
    await shot('straddle-preview.png');

    // 2. A one-page range, refused with the reason before anything is signed.
    await page.fill('[data-testid=multi-pages]', '4');
    await page.locator('[data-testid=multi-stamp]').scrollIntoViewIfNeeded();
    await shot('straddle-one-page-refused.png');
    await page.fill('[data-testid=multi-pages]', 'all');

    // 3. Stamped and verified: the strip on each page marked valid.
    const output = path.join(world.dir, '合同-骑缝章.pdf');
    ui.server.dialogs.save.push(output);
    await page.click('[data-testid=multi-stamp]');
    await page.locator('[data-testid=pin-dialog]').waitFor();
    await page.fill('[data-testid=pin-input]', KEEPER_PIN);
    await page.click('[data-testid=pin-ok]');
    await page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 60_000 });
    await page.locator('.seal-item').first().click();
    await page.locator('.seal-overlay[data-verdict=valid]').first().waitFor();
    await shot('straddle-stamped.png');

    // 4. The same seal on the odd pages: the sample on each chosen page.
    await openInUi(ui, world.contractPdf);
    await dragSealOnto(ui, 0.7, 0.75);
    if (!(await page.locator('[data-testid=multi-panel]').isVisible())) await page.click('[data-testid=multi-open]');
    await page.check('[data-testid=multi-mode-pages]');
    await page.fill('[data-testid=multi-pages]', 'odd');
    await page.locator('.page[data-page="1"] [data-testid=multi-preview]').waitFor();
    await page.locator('[data-testid=multi-stamp]').scrollIntoViewIfNeeded();
    await shot('pages-odd-preview.png');
  } finally {
    await ui.close();
    world.cleanup();
  }
}

void main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});

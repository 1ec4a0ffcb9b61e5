/**
 * Takes the README screenshots (Chinese UI, Noto CJK) from the real stack: the demo world, the built
 * renderer in Debian's Chromium, the real core behind the loopback API.
 * Run: node --import tsx test/e2e/support/take-screenshots.ts   → docs/screenshots/*.png
 */
import fs from 'node:fs';
import path from 'node:path';
import { KEEPER_PIN, buildDemoWorld, repoRoot, withOneByteChanged } from './world';
import { dragSealOnto, openInUi, startUi } from './ui';

async function main() {
  const out = path.join(repoRoot, 'docs', 'screenshots');
  fs.mkdirSync(out, { recursive: true });
  const world = buildDemoWorld('sealdesk-shots-');
  const ui = await startUi(world.home, { viewport: { width: 1440, height: 900 } });
  const { page } = ui;
  try {
    // 1. A validly stamped contract, scrolled to its seal.
    await openInUi(ui, world.stampedPdf);
    await page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 60_000 });
    await page.locator('.seal-item').first().click();
    await page.locator('.seal-overlay.highlighted').waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(out, 'verify-valid.png') });

    // 2. The same file with one byte changed: invalid, crossed out.
    const tampered = withOneByteChanged(world.stampedPdf, path.join(world.dir, '合同-被篡改.pdf'));
    await openInUi(ui, tampered);
    await page.locator('[data-testid=banner][data-verdict=invalid]').waitFor({ timeout: 60_000 });
    await page.locator('.seal-item').first().click();
    await page.locator('.seal-overlay.highlighted').waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(out, 'verify-invalid.png') });

    // 3. Stamping: the sample dragged onto the contract, the PIN dialog open.
    await openInUi(ui, world.contractPdf);
    await dragSealOnto(ui, 0.7, 0.45);
    await page.locator('[data-testid=placed-sample]').click({ button: 'right' });
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(out, 'stamp-context-menu.png') });
    ui.server.dialogs.save.push(path.join(world.dir, '合同-已签章.pdf'));
    await page.locator('[data-testid=context-menu] button').first().click();
    await page.locator('[data-testid=pin-dialog]').waitFor();
    await page.fill('[data-testid=pin-input]', '000000');
    await page.click('[data-testid=pin-ok]');
    await page.locator('[data-testid=pin-error]').waitFor({ timeout: 30_000 });
    await page.fill('[data-testid=pin-input]', KEEPER_PIN.slice(0, 4));
    await page.screenshot({ path: path.join(out, 'stamp-pin-dialog.png') });
    await page.fill('[data-testid=pin-input]', KEEPER_PIN);
    await page.click('[data-testid=pin-ok]');
    await page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 60_000 });
    await page.locator('.seal-item').first().click();
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(out, 'stamp-done.png') });
  } finally {
    await ui.close();
    world.cleanup();
  }
  console.log(`screenshots written to ${path.relative(process.cwd(), out)}`);
}

void main();

/**
 * Takes the README screenshots (Chinese UI, Noto CJK) from the real stack: the demo world, the built
 * renderer in Debian's Chromium at 1280×800, the real core behind the loopback API.
 * Run: node --import tsx test/e2e/support/take-screenshots.ts   → docs/screenshots/*.png
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import type { CoreGateway } from '../../../src/main/core-gateway';
import { KEEPER_PIN, buildDemoWorld, repoRoot, withOneByteChanged } from './world';
import { dragSealOnto, openInUi, startUi } from './ui';

async function main() {
  const out = path.join(repoRoot, 'docs', 'screenshots');
  fs.mkdirSync(out, { recursive: true });
  const world = buildDemoWorld('sealdesk-shots-');
  // Verification can be held at the gateway to show the "verifying" state (as a slow disk would).
  let hold = false;
  const waiting: (() => void)[] = [];
  const wrapCore = (real: CoreGateway): CoreGateway => ({
    ...real,
    verify: async (f) => {
      if (hold) await new Promise<void>((r) => waiting.push(r));
      return real.verify(f);
    },
  });
  const ui = await startUi(world.home, { viewport: { width: 1280, height: 800 }, wrapCore, beforeClose: () => waiting.forEach((go) => go()) });
  const { page } = ui;
  const shot = async (name: string) => {
    await page.waitForTimeout(600);
    await page.screenshot({ path: path.join(out, name) });
  };
  try {
    // 1. A validly stamped contract, scrolled to its seal.
    await openInUi(ui, world.stampedPdf);
    await page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 60_000 });
    await page.locator('.seal-item').first().click();
    await page.locator('.seal-overlay.highlighted').waitFor();
    await shot('verify-valid.png');

    // 2. While verifying: the seal muted and labelled 验证中.
    hold = true;
    await openInUi(ui, world.stampedPdf);
    await page.locator('.page[data-page="4"]').scrollIntoViewIfNeeded();
    await page.locator('.seal-overlay[data-verdict=pending]').first().waitFor({ timeout: 30_000 });
    await page.locator('.seal-overlay[data-verdict=pending]').first().scrollIntoViewIfNeeded();
    await shot('verify-pending.png');
    hold = false;
    waiting.splice(0).forEach((go) => go());

    // 3. The same file with one byte changed: invalid, crossed out on the page and the thumbnail.
    const tampered = withOneByteChanged(world.stampedPdf, path.join(world.dir, '合同-被篡改.pdf'));
    await openInUi(ui, tampered);
    await page.locator('[data-testid=banner][data-verdict=invalid]').waitFor({ timeout: 60_000 });
    await page.locator('.seal-item').first().click();
    await page.locator('.seal-overlay.highlighted').waitFor();
    await page.locator('.thumb[data-page="4"]').scrollIntoViewIfNeeded();
    await shot('verify-invalid.png');

    // 4. The exported PDF report of the tampered file, drawn by pdftoppm.
    const report = path.join(world.dir, '验证报告.pdf');
    ui.server.dialogs.report.push(report);
    await page.click('[data-testid=export]');
    await page.locator('[data-testid=toast]').waitFor({ timeout: 60_000 });
    execFileSync('pdftoppm', ['-r', '70', '-f', '1', '-l', '1', '-png', '-singlefile', report, path.join(out, 'report-pdf')]);

    // 5. An unknown signer (the root is not in the trust store) and its certificate.
    const trustDir = path.join(world.home, 'trust');
    const kept = path.join(world.dir, 'trust-kept');
    fs.renameSync(trustDir, kept);
    fs.mkdirSync(trustDir);
    await openInUi(ui, world.stampedPdf);
    await page.locator('[data-testid=banner][data-state=unknown_signer]').waitFor({ timeout: 60_000 });
    await page.locator('.seal-item').first().click();
    await shot('verify-unknown-signer.png');
    await page.click('[data-testid=banner-show-cert]');
    await page.locator('[data-testid=cert-details]').waitFor({ timeout: 15_000 });
    await shot('certificate-dialog.png');
    await page.keyboard.press('Escape');
    fs.rmSync(trustDir, { recursive: true });
    fs.renameSync(kept, trustDir);

    // 6. A seal picture copied (as a JPEG) onto a file with no stamp.
    const keeper = (await ui.core.listTokens()).find((t) => t.seals.length > 0)!;
    const png = path.join(world.dir, 'seal.png');
    fs.writeFileSync(png, keeper.seals[0]!.picture);
    const jpg = path.join(world.dir, 'seal.jpg');
    execFileSync('convert', [png, '-background', 'white', '-flatten', '-quality', '70', jpg]);
    const src = await PDFDocument.load(fs.readFileSync(world.contractPdf));
    const [first] = src.getPages();
    first!.drawImage(await src.embedJpg(fs.readFileSync(jpg)), { x: 360, y: 150, width: 120, height: 120 });
    const copied = path.join(world.dir, '合同-复制的印章.pdf');
    fs.writeFileSync(copied, await src.save());
    await openInUi(ui, copied);
    await page.locator('[data-testid=banner][data-state=copied]').waitFor({ timeout: 60_000 });
    await page.click('[data-testid=banner-go-copied]');
    await shot('verify-copied-seal.png');

    // 7. Stamping: the sample dragged onto the contract, the PIN dialog open.
    await openInUi(ui, world.contractPdf);
    await dragSealOnto(ui, 0.7, 0.45);
    await page.locator('[data-testid=placed-sample]').click({ button: 'right' });
    await shot('stamp-context-menu.png');
    ui.server.dialogs.save.push(path.join(world.dir, '合同-已签章.pdf'));
    await page.locator('[data-testid=context-menu] button').first().click();
    await page.locator('[data-testid=pin-dialog]').waitFor();
    await page.fill('[data-testid=pin-input]', '000000');
    await page.click('[data-testid=pin-ok]');
    await page.locator('[data-testid=pin-error]').waitFor({ timeout: 30_000 });
    await page.fill('[data-testid=pin-input]', KEEPER_PIN.slice(0, 4));
    await shot('stamp-pin-dialog.png');
    await page.fill('[data-testid=pin-input]', KEEPER_PIN);
    await page.click('[data-testid=pin-ok]');
    await page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 60_000 });
    await page.locator('.seal-item').first().click();
    await shot('stamp-done.png');

    // 8. The audit log in Chinese, with its chain checked.
    await page.click('[data-testid=audit-open]');
    await page.locator('[data-testid=audit] tbody tr').first().waitFor();
    await page.click('[data-testid=audit-verify]');
    await page.locator('[data-testid=audit-check]').waitFor();
    await shot('audit-log.png');
  } finally {
    await ui.close();
    world.cleanup();
  }
  console.log(`screenshots written to ${path.relative(process.cwd(), out)}`);
}

void main();

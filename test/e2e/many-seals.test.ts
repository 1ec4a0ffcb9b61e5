// A document with many stamps keeps its seal list usable (issue 10): each stamp has a title of its
// own (seal, page, time), the checks of valid stamps are folded away, and a stamp made invalid by a
// later change shows open with its failing check as headline. The five stamps are made by the real
// core with the demo world's SoftHSM2 keeper; Playwright drives Debian's Chromium over the BUILT
// renderer, with window.sealdesk an HTTP shim over the real handler table.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { openInUi, useDemoUi, type Ui } from './support/ui';
import { KEEPER_PIN, type DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
useDemoUi((w, u) => {
  world = w;
  ui = u;
}, 'sealdesk-e2e-many-');

test('five stamps on four pages: distinct titles with page and time, valid stamps folded, every one findable on its page', async () => {
  const keeper = (await ui.core.listTokens()).find((t) => t.seals.length > 0)!;
  let input = world.contractPdf;
  const spots = [[1, 150, 200], [2, 400, 300], [3, 200, 500], [4, 450, 150], [4, 150, 650]] as const;
  for (const [i, [page, x, y]] of spots.entries()) {
    const output = path.join(world.dir, `contract-${i + 1}.pdf`);
    await ui.core.stamp({ input, output, tokenSerial: keeper.serial, esID: keeper.seals[0]!.esID, placement: { kind: 'point', page, x, y }, pin: Buffer.from(KEEPER_PIN) }, {});
    input = output;
  }
  await openInUi(ui, input);
  await ui.page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 90_000 });
  const items = ui.page.locator('[data-testid=seal-list] .seal-item');
  assert.equal(await items.count(), 5);
  const titles = await items.locator('.seal-title').allInnerTexts();
  assert.equal(new Set(titles).size, 5, `every title is its own: ${titles.join(' | ')}`);
  for (const [i, [page]] of spots.entries()) assert.match(titles[i]!, new RegExp(`^${i + 1}\\. .* · 第 ${page} 页 · \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}$`));
  assert.equal(await items.locator('details.checks-box[open]').count(), 0, 'the checks of valid stamps are folded');
  assert.equal(await items.locator('details.checks-box').count(), 5, 'and can be opened');
  await items.nth(3).locator('summary').click();
  assert.equal(await items.nth(3).locator('.check').first().isVisible(), true, 'opening shows the checks');
  for (const [i, [page]] of spots.entries()) {
    await items.nth(i).locator(".seal-title").click();
    const mark = ui.page.locator(`[data-testid=document] .page[data-page="${page}"] .seal-overlay.highlighted[data-verdict=valid]`);
    await mark.waitFor({ timeout: 15_000 });
  }
});

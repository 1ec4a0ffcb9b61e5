// 骑缝章 and several pages in the desktop client, as a keeper does it: pick the seal (drag the
// sample onto the page), open 骑缝章 / 多页盖章, choose the pages and the edge, see the strips on
// the pages, stamp with the PIN. Playwright drives Debian's Chromium over the BUILT renderer; the
// API server behind the HTTP shim runs the real core with the demo world's SoftHSM2 keeper token.
// The results are checked with pdfsig and `sealdesk verify`.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { pdfsig, qpdfCheck } from './support/pdf-facts';
import { dragSealOnto, openInUi, useDemoUi, type Ui } from './support/ui';
import { KEEPER_PIN, type DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
useDemoUi((w, u) => {
  world = w;
  ui = u;
});

async function stampFromPanel(output: string): Promise<void> {
  ui.server.dialogs.save.push(output);
  await ui.page.click('[data-testid=multi-stamp]');
  await ui.page.locator('[data-testid=pin-dialog]').waitFor();
  await ui.page.fill('[data-testid=pin-input]', KEEPER_PIN);
  await ui.page.click('[data-testid=pin-ok]');
  await ui.page.locator('[data-testid=docname]', { hasText: path.basename(output) }).waitFor({ timeout: 60_000 });
  await ui.page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 60_000 });
}

function verifiedJson(file: string): { signatures: Array<{ impressions?: Array<{ page: number }>; checks: Array<{ id: string; status: string }> }> } {
  const r = world.sealdesk(['verify', file, '--json']);
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('a straddle seal chosen in the panel is previewed as strips on the right edge, a one-page range is refused, and the stamp verifies', async () => {
  await openInUi(ui, world.contractPdf);
  await dragSealOnto(ui, 0.5, 0.5); // picks the seal (and places a sample, which the straddle seal ignores)
  await ui.page.click('[data-testid=multi-open]');
  await ui.page.locator('[data-testid=multi-panel]').waitFor();
  // Page 1 shows the first (innermost) strip, flush with the right edge of the page as shown.
  const strip = ui.page.locator('.page[data-page="1"] [data-testid=straddle-strip]');
  await strip.waitFor();
  assert.equal(await strip.getAttribute('data-position'), '0');
  const pageBox = (await ui.page.locator('.page[data-page="1"]').boundingBox())!;
  const stripBox = (await strip.boundingBox())!;
  assert.ok(Math.abs(stripBox.x + stripBox.width - (pageBox.x + pageBox.width)) < 2, `strip flush right: ${JSON.stringify({ stripBox, pageBox })}`);
  // 40 mm seal over 4 pages: each strip 10 mm wide on screen at the current zoom.
  const pxPerMm = pageBox.width / (594.96 * 25.4 / 72);
  assert.ok(Math.abs(stripBox.width / pxPerMm - 10) < 1, `strip ${stripBox.width / pxPerMm} mm wide`);

  await ui.page.fill('[data-testid=multi-pages]', '3');
  await ui.page.locator('[data-testid=multi-summary]', { hasText: '至少要盖在两页上' }).waitFor();
  assert.equal(await ui.page.isDisabled('[data-testid=multi-stamp]'), true);

  await ui.page.fill('[data-testid=multi-pages]', 'all');
  await ui.page.selectOption('[data-testid=multi-edge]', 'right');
  await ui.page.fill('[data-testid=multi-offset]', '100');
  await ui.page.locator('[data-testid=multi-summary]', { hasText: '4 条' }).waitFor();
  const output = path.join(world.dir, 'straddle-ui.pdf');
  await stampFromPanel(output);
  const sig = pdfsig(output);
  assert.equal(sig.total, 1, sig.output);
  assert.equal(sig.valid, 1, sig.output);
  assert.ok(qpdfCheck(output));
  const report = verifiedJson(output);
  assert.deepEqual(report.signatures[0]!.impressions?.map((i) => i.page), [1, 2, 3, 4]);
  assert.equal(report.signatures[0]!.checks.find((c) => c.id === 'straddle')?.status, 'ok');
  // The viewer marks every strip of the valid seal, not only the first.
  await ui.page.locator('.page[data-page="1"] .seal-overlay[data-verdict=valid]').waitFor({ timeout: 30_000 });
});

test('the same seal on the odd pages: the sample shows on each chosen page, one signature covers them', async () => {
  await openInUi(ui, world.contractPdf);
  await dragSealOnto(ui, 0.3, 0.7);
  if (!(await ui.page.locator('[data-testid=multi-panel]').isVisible())) await ui.page.click('[data-testid=multi-open]');
  await ui.page.check('[data-testid=multi-mode-pages]');
  await ui.page.fill('[data-testid=multi-pages]', 'odd');
  await ui.page.locator('[data-testid=multi-summary]', { hasText: '2 页' }).waitFor();
  await ui.page.locator('.page[data-page="1"] [data-testid=multi-preview]').waitFor();
  assert.equal(await ui.page.locator('.page[data-page="2"] [data-testid=multi-preview]').count(), 0, 'page 2 is not chosen');
  const output = path.join(world.dir, 'odd-ui.pdf');
  await stampFromPanel(output);
  const report = verifiedJson(output);
  assert.equal(report.signatures.length, 1);
  assert.deepEqual(report.signatures[0]!.impressions?.map((i) => i.page), [1, 3]);
  assert.equal(pdfsig(output).valid, 1);
});

// Stamping by hand, as a keeper does it: drag the sample seal onto the page, 文档签章 from the
// right-click menu, the PIN, a place to save. Playwright drives Debian's Chromium over the BUILT
// renderer; window.sealdesk is an HTTP shim replacing only Electron's IPC transport, and the server
// behind it runs the same handler table over the real core with the demo world's SoftHSM2 keeper
// token. The results are checked with independent readers: pdfsig, qpdf, pdf.js, pdf-lib.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { expectedPdfPoint, pageFacts, pdfsig, qpdfCheck, signatureWidgets } from './support/pdf-facts';
import { dragSealOnto, openInUi, useDemoUi, type Ui } from './support/ui';
import { KEEPER_PIN, type DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
useDemoUi((w, u) => {
  world = w;
  ui = u;
});

async function setZoom(percent: number) {
  await ui.page.selectOption('[data-testid=zoom]', String(percent));
  await ui.page.waitForSelector('.page[data-page="1"][data-rendered=yes]');
}

/** 文档签章 from the sample's right-click menu, save to `output`, enter the PIN. */
async function stampVia(output: string, pin: string) {
  ui.server.dialogs.save.push(output);
  await ui.page.locator('[data-testid=placed-sample]').click({ button: 'right' });
  await ui.page.locator('[data-testid=context-menu] button', { hasText: '文档签章' }).click();
  await ui.page.locator('[data-testid=pin-dialog]').waitFor();
  await ui.page.fill('[data-testid=pin-input]', pin);
  await ui.page.click('[data-testid=pin-ok]');
}

async function stampAndCheck(input: string, output: string, fx: number, fy: number) {
  await openInUi(ui, input);
  const drop = await dragSealOnto(ui, fx, fy);
  await stampVia(output, KEEPER_PIN);
  // The stamped file opens by itself and verifies itself.
  await ui.page.locator('[data-testid=docname]', { hasText: path.basename(output) }).waitFor({ timeout: 60_000 });
  await ui.page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 60_000 });
  assert.ok(ui.server.dialogs.lastSaveDefault && path.resolve(ui.server.dialogs.lastSaveDefault) !== path.resolve(input), 'the save dialog never proposes the original');
  assert.ok(fs.existsSync(output));

  const sig = pdfsig(output);
  assert.equal(sig.total, 1, sig.output);
  assert.equal(sig.valid, 1, sig.output);
  assert.ok(qpdfCheck(output), 'qpdf --check accepts the output');
  const cli = world.sealdesk(['verify', output]);
  assert.equal(cli.status, 0, `sealdesk verify: ${cli.stdout}${cli.stderr}`);

  const [widget] = await signatureWidgets(output);
  const expected = expectedPdfPoint(await pageFacts(input, 1), drop.cssX, drop.cssY, drop.cssWidth);
  const centre = { x: (widget.rect[0] + widget.rect[2]) / 2, y: (widget.rect[1] + widget.rect[3]) / 2 };
  assert.equal(widget.page, 1);
  assert.ok(Math.abs(centre.x - expected.x) <= 2 && Math.abs(centre.y - expected.y) <= 2, `seal centre ${JSON.stringify(centre)} is within 2 pt of the drop point ${JSON.stringify(expected)}`);
}

test('a seal dragged onto the page and stamped with the right PIN lands where it was dropped, and pdfsig and sealdesk verify accept it', async () => {
  await stampAndCheck(world.contractPdf, path.join(world.dir, 'by-hand.pdf'), 0.62, 0.55);
});

test('on a page rotated by 90° and at 150 % zoom the seal still lands within two points of the drop', async () => {
  const rotated = path.join(world.dir, 'rotated.pdf');
  execFileSync('qpdf', ['--rotate=+90:1', world.contractPdf, rotated]);
  assert.equal((await pageFacts(rotated, 1)).rotation, 90);
  ui.server.dialogs.open.push(rotated);
  await ui.page.click('[data-testid=open]');
  await ui.page.waitForSelector('.page[data-page="1"][data-rendered=yes]');
  await setZoom(150);
  const drop = await dragSealOnto(ui, 0.3, 0.35);
  const output = path.join(world.dir, 'rotated-stamped.pdf');
  await stampVia(output, KEEPER_PIN);
  await ui.page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 60_000 });
  const sig = pdfsig(output);
  assert.equal(sig.valid, 1, sig.output);
  const [widget] = await signatureWidgets(output);
  const expected = expectedPdfPoint(await pageFacts(rotated, 1), drop.cssX, drop.cssY, drop.cssWidth);
  const centre = { x: (widget.rect[0] + widget.rect[2]) / 2, y: (widget.rect[1] + widget.rect[3]) / 2 };
  assert.ok(Math.abs(centre.x - expected.x) <= 2 && Math.abs(centre.y - expected.y) <= 2, `seal centre ${JSON.stringify(centre)} vs drop ${JSON.stringify(expected)}`);
  await setZoom(100);
});

test('"stamp at every 盖章处" previews each position and stamps them all', async () => {
  await openInUi(ui, world.contractPdf);
  await ui.page.locator('.seal-sample').first().click();
  await ui.page.fill('[data-testid=keyword-input]', '盖章处');
  await ui.page.click('[data-testid=keyword-find]');
  await ui.page.locator('[data-testid=keyword-count]').waitFor();
  const count = Number(/\d+/.exec(await ui.page.locator('[data-testid=keyword-count]').innerText())?.[0]);
  assert.ok(count >= 1, 'the sample contract has at least one 盖章处');
  await ui.page.locator('[data-testid=keyword-preview]').first().waitFor();
  const output = path.join(world.dir, 'keyword.pdf');
  ui.server.dialogs.save.push(output);
  await ui.page.click('[data-testid=keyword-stamp]');
  await ui.page.fill('[data-testid=pin-input]', KEEPER_PIN);
  await ui.page.click('[data-testid=pin-ok]');
  await ui.page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 120_000 });
  assert.equal(await ui.page.locator('[data-testid=seal-list] .seal-item').count(), count);
  assert.equal((await signatureWidgets(output)).length, count);
  assert.equal(pdfsig(output).valid, count);
});

// "View the signed version" of a stamp (issue 10): a contract stamped, then changed by an
// incremental update (the amount rewritten on page 1). The stamp is invalid in the current file;
// its "signed version" shows the pages exactly as the stamp covers them (the file's first
// signedLength bytes, drawn by pdf.js: the old amount in the text layer, not the new one), the seal
// still greyed and crossed there, and what the later revision changed, by revision.
// The stamp is made by the real stampPdf with a software key (test/verify/world.ts); Playwright
// drives Debian's Chromium over the BUILT renderer, window.sealdesk an HTTP shim over the real core.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { openPdf } from '../../src/core/pdf/document';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { appendUpdate, buildPdf } from '../pdf/support/handmade-pdf';
import { makeWorld, type World } from '../verify/world';
import { openInUi, screenshotForDocs, startUi, type Ui } from './support/ui';

let world: World;
let ui: Ui;
let stamped: Buffer;
let forged: string;

const contract = (amount: string): string => `BT /F1 24 Tf 72 700 Td (Pay ${amount} yuan) Tj ET`;

before(async () => {
  world = await makeWorld('e2e-signed-version');
  const content = contract('100');
  fs.writeFileSync(world.file('contract.pdf'), buildPdf([
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>' },
    { num: 3, body: '<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>' },
    { num: 4, body: `<< /Length ${content.length} >>\nstream\n${content}\nendstream` },
    { num: 5, body: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' },
  ], '<< /Size 6 /Root 1 0 R >>'));
  await world.stamp(world.file('contract.pdf'), world.file('stamped.pdf'), { kind: 'point', page: 1, x: 400, y: 300 });
  stamped = fs.readFileSync(world.file('stamped.pdf'));
  const changed = contract('900000');
  forged = world.file('changed-after-stamping.pdf');
  fs.writeFileSync(forged, appendUpdate(stamped, [{ num: 4, body: `<< /Length ${changed.length} >>\nstream\n${changed}\nendstream` }], `<< /Size ${openPdf(stamped).size} /Root 1 0 R >>`));
  process.env.SEALDESK_HOME = world.file('home');
  ui = await startUi(world.file('home'), { viewport: { width: 1280, height: 800 } });
});
after(async () => {
  await ui?.close();
  world?.cleanup();
});

test('the signed version of a stamp on a changed contract shows the pages as signed, the seal still crossed, and what the later revision changed', async () => {
  const core = verifyPdf(fs.readFileSync(forged), { trustRoots: [world.ca.certificate] }).signatures[0]!;
  assert.equal(core.signedLength, stamped.length, 'core says the stamp covers exactly the stamped file');

  await openInUi(ui, forged);
  await ui.page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 60_000 });
  const item = ui.page.locator('[data-testid=seal-list] .seal-item').first();
  assert.equal(await item.getAttribute('data-verdict'), 'invalid');
  // The current file says 900000.
  await ui.page.locator('.document [data-testid=text-layer]', { hasText: '900000' }).first().waitFor({ timeout: 30_000 });

  await item.locator('[data-testid=view-signed-version]').click();
  const dialog = ui.page.locator('[data-testid=signed-version]');
  await dialog.waitFor();
  assert.equal(await dialog.getAttribute('data-revision'), String(core.revision));
  assert.match(await dialog.locator('[data-testid=signed-version-note]').innerText(), new RegExp(`第 ${core.revision! + 1} 版，共 3 版`));
  const layer = dialog.locator('[data-testid=text-layer]').first();
  await layer.waitFor({ timeout: 30_000 });
  await dialog.locator('[data-testid=text-layer]', { hasText: 'Pay 100 yuan' }).first().waitFor({ timeout: 30_000 });
  assert.doesNotMatch(await layer.innerText(), /900000/, 'the signed version is the contract as stamped');
  // The stamp is in the signed version's bytes, and it is still marked as invalid there.
  const mark = dialog.locator(`.seal-overlay[data-field="${core.field}"]`);
  await mark.waitFor({ timeout: 30_000 });
  assert.equal(await mark.getAttribute('data-verdict'), 'invalid');
  assert.equal(await mark.locator('svg.cross').count(), 1, 'crossed in the signed version as on the page');

  const changes = dialog.locator('[data-testid=later-changes] .revision-changes');
  assert.equal(await changes.count(), 1);
  assert.equal(await changes.first().getAttribute('data-revision'), String(core.revision! + 1));
  const disallowed = changes.first().locator('.change[data-kind=disallowed]');
  assert.ok((await disallowed.count()) >= 1);
  assert.match(await disallowed.first().innerText(), /不允许的修改.*第 1 页/);

  await screenshotForDocs(ui, 'signed-version.png');
  await ui.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
});

test('a stamp that covers the whole file says nothing changed after it in its signed version', async () => {
  await openInUi(ui, world.file('stamped.pdf'));
  await ui.page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 60_000 });
  await ui.page.locator('[data-testid=seal-list] .seal-item [data-testid=view-signed-version]').first().click();
  const dialog = ui.page.locator('[data-testid=signed-version]');
  assert.match(await dialog.locator('[data-testid=signed-version-note]').innerText(), /覆盖整个文件/);
  await dialog.locator('[data-testid=no-later-changes]').waitFor();
  await dialog.locator('[data-testid=text-layer]', { hasText: 'Pay 100 yuan' }).first().waitFor({ timeout: 30_000 });
  await dialog.locator('[data-testid=signed-version-close]').click();
  await dialog.waitFor({ state: 'detached' });
});

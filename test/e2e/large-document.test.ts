// A 500-page file stays light: only pages near the viewport get a canvas, and jumping to the end
// renders the last page promptly. Playwright drives Debian's Chromium over the BUILT renderer;
// window.sealdesk is an HTTP shim replacing only Electron's IPC transport; behind it the real core
// (verification of an unsigned file runs beside the reading).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { openInUi, startUi, type Ui } from './support/ui';

let dir: string;
let ui: Ui;
const PAGES = 500;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-e2e-large-'));
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= PAGES; i++) {
    const p = doc.addPage([595, 842]);
    p.drawText(`Page ${i} of ${PAGES}`, { x: 60, y: 760, size: 28, font });
    for (let l = 0; l < 30; l++) p.drawText(`line ${l} of page ${i}: the quick brown fox jumps over the lazy dog`, { x: 60, y: 700 - l * 20, size: 11, font });
  }
  fs.writeFileSync(path.join(dir, 'big.pdf'), await doc.save());
  process.env.SEALDESK_HOME = path.join(dir, 'home');
  ui = await startUi(path.join(dir, 'home'));
});
after(async () => {
  await ui?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a 500-page file draws only the pages near the viewport, and the last page shows promptly after a jump', async () => {
  await openInUi(ui, path.join(dir, 'big.pdf'));
  assert.equal(await ui.page.locator('.page').count(), PAGES, 'every page has its box, so the scrollbar is right');
  const canvases = () => ui.page.locator('.page canvas').count();
  assert.ok((await canvases()) <= 8, `at the top only a few pages are drawn (${await canvases()})`);

  const started = Date.now();
  await ui.page.fill('[data-testid=page-jump]', String(PAGES));
  await ui.page.locator(`.page[data-page="${PAGES}"][data-rendered=yes]`).waitFor({ timeout: 15_000 });
  const took = Date.now() - started;
  assert.ok(took < 10_000, `the last page rendered in ${took} ms`);
  assert.ok((await canvases()) <= 8, `after the jump still only a few canvases (${await canvases()})`);
  assert.equal(await ui.page.locator('.page[data-page="1"] canvas').count(), 0, 'page 1 gave its canvas back');

  // Scrolling through the middle keeps the count bounded too.
  for (let i = 0; i < 20; i++) await ui.page.locator('.document').evaluate((el) => el.scrollBy(0, -2500));
  await ui.page.waitForTimeout(300);
  assert.ok((await canvases()) <= 8, `while scrolling (${await canvases()})`);
});

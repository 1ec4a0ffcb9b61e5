// Page thumbnails (issue 4: "page thumbnails or a page jump"): a strip beside the document, drawn
// lazily like the pages (only thumbnails near the strip's own viewport get a canvas), each one a
// picture of its page, and clicking one brings that page into view. Playwright drives Debian's
// Chromium over the BUILT renderer; window.sealdesk is an HTTP shim replacing only Electron's IPC
// transport; the real core behind it reads and verifies the (unsigned) file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import { openInUi, startUi, type Ui } from './support/ui';

let dir: string;
let ui: Ui;
const PAGES = 60;
const PAGE_H = 842;
/** Page i carries a black band this far down the page (as a fraction of its height): ten places. */
const bandCentre = (i: number) => (60 + (i % 10) * 75 + 25) / PAGE_H;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-e2e-thumbs-'));
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= PAGES; i++) {
    const p = doc.addPage([595, PAGE_H]);
    // A band whose height on the page tells the pages apart, also in a 96-px thumbnail.
    p.drawRectangle({ x: 0, y: PAGE_H - (60 + (i % 10) * 75) - 50, width: 595, height: 50, color: rgb(0, 0, 0) });
    p.drawText(`Page ${i} of ${PAGES}`, { x: 60, y: 20, size: 18, font });
  }
  fs.writeFileSync(path.join(dir, 'sixty-pages.pdf'), await doc.save());
  process.env.SEALDESK_HOME = path.join(dir, 'home');
  ui = await startUi(path.join(dir, 'home'));
});
after(async () => {
  await ui?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Where the darkest row of a thumbnail's picture is, as a fraction of its height. */
async function darkestRow(n: number): Promise<number> {
  return ui.page.locator(`[data-testid=thumbnails] .thumb[data-page="${n}"] canvas`).evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d')!;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let best = -1;
    let bestSum = Infinity;
    for (let y = 0; y < c.height; y++) {
      let sum = 0;
      for (let x = 0; x < c.width; x++) sum += data[(y * c.width + x) * 4]!;
      if (sum < bestSum) {
        bestSum = sum;
        best = y;
      }
    }
    return best / c.height;
  });
}

const stripCanvases = () => ui.page.locator('[data-testid=thumbnails] .thumb canvas').count();

test('the thumbnail strip shows every page, draws only the thumbnails near its viewport, and each is a picture of its page', async () => {
  await openInUi(ui, path.join(dir, 'sixty-pages.pdf'));
  const thumbs = ui.page.locator('[data-testid=thumbnails] .thumb');
  assert.equal(await thumbs.count(), PAGES, 'one thumbnail per page, so the strip scrolls to every page');
  await ui.page.locator('.thumb[data-page="1"][data-rendered=yes]').waitFor({ timeout: 15_000 });
  await ui.page.locator('.thumb[data-page="2"][data-rendered=yes]').waitFor({ timeout: 15_000 });
  const drawn = await stripCanvases();
  assert.ok(drawn >= 2 && drawn <= 14, `at the top only the thumbnails near the strip's view are drawn (${drawn} of ${PAGES})`);
  assert.equal(await ui.page.locator('.thumb[data-page="60"] canvas').count(), 0, 'the last thumbnail is not drawn yet');
  assert.equal(await ui.page.locator('.thumb[data-page="1"]').getAttribute('data-current'), 'yes', 'page 1 is marked as the current one');

  for (const n of [1, 2]) {
    const seen = await darkestRow(n);
    assert.ok(Math.abs(seen - bandCentre(n)) < 0.04, `thumbnail ${n} shows page ${n}'s band at ${seen.toFixed(3)} of its height (page: ${bandCentre(n).toFixed(3)})`);
  }
  await ui.page.screenshot({ path: path.join(os.tmpdir(), 'sealdesk-thumbnails-top.png') });
});

test('clicking a thumbnail far down the strip brings that page into view, and the strip gives back the canvases it left', async () => {
  const target = 47;
  // A person scrolls the strip down and clicks; Playwright scrolls the thumbnail into view first.
  await ui.page.locator(`.thumb[data-page="${target}"]`).click();
  const pageEl = ui.page.locator(`.page[data-page="${target}"]`);
  await ui.page.locator(`.page[data-page="${target}"][data-rendered=yes]`).waitFor({ timeout: 15_000 });
  await ui.page.waitForFunction((n) => (document.querySelector('[data-testid=page-jump]') as HTMLInputElement | null)?.value === String(n), target, { timeout: 5_000 });
  const view = (await ui.page.locator('[data-testid=document]').boundingBox())!;
  const box = (await pageEl.boundingBox())!;
  assert.ok(box.y >= view.y - 20 && box.y <= view.y + view.height / 3, `page ${target} starts at the top of the view (page top ${box.y}, view ${view.y}..${view.y + view.height})`);
  assert.equal(await ui.page.locator(`.thumb[data-page="${target}"]`).getAttribute('data-current'), 'yes', 'its thumbnail is marked current');

  await ui.page.locator(`.thumb[data-page="${target}"][data-rendered=yes]`).waitFor({ timeout: 15_000 });
  const seen = await darkestRow(target);
  assert.ok(Math.abs(seen - bandCentre(target)) < 0.04, `thumbnail ${target} shows its own page (band at ${seen.toFixed(3)}, page ${bandCentre(target).toFixed(3)})`);
  assert.equal(await ui.page.locator('.thumb[data-page="1"] canvas').count(), 0, 'thumbnail 1, far above, gave its canvas back');
  const drawn = await stripCanvases();
  assert.ok(drawn <= 14, `still only a few thumbnails drawn (${drawn})`);
  await ui.page.screenshot({ path: path.join(os.tmpdir(), 'sealdesk-thumbnails-47.png') });
});

test('scrolling the document moves the current mark in the strip and keeps it in sight', async () => {
  // Scrolled up from page 47 with the wheel, to page 12's top.
  await ui.page.locator('[data-testid=document]').hover();
  const distance = await ui.page.locator('[data-testid=document]').evaluate((el) => (el.querySelector('#page-12') as HTMLElement).offsetTop - el.scrollTop);
  for (let moved = 0; moved > distance; moved -= 1000) await ui.page.mouse.wheel(0, Math.max(-1000, distance - moved));
  await ui.page.locator('.thumb[data-page="12"][data-current=yes]').waitFor({ timeout: 10_000 });
  const strip = (await ui.page.locator('[data-testid=thumbnails]').boundingBox())!;
  const thumb = (await ui.page.locator('.thumb[data-page="12"]').boundingBox())!;
  assert.ok(thumb.y >= strip.y - 1 && thumb.y + thumb.height <= strip.y + strip.height + 1, 'the current thumbnail is inside the strip\'s view');
  assert.equal(await ui.page.locator('.thumb[data-current=yes]').count(), 1, 'one thumbnail is current');

  // The strip can be put away to give the pages room, and comes back.
  await ui.page.click('[data-testid=thumbs-toggle]');
  await ui.page.locator('[data-testid=thumbnails]').waitFor({ state: 'detached', timeout: 5_000 });
  await ui.page.locator('.page[data-page="12"][data-rendered=yes]').waitFor();
  await ui.page.click('[data-testid=thumbs-toggle]');
  await ui.page.locator('.thumb[data-page="12"][data-current=yes]').waitFor({ timeout: 10_000 });
  assert.equal(await ui.page.locator('[data-testid=thumbnails]').count(), 1, 'one strip, not a second one');
});

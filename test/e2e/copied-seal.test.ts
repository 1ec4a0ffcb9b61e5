// A seal picture copied onto a document without a signature (issue 10): the verifier reports each
// copy with its page and rectangle (src/core/verify/copied-seals.ts), and the viewer marks it where it
// is drawn — greyed and crossed, on the page and on the thumbnail — the banner warns, and clicking
// the warning goes there. The copies are made the way a forger would, from the demo seal's own
// picture on the keeper token: re-encoded as JPEG (ImageMagick) and rescaled to another size, in a
// file with no stamp at all. Playwright drives Debian's Chromium over the BUILT renderer;
// window.sealdesk is an HTTP shim over the real handler table and core.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { openInUi, useDemoUi, type Ui } from './support/ui';
import type { DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
useDemoUi((w, u) => {
  world = w;
  ui = u;
}, 'sealdesk-e2e-copied-');

/** Where each copy is drawn on the page (PDF user space, points). */
const JPEG_AT = { x: 330, y: 120, width: 120, height: 120 };
const SMALL_AT = { x: 90, y: 420, width: 101, height: 101 };

async function forgedFile(): Promise<string> {
  const keeper = (await ui.core.listTokens()).find((t) => t.seals.length > 0)!;
  const seal = keeper.seals[0]!;
  const original = path.join(world.dir, `seal.${seal.pictureType === 'png' ? 'png' : 'jpg'}`);
  fs.writeFileSync(original, seal.picture);
  // Re-encoded: flattened on white paper and saved as a JPEG at quality 70 (as a scanner or a screenshot tool would).
  const jpeg = path.join(world.dir, 'copy-q70.jpg');
  execFileSync('convert', [original, '-background', 'white', '-flatten', '-quality', '70', jpeg]);
  // Rescaled: 83 % of the original's pixels, still a PNG.
  const small = path.join(world.dir, 'copy-83pct.png');
  execFileSync('convert', [original, '-resize', '83%', small]);

  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  page.drawText('Purchase contract - signed copy (no electronic stamp)', { x: 60, y: 780, size: 14, font });
  page.drawImage(await doc.embedJpg(fs.readFileSync(jpeg)), JPEG_AT);
  page.drawImage(await doc.embedPng(fs.readFileSync(small)), SMALL_AT);
  doc.addPage([595, 842]).drawText('Page 2', { x: 60, y: 780, size: 14, font });
  const out = path.join(world.dir, '复制印章的合同.pdf');
  fs.writeFileSync(out, await doc.save());
  return out;
}

test('a JPEG re-encoded copy and a rescaled copy of a seal, in a file with no stamp, are marked where they are drawn, the banner warns, and the warning goes there', async () => {
  const file = await forgedFile();
  await openInUi(ui, file);
  const banner = ui.page.locator('[data-testid=banner]:not([data-verdict=pending])');
  await banner.waitFor({ timeout: 60_000 });
  assert.equal(await banner.getAttribute('data-state'), 'copied', await banner.innerText());
  assert.match(await banner.innerText(), /疑似复制的印章/);
  assert.doesNotMatch(await banner.innerText(), /没有电子印章/, 'not told the file merely carries no seal');

  const marks = ui.page.locator('[data-testid=document] .page[data-page="1"] .seal-overlay[data-verdict=copied]');
  await marks.first().waitFor({ timeout: 15_000 });
  assert.equal(await marks.count(), 2, 'both copies are marked');
  assert.equal(await marks.locator('.cross').count(), 2, 'both crossed out');
  assert.equal(await ui.page.locator('.seal-overlay[data-verdict=valid]').count(), 0);
  await ui.page.locator('.thumb[data-page="1"] .seal-overlay[data-verdict=copied] .cross').first().waitFor({ timeout: 15_000 });

  // Each mark covers the place the copy is drawn (within 2 points), measured on the page as shown.
  const pageBox = (await ui.page.locator('.page[data-page="1"]').boundingBox())!;
  const ptPerPx = 595 / pageBox.width;
  const drawn = await Promise.all((await marks.all()).map(async (m) => {
    const b = (await m.boundingBox())!;
    return { x: (b.x - pageBox.x) * ptPerPx, y: 842 - (b.y + b.height - pageBox.y) * ptPerPx, width: b.width * ptPerPx, height: b.height * ptPerPx };
  }));
  for (const at of [JPEG_AT, SMALL_AT]) {
    const m = drawn.find((d) => Math.abs(d.x - at.x) < 2 && Math.abs(d.y - at.y) < 2);
    assert.ok(m, `a mark at ${JSON.stringify(at)}; marks: ${JSON.stringify(drawn)}`);
    assert.ok(Math.abs(m.width - at.width) < 2 && Math.abs(m.height - at.height) < 2, `its size ${m.width}×${m.height}`);
  }

  // The list names each copy with its page; clicking one brings its mark into view, outlined.
  const warnings = ui.page.locator('[data-testid=seal-list] [data-warning=copied_seal_image]');
  assert.equal(await warnings.count(), 2);
  await ui.page.locator('[data-testid=document]').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await warnings.nth(1).click();
  const picked = ui.page.locator('[data-testid=document] .seal-overlay.highlighted[data-verdict=copied]');
  await picked.waitFor({ timeout: 15_000 });
  const view = (await ui.page.locator('[data-testid=document]').boundingBox())!;
  const box = (await picked.boundingBox())!;
  assert.ok(box.y >= view.y && box.y + box.height <= view.y + view.height, 'the copy is fully in view');

  // The banner's own button goes to the first copy.
  await ui.page.locator('[data-testid=document]').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await ui.page.click('[data-testid=banner-go-copied]');
  await ui.page.locator('[data-testid=document] .seal-overlay.highlighted[data-warning="0"]').waitFor({ timeout: 15_000 });
});

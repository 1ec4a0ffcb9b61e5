// A scanned contract with a seal stamped on the paper, put in a PDF with no electronic stamp
// (issue 10): the viewer warns that the document shows a seal picture no signature protects, and
// marks the seal itself — not the whole scanned page — greyed and crossed where it lies.
// The scan is made by ImageMagick (paper, black text, another company's round seal composited
// over it, JPEG quality 80) and put in a PDF by pdf-lib; Playwright drives Debian's Chromium over
// the BUILT renderer, window.sealdesk an HTTP shim over the real core.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { convert, otherRoundSealPng } from '../verify/copied-seals-fixtures';
import { openInUi, startUi, type Ui } from './support/ui';

let dir: string;
let ui: Ui;
let file: string;
const W = 1654, H = 2339;
const SEAL = { x: 1050, y: 1650, side: 330 };

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-e2e-scan-'));
  const lines: string[] = [];
  for (let i = 0; i < 30; i++) lines.push('-draw', `text 130,${190 + i * 65} 'Clause ${i + 1}: the parties agree to the terms set out in this contract.'`);
  const jpeg = convert(dir, ['-size', `${W}x${H}`, 'xc:#f7f5f0', '-fill', '#202020', '-pointsize', '28', ...lines,
    '(', otherRoundSealPng, '-resize', `${SEAL.side}x${SEAL.side}`, ')', '-geometry', `+${SEAL.x}+${SEAL.y}`, '-composite', '-quality', '80'], 'scan.jpg');
  const d = await PDFDocument.create();
  d.addPage([595, 842]).drawImage(await d.embedJpg(jpeg), { x: 0, y: 0, width: 595, height: 842 });
  file = path.join(dir, 'scanned-contract.pdf');
  fs.writeFileSync(file, await d.save());
  process.env.SEALDESK_HOME = path.join(dir, 'home');
  ui = await startUi(path.join(dir, 'home'), { viewport: { width: 1280, height: 800 } });
});
after(async () => {
  await ui?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a seal on a scanned page is warned about and marked where it lies, not over the whole page', async () => {
  await openInUi(ui, file);
  const banner = ui.page.locator('[data-testid=banner]:not([data-verdict=pending])');
  await banner.waitFor({ timeout: 60_000 });
  assert.equal(await banner.getAttribute('data-state'), 'copied');
  const mark = ui.page.locator('.center .document .page[data-page="1"] .seal-overlay.seal-copied');
  await mark.waitFor({ timeout: 30_000 });
  assert.equal(await mark.locator('svg.cross').count(), 1, 'crossed');
  const page = (await ui.page.locator('.center .document .page[data-page="1"]').boundingBox())!;
  const box = (await mark.boundingBox())!;
  // Where the seal is on the scan, as a fraction of the page, and where the mark is.
  const expected = { l: SEAL.x / W, t: SEAL.y / H, r: (SEAL.x + SEAL.side) / W, b: (SEAL.y + SEAL.side) / H };
  const shown = { l: (box.x - page.x) / page.width, t: (box.y - page.y) / page.height, r: (box.x + box.width - page.x) / page.width, b: (box.y + box.height - page.y) / page.height };
  for (const k of ['l', 't', 'r', 'b'] as const) assert.ok(Math.abs(shown[k] - expected[k]) < 0.03, `mark ${JSON.stringify(shown)} is not on the seal ${JSON.stringify(expected)}`);
  // The list's warning goes there.
  await ui.page.locator('[data-testid=seal-list] [data-warning=copied_seal_image]').first().click();
  await ui.page.locator('.seal-overlay.seal-copied.highlighted').waitFor();
});

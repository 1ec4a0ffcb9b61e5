// The desktop's batch stamping and seal-picture maker, through the built renderer in Debian's
// Chromium, the real handler table and core, and the demo world's SoftHSM2 keeper token. Files are
// picked in the (scripted) multi-file dialog and dropped onto the dialog's drop zone; the PIN is
// typed once; the results list names the broken file; the outputs verify.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { AppContext } from '../../src/core/app/context';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { readSealImage } from '../../src/core/seal/seal-image';
import { batchFolder } from '../app/support/batch-files';
import { useDemoUi, type Ui } from './support/ui';
import { KEEPER_PIN, repoRoot, type DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
useDemoUi((w, u) => {
  world = w;
  ui = u;
}, 'sealdesk-e2e-batch-');

// Screenshots go to a temp folder; SEALDESK_SCREENSHOTS_DIR=docs/screenshots refreshes the ones in docs/.
const shots = process.env.SEALDESK_SCREENSHOTS_DIR ? path.resolve(repoRoot, process.env.SEALDESK_SCREENSHOTS_DIR) : fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-batch-shots-'));

test('several PDFs chosen and dropped are stamped with one PIN at the same keyword; the results list names the broken one', async () => {
  const { page } = ui;
  const inDir = path.join(world.dir, 'batch-in');
  const { files, broken } = await batchFolder(inDir, 5, { truncated: 3 });
  const outDir = path.join(world.dir, 'batch-out');
  fs.mkdirSync(outDir);
  await page.click('[data-testid=batch-open]');
  ui.server.dialogs.openMany.push(files.slice(0, 4));
  await page.click('[data-testid=batch-choose]');
  await page.locator('[data-testid=batch-files] li').nth(3).waitFor();
  // The fifth is dropped onto the dialog (not onto the window, which would open it as a document).
  const bytes = [...fs.readFileSync(files[4]!)];
  await page.evaluate((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'doc-005.pdf', { type: 'application/pdf' }));
    const target = document.querySelector('[data-testid=batch-drop]')!;
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, bytes);
  await page.locator('[data-testid=batch-files] li').nth(4).waitFor();
  assert.equal(await page.locator('[data-testid=docname]').count(), 0, 'the dropped file went into the batch, not into the viewer');
  await page.fill('[data-testid=batch-keyword]', 'Seal here');
  await page.fill('[data-testid=batch-dy]', '-30');
  ui.server.dialogs.dirs.push(outDir);
  await page.click('[data-testid=batch-choose-out]');
  await page.locator('[data-testid=batch-out]', { hasText: 'batch-out' }).waitFor();
  await page.screenshot({ path: path.join(shots, 'batch-setup.png') });
  const callsBefore = ui.server.calls.length;
  await page.click('[data-testid=batch-start]');
  await page.fill('[data-testid=pin-input]', KEEPER_PIN);
  await page.press('[data-testid=pin-input]', 'Enter');
  const summary = page.locator('[data-testid=batch-summary]');
  await summary.waitFor({ timeout: 120_000 });
  assert.equal(await summary.getAttribute('data-stamped'), '4');
  assert.equal(await summary.getAttribute('data-failed'), '1');
  const failedRow = page.locator('[data-testid=batch-results] tr[data-status=failed]');
  assert.equal(await failedRow.count(), 1);
  assert.match(await failedRow.innerText(), new RegExp(`${path.basename(broken[0]!)}[\\s\\S]*PDF_`));
  assert.equal(ui.server.calls.slice(callsBefore).filter((c) => c === 'stampBatch').length, 1, 'one batch call carried the one PIN');
  await page.screenshot({ path: path.join(shots, 'batch-results.png') });

  const ctx = new AppContext({ home: world.home });
  const outputs = fs.readdirSync(outDir).filter((n) => n.endsWith('.pdf')).sort();
  assert.deepEqual(outputs, ['doc-001.pdf', 'doc-002.pdf', 'doc-004.pdf', 'doc-005.pdf']);
  for (const name of outputs) {
    const report = verifyPdf(fs.readFileSync(path.join(outDir, name)), { trustRoots: ctx.trust.roots() });
    assert.equal(report.verdict, 'valid', name);
  }
  await page.click('[data-testid=batch-close]');
});

test('a batch cancelled from the progress bar stops before the next document; the rest are left for a resume', async () => {
  const { page } = ui;
  const { files } = await batchFolder(path.join(world.dir, 'cancel-in'), 40);
  const outDir = path.join(world.dir, 'cancel-out');
  fs.mkdirSync(outDir);
  await page.click('[data-testid=batch-open]');
  ui.server.dialogs.openMany.push(files);
  await page.click('[data-testid=batch-choose]');
  await page.locator('[data-testid=batch-files] li').nth(39).waitFor();
  await page.click('[data-testid=batch-kind-point]');
  ui.server.dialogs.dirs.push(outDir);
  await page.click('[data-testid=batch-choose-out]');
  await page.locator('[data-testid=batch-out]', { hasText: 'cancel-out' }).waitFor();
  await page.click('[data-testid=batch-start]');
  await page.fill('[data-testid=pin-input]', KEEPER_PIN);
  await page.press('[data-testid=pin-input]', 'Enter');
  await page.locator('[data-testid=batch-results] tr[data-status=stamped]').nth(1).waitFor({ timeout: 60_000 });
  await page.screenshot({ path: path.join(shots, 'batch-progress.png') });
  await page.click('[data-testid=batch-cancel]');
  const summary = page.locator('[data-testid=batch-summary]');
  await summary.waitFor({ timeout: 60_000 });
  const stamped = Number(await summary.getAttribute('data-stamped'));
  assert.ok(stamped >= 2 && stamped < 40, `cancelled mid-batch after ${stamped}`);
  assert.match(await summary.innerText(), /CANCELLED/);
  assert.equal(fs.readdirSync(outDir).filter((n) => n.endsWith('.pdf')).length, stamped, 'no partial output');
  await page.click('[data-testid=batch-close]');
});

test('the seal-picture maker previews a round seal from text and a cleaned scan, and saves a picture seal make takes', async () => {
  const { page } = ui;
  await page.click('[data-testid=seal-picture-open]');
  await page.fill('[data-testid=picture-name]', '北京演示科技有限公司');
  await page.fill('[data-testid=picture-code]', '1101080012345');
  await page.click('[data-testid=picture-preview]');
  const img = page.locator('[data-testid=picture-image]');
  await page.locator('[data-testid=picture-image], [data-testid=picture-error]').first().waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=picture-error]').count(), 0, await page.locator('[data-testid=picture-error]').innerText().catch(() => ''));
  assert.equal(await img.getAttribute('data-width-mm'), '42');
  assert.ok(await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth === 496), 'the preview is the 496 px picture');
  assert.match(await page.locator('[data-testid=picture-steps]').innerText(), /圆形公章/);
  await page.screenshot({ path: path.join(shots, 'seal-picture-text.png') });
  const saved = path.join(world.dir, '印模.png');
  ui.server.dialogs.png.push(saved);
  await page.click('[data-testid=picture-save]');
  await page.locator('[data-testid=picture-saved]').waitFor();
  assert.deepEqual([readSealImage(fs.readFileSync(saved)).widthMm, readSealImage(fs.readFileSync(saved)).heightMm], [42, 42]);

  const photo = path.join(world.dir, 'seal-photo.jpg');
  execFileSync('convert', ['-size', '900x800', 'xc:#efe6d3', '(', saved, '-background', 'white', '-flatten', '-rotate', '-6', ')', '-gravity', 'center', '-compose', 'multiply', '-composite', '-attenuate', '0.5', '+noise', 'Gaussian', '-quality', '88', photo]);
  await page.click('[data-testid=picture-from-scan]');
  ui.server.dialogs.scans.push(photo);
  await page.click('[data-testid=picture-choose-scan]');
  await page.locator('[data-testid=picture-scan-name]', { hasText: 'seal-photo.jpg' }).waitFor();
  await page.click('[data-testid=picture-preview]');
  await page.locator('[data-testid=picture-steps]', { hasText: '纠正倾斜' }).waitFor({ timeout: 30_000 });
  const deskew = Number(/deskewed: (-?\d+(?:\.\d+)?)°/.exec(await page.locator('[data-testid=picture-steps]').innerText())?.[1]);
  assert.ok(Math.abs(deskew + 6) <= 1, `the scan turned by -6° is straightened (${deskew}°)`);
  await page.screenshot({ path: path.join(shots, 'seal-picture-scan.png') });
});

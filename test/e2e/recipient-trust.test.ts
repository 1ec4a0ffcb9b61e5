// The recipient's view never headlines what is not proven (issue 10). Playwright drives Debian's
// Chromium over the BUILT renderer; window.sealdesk is an HTTP shim replacing only Electron's IPC
// transport — behind it the real handler table, the real core, the demo world's SoftHSM2 tokens and
// its trust store. "The person picks a file in a dialog" is the scripted dialog queue of the server.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openInUi, useDemoUi, type Ui } from './support/ui';
import { withOneByteChanged, type DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
useDemoUi((w, u) => {
  world = w;
  ui = u;
}, 'sealdesk-e2e-trust-');

const banner = () => ui.page.locator('[data-testid=banner]');
const settled = () => ui.page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 60_000 });

test('a signer whose root is not trusted is shown as identity unknown, never as valid; trusting its root file verifies it again as valid', async () => {
  // The recipient's trust store is empty: the demo root is only a file they were given.
  const trustDir = path.join(world.home, 'trust');
  const kept = path.join(world.dir, 'trust-kept');
  fs.renameSync(trustDir, kept);
  fs.mkdirSync(trustDir);
  const rootFile = path.join(world.dir, 'trust', 'demo-root.pem');
  assert.ok(fs.existsSync(rootFile), 'the demo root certificate file exists');

  await openInUi(ui, world.stampedPdf);
  await settled();
  assert.equal(await banner().getAttribute('data-state'), 'unknown_signer', await banner().innerText());
  assert.match(await banner().innerText(), /签章人身份未知/);
  assert.doesNotMatch(await banner().innerText(), /全部印章有效/);
  const item = ui.page.locator('[data-testid=seal-list] .seal-item');
  assert.equal(await item.getAttribute('data-state'), 'unknown_signer');
  assert.match(await item.locator('.pill').innerText(), /身份未知/);
  await item.click();
  const mark = ui.page.locator('[data-testid=document] .seal-overlay.highlighted');
  await mark.waitFor({ timeout: 30_000 });
  assert.equal(await mark.getAttribute('data-verdict'), 'unknown_signer', 'the seal on the page is not marked valid');
  assert.match(await mark.innerText(), /身份未知/);
  assert.equal(await ui.page.locator('.seal-overlay[data-verdict=valid]').count(), 0, 'no view shows it valid');

  // The certificate: subject, issuer, serial, validity, key algorithm; the chain ends at an untrusted root.
  await ui.page.click('[data-testid=banner-show-cert]');
  const dialog = ui.page.locator('[data-testid=cert-dialog]');
  await dialog.locator('[data-testid=cert-details]').waitFor({ timeout: 15_000 });
  const details = await dialog.locator('[data-testid=cert-details]').innerText();
  assert.match(details, /CN=张三/);
  assert.match(details, /颁发者/);
  assert.match(await dialog.locator('[data-testid=cert-key-algorithm]').innerText(), /^(ECDSA|RSA|SM2)/);
  assert.ok((await dialog.locator('[data-testid=cert-chain] li').count()) >= 1);
  assert.equal(await dialog.locator('.trusted-badge').count(), 0, 'nothing in the chain is trusted yet');
  assert.match(await dialog.locator('[data-testid=cert-maker]').innerText(), /制章员/);
  await ui.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached', timeout: 5_000 });

  // Trusting the root by choosing its certificate file, then verifying again: now valid.
  ui.server.dialogs.trust.push(rootFile);
  const verifiesBefore = ui.server.calls.filter((c) => c === 'verifyDocument').length;
  await ui.page.click('[data-testid=banner-trust-root]');
  await ui.page.locator('[data-testid=banner][data-state=valid]').waitFor({ timeout: 60_000 });
  assert.equal(ui.server.calls.filter((c) => c === 'verifyDocument').length, verifiesBefore + 1, 'verified once more');
  assert.equal(fs.readdirSync(trustDir).filter((f) => f.endsWith('.pem')).length, 1, 'the root is in the trust store');
  await ui.page.locator('[data-testid=document] .seal-overlay[data-verdict=valid]').waitFor({ timeout: 15_000 });
  fs.rmSync(trustDir, { recursive: true });
  fs.renameSync(kept, trustDir);
});

test('a file that cannot be opened replaces the previous document: no stale pages, no stamping or export for it, the error in Chinese', async () => {
  await openInUi(ui, world.stampedPdf);
  await settled();
  const broken = path.join(world.dir, '损坏的文件.pdf');
  fs.writeFileSync(broken, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4000, 0x41)]));
  ui.server.dialogs.open.push(broken);
  await ui.page.click('[data-testid=open]');
  const error = ui.page.locator('[data-testid=open-error]');
  await error.waitFor({ timeout: 30_000 });
  const text = await error.innerText();
  assert.match(text, /无法打开此文件/);
  assert.match(text, /损坏的文件\.pdf/);
  assert.doesNotMatch(text.replace('损坏的文件.pdf', ''), /[A-Za-z]{4,}/, `no English fragment in the Chinese message: ${text}`);
  assert.equal(await ui.page.locator('.page').count(), 0, 'no page of the previous document');
  assert.equal(await ui.page.locator('.thumb').count(), 0, 'no thumbnail of it');
  assert.equal(await ui.page.locator('[data-testid=stamp-button]').count(), 0, 'no 文档签章');
  assert.equal(await ui.page.locator('[data-testid=export]').count(), 0, 'no export');
  assert.equal(await ui.page.locator('[data-testid=seal-list]').count(), 0, 'no seal list of the previous document');
  assert.equal(await ui.page.locator('[data-testid=banner]').count(), 0, 'no verdict banner of the previous document');
});

test('the exported PDF report of a tampered file says invalid per seal, names the failed check in Chinese, gives local times with the zone, and shows the greyed seal picture', async () => {
  const tampered = withOneByteChanged(world.stampedPdf, path.join(world.dir, '合同-被篡改.pdf'));
  await openInUi(ui, tampered);
  await ui.page.locator('[data-testid=banner][data-verdict=invalid]').waitFor({ timeout: 60_000 });
  // Printed, the page keeps its crossed-out seal and the warning; the app's chrome is left off the paper.
  await ui.page.locator('.seal-item').first().click();
  // The page under the seal is drawn lazily: wait until its crossed seal is on screen before printing.
  await ui.page.locator('[data-testid=document] .seal-overlay[data-verdict=invalid] .cross').waitFor({ timeout: 30_000 });
  await ui.page.emulateMedia({ media: 'print' });
  try {
    assert.equal(await ui.page.locator('.toolbar').isVisible(), false, 'no toolbar on paper');
    assert.equal(await ui.page.locator('[data-testid=document] .seal-overlay[data-verdict=invalid] .cross').isVisible(), true, 'the cross is printed');
    assert.match(await ui.page.locator('[data-testid=banner]').innerText(), /无效印章/);
  } finally {
    await ui.page.emulateMedia({ media: 'screen' });
  }
  const target = path.join(world.dir, '验证报告.pdf');
  ui.server.dialogs.report.push(target);
  await ui.page.click('[data-testid=export]');
  await ui.page.locator('[data-testid=toast]', { hasText: '验证报告已保存' }).waitFor({ timeout: 60_000 });

  const text = execFileSync('pdftotext', ['-layout', target, '-'], { encoding: 'utf8' });
  assert.match(text, /文档包含无效印章/);
  assert.match(text, /验证结论\uff1a无效——内容完整性/);
  assert.match(text, /内容完整性/);
  assert.doesNotMatch(text, /\bdigest\b|\bbyte_range\b|\bsigner_chain\b/, 'check names are translated');
  assert.match(text, /验证时间\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/, 'verification time in local time with its zone');
  assert.match(text, /签章时间\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
  assert.match(text, /CN=张三/);
  assert.match(text, /SHA-256/);
  assert.doesNotMatch(text, /全部印章有效|验证结论\uff1a有效/, 'nothing in the report reads as valid');

  // The seal picture is in the report.
  assert.match(execFileSync('pdfimages', ['-list', target], { encoding: 'utf8' }), /^\s*\d+\s+\d+\s+image/m, 'an image (the seal picture) in the report');

  // Looking at it: pdftoppm draws page 1, an A4 page whose headline is red.
  const png = path.join(world.dir, 'report-page');
  execFileSync('pdftoppm', ['-r', '50', '-f', '1', '-l', '1', '-png', target, png]);
  const file = fs.readdirSync(world.dir).find((f) => f.startsWith('report-page') && f.endsWith('.png'))!;
  const ppm = execFileSync('convert', [path.join(world.dir, file), '-depth', '8', 'rgb:-'], { maxBuffer: 64 << 20 });
  let red = 0;
  for (let i = 0; i + 2 < ppm.length; i += 3) {
    const [r, g, b] = [ppm[i]!, ppm[i + 1]!, ppm[i + 2]!];
    if (r > 170 && g < 80 && b < 80) red++;
  }
  assert.ok(red > 200, `the invalid headline is drawn in red (${red} red pixels)`);
  const size = execFileSync('identify', ['-format', '%w %h', path.join(world.dir, file)], { encoding: 'utf8' });
  assert.match(size, /^4\d\d 5\d\d$/, `an A4 page at 50 dpi (${size})`);
});

// A GB/T 38540 (GM, SM2/SM3) stamp in the viewer and its exported report (issue 10): the seal's
// format is named, the signer key is SM2, and the PDF report gives the document's SM3 digest —
// the same openssl computes. The world is `sealdesk demo --gm` (the native GM test token, SM2 keys);
// Playwright drives Debian's Chromium over the BUILT renderer, window.sealdesk an HTTP shim over
// the real handler table and core; the report PDF is printed by Chromium and read with pdftotext.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildGmDemoWorld, type GmWorld } from './support/gm-world';
import { openInUi, startUi, type Ui } from './support/ui';

let world: GmWorld;
let dir: string;
let ui: Ui;

before(async () => {
  world = buildGmDemoWorld('sealdesk-e2e-gmreport-');
  dir = world.dir;
  ui = await startUi(world.home, { viewport: { width: 1280, height: 800 } });
});
after(async () => {
  await ui?.close();
  world?.cleanup();
});

test('a GM stamp shows its format and SM2 key, and the exported PDF report gives the SM3 digest of the document', async () => {
  const stamped = path.join(dir, 'stamped.pdf');
  await openInUi(ui, stamped);
  await ui.page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 60_000 });
  const item = ui.page.locator('[data-testid=seal-list] .seal-item').first();
  assert.match(await item.innerText(), /GB\/T 38540/);
  await item.locator('[data-testid=show-cert]').click();
  await ui.page.locator('[data-testid=cert-key-algorithm]', { hasText: 'SM2' }).waitFor({ timeout: 15_000 });
  await ui.page.keyboard.press('Escape');

  const target = path.join(dir, 'gm-report.pdf');
  ui.server.dialogs.report.push(target);
  await ui.page.click('[data-testid=export]');
  await ui.page.locator('[data-testid=toast]', { hasText: '验证报告已保存' }).waitFor({ timeout: 60_000 });
  const text = execFileSync('pdftotext', ['-layout', target, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  const sm3 = execFileSync('openssl', ['dgst', '-sm3', '-r', stamped], { encoding: 'utf8' }).split(' ')[0]!;
  assert.match(sm3, /^[0-9a-f]{64}$/);
  const shown = /SM3 摘要（国密） ([0-9a-f ]{64,70})/.exec(text)?.[1]?.replace(/ /g, '').slice(0, 64);
  assert.equal(shown, sm3, 'the report carries the SM3 digest openssl computes');
  assert.match(text, /SM3withSM2|SM2/);
});

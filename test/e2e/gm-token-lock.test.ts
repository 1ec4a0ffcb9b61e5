// The native GM token's own lock, in the UI: a 国密 demo world (`sealdesk demo --gm`: SM2 keys on
// SealDesk's GM test token, native/) whose token is configured to lock itself after 3 wrong PINs
// (max_pin_tries, native/README.md) — before SealDesk's own five-failure guard would. Wrong PINs in
// the PIN dialog until the TOKEN locks: the dialog ends with "密码错误,签章失败" and the key locked,
// no file is written, and the token itself (asked with pkcs11-tool) reports its user PIN locked.
// Playwright drives Debian's Chromium over the BUILT renderer; window.sealdesk is an HTTP shim
// replacing only Electron's IPC transport; behind it the real core talks to the GM token module.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildGmDemoWorld } from './support/gm-world';
import { GMTOKEN_MODULE } from '../../src/core/app/demo-gm-world';
import { dragSealOnto, openInUi, startUi, type Ui, stampThroughPageApi } from './support/ui';
import { KEEPER_PIN, repoRoot } from './support/world';

const TOKEN_TRIES = 3;
let parent: string;
let dir: string;
let ui: Ui;

before(async () => {
  const world = buildGmDemoWorld('sealdesk-e2e-gmlock-', (parent) => {
    const conf = path.join(parent, 'gmtoken.conf');
    fs.writeFileSync(conf, `# the token locks itself before SealDesk's guard (5) would\nmax_pin_tries = ${TOKEN_TRIES}\n`);
    process.env.SEALDESK_GMTOKEN_CONF = conf;
  });
  parent = world.parent;
  dir = world.dir;
  assert.ok(process.env.SEALDESK_GMTOKEN_DIR?.startsWith(dir), 'this process uses the world\'s GM token directory');
  ui = await startUi(world.home);
});
after(async () => {
  await ui?.close();
  fs.rmSync(parent, { recursive: true, force: true });
});

/** The token's own view of its user PIN (flags from C_GetTokenInfo), printed by OpenSC's pkcs11-tool. */
function tokenSaysLocked(): boolean {
  const out = execFileSync('pkcs11-tool', ['--module', GMTOKEN_MODULE, '--list-token-slots'], { encoding: 'utf8', env: process.env });
  const keeper = out.split(/\nSlot /).find((s) => s.includes('DEMO-KEEPER'));
  assert.ok(keeper, `pkcs11-tool lists the keeper token:\n${out}`);
  return /PIN locked/i.test(keeper);
}

test('wrong PINs until the GM token locks itself: the dialog shows the lock, no file is written, the token reports its PIN locked', async () => {
  assert.equal(tokenSaysLocked(), false, 'the token starts unlocked');
  await openInUi(ui, path.join(repoRoot, 'resources', 'samples', 'contract.pdf'));
  const keeperPanel = ui.page.locator('.token', { hasText: 'DEMO-KEEPER' });
  await keeperPanel.waitFor({ timeout: 30_000 });
  await dragSealOnto(ui, 0.5, 0.6);

  const output = path.join(dir, 'never-gm.pdf');
  ui.server.dialogs.save.push(output);
  await ui.page.click('[data-testid=stamp-button]');
  await ui.page.locator('[data-testid=pin-dialog]').waitFor();

  const result = ui.page.locator('[data-testid=stamp-result]');
  for (let attempt = 1; attempt <= TOKEN_TRIES; attempt++) {
    await ui.page.fill('[data-testid=pin-input]', `99999${attempt}`);
    await ui.page.click('[data-testid=pin-ok]');
    if (attempt < TOKEN_TRIES) {
      await ui.page.locator('[data-testid=pin-error]').waitFor({ timeout: 30_000 });
      await ui.page.waitForFunction(() => (document.querySelector('[data-testid=pin-input]') as HTMLInputElement | null)?.value === '', undefined, { timeout: 30_000 });
      assert.equal(await result.count(), 0, `after wrong PIN ${attempt} the dialog asks again`);
    }
  }
  // The third wrong PIN locks the token (SealDesk's guard has counted only three of its five).
  await result.waitFor({ timeout: 30_000 });
  const text = await result.innerText();
  assert.match(text, /密码错误[,\uff0c]签章失败/);
  assert.match(text, /锁定/);
  assert.equal(await result.getAttribute('data-ok'), 'no');
  assert.equal(fs.existsSync(output), false, 'no output file');
  assert.equal(tokenSaysLocked(), true, 'the token itself reports its user PIN locked');

  // The key stays locked in the UI: 文档签章 ends at once without asking for a PIN, and core
  // refuses even the right PIN (asked directly, as a page script could).
  await result.locator('button').click();
  await ui.page.waitForTimeout(2500); // one token poll
  await ui.page.click('[data-testid=stamp-button]');
  await result.waitFor({ timeout: 30_000 });
  assert.match(await result.innerText(), /密码错误[,\uff0c]签章失败/);
  assert.equal(await ui.page.locator('[data-testid=pin-dialog]').count(), 0, 'no PIN is asked for a locked key');
  await result.locator('button').click();

  const direct = await stampThroughPageApi(ui, output, KEEPER_PIN, 'gm-after-lock');
  assert.equal(direct.ok, false);
  assert.equal(direct.error?.code, 'PIN_LOCKED');
  assert.equal(fs.existsSync(output), false);
});

// The token panel follows keys coming and going. "Pulling" a SoftHSM2 token = moving its directory
// out of the token dir of the world's SoftHSM2 config (there is no USB here); "inserting" = moving it
// back. Playwright drives Debian's Chromium over the BUILT renderer; window.sealdesk is an HTTP shim
// replacing only Electron's IPC transport; behind it the real core lists the real SoftHSM2 tokens.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { useDemoUi, type Ui } from './support/ui';
import { KEEPER_LABEL, tokenDir, tokenSubdir, type DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
useDemoUi((w, u) => {
  world = w;
  ui = u;
});

const keeperPanel = () => ui.page.locator(`.token[data-label="${KEEPER_LABEL}"]`);

test('the inserted keeper key shows with its serial, keeper certificate and seal', async () => {
  await keeperPanel().waitFor({ timeout: 30_000 });
  const text = await keeperPanel().innerText();
  assert.match(text, /序列号: \S+/);
  assert.match(text, /保管人证书: .*CN=/);
  assert.equal(await keeperPanel().locator('.seal-sample').count(), 1);
  const img = keeperPanel().locator('.seal-sample img');
  await ui.page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle());
});

test('pulling the keeper key removes it from the panel; pulling every key asks to insert one; inserting it again brings it back', async () => {
  const keeperDir = tokenSubdir(world, KEEPER_LABEL);
  const aside = path.join(world.dir, 'pulled');
  fs.mkdirSync(aside, { recursive: true });
  const pulled = path.join(aside, path.basename(keeperDir));
  fs.renameSync(keeperDir, pulled);
  await keeperPanel().waitFor({ state: 'detached', timeout: 30_000 });

  const others = fs.readdirSync(tokenDir(world)).map((d) => [path.join(tokenDir(world), d), path.join(aside, d)] as const);
  for (const [from, to] of others) fs.renameSync(from, to);
  await ui.page.locator('[data-testid=insert-token]', { hasText: '请插入电子印章卡' }).waitFor({ timeout: 30_000 });

  for (const [from, to] of others) fs.renameSync(to, from);
  fs.renameSync(pulled, keeperDir);
  await keeperPanel().waitFor({ timeout: 30_000 });
  assert.equal(await ui.page.locator('[data-testid=insert-token]').count(), 0);
});

// Five wrong PINs end the flow with "密码错误,签章失败" and the key locked (domain.md flow 3d), and no
// file is written. Playwright drives Debian's Chromium over the BUILT renderer; window.sealdesk is
// an HTTP shim replacing only Electron's IPC transport; behind it the real core and PIN guard run
// against the demo world's SoftHSM2 keeper token.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import '../../src/renderer/api-client';
import { dragSealOnto, openInUi, useDemoUi, type Ui, stampThroughPageApi } from './support/ui';
import { KEEPER_PIN, type DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
useDemoUi((w, u) => {
  world = w;
  ui = u;
});

test('five wrong PINs show the lock, leave no file, and even the right PIN is refused afterwards', async () => {
  await openInUi(ui, world.contractPdf);
  await dragSealOnto(ui, 0.5, 0.5);

  const output = path.join(world.dir, 'never.pdf');
  ui.server.dialogs.save.push(output);
  await ui.page.click('[data-testid=stamp-button]');
  const dialog = ui.page.locator('[data-testid=pin-dialog]');
  await dialog.waitFor();

  const triesSeen: string[] = [];
  for (let attempt = 1; attempt <= 5; attempt++) {
    await ui.page.fill('[data-testid=pin-input]', `00000${attempt}`);
    await ui.page.click('[data-testid=pin-ok]');
    if (attempt < 5) {
      await ui.page.locator('[data-testid=pin-error]').waitFor();
      await ui.page.waitForFunction((n) => document.querySelector('[data-testid=pin-tries]')?.textContent?.includes(String(n)), 5 - attempt, { timeout: 30_000 });
      triesSeen.push(await ui.page.locator('[data-testid=pin-tries]').innerText());
      assert.equal(await ui.page.inputValue('[data-testid=pin-input]'), '', 'the PIN field is cleared after each try');
    }
  }
  assert.deepEqual(triesSeen, ['剩余尝试次数\uff1a4', '剩余尝试次数\uff1a3', '剩余尝试次数\uff1a2', '剩余尝试次数\uff1a1']);
  const result = ui.page.locator('[data-testid=stamp-result]');
  await result.waitFor({ timeout: 30_000 });
  assert.match(await result.innerText(), /密码错误[,\uff0c]签章失败/);
  assert.match(await result.innerText(), /锁定/);
  assert.equal(fs.existsSync(output), false, 'no output file');

  // The lock holds: the panel knows the key is locked, 文档签章 ends at once, still without a file,
  // and core refuses the right PIN too (asked directly, as a page script could).
  await result.locator('button').click();
  await ui.page.waitForTimeout(2500); // one token poll
  // The panel shows the key locked and says why, before any PIN would be asked.
  const keeper = ui.page.locator('.token.token-locked');
  await keeper.waitFor({ timeout: 10_000 });
  assert.match(await keeper.locator('[data-testid=token-why]').innerText(), /已锁定/);
  await ui.page.click('[data-testid=stamp-button]');
  await result.waitFor({ timeout: 30_000 });
  assert.match(await result.innerText(), /密码错误[,\uff0c]签章失败/);
  assert.equal(await ui.page.locator('[data-testid=pin-dialog]').count(), 0, 'no PIN is asked for a locked key');
  const direct = await stampThroughPageApi(ui, output, KEEPER_PIN, 'after-lock');
  assert.equal(direct.ok, false);
  assert.equal(direct.error?.code, 'PIN_LOCKED');
  assert.equal(fs.existsSync(output), false);
});

// The token panel follows keys coming and going. "Pulling" a SoftHSM2 token = moving its directory
// out of the token dir of the world's SoftHSM2 config (there is no USB here); "inserting" = moving it
// back. Playwright drives Debian's Chromium over the BUILT renderer; window.sealdesk is an HTTP shim
// replacing only Electron's IPC transport; behind it the real core lists the real SoftHSM2 tokens.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { dragSealOnto, openInUi, useDemoUi, type Ui } from './support/ui';
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
  assert.match(text, /序列号\uff1a\S+/);
  assert.match(text, /保管人证书\uff1a.*CN=/);
  assert.equal(await keeperPanel().locator('.seal-sample').count(), 1);
  const img = keeperPanel().locator('.seal-sample img');
  await ui.page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle());
  assert.equal(await keeperPanel().getAttribute('data-usable'), 'yes');
});

test("the maker's card, which holds no seal, is not labelled as a keeper's certificate and says why it cannot stamp", async () => {
  const maker = ui.page.locator('.token[data-label="DEMO-MAKER"]');
  await maker.waitFor({ timeout: 30_000 });
  const text = await maker.innerText();
  assert.doesNotMatch(text, /保管人证书/);
  assert.match(text, /证书\uff1a.*CN=/);
  assert.equal(await maker.getAttribute('data-usable'), 'no');
  assert.match(await maker.locator('[data-testid=token-why]').innerText(), /没有电子印章/);
});

test('a sample placed on the page goes when its key is pulled, and the person is told', async () => {
  await openInUi(ui, world.contractPdf);
  await dragSealOnto(ui, 0.5, 0.5);
  const keeperDir = tokenSubdir(world, KEEPER_LABEL);
  const aside = path.join(world.dir, 'pulled-once');
  fs.renameSync(keeperDir, aside);
  try {
    await ui.page.locator('[data-testid=toast]', { hasText: '已拔出' }).waitFor({ timeout: 30_000 });
    assert.equal(await ui.page.locator('[data-testid=placed-sample]').count(), 0, 'the sample is gone with its key');
  } finally {
    fs.renameSync(aside, keeperDir);
  }
  await keeperPanel().waitFor({ timeout: 30_000 });
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

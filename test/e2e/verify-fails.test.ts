// When verification cannot run at all, no seal looks normal (issue 10): the banner says verification
// failed and why, every seal on the page is muted and labelled 未验证, and no report can be exported.
// Playwright drives Debian's Chromium over the BUILT renderer; window.sealdesk is an HTTP shim over
// the real handler table and core. The one stand-in: the real verifier turns every bad file into a
// report rather than failing, so the test makes the gateway's verify call fail (as a token host that
// crashed mid-verification would) — everything else, the file and its pages, is real.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SealDeskError } from '../../src/core/errors';
import { openInUi, startUi, type Ui } from './support/ui';
import { buildDemoWorld, type DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
before(async () => {
  world = buildDemoWorld('sealdesk-e2e-vfail-');
  ui = await startUi(world.home, {
    viewport: { width: 1280, height: 800 },
    wrapCore: (real) => ({
      ...real,
      verify: async () => {
        throw new SealDeskError('TOKEN_HOST_EXITED', '密钥服务进程意外退出，请重试', 'The token host process stopped unexpectedly; please retry');
      },
    }),
  });
});
after(async () => {
  await ui?.close();
  world?.cleanup();
});

test('a verification that fails leaves every seal muted and labelled 未验证, the banner says why, and nothing can be exported', async () => {
  await openInUi(ui, world.stampedPdf);
  const banner = ui.page.locator('[data-testid=banner][data-verdict=error]');
  await banner.waitFor({ timeout: 30_000 });
  assert.match(await banner.innerText(), /验证失败：密钥服务进程意外退出/);
  await ui.page.locator('.page[data-page="4"]').scrollIntoViewIfNeeded();
  const mark = ui.page.locator('[data-testid=document] .seal-overlay[data-verdict=unverified]');
  await mark.waitFor({ timeout: 15_000 });
  assert.match(await mark.innerText(), /未验证/);
  assert.equal(await ui.page.locator('.seal-overlay[data-verdict=valid]').count(), 0, 'no seal marked valid');
  await ui.page.locator('.thumb .seal-overlay[data-verdict=unverified]').first().waitFor({ timeout: 15_000 });
  assert.equal(await ui.page.locator('[data-testid=export]').isDisabled(), true);
  assert.equal(await ui.page.locator('[data-testid=seal-list]').count(), 0, 'no seal list without a report');
});

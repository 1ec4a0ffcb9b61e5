// A reader people can work in (issue 10), at 1280×800 with the panels open: the page fits by
// default, fit width, Ctrl+=/−/0 zoom keeping the point in view, a seal picked in the list brought
// fully into view, the text layer (select, copy, Ctrl+F), Esc closing dialogs, the language switch
// changing <html lang> and the title, a seal dropped mostly off the paper refused, and stamping with
// the keyboard only. Playwright drives Debian's Chromium over the BUILT renderer; window.sealdesk is
// an HTTP shim replacing only Electron's IPC transport; the real core and SoftHSM2 keeper stand behind.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openInUi, startUi, type Ui } from './support/ui';
import { KEEPER_PIN, buildDemoWorld, type DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
before(async () => {
  world = buildDemoWorld('sealdesk-e2e-reader-');
  ui = await startUi(world.home, { viewport: { width: 1280, height: 800 } });
});
after(async () => {
  await ui?.close();
  world?.cleanup();
});

const view = () => ui.page.locator('[data-testid=document]');
const page1 = () => ui.page.locator('.page[data-page="1"]');
const scaleNow = async () => Number(await view().getAttribute('data-scale'));
async function waitScaleChange(from: number) {
  await ui.page.waitForFunction((s) => Math.abs(Number(document.querySelector('[data-testid=document]')?.getAttribute('data-scale')) - s) > 0.001, from, { timeout: 10_000 });
}
/** Which point of page 1 (as fractions of its box) is at the middle of the view. */
async function pointAtCentre() {
  const v = (await view().boundingBox())!;
  const p = (await page1().boundingBox())!;
  return { fx: (v.x + v.width / 2 - p.x) / p.width, fy: (v.y + v.height / 2 - p.y) / p.height };
}

test('at 1280×800 with the panels open, the first page fits the view; fit width fills the width; Ctrl+= and Ctrl+- zoom about the middle of the view; Ctrl+0 fits the page again', async () => {
  await openInUi(ui, world.contractPdf);
  assert.equal(await ui.page.inputValue('[data-testid=zoom]'), 'fit-page');
  assert.equal(await ui.page.locator('[data-testid=thumbnails]').count(), 1, 'the thumbnails are open');
  assert.equal(await ui.page.locator('[data-testid=token-panel]').count(), 1, 'the token panel is open');
  const v = (await view().boundingBox())!;
  const p = (await page1().boundingBox())!;
  assert.ok(p.x >= v.x && p.x + p.width <= v.x + v.width, `the page's width is inside the view (${p.width} in ${v.width})`);
  assert.ok(p.y >= v.y && p.y + p.height <= v.y + v.height, `the whole page's height is inside the view (${p.height} in ${v.height})`);
  assert.ok(p.height > v.height - 60, 'and it is as large as fits, not a stamp-sized page');

  await ui.page.selectOption('[data-testid=zoom]', 'fit-width');
  await ui.page.waitForFunction(() => {
    const d = document.querySelector('[data-testid=document]') as HTMLElement;
    const pg = document.querySelector('.page[data-page="1"]') as HTMLElement;
    return Math.abs(pg.getBoundingClientRect().width - (d.clientWidth - 32)) < 2;
  }, undefined, { timeout: 10_000 });
  assert.equal(await view().evaluate((el) => el.scrollWidth <= el.clientWidth), true, 'no sideways scrolling at fit width');

  await ui.page.selectOption('[data-testid=zoom]', '100');
  await ui.page.waitForFunction(() => Math.abs(Number(document.querySelector('[data-testid=document]')?.getAttribute('data-scale')) - 96 / 72) < 0.001);
  await view().evaluate((el) => el.scrollTo({ top: 300, left: 0 }));
  await ui.page.waitForTimeout(200);
  const before = await pointAtCentre();
  await view().click({ position: { x: 5, y: 5 } }); // focus in the document, as a person clicking into it
  let s = await scaleNow();
  await ui.page.keyboard.press('Control+Equal');
  await waitScaleChange(s);
  assert.ok(Math.abs((await scaleNow()) - 1.25 * (96 / 72)) < 0.001, 'one step up: 125 %');
  const after = await pointAtCentre();
  assert.ok(Math.abs(after.fx - before.fx) < 0.02 && Math.abs(after.fy - before.fy) < 0.02, `the point in the middle stays there: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
  s = await scaleNow();
  await ui.page.keyboard.press('Control+Minus');
  await waitScaleChange(s);
  assert.ok(Math.abs((await scaleNow()) - 96 / 72) < 0.001, 'one step down: 100 %');
  s = await scaleNow();
  await ui.page.keyboard.press('Control+0');
  await waitScaleChange(s);
  assert.equal(await ui.page.inputValue('[data-testid=zoom]'), 'fit-page');
});

test('the text layer lets a person select and copy the words of the page, and Ctrl+F finds text on the pages', async () => {
  await page1().locator('.textLayer span').first().waitFor({ timeout: 15_000 });
  // (The contract's own text: "合同编号：SD-2025-0418" is one run of text on page 1.)
  const span = page1().locator('.textLayer span', { hasText: 'SD-2025-0418' }).first();
  await span.click({ clickCount: 3 });
  const selected = await ui.page.evaluate(() => window.getSelection()?.toString() ?? '');
  assert.match(selected, /合同编号：SD-2025-0418/, `selected text from the page: "${selected}"`);
  // Copy: the selection is what the clipboard gets (Ctrl+C copies the selection; the test reads it back).
  const copied = await ui.page.evaluate(() => {
    let got = '';
    document.addEventListener('copy', (e) => { got = window.getSelection()?.toString() ?? ''; e.preventDefault(); }, { once: true });
    document.execCommand('copy');
    return got;
  });
  assert.match(copied, /SD-2025-0418/);

  await ui.page.keyboard.press('Control+f');
  const input = ui.page.locator('[data-testid=find-input]');
  await input.waitFor();
  assert.equal(await input.evaluate((el) => el === document.activeElement), true, 'the find box has the focus');
  await input.fill('SD-2025');
  await input.press('Enter');
  await ui.page.locator('[data-testid=find-count]', { hasText: '第 1/' }).waitFor({ timeout: 15_000 });
  await ui.page.locator('.textLayer span.highlight').first().waitFor({ timeout: 15_000 });
  assert.match(await ui.page.locator('.textLayer span.highlight').first().innerText(), /SD-2025-0418/);
  await ui.page.keyboard.press('Escape');
  await ui.page.locator('[data-testid=find-bar]').waitFor({ state: 'detached' });
  assert.equal(await ui.page.locator('.textLayer span.highlight').count(), 0, 'the marks go with the find bar');
});

test('Esc closes the settings and the audit dialogs; switching to English changes the page language and title, and back', async () => {
  for (const name of ['settings-open', 'audit-open']) {
    await ui.page.click(`[data-testid=${name}]`);
    const dlg = ui.page.locator(name === 'settings-open' ? '[data-testid=settings]' : '[data-testid=audit]');
    await dlg.waitFor();
    await ui.page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'detached', timeout: 5_000 });
  }
  assert.equal(await ui.page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.match(await ui.page.title(), /contract\.pdf — SealDesk 电子印章/);
  await ui.page.click('[data-testid=settings-open]');
  await ui.page.locator('[data-testid=settings] select').selectOption('en');
  await ui.page.locator('[data-testid=settings] button', { hasText: '保存' }).click();
  await ui.page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.match(await ui.page.title(), /SealDesk electronic seals/);
  await ui.page.click('[data-testid=settings-open]');
  await ui.page.locator('[data-testid=settings] select').selectOption('zh');
  await ui.page.locator('[data-testid=settings] button', { hasText: 'Save' }).click();
  await ui.page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
});

test('a seal dropped mostly off the paper is refused with a message', async () => {
  await ui.page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 60_000 });
  const sample = ui.page.locator('.seal-sample').first();
  const from = (await sample.boundingBox())!;
  const p = (await page1().boundingBox())!;
  await ui.page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await ui.page.mouse.down();
  // The seal's centre 4 px inside the page's bottom-right corner: three quarters of it off the paper.
  await ui.page.mouse.move(p.x + p.width - 4, p.y + p.height - 4, { steps: 8 });
  await ui.page.mouse.up();
  await ui.page.locator('[data-testid=toast]', { hasText: '纸面之外' }).waitFor({ timeout: 5_000 });
  assert.equal(await ui.page.locator('[data-testid=placed-sample]').count(), 0, 'no sample placed');
});

/** Presses Tab until the element matching `selector` has the focus (every control is reachable). */
async function tabTo(selector: string, most = 80) {
  for (let i = 0; i < most; i++) {
    if (await ui.page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await ui.page.keyboard.press('Tab');
  }
  throw new Error(`${selector} was not reached with Tab`);
}

test('stamping with the keyboard only: Tab to the seal, place it on the page in view, Tab to 文档签章, the PIN, Enter; the default name of a second stamp does not stack', async () => {
  await ui.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await tabTo('[data-testid=place-here]');
  await ui.page.keyboard.press('Enter');
  await ui.page.locator('[data-testid=placed-sample]').waitFor();
  await tabTo('[data-testid=stamp-button]');
  const output = path.join(world.dir, 'contract-已签章.pdf');
  ui.server.dialogs.save.push(output);
  await ui.page.keyboard.press('Enter');
  await ui.page.locator('[data-testid=pin-dialog]').waitFor();
  assert.equal(await ui.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'pin-input', 'the PIN box has the focus');
  await ui.page.keyboard.type(KEEPER_PIN);
  await ui.page.keyboard.press('Enter');
  await ui.page.locator('[data-testid=docname]', { hasText: 'contract-已签章.pdf' }).waitFor({ timeout: 60_000 });
  await ui.page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 60_000 });

  // Stamping the stamped copy again proposes "contract-已签章(2).pdf", not "-已签章-已签章".
  await ui.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await tabTo('[data-testid=place-here]');
  await ui.page.keyboard.press('Enter');
  await tabTo('[data-testid=stamp-button]');
  await ui.page.keyboard.press('Enter'); // the save dialog is "cancelled" (nothing queued)
  await ui.page.waitForTimeout(500);
  assert.ok(ui.server.dialogs.lastSaveDefault, 'a name was proposed');
  assert.equal(path.basename(ui.server.dialogs.lastSaveDefault!), 'contract-已签章(2).pdf');
});

test('a seal picked in the list is brought fully into view, even at 300 %', async () => {
  await ui.page.selectOption('[data-testid=zoom]', '300');
  await view().evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await ui.page.locator('.seal-item').first().click();
  const mark = ui.page.locator('[data-testid=document] .seal-overlay.highlighted');
  await mark.waitFor({ timeout: 15_000 });
  await ui.page.waitForTimeout(300);
  const v = (await view().boundingBox())!;
  const b = (await mark.boundingBox())!;
  assert.ok(b.x >= v.x && b.x + b.width <= v.x + v.width && b.y >= v.y && b.y + b.height <= v.y + v.height, `the seal ${JSON.stringify(b)} is inside the view ${JSON.stringify(v)}`);
});

test('recent files: the documents opened lately are listed newest first and open again from the list', async () => {
  await ui.page.reload(); // a fresh window: the list comes from main
  const recent = ui.page.locator('[data-testid=recent]');
  await recent.waitFor({ timeout: 10_000 });
  const names = await recent.locator('option:not([disabled])').allInnerTexts();
  assert.deepEqual(names.slice(0, 2), ['contract-已签章.pdf', 'contract.pdf'], `newest first: ${names.join(', ')}`);
  await recent.selectOption({ label: 'contract.pdf' });
  await ui.page.locator('[data-testid=docname]', { hasText: 'contract.pdf' }).waitFor({ timeout: 30_000 });
  await ui.page.locator('.page[data-rendered=yes]').first().waitFor({ timeout: 30_000 });
});


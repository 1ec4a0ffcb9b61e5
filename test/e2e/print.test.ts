// Print (issue 10): pages are drawn lazily on screen, so printing first draws every page — a page
// never scrolled to would otherwise print as an empty box — and waits for verification, so a seal
// is never printed before it is judged; on paper a seal not shown as valid carries its words.
// A 40-page contract stamped on page 33 (the real stampPdf with a software key, test/verify/world.ts).
// Playwright drives Debian's Chromium over the BUILT renderer, window.sealdesk an HTTP shim over
// the real core. Stand-ins, said here: verification is held at the gateway (as a slow disk would
// hold it), and window.print — the operating system's print dialog, which cannot open headless —
// is replaced by a recorder of what the page shows at the moment it is called.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CoreGateway } from '../../src/main/core-gateway';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { makeWorld, type World } from '../verify/world';
import { openInUi, startUi, type Ui } from './support/ui';

let world: World;
let ui: Ui;
let stamped: string;
let hold = false;
const waiting: Array<() => void> = [];
const PAGES = 40;
const SEAL_PAGE = 33;

before(async () => {
  world = await makeWorld('e2e-print');
  stamped = await world.stamp(await classicPdf(world.file('contract.pdf'), PAGES), world.file('stamped.pdf'), { kind: 'point', page: SEAL_PAGE, x: 300, y: 400 });
  process.env.SEALDESK_HOME = world.file('home');
  const wrapCore = (real: CoreGateway): CoreGateway => ({
    ...real,
    verify: async (f) => {
      if (hold) await new Promise<void>((r) => waiting.push(r));
      return real.verify(f);
    },
  });
  ui = await startUi(world.file('home'), { viewport: { width: 1280, height: 800 }, wrapCore, beforeClose: () => waiting.forEach((go) => go()) });
});
after(async () => {
  await ui?.close();
  world?.cleanup();
});

interface PrintSnapshot { drawn: number; pages: number; sealMarks: string[]; banner: string | null }

async function recordPrints(): Promise<void> {
  await ui.page.evaluate(() => {
    const w = window as unknown as { printed: PrintSnapshot[]; print: () => void };
    w.printed = [];
    w.print = () => {
      w.printed.push({
        drawn: document.querySelectorAll('.center .document .page[data-rendered=yes]').length,
        pages: document.querySelectorAll('.center .document .page').length,
        sealMarks: [...document.querySelectorAll('.center .document .seal-overlay')].map((e) => e.getAttribute('data-verdict') ?? ''),
        banner: document.querySelector('[data-testid=banner]')?.getAttribute('data-verdict') ?? null,
      });
    };
  });
}
const printed = (): Promise<PrintSnapshot[]> => ui.page.evaluate(() => (window as unknown as { printed: PrintSnapshot[] }).printed);

test('print waits for verification, draws every page first, and prints the far seal with its verdict mark', async () => {
  hold = true;
  await openInUi(ui, stamped);
  await recordPrints();
  assert.ok((await ui.page.locator('.center .document .page[data-rendered=yes]').count()) < PAGES, 'on screen only the pages near the view are drawn');
  await ui.page.click('[data-testid=print]');
  await ui.page.locator('[data-testid=print-preparing]', { hasText: '验证完成后开始打印' }).waitFor();
  await ui.page.waitForTimeout(500);
  assert.deepEqual(await printed(), [], 'nothing is printed while the seal is unproven');

  hold = false;
  waiting.splice(0).forEach((go) => go());
  await ui.page.waitForFunction(() => (window as unknown as { printed: unknown[] }).printed.length === 1, undefined, { timeout: 60_000 });
  const [shot] = await printed();
  assert.equal(shot!.pages, PAGES);
  assert.equal(shot!.drawn, PAGES, 'every page was drawn when print was called');
  assert.notEqual(shot!.banner, 'pending');
  assert.deepEqual(shot!.sealMarks, ['unknown_signer'], 'the seal on page 33 prints with its mark (signer unknown here: no trusted root in this home)');
  await ui.page.locator('[data-testid=print-preparing]').waitFor({ state: 'detached' });
});

test('on paper a seal that is not valid says why: its label prints, and the overlay covers it without relying on a screen-only filter', async () => {
  await ui.page.locator(`.page[data-page="${SEAL_PAGE}"]`).scrollIntoViewIfNeeded();
  const mark = ui.page.locator('.center .document .seal-overlay').first();
  await mark.waitFor({ timeout: 30_000 });
  await ui.page.emulateMedia({ media: 'print' });
  try {
    const style = await mark.evaluate((e) => {
      const label = e.querySelector('.seal-label');
      return { label: label ? getComputedStyle(label).display : 'missing', text: label?.textContent ?? '', bg: getComputedStyle(e).backgroundColor };
    });
    assert.notEqual(style.label, 'none', 'the words print');
    assert.match(style.text, /身份未知/);
    const alpha = Number(/rgba?\([^)]*,\s*([\d.]+)\)$/.exec(style.bg)?.[1] ?? '1');
    assert.ok(alpha >= 0.6, `the seal is covered on paper (background ${style.bg})`);
  } finally {
    await ui.page.emulateMedia({ media: 'screen' });
  }
});

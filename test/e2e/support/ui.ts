/**
 * Starts the e2e stack for one test file: the built renderer and the typed API on loopback (over the
 * real core), and Debian's Chromium with the window.sealdesk shim.
 */
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { realCoreApp } from '../../../src/main/core-app';
import { createDirectCore } from '../../../src/main/core-direct';
import { ensureRendererBuilt, shimScript, startApiServer, type ApiServer } from './api-server';
import type { CoreGateway } from '../../../src/main/core-gateway';
import path from 'node:path';
import { buildDemoWorld, repoRoot, type DemoWorld } from './world';
import { CHROMIUM_ARGS } from './chromium-args';

export interface Ui {
  page: Page;
  server: ApiServer;
  browser: Browser;
  /** The real core gateway behind the server (before any wrapping). */
  core: CoreGateway;
  close(): Promise<void>;
}

export interface UiOptions {
  viewport?: { width: number; height: number };
  /** Puts a test's stand-in around the real gateway (a held job, a slow verification); say so in the test. */
  wrapCore?: (core: CoreGateway) => CoreGateway;
  /** Runs first on close (e.g. to release what a wrapper holds). */
  beforeClose?: () => void;
}


export async function startUi(home: string, o: UiOptions = {}): Promise<Ui> {
  const viewport = o.viewport ?? { width: 1400, height: 900 };
  await ensureRendererBuilt();
  const core = createDirectCore(realCoreApp(home), home);
  const server = await startApiServer(o.wrapCore ? o.wrapCore(core) : core);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport, locale: 'zh-CN', deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(await shimScript());
  await page.goto(server.url);
  return {
    page,
    server,
    browser,
    core,
    close: async () => {
      o.beforeClose?.();
      await browser.close();
      await server.close();
      core.close?.();
      if (errors.length) throw new Error(`errors in the page:\n${errors.join('\n')}`);
    },
  };
}

/** Opens a file the way a person does: the toolbar's Open, then picking it in the dialog. */
export async function openInUi(ui: Ui, file: string): Promise<void> {
  const before = await ui.page.locator('[data-testid=docname]').getAttribute('data-doc-id', { timeout: 100 }).catch(() => null);
  ui.server.dialogs.open.push(file);
  await ui.page.click('[data-testid=open]');
  // The new document is on screen (not the previous one still showing) and a page is drawn.
  await ui.page.waitForFunction((prev) => {
    const id = document.querySelector('[data-testid=docname]')?.getAttribute('data-doc-id');
    return !!id && id !== prev;
  }, before, { timeout: 30_000 });
  // A document opens at page 1; pages arrive by byte ranges, each in its own time, so wait for page 1 itself.
  await ui.page.waitForSelector('.page[data-page="1"][data-rendered=yes]', { timeout: 30_000 });
}

/**
 * One demo world and one browser for a test file: registers before/after and hands both to `ready`.
 * (Node runs root-level before hooks concurrently, so a second hook could not wait for this one.)
 */
export function useDemoUi(ready: (world: DemoWorld, ui: Ui) => void, prefix?: string): void {
  let world: DemoWorld | undefined;
  let ui: Ui | undefined;
  before(async () => {
    world = buildDemoWorld(prefix);
    ui = await startUi(world.home);
    ready(world, ui);
  });
  after(async () => {
    await ui?.close();
    world?.cleanup();
  });
}

/**
 * Drags the first sample seal in the token panel onto a page, to a fraction of the page's box, the
 * way a person does with the mouse. Returns the drop point in CSS px from the page's top-left corner.
 */
export async function dragSealOnto(ui: Ui, fx: number, fy: number, pageNumber = 1): Promise<{ cssX: number; cssY: number; cssWidth: number }> {
  const { page } = ui;
  const sample = page.locator('.seal-sample').first();
  await sample.waitFor({ timeout: 30_000 });
  // Verification on open and page rendering after a zoom move the layout; drag only once it is still.
  await page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 60_000 });
  const pageLocator = page.locator(`.page[data-page="${pageNumber}"]`);
  const pageBox = await stableBox(ui, () => pageLocator.boundingBox());
  const from = (await sample.boundingBox())!;
  const to = { x: pageBox.x + pageBox.width * fx, y: pageBox.y + pageBox.height * fy };
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
  const placed = page.locator('[data-testid=placed-sample]');
  await placed.waitFor();
  // Where the person sees the sample now, relative to the page as it is now: that is where the
  // stamp must land. It must also be where the mouse let go (the layout did not move meanwhile).
  const after = (await pageLocator.boundingBox())!;
  const p = (await placed.boundingBox())!;
  const centre = { x: p.x + p.width / 2 - after.x, y: p.y + p.height / 2 - after.y };
  const dropped = { x: to.x - pageBox.x, y: to.y - pageBox.y };
  if (Math.abs(centre.x - dropped.x) > 3 || Math.abs(centre.y - dropped.y) > 3) {
    throw new Error(`the sample shows at ${JSON.stringify(centre)}, the mouse let go at ${JSON.stringify(dropped)} (page-relative CSS px)`);
  }
  return { cssX: centre.x, cssY: centre.y, cssWidth: after.width };
}

/** A bounding box that has stopped moving (two equal readings 150 ms apart). */
async function stableBox(ui: Ui, read: () => Promise<{ x: number; y: number; width: number; height: number } | null>): Promise<{ x: number; y: number; width: number; height: number }> {
  let prev = (await read())!;
  for (let i = 0; i < 40; i++) {
    await ui.page.waitForTimeout(150);
    const b = (await read())!;
    if (Math.abs(b.x - prev.x) < 0.5 && Math.abs(b.y - prev.y) < 0.5 && Math.abs(b.width - prev.width) < 0.5) return b;
    prev = b;
  }
  return prev;
}

/**
 * Stamps the open document through the page's own API (window.sealdesk), bypassing the PIN dialog:
 * what a script in the page could try after the UI has refused. Saves to `output`.
 */
export async function stampThroughPageApi(ui: Ui, output: string, pin: string, jobId: string): Promise<{ ok: boolean; error?: { code: string } }> {
  ui.server.dialogs.save.push(output);
  const docId = (await ui.page.locator('[data-testid=docname]').getAttribute('data-doc-id'))!;
  return ui.page.evaluate(async ({ pin, docId, jobId }) => {
    const api = window.sealdesk!;
    const tokens = await api.listTokens({});
    if (!tokens.ok) return tokens;
    const keeper = tokens.value.find((t) => t.seals.length > 0)!;
    const out = await api.chooseStampOutput({ docId });
    if (!out.ok || !out.value) return { ok: false, error: { code: 'NO_OUTPUT' } };
    return api.stamp({ jobId, docId, outputId: out.value.outputId, tokenSerial: keeper.serial, esID: keeper.seals[0]!.esID, placement: { kind: 'point', page: 1, x: 300, y: 400 }, pin: new TextEncoder().encode(pin) });
  }, { pin, docId, jobId });
}

/** With SEALDESK_SCREENSHOTS=1, saves the page as docs/screenshots/NAME (to refresh the README's pictures); otherwise nothing. */
export async function screenshotForDocs(ui: Ui, name: string): Promise<void> {
  if (process.env.SEALDESK_SCREENSHOTS !== '1') return;
  await ui.page.waitForTimeout(600);
  await ui.page.screenshot({ path: path.join(repoRoot, 'docs', 'screenshots', name) });
}

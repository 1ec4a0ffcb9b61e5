/**
 * Debian's Chromium over the built web console, for the console tests and the screenshots: the console
 * is built once per process into a private dir (parallel test files never race on dist/), the browser
 * trusts nothing but is told to accept the test platform's self-made TLS certificate, and every page
 * error fails the test on close.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../e2e/support/chromium-args';

const repoRoot = path.resolve(__dirname, '../../..');
let built: string | undefined;

/** Builds src/platform/console into a temp dir (once per process) and returns the dir. */
export function buildConsole(): string {
  if (built) return built;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-console-'));
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build.mjs'), '--console-only', '--console-out', out], { cwd: repoRoot, stdio: 'pipe' });
  built = out;
  process.once('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  return out;
}

export interface ConsoleBrowser {
  browser: Browser;
  /** A fresh browser context (its own cookies) on the console, in Chinese unless told. */
  open(o?: { locale?: string; viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

export async function startConsoleBrowser(url: string): Promise<ConsoleBrowser> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const errors: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async open(o = {}) {
      // The test platform's TLS certificate comes from its own fresh root, which this browser cannot know.
      const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: o.locale ?? 'zh-CN', viewport: o.viewport ?? { width: 1360, height: 900 }, deviceScaleFactor: 1 });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      if (errors.length) throw new Error(`errors in the console page:\n${errors.join('\n')}`);
    },
  };
}

export async function logIn(page: Page, user: string, password: string): Promise<void> {
  await page.fill('[data-testid=login-user]', user);
  await page.fill('[data-testid=login-password]', password);
  await page.click('[data-testid=login-submit]');
  await page.locator('[data-testid=who]').waitFor({ timeout: 20_000 });
}

export async function logOut(page: Page): Promise<void> {
  await page.click('[data-testid=logout]');
  await page.locator('[data-testid=login-form]').waitFor();
}

/** Fills the application form with the demo impression (resources/seals/demo-seal.png) and waits for its preview. */
export async function fillApplication(page: Page, name: string, kind: string, keeper: string): Promise<void> {
  await page.fill('[data-testid=app-seal-name]', name);
  await page.selectOption('[data-testid=app-kind]', kind);
  await page.fill('[data-testid=app-keeper]', keeper);
  await page.setInputFiles('[data-testid=app-impression]', path.join(repoRoot, 'resources/seals/demo-seal.png'));
  await page.locator('[data-testid=app-preview]').waitFor();
}

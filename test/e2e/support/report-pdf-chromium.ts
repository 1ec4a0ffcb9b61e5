/**
 * The e2e harness's back-end for src/main/report-pdf.ts: Electron's printToPDF cannot run here, so
 * the same report HTML is printed by Playwright's page.pdf in Debian's Chromium — the same print
 * engine. One headless browser per test process, started on first use.
 */
import { chromium, type Browser } from 'playwright-core';
import type { HtmlToPdf } from '../../../src/main/report-pdf';
import { CHROMIUM_ARGS } from './chromium-args';

let browser: Promise<Browser> | null = null;

export const chromiumHtmlToPdf: HtmlToPdf = async (html) => {
  browser ??= chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await (await browser).newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    return new Uint8Array(await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true }));
  } finally {
    await context.close();
  }
};

export async function closeReportPrinter(): Promise<void> {
  const b = browser;
  browser = null;
  if (b) await (await b).close();
}

/**
 * The app's back-end for report-pdf.ts (runs in Electron's main process only): loads the report
 * HTML into a hidden window — sandboxed, no preload, no script — and prints it with
 * webContents.printToPDF, Chromium's own print engine (the e2e harness uses Playwright's page.pdf,
 * the same engine, because Electron cannot run there).
 */
import { BrowserWindow } from 'electron';
import type { HtmlToPdf } from './report-pdf';

export const electronHtmlToPdf: HtmlToPdf = async (html) => {
  const win = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false } });
  try {
    await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    const pdf = await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true });
    return new Uint8Array(pdf);
  } finally {
    win.destroy();
  }
};

/**
 * The verification report as a PDF: one function, two back-ends that turn the same HTML
 * (report-html.ts) into PDF bytes with Chromium's print engine —
 * - in the app, Electron's webContents.printToPDF in a hidden, sandboxed window (report-pdf-electron.ts,
 *   wired in main.ts);
 * - in the e2e harness, where Electron cannot run, Playwright's page.pdf in Debian's Chromium
 *   (test/e2e/support/report-pdf-chromium.ts).
 * Both print A4 with the page's own @page margins and backgrounds, so the tests see what users get.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Language, SignatureDetails, VerificationReport } from '../api/contract';
import { writeFileAtomic } from '../core/fs/atomic-write';
import { hasGmStamp, renderReportHtml } from './report-html';

/** HTML in, PDF bytes out. */
export type HtmlToPdf = (html: string) => Promise<Uint8Array>;

export interface ReportSources {
  report: VerificationReport;
  file: string;
  documentName: string;
  lang: Language;
  details(field: string): Promise<SignatureDetails>;
}

/** The report's HTML with every seal's certificates and picture, and the SM3 digest for GM stamps. */
export async function reportHtmlFor(src: ReportSources): Promise<string> {
  const details: Record<string, SignatureDetails> = {};
  for (const s of src.report.signatures) {
    details[s.field] = await src.details(s.field).catch(() => ({ certificates: [] }));
  }
  const sm3 = hasGmStamp(src.report) ? await fileDigest(src.file, 'sm3') : undefined;
  return renderReportHtml({ report: src.report, documentName: src.documentName, lang: src.lang, details, sm3 });
}

/** Renders the report to PDF with the back-end given and writes it atomically (no partial file on failure). */
export async function writeReportPdf(src: ReportSources, target: string, toPdf: HtmlToPdf): Promise<void> {
  const pdf = await toPdf(await reportHtmlFor(src));
  writeFileAtomic(target, Buffer.from(pdf));
}

async function fileDigest(file: string, algorithm: string): Promise<string> {
  const h = crypto.createHash(algorithm);
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

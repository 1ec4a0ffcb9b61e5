import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { SealPictureInput } from '../../../src/core/sign';

export const repoRoot = path.resolve(__dirname, '../../..');
export const sealPicture: SealPictureInput = {
  type: 'PNG',
  data: fs.readFileSync(path.join(repoRoot, 'test/fixtures/pdf/seal-red.png')),
  widthMm: 40,
  heightMm: 40,
};
/** A real vendor SESeal (parse-only fixture): the CMS carries it as a signed attribute. */
export const sealDer = fs.readFileSync('/work/shared/testdata/gm/SESealData.DER');
export const sampleContract = path.join(repoRoot, 'resources/samples/contract.pdf');

export function workDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sealdesk-${name}-`));
}

export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** A plain multi-page document with a classic xref table (pdf-lib without object streams). */
export async function classicPdf(file: string, pages = 2): Promise<string> {
  const d = await PDFDocument.create();
  const f = await d.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) d.addPage([595, 842]).drawText(`Contract page ${i + 1}`, { x: 72, y: 760, font: f, size: 18 });
  fs.writeFileSync(file, await d.save({ useObjectStreams: false }));
  return file;
}

/** The same with an xref stream and compressed object streams, as qpdf writes them. */
export async function objectStreamPdf(file: string): Promise<string> {
  const plain = `${file}.plain.pdf`;
  await classicPdf(plain, 3);
  execFileSync('qpdf', ['--object-streams=generate', plain, file]);
  return file;
}

/** A document that already has an AcroForm with a text field. */
export async function formPdf(file: string): Promise<string> {
  const d = await PDFDocument.create();
  const page = d.addPage([595, 842]);
  const field = d.getForm().createTextField('buyer.name');
  field.setText('Buyer Ltd');
  field.addToPage(page, { x: 72, y: 700, width: 200, height: 24 });
  fs.writeFileSync(file, await d.save({ useObjectStreams: false }));
  return file;
}

export interface PdfsigResult { valid: number; total: number; text: string }

/** Runs poppler's pdfsig: how many signatures it finds and how many it calls valid. */
export function pdfsig(file: string): PdfsigResult {
  const r = spawnSync('pdfsig', [file], { encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`;
  return { valid: (text.match(/Signature is Valid\./g) ?? []).length, total: (text.match(/^Signature #\d+:/gm) ?? []).length, text };
}

/** qpdf --check: exit 0 (clean) or 3 (warnings) is not good enough here; only a clean check passes. */
export function qpdfCheck(file: string): { ok: boolean; text: string } {
  const r = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  return { ok: r.status === 0 && /No syntax or stream encoding errors/.test(r.stdout), text: `${r.stdout}${r.stderr}` };
}

/** Renders one page's visible area (its crop box) with pdftoppm and returns the PNG file. */
export function renderPage(file: string, page: number, dpi: number, outPrefix: string): string {
  execFileSync('pdftoppm', ['-png', '-cropbox', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', file, outPrefix]);
  return `${outPrefix}.png`;
}

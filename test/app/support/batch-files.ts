import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/**
 * A folder of small, distinct one-page PDFs (doc-001.pdf …), each saying "Document N" and "Seal
 * here", and the names of the broken ones among them: one is not a PDF, one is cut in half, one
 * has a page too small for the batch's placement (300,400).
 */
export async function batchFolder(dir: string, count: number, broken: { notPdf?: number; truncated?: number; tinyPage?: number } = {}): Promise<{ files: string[]; broken: string[] }> {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const bad: string[] = [];
  for (let i = 1; i <= count; i++) {
    const file = path.join(dir, `doc-${String(i).padStart(3, '0')}.pdf`);
    const d = await PDFDocument.create();
    const page = d.addPage(i === broken.tinyPage ? [200, 200] : [595, 842]);
    const font = await d.embedFont(StandardFonts.Helvetica);
    page.drawText(`Document ${i}`, { x: 60, y: i === broken.tinyPage ? 150 : 760, size: 14, font });
    if (i !== broken.tinyPage) page.drawText('Seal here', { x: 100, y: 500, size: 14, font });
    let bytes = Buffer.from(await d.save({ useObjectStreams: false }));
    if (i === broken.truncated) bytes = bytes.subarray(0, bytes.length >> 1);
    if (i === broken.notPdf) bytes = Buffer.from(`this is not a PDF but a note (${i})\n`);
    fs.writeFileSync(file, bytes);
    files.push(file);
    if (i === broken.truncated || i === broken.notPdf || i === broken.tinyPage) bad.push(file);
  }
  return { files, broken: bad };
}

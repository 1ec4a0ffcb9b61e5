import fs from 'node:fs';
import { PDFDocument, StandardFonts, degrees, rgb } from 'pdf-lib';

/**
 * Test documents for stamps across pages: a "book" whose pages each say which page they are (so
 * their contents differ), with the sizes, rotations and crop boxes asked for, made with pdf-lib.
 */
export interface PageSpec { size?: [number, number]; rotate?: 0 | 90 | 180 | 270; cropBox?: [number, number, number, number]; label?: string }

export async function pageBook(file: string, pages: number | PageSpec[]): Promise<string> {
  const specs: PageSpec[] = typeof pages === 'number' ? Array.from({ length: pages }, () => ({})) : pages;
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  specs.forEach((s, i) => {
    const [w, h] = s.size ?? [595.28, 841.89];
    const page = pdf.addPage([w, h]);
    page.drawText(s.label ?? `Page ${i + 1} of the agreement`, { x: 40, y: h / 2, size: 18, font, color: rgb(0, 0, 0) });
    page.drawRectangle({ x: 20, y: 20, width: w - 40, height: h - 40, borderColor: rgb(0.6, 0.6, 0.6), borderWidth: 1 });
    if (s.rotate) page.setRotation(degrees(s.rotate));
    if (s.cropBox) page.setCropBox(...s.cropBox);
  });
  fs.writeFileSync(file, await pdf.save({ useObjectStreams: false }));
  return file;
}

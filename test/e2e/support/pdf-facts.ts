/**
 * Independent readings of a PDF for assertions (not SealDesk's own reader): page boxes and
 * rotation from pdf-lib, signature widget rectangles from pdf.js, signature validity from poppler.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { PDFDocument } from 'pdf-lib';

export interface PageFacts {
  cropBox: [number, number, number, number];
  rotation: number;
}

export async function pageFacts(file: string, page: number): Promise<PageFacts> {
  const doc = await PDFDocument.load(fs.readFileSync(file), { ignoreEncryption: true, updateMetadata: false });
  const p = doc.getPage(page - 1);
  const c = p.getCropBox();
  return { cropBox: [c.x, c.y, c.x + c.width, c.y + c.height], rotation: ((p.getRotation().angle % 360) + 360) % 360 };
}

/**
 * Where a point on the page's box on screen (CSS px from its top-left corner, the box being `cssWidth`
 * wide) lies in PDF user space, from the crop box and /Rotate alone.
 */
export function expectedPdfPoint(f: PageFacts, cssX: number, cssY: number, cssWidth: number): { x: number; y: number } {
  const [x1, y1, x2, y2] = f.cropBox;
  const upright = f.rotation === 0 || f.rotation === 180;
  const s = cssWidth / (upright ? x2 - x1 : y2 - y1);
  switch (f.rotation) {
    case 90:
      return { x: x1 + cssY / s, y: y1 + cssX / s };
    case 180:
      return { x: x2 - cssX / s, y: y1 + cssY / s };
    case 270:
      return { x: x2 - cssY / s, y: y2 - cssX / s };
    default:
      return { x: x1 + cssX / s, y: y2 - cssY / s };
  }
}

export interface SignatureWidget {
  page: number;
  fieldName: string;
  rect: [number, number, number, number];
}

export async function signatureWidgets(file: string): Promise<SignatureWidget[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(fs.readFileSync(file)), verbosity: 0, isEvalSupported: false }).promise;
  const out: SignatureWidget[] = [];
  try {
    for (let i = 1; i <= doc.numPages; i++) {
      const annots = (await (await doc.getPage(i)).getAnnotations()) as { subtype: string; fieldType?: string; fieldName?: string; rect: number[] }[];
      for (const a of annots) {
        if (a.subtype === 'Widget' && a.fieldType === 'Sig') out.push({ page: i, fieldName: a.fieldName ?? '', rect: a.rect as [number, number, number, number] });
      }
    }
  } finally {
    await doc.destroy();
  }
  return out;
}

/** poppler's pdfsig: the number of signatures it calls valid, and its full output. */
export function pdfsig(file: string): { valid: number; total: number; output: string } {
  const r = spawnSync('pdfsig', [file], { encoding: 'utf8' });
  const output = `${r.stdout}${r.stderr}`;
  return { valid: (output.match(/Signature Validation: Signature is Valid\./g) ?? []).length, total: (output.match(/^Signature #\d+:/gm) ?? []).length, output };
}

export function qpdfCheck(file: string): boolean {
  return spawnSync('qpdf', ['--check', file], { encoding: 'utf8' }).status === 0;
}

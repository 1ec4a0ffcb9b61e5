import { PdfDict, PdfRef, PdfStream, type PdfObject } from './objects';
import type { PdfDocument } from './document';
import { pdfTooComplex } from './pdf-errors';

/**
 * The keyword search hands the file to pdf.js, which decodes content streams, form XObjects and
 * font programs with no limit of ours: a deflate bomb or a form that draws a form that draws a
 * form … (ten levels of ten calls each is ten billion) would take the process's memory or time.
 * So before pdf.js sees the file, every stream text extraction reads is decoded here once,
 * through the document's budget (each stream bounded, the total bounded), and the content the
 * pages expand to — each form counted as often as it is drawn — must stay within the budget too.
 * Images are not decoded: text extraction does not read them.
 */
export function assertTextExtractionWithinBudget(doc: PdfDocument): void {
  const limit = doc.budget.maxDecodedBytes;
  const expanded = new Map<string, number>();
  const inProgress = new Set<string>();
  const fonts = new Set<string>();

  const decodedLength = (s: PdfStream): number => doc.decode(s).data.length;

  /** The bytes a content stream (with its resources) expands to when drawn once. */
  const expand = (data: Uint8Array, resources: PdfObject | undefined, depth: number): number => {
    if (depth > 32) throw pdfTooComplex('work', { reason: 'forms nested too deeply' });
    let total = data.length;
    const res = doc.resolveDict(resources);
    checkFonts(res);
    const xobjects = doc.resolveDict(res?.get('XObject'));
    if (!xobjects) return total;
    const text = Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1');
    const calls = new Map<string, number>();
    for (const m of text.matchAll(/\/([^\s/[\]()<>{}%]+)\s*Do\b/g)) calls.set(m[1]!, (calls.get(m[1]!) ?? 0) + 1);
    for (const [nameText, times] of calls) {
      const ref = xobjects.get(decodeName(nameText));
      total += times * formSize(ref, depth);
      if (total > limit) throw pdfTooComplex('decoded', { limit, reason: 'page content expands beyond the budget' });
    }
    return total;
  };

  const formSize = (ref: PdfObject | undefined, depth: number): number => {
    const key = ref instanceof PdfRef ? ref.key : undefined;
    if (key !== undefined) {
      const known = expanded.get(key);
      if (known !== undefined) return known;
      if (inProgress.has(key)) return 0; // a form drawing itself: viewers stop the recursion
      inProgress.add(key);
    }
    try {
      const s = doc.resolve(ref);
      if (!(s instanceof PdfStream) || s.dict.getName('Subtype') !== 'Form') return 0;
      const size = expand(doc.decode(s).data, s.dict.get('Resources'), depth + 1);
      if (key !== undefined) expanded.set(key, size);
      return size;
    } finally {
      if (key !== undefined) inProgress.delete(key);
    }
  };

  const checkFonts = (res: PdfDict | undefined): void => {
    const dict = doc.resolveDict(res?.get('Font'));
    if (!dict) return;
    for (const f of dict.entries.values()) {
      const key = f instanceof PdfRef ? f.key : undefined;
      if (key !== undefined && fonts.has(key)) continue;
      if (key !== undefined) fonts.add(key);
      const font = doc.resolveDict(f);
      const descendants = doc.resolveArray(font?.get('DescendantFonts'))?.items ?? [];
      for (const d of [font, ...descendants.map((x) => doc.resolveDict(x))]) {
        const desc = doc.resolveDict(d?.get('FontDescriptor'));
        for (const k of ['FontFile', 'FontFile2', 'FontFile3']) {
          const file = doc.resolve(desc?.get(k));
          if (file instanceof PdfStream) decodedLength(file);
        }
        const cmap = doc.resolve(d?.get('ToUnicode'));
        if (cmap instanceof PdfStream) decodedLength(cmap);
      }
    }
  };

  let total = 0;
  for (const page of doc.pages()) {
    total += expand(doc.pageContent(page), page.resources, 0);
    if (total > limit) throw pdfTooComplex('decoded', { limit, reason: 'the pages expand beyond the budget' });
  }
}

function decodeName(text: string): string {
  return text.replace(/#([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from '../pdf/objects';

/**
 * Structural equality of two PDF objects as parsed (references compared as references, streams by
 * dictionary and raw bytes). Used to tell a rewritten-but-identical object from a changed one.
 */
export function pdfEqual(a: PdfObject | undefined, b: PdfObject | undefined, depth = 0): boolean {
  if (depth > 100) return false;
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (a instanceof PdfName) return b instanceof PdfName && a.name === b.name;
  if (a instanceof PdfString) return b instanceof PdfString && Buffer.from(a.bytes).equals(Buffer.from(b.bytes));
  if (a instanceof PdfRef) return b instanceof PdfRef && a.num === b.num && a.gen === b.gen;
  if (a instanceof PdfArray) {
    return b instanceof PdfArray && a.items.length === b.items.length && a.items.every((x, i) => pdfEqual(x, b.items[i], depth + 1));
  }
  if (a instanceof PdfDict) return b instanceof PdfDict && dictEqual(a, b, depth);
  if (a instanceof PdfStream) {
    return b instanceof PdfStream && dictEqual(a.dict, b.dict, depth, ['Length']) && Buffer.from(a.raw).equals(Buffer.from(b.raw));
  }
  return false;
}

function dictEqual(a: PdfDict, b: PdfDict, depth: number, ignore: string[] = []): boolean {
  const keys = new Set([...a.keys(), ...b.keys()]);
  for (const k of keys) {
    if (ignore.includes(k)) continue;
    if (!pdfEqual(a.get(k), b.get(k), depth + 1)) return false;
  }
  return true;
}

/** Keys whose values differ between two dictionaries. */
export function changedKeys(a: PdfDict, b: PdfDict): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => !pdfEqual(a.get(k), b.get(k)));
}

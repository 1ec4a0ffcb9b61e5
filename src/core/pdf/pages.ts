import { PdfArray, PdfDict, PdfObject, PdfRef } from './objects';
import { pdfMalformed, pdfTooComplex } from './pdf-errors';
import { isSealDeskError } from '../errors';
import type { PdfDocument } from './document';

export type Box = [number, number, number, number];

export interface PdfPage {
  /** 0-based position in the document. */
  index: number;
  ref: PdfRef;
  dict: PdfDict;
  /** Normalised [llx, lly, urx, ury] with inheritance applied. */
  mediaBox: Box;
  /** The visible region: /CropBox (inherited) clipped to the MediaBox; the MediaBox without one. */
  cropBox: Box;
  /** 0, 90, 180 or 270: clockwise rotation applied when the page is shown. */
  rotate: number;
  /** /Resources with inheritance applied (may be a reference). */
  resources: PdfObject | undefined;
}

const MAX_TREE_DEPTH = 64;
/**
 * More pages than any real document has (the longest court bundles run to tens of thousands);
 * a million-page tree would take gigabytes to hold, so it is refused before it is walked.
 */
export const MAX_PAGES = 100_000;
const DEFAULT_MEDIA_BOX: Box = [0, 0, 612, 792];

interface Inherited { mediaBox?: PdfObject; cropBox?: PdfObject; rotate?: PdfObject; resources?: PdfObject }

/** Walks the page tree from the catalog, applying inherited attributes; loops and cycles are refused. */
export function readPages(doc: PdfDocument): PdfPage[] {
  const pages: PdfPage[] = [];
  const visited = new Set<string>();
  const rootRef = doc.catalog.get('Pages');
  if (!(rootRef instanceof PdfRef)) throw pdfMalformed('the catalog has no page tree');
  checkPageCount(doc);

  const walk = (ref: PdfRef, inh: Inherited, depth: number): void => {
    if (depth > MAX_TREE_DEPTH) throw pdfMalformed('page tree too deep');
    if (visited.has(ref.key)) throw pdfMalformed('page tree contains a loop', { object: ref.key });
    visited.add(ref.key);
    doc.budget.tick();
    const node = doc.resolveDict(ref);
    if (!node) throw pdfMalformed('page tree node is not a dictionary', { object: ref.key });
    const here: Inherited = {
      mediaBox: node.get('MediaBox') ?? inh.mediaBox,
      cropBox: node.get('CropBox') ?? inh.cropBox,
      rotate: node.get('Rotate') ?? inh.rotate,
      resources: node.get('Resources') ?? inh.resources,
    };
    const type = node.getName('Type');
    const kids = node.get('Kids');
    if (type === 'Pages' || (type === undefined && kids !== undefined)) {
      const arr = doc.resolveArray(kids);
      if (!arr) throw pdfMalformed('page tree node without /Kids', { object: ref.key });
      for (const k of arr.items) {
        if (!(k instanceof PdfRef)) throw pdfMalformed('page tree kid is not a reference', { object: ref.key });
        walk(k, here, depth + 1);
      }
      return;
    }
    const mediaBox = toBox(doc, here.mediaBox) ?? DEFAULT_MEDIA_BOX;
    const crop = toBox(doc, here.cropBox);
    const cropBox = crop ? intersect(crop, mediaBox) : mediaBox;
    if (pages.length >= MAX_PAGES) throw pdfTooComplex('pages', { limit: MAX_PAGES });
    const rot = doc.resolveNumber(here.rotate) ?? 0;
    const rotate = (((Math.round(rot / 90) * 90) % 360) + 360) % 360;
    pages.push({ index: pages.length, ref, dict: node, mediaBox, cropBox, rotate, resources: here.resources });
  };
  walk(rootRef, {}, 0);
  return pages;
}

/** The page count the tree's root claims, refused above MAX_PAGES (a lying count is caught by the walk). */
export function checkPageCount(doc: PdfDocument): void {
  let count: number | undefined;
  try {
    count = doc.resolveNumber(doc.resolveDict(doc.catalog.get('Pages'))?.get('Count'));
  } catch (e) {
    if (isSealDeskError(e) && e.code === 'PDF_TOO_COMPLEX') throw e;
    return; // an unreadable tree is refused, with its reason, by whatever walks it
  }
  if (count !== undefined && count > MAX_PAGES) throw pdfTooComplex('pages', { count, limit: MAX_PAGES });
}

export function toBox(doc: PdfDocument, o: PdfObject | undefined): Box | undefined {
  const a = doc.resolve(o);
  if (!(a instanceof PdfArray) || a.length !== 4) return undefined;
  const n = a.items.map((x) => doc.resolveNumber(x));
  if (n.some((x) => x === undefined)) return undefined;
  const [x1, y1, x2, y2] = n as number[];
  return [Math.min(x1!, x2!), Math.min(y1!, y2!), Math.max(x1!, x2!), Math.max(y1!, y2!)];
}

function intersect(a: Box, b: Box): Box {
  const r: Box = [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
  // A crop box outside the media box is an error in the file; viewers fall back to the media box.
  return r[0] < r[2] && r[1] < r[3] ? r : b;
}

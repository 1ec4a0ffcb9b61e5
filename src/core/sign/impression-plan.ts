import type { PdfDocument } from '../pdf/document';
import type { IncrementalUpdate } from '../pdf/incremental-writer';
import type { PdfObject, PdfRef } from '../pdf/objects';
import type { Box } from '../pdf/pages';
import { addImageXObject } from '../pdf/image-xobject';
import { POINTS_PER_MM, addImageAppearance } from '../pdf/seal-appearance';
import { pointOnPage, resolvePlacement, type Placement, type SealCentre } from './placement';
import { selectPages } from './page-selection';
import { placementInvalid } from './sign-errors';
import { planStraddle } from './straddle-plan';

/** One impression of a signature: on which page, and how to draw it into the signature's update. */
export interface PlannedWidget {
  pageIndex: number;
  draw(update: IncrementalUpdate): { appearance: PdfRef; rect: Box; extra?: Record<string, PdfObject> };
}

export interface SealPictureSized { type: string; data: Uint8Array; widthMm: number; heightMm: number }

/**
 * What a placement becomes: a list of signatures, each with its impressions. A point or one
 * keyword occurrence is one signature with one impression; every keyword occurrence is one
 * signature per occurrence (each can be checked and countersigned on its own, as before); the
 * same seal on several pages (`pages`) and a straddle seal are one signature whose impressions
 * are all its widgets — one token signature, one field, one line in any reader's list.
 */
/** `readAll` gives the whole file, read only when a keyword search needs it. */
export async function planImpressions(doc: PdfDocument, readAll: () => Uint8Array, placement: Placement, picture: SealPictureSized): Promise<PlannedWidget[][]> {
  if (placement.kind === 'straddle') return [planStraddle(doc, placement, picture)];
  if (placement.kind === 'pages') {
    const pages = doc.pages();
    const chosen = selectPages(placement.pages, pages.length);
    if (chosen.length === 0) throw placementInvalid(`所选页“${placement.pages}”在本文档中没有页`, `the pages "${placement.pages}" select no page of this document`, { pages: placement.pages });
    const centres = chosen.map((pageIndex) => pointOnPage(doc, pageIndex, placement.x, placement.y));
    return [sealsAt(doc, centres, picture)];
  }
  const centres = await resolvePlacement(doc, readAll, placement);
  return centres.map((c) => sealsAt(doc, [c], picture));
}

/** The whole seal centred on each point; one image XObject shared by the impressions of one signature. */
function sealsAt(doc: PdfDocument, centres: SealCentre[], picture: SealPictureSized): PlannedWidget[] {
  const images = new WeakMap<IncrementalUpdate, PdfRef>();
  return centres.map((c) => ({
    pageIndex: c.pageIndex,
    draw(update) {
      let image = images.get(update);
      if (!image) {
        image = addImageXObject(update, picture).ref;
        images.set(update, image);
      }
      const page = doc.pages()[c.pageIndex]!;
      const ap = addImageAppearance(update, { image, width: picture.widthMm * POINTS_PER_MM, height: picture.heightMm * POINTS_PER_MM, pageRotate: page.rotate });
      const rect = [c.x - ap.rectWidth / 2, c.y - ap.rectHeight / 2, c.x + ap.rectWidth / 2, c.y + ap.rectHeight / 2].map(round2) as Box;
      return { appearance: ap.ref, rect };
    },
  }));
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

import { PdfRef, PdfStream, array, dict, name } from './objects';
import { formatNumber } from './serialize';
import { addImageXObject, SealPicture } from './image-xobject';
import type { IncrementalUpdate } from './incremental-writer';

export const POINTS_PER_MM = 72 / 25.4;

export interface SealAppearance {
  /** The /AP /N form XObject. */
  ref: PdfRef;
  imageRef: PdfRef;
  /** Size of the widget rectangle in user space (width, height): swapped on 90°/270° pages. */
  rectWidth: number;
  rectHeight: number;
}

/**
 * The widget's normal appearance: the seal picture at its real size (SES_ESPictureInfo width and
 * height are millimetres). On a page with /Rotate the form is counter-rotated through its
 * /Matrix so that the seal stands upright when the viewer turns the page.
 */
export function addSealAppearance(update: IncrementalUpdate, opts: { picture: SealPicture; widthMm: number; heightMm: number; pageRotate: number }): SealAppearance {
  const img = addImageXObject(update, opts.picture);
  return addImageAppearance(update, { image: img.ref, width: opts.widthMm * POINTS_PER_MM, height: opts.heightMm * POINTS_PER_MM, pageRotate: opts.pageRotate });
}

/** An appearance drawing one image XObject upright at `width`×`height` points as the page is shown. */
export function addImageAppearance(update: IncrementalUpdate, opts: { image: PdfRef; width: number; height: number; pageRotate: number }): SealAppearance {
  const w = opts.width;
  const h = opts.height;
  const content = Buffer.from(`q\n${formatNumber(w)} 0 0 ${formatNumber(h)} 0 0 cm\n/Seal Do\nQ\n`, 'latin1');
  // The viewer turns the page clockwise by /Rotate; rotating the form counter-clockwise by the
  // same angle cancels it. The translation keeps the rotated box at the origin.
  const matrix: Record<number, number[]> = {
    0: [1, 0, 0, 1, 0, 0],
    90: [0, 1, -1, 0, h, 0],
    180: [-1, 0, 0, -1, w, h],
    270: [0, -1, 1, 0, 0, w],
  };
  const d = dict({
    Type: name('XObject'), Subtype: name('Form'),
    BBox: array([0, 0, w, h]),
    Matrix: array(matrix[opts.pageRotate] ?? matrix[0]!),
    Resources: dict({ XObject: dict({ Seal: opts.image }) }),
  });
  const ref = update.add(new PdfStream(d, content, d.span));
  const turned = opts.pageRotate === 90 || opts.pageRotate === 270;
  return { ref, imageRef: opts.image, rectWidth: turned ? h : w, rectHeight: turned ? w : h };
}

import type { BilingualText, CheckStatus } from '../../api/verification-report';
import type { PdfDocument } from '../pdf/document';
import type { SignatureField, Widget } from '../pdf/signature-fields';
import { displayedPage } from '../sign/page-display';
import { readStripMark, type StripMark } from '../sign/straddle-marker';
import { cutStrip, picturePixels, stripSlice } from '../sign/straddle-strips';
import type { RgbaImage } from '../image';
import { checkAppearanceShows, checkImpression, preparePicture, type SealPictureRef } from './impression';

type Outcome = { status: CheckStatus; message: BilingualText };

/**
 * The impression check over all of a stamp's widgets: a seal on several pages shows the seal
 * picture in each; a straddle seal (骑缝章) shows in each strip exactly its slice of the picture
 * (src/core/sign/straddle-strips.ts cuts it, the same code on both sides), flush with the edge
 * of its page as the page is shown. The first widget that fails is named by its page.
 */
export function checkFieldImpressions(doc: PdfDocument, field: SignatureField, picture: SealPictureRef | undefined): Outcome {
  const widgets = field.widgets;
  const marks = widgets.map((w) => readStripMark(doc, w.dict));
  if (marks.some((m) => m !== undefined) && picture) return checkStrips(doc, widgets, marks, picture);
  if (widgets.length <= 1 || !picture) return checkImpression(doc, widgets[0]?.appearance, picture);
  const prepared = preparePicture(picture); // decoded once for all the impressions
  if (!prepared) return checkImpression(doc, widgets[0]?.appearance, picture);
  for (const w of widgets) {
    const r = checkAppearanceShows(doc, w.appearance, prepared);
    if (r.status !== 'ok') return { status: r.status, message: onPage(w, r.message) };
  }
  return { status: 'ok', message: { zh: `${widgets.length} 处印模都与印章中的图片一致(逐像素比对)`, en: `All ${widgets.length} impressions are the seal picture (pixel comparison)` } };
}

function checkStrips(doc: PdfDocument, widgets: Widget[], marks: Array<StripMark | undefined>, picture: SealPictureRef): Outcome {
  let pixels: RgbaImage;
  try {
    pixels = picturePixels(picture);
  } catch {
    return { status: 'not_checked', message: { zh: `印章图片(${picture.type})无法解码,无法核对骑缝章`, en: `The seal picture (${picture.type}) cannot be decoded: the straddle strips cannot be checked` } };
  }
  for (let i = 0; i < widgets.length; i++) {
    const w = widgets[i]!;
    const m = marks[i];
    if (!m) return { status: 'failed', message: onPage(w, { zh: '骑缝章中混有一个不是骑缝条的控件', en: 'a widget of the straddle seal is not one of its strips' }) };
    const slice = stripSlice(pixels.width, pixels.height, m.edge, m.count, m.index);
    const r = checkAppearanceShows(doc, w.appearance, { kind: 'pixels', pixels: cutStrip(pixels, slice) });
    if (r.status !== 'ok') {
      return { status: r.status, message: onPage(w, { zh: `骑缝章第 ${m.index + 1}/${m.count} 条:${r.message.zh}`, en: `straddle strip ${m.index + 1}/${m.count}: ${r.message.en}` }) };
    }
    if (w.pageIndex >= 0 && !onItsEdge(doc, w, m)) { // a strip on no page: its page is gone, which the straddle check names
      return { status: 'failed', message: onPage(w, { zh: `骑缝章第 ${m.index + 1}/${m.count} 条不在页面的${EDGE_ZH[m.edge]}边上`, en: `straddle strip ${m.index + 1}/${m.count} is not on the ${m.edge} edge of the page` }) };
    }
  }
  return { status: 'ok', message: { zh: `骑缝章的 ${widgets.length} 条各是印模相应的一条(逐像素比对),都在页边上`, en: `Each of the straddle seal's ${widgets.length} strips is its slice of the seal picture (pixel comparison), on the page edge` } };
}

const EDGE_ZH = { right: '右', left: '左', top: '上', bottom: '下' } as const;
const EDGE_TOLERANCE = 1; // points: rounding of the rectangle as written

/** The strip touches the marked edge of the visible page, as the page is shown. */
function onItsEdge(doc: PdfDocument, w: Widget, m: StripMark): boolean {
  const page = doc.pages()[w.pageIndex];
  if (!page) return false;
  const shown = displayedPage(page);
  // The shown page's edge, as a line in user space: map a thin rectangle along that edge.
  const edgeRect = {
    right: [shown.width, 0, shown.width, shown.height],
    left: [0, 0, 0, shown.height],
    top: [0, shown.height, shown.width, shown.height],
    bottom: [0, 0, shown.width, 0],
  }[m.edge] as [number, number, number, number];
  const e = shown.toUser(edgeRect);
  const r = w.rect;
  const vertical = e[0] === e[2];
  if (vertical) return Math.abs(r[0] - e[0]) <= EDGE_TOLERANCE || Math.abs(r[2] - e[0]) <= EDGE_TOLERANCE;
  return Math.abs(r[1] - e[1]) <= EDGE_TOLERANCE || Math.abs(r[3] - e[1]) <= EDGE_TOLERANCE;
}

function onPage(w: Widget, m: BilingualText): BilingualText {
  if (w.pageIndex < 0) return { zh: `不在任何页上的控件:${m.zh}`, en: `a widget on no page: ${m.en}` };
  return { zh: `第 ${w.pageIndex + 1} 页:${m.zh}`, en: `page ${w.pageIndex + 1}: ${m.en}` };
}

import type { FileWarning } from '../../api/verification-report';
import type { SESeal } from '../asn1/ses-seal';
import type { PdfDocument } from '../pdf/document';
import { imageMatches, imagesIn, preparePicture, type PreparedPicture } from './impression';

/**
 * A seal impression drawn in page content without a signature (a copied seal image) is a warning:
 * it looks like a stamp but proves nothing. Images in each page's resources are compared, as decoded
 * pixels, with the pictures of the seals in the file's signatures and the recipient's seal catalog.
 * Images of other sizes are rejected before decoding, so ordinary pictures cost almost nothing.
 */
export function findCopiedSeals(doc: PdfDocument, seals: SESeal[]): FileWarning[] {
  const pictures: Array<{ seal: SESeal; prepared: PreparedPicture }> = [];
  const seen = new Set<string>();
  for (const seal of seals) {
    if (seen.has(seal.eSealInfo.esID)) continue;
    seen.add(seal.eSealInfo.esID);
    const prepared = preparePicture(seal.eSealInfo.picture);
    if (prepared) pictures.push({ seal, prepared });
  }
  if (pictures.length === 0) return [];
  const warnings: FileWarning[] = [];
  for (const page of doc.pages()) {
    let images;
    try {
      images = imagesIn(doc, page.resources);
    } catch {
      continue; // unreadable resources: nothing to recognise
    }
    for (const img of images) {
      const hit = pictures.find((p) => imageMatches(doc, img.stream, p.prepared));
      if (!hit) continue;
      const info = hit.seal.eSealInfo;
      warnings.push({
        id: 'copied_seal_image',
        page: page.index + 1,
        message: {
          zh: `第 ${page.index + 1} 页的页面内容中有印章“${info.property.name}”(${info.esID})的图片,但没有对应的电子签章:可能是复制的印章图片`,
          en: `Page ${page.index + 1} shows the picture of seal "${info.property.name}" (${info.esID}) in its content without an electronic stamp: possibly a copied seal image`,
        },
      });
    }
  }
  return warnings;
}

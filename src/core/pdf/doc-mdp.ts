import { PdfArray } from './objects';
import type { PdfDocument } from './document';

/**
 * The DocMDP permission of a certified document (ISO 32000 12.8.2.2): 1 = no changes at all,
 * 2 = form filling and signing, 3 = also annotations. Undefined when the document is not certified.
 */
export function docMdpPermission(doc: PdfDocument): 1 | 2 | 3 | undefined {
  const perms = doc.resolveDict(doc.catalog.get('Perms'));
  const sig = doc.resolveDict(perms?.get('DocMDP'));
  if (!sig) return undefined;
  const refs = doc.resolve(sig.get('Reference'));
  if (!(refs instanceof PdfArray)) return 2; // certified without parameters: the default is 2
  for (const r of refs.items) {
    const ref = doc.resolveDict(r);
    if (ref?.getName('TransformMethod') !== 'DocMDP') continue;
    const p = doc.resolveNumber(doc.resolveDict(ref.get('TransformParams'))?.get('P'));
    return p === 1 || p === 3 ? p : 2;
  }
  return 2;
}

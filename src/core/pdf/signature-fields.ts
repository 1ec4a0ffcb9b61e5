import { PdfArray, PdfDict, PdfName, PdfObject, PdfRef, PdfStream, PdfString, Span } from './objects';
import { pdfMalformed } from './pdf-errors';
import { toBox, Box } from './pages';
import type { PdfDocument } from './document';

/** The signature dictionary (/V of a signature field) with the exact positions a verifier needs. */
export interface SignatureValue {
  ref: PdfRef;
  dict: PdfDict;
  filter?: string;
  subFilter?: string;
  /** The four numbers as written (not validated here: the verifier judges them). */
  byteRange: number[];
  /** File span of the /ByteRange array, from `[` to after `]`. */
  byteRangeSpan: Span;
  /** Decoded /Contents bytes (CMS or SES_Signature, usually zero-padded). */
  contents: Uint8Array;
  /** File span of the /Contents string, from `<` to after `>`. */
  contentsSpan: Span;
  /** Whether /Contents was written as a hex string (PAdES requires it). */
  contentsIsHex: boolean;
  /** /M as written, e.g. "D:20250101120000+08'00'". */
  signingTime?: string;
  name?: string;
  reason?: string;
  location?: string;
  /** True when the dictionary sits inside a compressed object stream (spans are then NaN). */
  compressed: boolean;
}

export interface Widget {
  ref?: PdfRef;
  dict: PdfDict;
  /** 0-based page index, or -1 when the widget is on no page. */
  pageIndex: number;
  rect: Box;
  /** Annotation flags (/F); 4 = print, 2 = hidden, 32 = no view. */
  flags: number;
  /** The normal appearance stream (/AP /N), if any. */
  appearanceRef?: PdfRef;
  appearance?: PdfStream;
}

export interface FormField {
  /** Fully qualified name (parent names joined with "."). */
  name: string;
  ref?: PdfRef;
  dict: PdfDict;
  type?: string;
  widgets: Widget[];
}

export interface SignatureField extends FormField {
  /** The signature, or null for an empty signature field. */
  value: SignatureValue | null;
}

const MAX_FIELD_DEPTH = 32;

/** Every terminal AcroForm field, in document order; parents' /FT is inherited. */
export function readFormFields(doc: PdfDocument): FormField[] {
  const acro = doc.resolveDict(doc.catalog.get('AcroForm'));
  if (!acro) return [];
  const fields = doc.resolveArray(acro.get('Fields'));
  if (!fields) return [];
  const pageIndexByRef = new Map<string, number>();
  const pages = doc.pages();
  for (const p of pages) pageIndexByRef.set(p.ref.key, p.index);
  const annotPage = annotationPages(doc);
  const out: FormField[] = [];
  const visited = new Set<string>();

  const walk = (o: PdfObject, parentName: string, inheritedType: string | undefined, depth: number): void => {
    if (depth > MAX_FIELD_DEPTH) throw pdfMalformed('form field tree too deep');
    doc.budget.tick();
    const ref = o instanceof PdfRef ? o : undefined;
    if (ref) {
      if (visited.has(ref.key)) throw pdfMalformed('form field tree contains a loop', { object: ref.key });
      visited.add(ref.key);
    }
    const d = doc.resolveDict(o);
    if (!d) return;
    const t = doc.resolve(d.get('T'));
    const partial = t instanceof PdfString ? t.text() : undefined;
    const name = partial === undefined ? parentName : parentName ? `${parentName}.${partial}` : partial;
    const type = doc.resolve(d.get('FT')) instanceof PdfName ? (doc.resolve(d.get('FT')) as PdfName).name : inheritedType;
    const kids = doc.resolveArray(d.get('Kids'));
    // Kids that have a /T are fields; kids without one are this field's widgets.
    const fieldKids = kids ? kids.items.filter((k) => doc.resolveDict(k)?.has('T')) : [];
    if (kids && fieldKids.length > 0) {
      for (const k of fieldKids) walk(k, name, type, depth + 1);
      return;
    }
    const widgetObjs: PdfObject[] = kids ? kids.items : [o];
    const widgets: Widget[] = [];
    for (const w of widgetObjs) {
      const wd = doc.resolveDict(w);
      if (!wd) continue;
      if (wd !== d && wd.getName('Subtype') !== 'Widget') continue;
      if (wd === d && !wd.has('Rect')) continue;
      widgets.push(readWidget(doc, w instanceof PdfRef ? w : undefined, wd, pageIndexByRef, annotPage));
    }
    out.push({ name, ref, dict: d, type, widgets });
  };
  for (const f of fields.items) walk(f, '', undefined, 0);
  return out;
}

export function readSignatureFields(doc: PdfDocument): SignatureField[] {
  return readFormFields(doc)
    .filter((f) => f.type === 'Sig')
    .map((f) => ({ ...f, value: readSignatureValue(doc, f.dict.get('V')) }));
}

function readWidget(doc: PdfDocument, ref: PdfRef | undefined, d: PdfDict, pageIndexByRef: Map<string, number>, annotPage: Map<string, number>): Widget {
  const p = d.get('P');
  let pageIndex = p instanceof PdfRef ? pageIndexByRef.get(p.key) ?? -1 : -1;
  // /P is optional and can lie; the page whose /Annots lists the widget is what viewers draw.
  if (ref && annotPage.has(ref.key)) pageIndex = annotPage.get(ref.key)!;
  const rect = toBox(doc, d.get('Rect')) ?? [0, 0, 0, 0];
  const flags = doc.resolveNumber(d.get('F')) ?? 0;
  const ap = doc.resolveDict(d.get('AP'));
  let appearanceRef: PdfRef | undefined;
  let appearance: PdfStream | undefined;
  if (ap) {
    let n = ap.get('N');
    const nd = doc.resolve(n);
    // /N may be a dictionary of states (checkboxes); pick the one /AS names.
    if (nd instanceof PdfDict) {
      const as = d.getName('AS');
      n = as ? nd.get(as) : undefined;
    }
    if (n instanceof PdfRef) appearanceRef = n;
    const s = doc.resolve(n);
    if (s instanceof PdfStream) appearance = s;
  }
  return { ref, dict: d, pageIndex, rect, flags, appearanceRef, appearance };
}

/** Page index of every annotation reference listed in a page's /Annots. */
export function annotationPages(doc: PdfDocument): Map<string, number> {
  const m = new Map<string, number>();
  for (const page of doc.pages()) {
    const annots = doc.resolveArray(page.dict.get('Annots'));
    if (!annots) continue;
    for (const a of annots.items) if (a instanceof PdfRef && !m.has(a.key)) m.set(a.key, page.index);
  }
  return m;
}

function readSignatureValue(doc: PdfDocument, v: PdfObject | undefined): SignatureValue | null {
  if (!(v instanceof PdfRef)) {
    // A direct /V signature dictionary has no stable position of its own; still report it.
    if (v instanceof PdfDict) throw pdfMalformed('signature dictionary must be an indirect object');
    return null;
  }
  const d = doc.resolveDict(v);
  if (!d) return null;
  const br = d.get('ByteRange');
  const contents = d.get('Contents');
  if (!(br instanceof PdfArray) || !(contents instanceof PdfString)) {
    throw pdfMalformed('signature dictionary without a direct /ByteRange array and /Contents string', { object: v.key });
  }
  const byteRange = br.items.map((x) => (typeof x === 'number' ? x : Number.NaN));
  const str = (k: string): string | undefined => {
    const s = doc.resolve(d.get(k));
    return s instanceof PdfString ? s.text() : undefined;
  };
  return {
    ref: v,
    dict: d,
    filter: d.getName('Filter'),
    subFilter: d.getName('SubFilter'),
    byteRange,
    byteRangeSpan: br.span,
    contents: contents.bytes,
    contentsSpan: contents.span,
    contentsIsHex: contents.hex,
    signingTime: str('M'),
    name: str('Name'),
    reason: str('Reason'),
    location: str('Location'),
    compressed: Number.isNaN(br.span.start),
  };
}

import { PdfDict, PdfRef, array, dict, name, textString, withEntries, type PdfObject } from './objects';
import { IncrementalUpdate, RawBody } from './incremental-writer';
import { readFormFields } from './signature-fields';
import { pdfMalformed } from './pdf-errors';
import type { PdfDocument } from './document';
import type { Box } from './pages';

export interface PlaceholderSpec {
  pageIndex: number;
  rect: Box;
  appearance: PdfRef;
  signingTime: Date;
  /** Bytes reserved for the CMS; the hex string is twice as long. */
  contentsSize: number;
  fieldName?: string;
  /** /SubFilter; PAdES by default. */
  subFilter?: string;
  /** /Type: Sig, or DocTimeStamp for a PAdES document timestamp. */
  type?: 'Sig' | 'DocTimeStamp';
  /**
   * Several widgets for one signature (a seal on several pages, the strips of a straddle seal):
   * the field then lists them in /Kids, each pointing back with /Parent. When given, pageIndex,
   * rect and appearance above are the first widget's.
   */
  widgets?: WidgetSpec[];
}

export interface WidgetSpec {
  pageIndex: number;
  rect: Box;
  appearance: PdfRef;
  /** Further widget entries (the straddle strip's marker). */
  extra?: Record<string, PdfObject>;
}

/**
 * A file with an empty signature: the caller hashes `byteRange` and fills /Contents. The update is
 * `tail`, to be appended to the original at `updateStart`; `bytes` is the whole new file, built on
 * first use (tests, small in-memory callers) — stamping appends `tail` to its output instead.
 */
export interface PreparedSignature {
  readonly bytes: Buffer;
  tail: Buffer;
  updateStart: number;
  fieldName: string;
  pageIndex: number;
  rect: Box;
  /** [0, contentsStart, contentsEnd, fileLength - contentsEnd] */
  byteRange: [number, number, number, number];
  /** Offset of `<` of /Contents and the offset after its `>`. */
  contentsStart: number;
  contentsEnd: number;
}

const BYTE_RANGE_WIDTH = 10; // digits reserved per number: files up to 9.3 GB

/**
 * Adds an empty signature (field + widget + signature dictionary) to `update`, writes the update
 * and fills in /ByteRange. The AcroForm is created or extended (/Fields, /SigFlags 3) and the
 * page's /Annots gains the widget; everything else of the document stays as it was.
 */
export function prepareSignature(doc: PdfDocument, update: IncrementalUpdate, spec: PlaceholderSpec): PreparedSignature {
  const page = doc.pages()[spec.pageIndex];
  if (!page) throw pdfMalformed('page does not exist', { page: spec.pageIndex + 1 });
  const existing = new Set(readFormFields(doc).map((f) => f.name));
  let fieldName = spec.fieldName;
  if (fieldName === undefined) {
    let n = 1;
    while (existing.has(`SealDesk_Seal_${n}`)) n++;
    fieldName = `SealDesk_Seal_${n}`;
  } else if (existing.has(fieldName)) throw pdfMalformed('a form field with this name already exists', { field: fieldName });

  const sigRef = update.allocate();
  const sig = signatureDictionary(spec);
  update.set(sigRef, new RawBody(sig.body));

  let fieldRef: PdfRef;
  if (spec.widgets && spec.widgets.length > 1) {
    fieldRef = update.allocate();
    // The kids carry no /Parent: poppler (pdfsig) takes a kid with /Parent for a sub-field of its
    // own, without the signature value, and reports every strip as an unsigned field. The field
    // lists them in /Kids, which every reader (and SealDesk's change analysis) follows.
    const kids = spec.widgets.map((w) => {
      const p = doc.pages()[w.pageIndex];
      if (!p) throw pdfMalformed('page does not exist', { page: w.pageIndex + 1 });
      return update.add(dict({
        Type: name('Annot'), Subtype: name('Widget'), F: 4, P: p.ref, Rect: array([...w.rect]), AP: dict({ N: w.appearance }), ...w.extra,
      }));
    });
    update.set(fieldRef, dict({ FT: name('Sig'), T: textString(fieldName), V: sigRef, Kids: array(kids) }));
    const byPage = new Map<number, PdfRef[]>();
    spec.widgets.forEach((w, i) => byPage.set(w.pageIndex, [...(byPage.get(w.pageIndex) ?? []), kids[i]!]));
    const grown = new Map<string, PdfRef[]>();
    for (const [pageIndex, refs] of byPage) addToPageAnnots(doc, update, pageIndex, refs, grown);
  } else {
    fieldRef = update.add(dict({
      Type: name('Annot'), Subtype: name('Widget'), FT: name('Sig'), T: textString(fieldName),
      F: 4, P: page.ref, Rect: array([...spec.rect]), V: sigRef,
      AP: dict({ N: spec.appearance }), ...spec.widgets?.[0]?.extra,
    }));
    addToPageAnnots(doc, update, spec.pageIndex, [fieldRef]);
  }

  addToAcroForm(doc, update, fieldRef);

  const written = update.write();
  const { tail, updateStart } = written;
  const bodyAt = written.bodyOffsets.get(sigRef.num)!;
  const contentsStart = bodyAt + sig.contentsAt;
  const contentsEnd = contentsStart + 2 + spec.contentsSize * 2;
  const byteRange: [number, number, number, number] = [0, contentsStart, contentsEnd, updateStart + tail.length - contentsEnd];
  const text = `0 ${byteRange[1]} ${byteRange[2]} ${byteRange[3]}`;
  const brAt = bodyAt + sig.byteRangeAt + 1; // after '['
  const reserved = sig.byteRangeInnerWidth;
  if (text.length > reserved) throw pdfMalformed('file too large for the /ByteRange placeholder');
  tail.write(text.padEnd(reserved, ' '), brAt - updateStart, 'latin1');
  return { get bytes() { return written.bytes; }, tail, updateStart, fieldName: fieldName, pageIndex: spec.pageIndex, rect: spec.rect, byteRange, contentsStart, contentsEnd };
}

/** The page's /Annots gains the widgets: the array object is extended if it is one, else the page dictionary is rewritten. */
function addToPageAnnots(doc: PdfDocument, update: IncrementalUpdate, pageIndex: number, widgets: PdfRef[], grown = new Map<string, PdfRef[]>()): void {
  const page = doc.pages()[pageIndex]!;
  const annots = page.dict.get('Annots');
  const annotsArr = doc.resolveArray(annots);
  if (annots instanceof PdfRef && annotsArr) {
    // An /Annots array object several pages share (a writer's mistake) grows by all their widgets at once.
    const added = [...(grown.get(annots.key) ?? []), ...widgets];
    grown.set(annots.key, added);
    update.set(annots, array([...annotsArr.items, ...added]));
  } else update.set(page.ref, withEntries(page.dict, { Annots: array([...(annotsArr?.items ?? []), ...widgets]) }));
}

/** The /Contents hex string's inside for a signature: hex, zero-padded to the placeholder (throws when too large). */
export function contentsHex(prepared: PreparedSignature, signature: Uint8Array): Buffer {
  const capacity = (prepared.contentsEnd - prepared.contentsStart - 2) / 2;
  if (signature.length > capacity) {
    throw pdfMalformed('signature larger than its placeholder', { size: signature.length, capacity });
  }
  return Buffer.from(Buffer.from(signature).toString('hex').padEnd(capacity * 2, '0'), 'latin1');
}

/** Writes the CMS into the /Contents placeholder (hex, zero-padded) of `tail` (and of `bytes`, if built). */
export function embedSignature(prepared: PreparedSignature, signature: Uint8Array): void {
  const hex = contentsHex(prepared, signature);
  hex.copy(prepared.tail, prepared.contentsStart + 1 - prepared.updateStart);
  // `bytes` shares nothing with `tail`: once built, it gets the signature too.
  const whole = prepared.bytes;
  hex.copy(whole, prepared.contentsStart + 1);
}

function addToAcroForm(doc: PdfDocument, update: IncrementalUpdate, widgetRef: PdfRef): void {
  const catalog = doc.catalog;
  const rootRef = doc.trailer.get('Root');
  if (!(rootRef instanceof PdfRef)) throw pdfMalformed('the trailer /Root is not a reference');
  const acroObj = catalog.get('AcroForm');
  const acro = doc.resolveDict(acroObj);
  const sigFlags = (doc.resolveNumber(acro?.get('SigFlags')) ?? 0) | 3; // SignaturesExist | AppendOnly
  const fieldsObj = acro?.get('Fields');
  const fields = doc.resolveArray(fieldsObj);
  const newFields = array([...(fields?.items ?? []), widgetRef]);
  if (fieldsObj instanceof PdfRef && fields) update.set(fieldsObj, newFields);
  const fieldsValue = fieldsObj instanceof PdfRef && fields ? fieldsObj : newFields;
  const newAcro: PdfDict = acro ? withEntries(acro, { Fields: fieldsValue, SigFlags: sigFlags }) : dict({ Fields: newFields, SigFlags: sigFlags });
  if (acroObj instanceof PdfRef && acro) update.set(acroObj, newAcro);
  else update.set(rootRef, withEntries(catalog, { AcroForm: update.add(newAcro) }));
}

function pdfDate(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+00'00'`;
}

/** The signature dictionary as raw text, with the offsets of its two placeholders. */
function signatureDictionary(spec: PlaceholderSpec): { body: Buffer; byteRangeAt: number; byteRangeInnerWidth: number; contentsAt: number } {
  const head = `<<\n/Type /${spec.type ?? 'Sig'}\n/Filter /Adobe.PPKLite\n/SubFilter /${spec.subFilter ?? 'ETSI.CAdES.detached'}\n/M (${pdfDate(spec.signingTime)})\n/Prop_Build << /App << /Name /SealDesk >> >>\n/ByteRange `;
  const inner = `0 ${'0'.repeat(BYTE_RANGE_WIDTH)} ${'0'.repeat(BYTE_RANGE_WIDTH)} ${'0'.repeat(BYTE_RANGE_WIDTH)}`.length;
  const br = `[${' '.repeat(inner)}]`;
  const mid = '\n/Contents ';
  const contents = `<${'0'.repeat(spec.contentsSize * 2)}>`;
  const body = Buffer.from(`${head}${br}${mid}${contents}\n>>`, 'latin1');
  return { body, byteRangeAt: head.length, byteRangeInnerWidth: inner, contentsAt: head.length + br.length + mid.length };
}

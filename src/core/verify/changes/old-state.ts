import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, isNumber, type PdfObject } from '../../pdf/objects';
import { MAX_WALK, type RevisionContext } from './context';

/**
 * What the signed (previous) revision's objects are used for: the page tree with each page's
 * content and resources, and the form — fields, their widgets and appearances, signature fields
 * and the locks their signatures set. The rules judge a change by these uses.
 */

export interface PageUses {
  rootNum?: number;
  acroNum?: number;
  fieldsNum?: number;
  pageByNum: Map<number, number>;
  annotsByNum: Map<number, number>;
  contentByNum: Map<number, number>;
  resourceByNum: Map<number, number>;
}

/** A terminal form field as the previous revision has it. */
export interface FieldState {
  /** Fully qualified name (parents' /T joined with "."). */
  name: string;
  /** /FT, inherited from the parents. */
  type?: string;
  /** /Ff in effect, and what the parents alone give (when the field itself sets none). */
  flags: number;
  inheritedFlags: number;
  /** For a signature field: whether it was signed (has a /V) in the previous revision. */
  signed?: boolean;
  /** The field's own object number. */
  num?: number;
}

/** What an object is in the previous revision's form. */
export type FormRole =
  | { kind: 'field'; field: FieldState; isWidget: boolean }
  | { kind: 'widget'; field: FieldState }
  | { kind: 'appearance'; field: FieldState; widgetNum: number; part: 'ap' | 'states' | 'stream' }
  | { kind: 'parent-field'; name: string }
  | { kind: 'sig-field'; field: FieldState; isWidget: boolean }
  | { kind: 'sig-widget'; field: FieldState };

/** A FieldMDP lock (/Lock of a signed signature field, or its /Reference /TransformParams). */
export interface FieldLock {
  by: string;
  action: 'All' | 'Include' | 'Exclude';
  fields: string[];
}

export interface FormState {
  roles: Map<number, FormRole>;
  /** Indirect /DR and /DR /Font of the AcroForm: fonts may be added there for filled-in values. */
  drNum?: number;
  drFontNum?: number;
  locks: FieldLock[];
  /** The signature field of a certification with DocMDP P=1, which forbids every later change. */
  noChangesBy?: string;
}

const MAX_FIELD_DEPTH = 32;
export const APPEARANCE_KEYS = ['N', 'D', 'R'];

export function readPageUses(ctx: RevisionContext): PageUses {
  const prev = ctx.prev;
  const s: PageUses = { pageByNum: new Map(), annotsByNum: new Map(), contentByNum: new Map(), resourceByNum: new Map() };
  const root = ctx.doc.revisions[prev]!.trailer.get('Root');
  if (!(root instanceof PdfRef)) return s;
  s.rootNum = root.num;
  const catalog = ctx.resolve(root, prev);
  if (!(catalog instanceof PdfDict)) return s;
  const acro = catalog.get('AcroForm');
  if (acro instanceof PdfRef) s.acroNum = acro.num;
  const acroD = ctx.resolve(acro, prev);
  if (acroD instanceof PdfDict && acroD.get('Fields') instanceof PdfRef) s.fieldsNum = (acroD.get('Fields') as PdfRef).num;
  const visited = new Set<number>();
  let index = 0;
  const walk = (node: PdfObject | undefined, depth: number): void => {
    if (!(node instanceof PdfRef) || visited.has(node.num) || depth > 64 || visited.size > MAX_WALK) return;
    visited.add(node.num);
    const d = ctx.resolve(node, prev);
    if (!(d instanceof PdfDict)) return;
    const kids = ctx.resolve(d.get('Kids'), prev);
    if (d.getName('Type') === 'Pages' || (d.getName('Type') === undefined && kids instanceof PdfArray)) {
      if (kids instanceof PdfArray) for (const k of kids.items) walk(k, depth + 1);
      return;
    }
    const page = index++;
    s.pageByNum.set(node.num, page);
    const annots = d.get('Annots');
    if (annots instanceof PdfRef) s.annotsByNum.set(annots.num, page);
    const contents = d.get('Contents');
    const items = contents instanceof PdfRef ? [contents, ...arrayItems(ctx, contents)] : contents instanceof PdfArray ? contents.items : [];
    for (const c of items) if (c instanceof PdfRef) s.contentByNum.set(c.num, page);
    collectResources(ctx, d.get('Resources'), page, s.resourceByNum, 0);
  };
  walk(catalog.get('Pages'), 0);
  return s;
}

function collectResources(ctx: RevisionContext, res: PdfObject | undefined, page: number, into: Map<number, number>, depth: number): void {
  if (depth > 3) return;
  if (res instanceof PdfRef) {
    if (into.has(res.num)) return;
    into.set(res.num, page);
  }
  const d = ctx.resolve(res, ctx.prev);
  if (!(d instanceof PdfDict)) return;
  for (const cat of ['Font', 'XObject', 'ExtGState', 'ColorSpace', 'Pattern', 'Shading', 'Properties']) {
    const group = d.get(cat);
    if (group instanceof PdfRef) into.set(group.num, page);
    const g = ctx.resolve(group, ctx.prev);
    if (!(g instanceof PdfDict)) continue;
    for (const v of g.entries.values()) {
      if (!(v instanceof PdfRef) || into.has(v.num)) continue;
      into.set(v.num, page);
      const x = ctx.resolve(v, ctx.prev);
      if (x instanceof PdfStream) collectResources(ctx, x.dict.get('Resources'), page, into, depth + 1);
      else if (x instanceof PdfDict) {
        // a font's descriptor and embedded program draw the page's text as much as the font does
        const desc = x.get('FontDescriptor');
        if (desc instanceof PdfRef) {
          into.set(desc.num, page);
          const dd = ctx.resolve(desc, ctx.prev);
          if (dd instanceof PdfDict) for (const k of ['FontFile', 'FontFile2', 'FontFile3']) { const ff = dd.get(k); if (ff instanceof PdfRef) into.set(ff.num, page); }
        }
        // a Type 3 font's glyphs are content streams of their own
        const procs = ctx.resolve(x.get('CharProcs'), ctx.prev);
        if (x.get('CharProcs') instanceof PdfRef) into.set((x.get('CharProcs') as PdfRef).num, page);
        if (procs instanceof PdfDict) for (const p of procs.entries.values()) if (p instanceof PdfRef) into.set(p.num, page);
        if (x.get('Resources') !== undefined) collectResources(ctx, x.get('Resources'), page, into, depth + 1);
        const desc2 = ctx.resolve(x.get('DescendantFonts'), ctx.prev);
        if (desc2 instanceof PdfArray) for (const df of desc2.items) if (df instanceof PdfRef && !into.has(df.num)) into.set(df.num, page);
      }
    }
  }
}

function arrayItems(ctx: RevisionContext, o: PdfObject): PdfObject[] {
  const a = ctx.resolve(o, ctx.prev);
  return a instanceof PdfArray ? a.items : [];
}

/** The form of the previous revision: fields, their widgets and appearances, locks. */
export function readForm(ctx: RevisionContext): FormState {
  const prev = ctx.prev;
  const s: FormState = { roles: new Map(), locks: [] };
  const catalog = ctx.resolve(ctx.doc.revisions[prev]!.trailer.get('Root'), prev);
  const acro = catalog instanceof PdfDict ? ctx.resolve(catalog.get('AcroForm'), prev) : undefined;
  if (!(acro instanceof PdfDict)) return s;
  const dr = acro.get('DR');
  if (dr instanceof PdfRef) s.drNum = dr.num;
  const drD = ctx.resolve(dr, prev);
  const drFont = drD instanceof PdfDict ? drD.get('Font') : undefined;
  if (drFont instanceof PdfRef) s.drFontNum = drFont.num;
  const fields = ctx.resolve(acro.get('Fields'), prev);
  if (!(fields instanceof PdfArray)) return s;
  const visited = new Set<number>();
  const walk = (o: PdfObject, parentName: string, inherited: { type?: string; flags: number }, depth: number): void => {
    if (!(o instanceof PdfRef) || depth > MAX_FIELD_DEPTH || visited.has(o.num) || visited.size > MAX_WALK) return;
    visited.add(o.num);
    const d = ctx.resolve(o, prev);
    if (!(d instanceof PdfDict)) return;
    const t = ctx.resolve(d.get('T'), prev);
    const name = t instanceof PdfString ? (parentName ? `${parentName}.${t.text()}` : t.text()) : parentName;
    const ft = ctx.resolve(d.get('FT'), prev);
    const type = ft instanceof PdfName ? ft.name : inherited.type;
    const ownFlags = ctx.resolve(d.get('Ff'), prev);
    const flags = isNumber(ownFlags) ? ownFlags : inherited.flags;
    const kids = ctx.resolve(d.get('Kids'), prev);
    const kidItems = kids instanceof PdfArray ? kids.items : [];
    // Kids with a /T are fields; kids without one are this field's widgets.
    const fieldKids = kidItems.filter((k) => {
      const kd = ctx.resolve(k, prev);
      return kd instanceof PdfDict && kd.has('T');
    });
    if (fieldKids.length > 0) {
      s.roles.set(o.num, { kind: 'parent-field', name });
      for (const k of fieldKids) walk(k, name, { type, flags }, depth + 1);
      return;
    }
    const widgets = kids instanceof PdfArray ? kidItems.filter((k): k is PdfRef => k instanceof PdfRef) : [o];
    const isWidget = !(kids instanceof PdfArray);
    if (type === 'Sig') {
      const field: FieldState = { name, type, flags, inheritedFlags: inherited.flags, signed: ctx.resolve(d.get('V'), prev) instanceof PdfDict, num: o.num };
      s.roles.set(o.num, { kind: 'sig-field', field, isWidget });
      for (const w of widgets) if (w.num !== o.num && !s.roles.has(w.num)) s.roles.set(w.num, { kind: 'sig-widget', field });
      // An empty signature field's appearance may be replaced when it is signed; a signed one's never.
      for (const w of widgets) readAppearanceParts(ctx, w, field, s);
      readLocks(ctx, d, name, s);
      return;
    }
    const field: FieldState = { name, type, flags, inheritedFlags: inherited.flags, num: o.num };
    s.roles.set(o.num, { kind: 'field', field, isWidget });
    for (const w of widgets) if (w.num !== o.num && !s.roles.has(w.num)) s.roles.set(w.num, { kind: 'widget', field });
    for (const w of widgets) readAppearanceParts(ctx, w, field, s);
  };
  for (const f of fields.items) walk(f, '', { flags: 0 }, 0);
  return s;
}

/** Indirect objects of a widget's /AP: the appearance dictionary, state dictionaries, streams. */
function readAppearanceParts(ctx: RevisionContext, w: PdfRef, field: FieldState, s: FormState): void {
  const wd = ctx.resolve(w, ctx.prev);
  if (!(wd instanceof PdfDict)) return;
  const mark = (o: PdfObject | undefined, part: 'ap' | 'states' | 'stream'): void => {
    if (o instanceof PdfRef && !s.roles.has(o.num)) s.roles.set(o.num, { kind: 'appearance', field, widgetNum: w.num, part });
  };
  const ap = wd.get('AP');
  mark(ap, 'ap');
  const apD = ctx.resolve(ap, ctx.prev);
  if (!(apD instanceof PdfDict)) return;
  for (const k of APPEARANCE_KEYS) {
    const v = apD.get(k);
    const vd = ctx.resolve(v, ctx.prev);
    if (vd instanceof PdfDict) {
      mark(v, 'states');
      for (const sv of vd.entries.values()) mark(sv, 'stream');
    } else mark(v, 'stream');
  }
}

/** Locks a signed signature field puts on other fields (FieldMDP) or on the whole document (DocMDP P=1). */
function readLocks(ctx: RevisionContext, d: PdfDict, name: string, s: FormState): void {
  const prev = ctx.prev;
  const sig = ctx.resolve(d.get('V'), prev);
  if (!(sig instanceof PdfDict)) return; // a lock takes effect only once the field is signed
  const addLock = (params: PdfObject | undefined): void => {
    if (!(params instanceof PdfDict)) return;
    const action = params.getName('Action');
    if (action !== 'All' && action !== 'Include' && action !== 'Exclude') return;
    const list = ctx.resolve(params.get('Fields'), prev);
    const names = list instanceof PdfArray
      ? list.items.map((x) => ctx.resolve(x, prev)).filter((x): x is PdfString => x instanceof PdfString).map((x) => x.text())
      : [];
    s.locks.push({ by: name, action, fields: names });
  };
  addLock(ctx.resolve(d.get('Lock'), prev));
  const refs = ctx.resolve(sig.get('Reference'), prev);
  if (!(refs instanceof PdfArray)) return;
  for (const item of refs.items) {
    const ref = ctx.resolve(item, prev);
    if (!(ref instanceof PdfDict)) continue;
    const params = ctx.resolve(ref.get('TransformParams'), prev);
    const method = ref.getName('TransformMethod');
    if (method === 'FieldMDP') addLock(params);
    if (method === 'DocMDP' && params instanceof PdfDict && ctx.resolve(params.get('P'), prev) === 1) s.noChangesBy ??= name;
  }
}

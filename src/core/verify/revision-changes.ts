import type { BilingualText, Modification } from '../../api/verification-report';
import type { PdfDocument } from '../pdf/document';
import { PdfArray, PdfDict, PdfRef, PdfStream, type PdfObject } from '../pdf/objects';
import { changedKeys, pdfEqual } from './pdf-equality';

/**
 * What each incremental update changed, judged the way a recipient needs it: later stamps are
 * allowed (a new signature field with its widget, the widget's appearance objects, the AcroForm's
 * /Fields and /SigFlags, the page's /Annots growing by that widget); anything else — page content,
 * resources, other annotations, objects rewritten, re-referenced, deleted, a new catalog — is a
 * modification that invalidates every signature made before it (incremental-saving and shadow attacks).
 *
 * Objects are compared as parsed (pdfEqual), so a writer that re-saves an object unchanged is fine.
 */
export function analyseRevisions(doc: PdfDocument): Modification[][] {
  const out: Modification[][] = [[]];
  for (let r = 1; r < doc.revisions.length; r++) {
    try {
      out.push(new RevisionAnalysis(doc, r).run());
    } catch {
      // A later revision that cannot even be read is not an allowed change.
      out.push([{ revision: r, kind: 'disallowed', description: { zh: `第 ${r + 1} 个版本无法读取`, en: `revision ${r + 1} cannot be read` } }]);
    }
  }
  return out;
}

interface OldState {
  rootNum?: number;
  acroNum?: number;
  fieldsNum?: number;
  pageByNum: Map<number, number>;
  annotsByNum: Map<number, number>;
  contentByNum: Map<number, number>;
  resourceByNum: Map<number, number>;
}

const MAX_WALK = 100_000;

class RevisionAnalysis {
  private readonly prev: number;
  private readonly changes: Modification[] = [];
  private readonly added = new Set<number>();
  /** New annotations / fields that must turn out to be signature widgets of new stamps. */
  private readonly candidates: Array<{ ref: PdfObject; role: 'annot' | 'field'; page?: number }> = [];
  private readonly explainedRoots: PdfRef[] = [];
  private readonly old: OldState;

  constructor(private readonly doc: PdfDocument, private readonly r: number) {
    this.prev = r - 1;
    this.old = this.readOldState();
  }

  run(): Modification[] {
    const rev = this.doc.revisions[this.r]!;
    const oldRoot = this.doc.revisions[this.prev]!.trailer.get('Root');
    const newRoot = rev.trailer.get('Root');
    if (!pdfEqual(oldRoot, newRoot)) {
      this.disallow(undefined, { zh: '文档目录(/Root)被替换', en: 'the document catalog (/Root) was replaced' });
    }
    for (const [num, entry] of rev.entries) {
      if (num === 0) continue;
      const oldEntry = this.doc.entryOf(num, this.prev);
      const existed = oldEntry !== undefined && oldEntry.type !== 'free';
      if (entry.type === 'free') {
        if (existed) this.disallow(`${num}`, { zh: `对象 ${num} 被删除`, en: `object ${num} was deleted` });
        continue;
      }
      const gen = entry.type === 'offset' ? entry.gen : 0;
      const newObj = this.get(new PdfRef(num, gen), this.r);
      if (newObj instanceof PdfStream && ['XRef', 'ObjStm'].includes(newObj.dict.getName('Type') ?? '')) continue;
      if (!existed) {
        this.added.add(num);
        continue;
      }
      const oldGen = oldEntry.type === 'offset' ? oldEntry.gen : 0;
      const oldObj = this.get(new PdfRef(num, oldGen), this.prev);
      if (oldGen === gen && pdfEqual(oldObj, newObj)) continue;
      this.classifyChange(num, oldObj, newObj);
    }
    this.checkCandidates();
    this.checkUnexplainedAdditions();
    return this.changes;
  }

  private classifyChange(num: number, oldObj: PdfObject, newObj: PdfObject): void {
    const o = this.old;
    const obj = `${num} 0`;
    if (num === o.rootNum && oldObj instanceof PdfDict && newObj instanceof PdfDict) {
      const keys = changedKeys(oldObj, newObj);
      const bad = keys.filter((k) => k !== 'AcroForm');
      if (bad.length > 0) {
        this.disallow(obj, { zh: `文档目录被修改(${bad.map((k) => `/${k}`).join(' ')})`, en: `the document catalog changed (${bad.map((k) => `/${k}`).join(' ')})` });
        return;
      }
      this.acroFormChange(obj, oldObj.get('AcroForm'), newObj.get('AcroForm'));
      return;
    }
    if (num === o.acroNum && oldObj instanceof PdfDict && newObj instanceof PdfDict) {
      this.acroFormDictChange(obj, oldObj, newObj);
      return;
    }
    if (num === o.fieldsNum) {
      this.growth(obj, oldObj, newObj, 'field');
      return;
    }
    const page = o.pageByNum.get(num);
    if (page !== undefined && oldObj instanceof PdfDict && newObj instanceof PdfDict) {
      const bad = changedKeys(oldObj, newObj).filter((k) => k !== 'Annots');
      if (bad.length > 0) {
        const what = bad.map((k) => `/${k}`).join(' ');
        this.disallow(obj, { zh: `第 ${page + 1} 页被修改(${what})`, en: `page ${page + 1} changed (${what})` });
        return;
      }
      this.growth(obj, this.resolve(oldObj.get('Annots'), this.prev), this.resolve(newObj.get('Annots'), this.r), 'annot', page);
      return;
    }
    const annotsPage = o.annotsByNum.get(num);
    if (annotsPage !== undefined) {
      this.growth(obj, oldObj, newObj, 'annot', annotsPage);
      return;
    }
    if (this.isFillingEmptySignatureField(oldObj, newObj)) {
      this.candidates.push({ ref: new PdfRef(num, 0), role: 'field' });
      this.allow(obj, { zh: '空签名域被签章', en: 'an empty signature field was signed' });
      return;
    }
    this.disallow(obj, this.describe(num, newObj));
  }

  private acroFormChange(obj: string, oldA: PdfObject | undefined, newA: PdfObject | undefined): void {
    if (pdfEqual(oldA, newA)) return;
    if (oldA === undefined && newA instanceof PdfRef && !this.existedBefore(newA.num)) {
      // A new AcroForm object: its fields are checked as new fields.
      this.explainedRoots.push(newA);
      const acro = this.resolve(newA, this.r);
      if (acro instanceof PdfDict) {
        const fields = this.resolve(acro.get('Fields'), this.r);
        if (fields instanceof PdfArray) for (const f of fields.items) this.candidates.push({ ref: f, role: 'field' });
        if (acro.get('Fields') instanceof PdfRef) this.explainedRoots.push(acro.get('Fields') as PdfRef);
      }
      this.allow(obj, { zh: '新建表单(AcroForm)以容纳签章', en: 'an AcroForm was created for a stamp' });
      return;
    }
    if (oldA instanceof PdfDict && newA instanceof PdfDict) {
      this.acroFormDictChange(obj, oldA, newA);
      return;
    }
    this.disallow(obj, { zh: '表单(AcroForm)被替换', en: 'the AcroForm was replaced' });
  }

  private acroFormDictChange(obj: string, oldD: PdfDict, newD: PdfDict): void {
    const bad = changedKeys(oldD, newD).filter((k) => k !== 'Fields' && k !== 'SigFlags');
    if (bad.length > 0) {
      const what = bad.map((k) => `/${k}`).join(' ');
      this.disallow(obj, { zh: `表单(AcroForm)被修改(${what})`, en: `the AcroForm changed (${what})` });
      return;
    }
    const oldF = oldD.get('Fields');
    const newF = newD.get('Fields');
    if (pdfEqual(oldF, newF)) return;
    if (oldF instanceof PdfRef && newF instanceof PdfRef) {
      this.disallow(obj, { zh: '表单域列表被重新引用', en: 'the form field list was re-referenced' });
      return;
    }
    this.growth(obj, this.resolve(oldF, this.prev), this.resolve(newF, this.r), 'field');
  }

  /** An array (page /Annots, AcroForm /Fields) may only grow, and only by new stamps. */
  private growth(obj: string, oldA: PdfObject | undefined, newA: PdfObject | undefined, role: 'annot' | 'field', page?: number): void {
    const oldItems = oldA instanceof PdfArray ? oldA.items : [];
    const newItems = newA instanceof PdfArray ? newA.items : [];
    const remaining = [...newItems];
    for (const item of oldItems) {
      const i = remaining.findIndex((x) => pdfEqual(x, item));
      if (i < 0) {
        const what = role === 'annot'
          ? { zh: `第 ${(page ?? 0) + 1} 页的注释被移除或替换`, en: `an annotation on page ${(page ?? 0) + 1} was removed or replaced` }
          : { zh: '表单域被移除或替换', en: 'a form field was removed or replaced' };
        this.disallow(obj, what);
        return;
      }
      remaining.splice(i, 1);
    }
    for (const item of remaining) this.candidates.push({ ref: item, role, page });
    if (remaining.length > 0) {
      this.allow(obj, role === 'annot'
        ? { zh: `第 ${(page ?? 0) + 1} 页增加了签章控件`, en: `page ${(page ?? 0) + 1} gained a stamp widget` }
        : { zh: '表单增加了签名域', en: 'the form gained a signature field' });
    }
  }

  /** Every new annotation or field must be a signature widget/field of a new stamp. */
  private checkCandidates(): void {
    for (const c of this.candidates) {
      const ref = c.ref;
      if (!(ref instanceof PdfRef)) {
        this.disallow(undefined, { zh: '增加了直接写入的注释或表单域', en: 'a direct (unreferenced) annotation or field was added' });
        continue;
      }
      const d = this.resolve(ref, this.r);
      const isSig = d instanceof PdfDict && this.fieldType(d) === 'Sig' && this.resolve(d.get('V'), this.r) instanceof PdfDict;
      if (!isSig) {
        const sub = d instanceof PdfDict ? d.getName('Subtype') ?? d.getName('FT') ?? '?' : '?';
        this.disallow(ref.key, c.role === 'annot'
          ? { zh: `第 ${(c.page ?? 0) + 1} 页增加了注释(${sub}),会遮盖页面内容`, en: `an annotation (${sub}) was added on page ${(c.page ?? 0) + 1}, drawing over the page` }
          : { zh: `增加了非签名表单域(${sub})`, en: `a form field that is not a signature (${sub}) was added` });
        continue;
      }
      if (this.existedBefore(ref.num) && c.role === 'annot') {
        this.disallow(ref.key, { zh: '已有对象被重新引用为签章控件', en: 'an existing object was re-referenced as a stamp widget' });
        continue;
      }
      this.explainedRoots.push(ref);
    }
  }

  /** New objects must belong to a new stamp (reachable from its widget) or be document info. */
  private checkUnexplainedAdditions(): void {
    const explained = new Set<number>();
    const info = this.doc.revisions[this.r]!.trailer.get('Info');
    if (info instanceof PdfRef) explained.add(info.num);
    const stack: PdfObject[] = [...this.explainedRoots];
    let steps = 0;
    while (stack.length > 0 && steps++ < MAX_WALK) {
      const o = stack.pop()!;
      if (o instanceof PdfRef) {
        if (!this.added.has(o.num) || explained.has(o.num)) continue;
        explained.add(o.num);
        stack.push(this.get(o, this.r));
      } else if (o instanceof PdfArray) stack.push(...o.items);
      else if (o instanceof PdfDict) {
        for (const [k, v] of o.entries) if (k !== 'P' && k !== 'Parent') stack.push(v);
      } else if (o instanceof PdfStream) stack.push(o.dict);
    }
    for (const num of this.added) {
      if (explained.has(num)) continue;
      const obj = this.get(new PdfRef(num, 0), this.r);
      this.disallow(`${num} 0`, { zh: `增加了不属于签章的对象 ${num}(${typeName(obj)})`, en: `object ${num} (${typeName(obj)}) was added outside any stamp` });
    }
  }

  private isFillingEmptySignatureField(oldObj: PdfObject, newObj: PdfObject): boolean {
    if (!(oldObj instanceof PdfDict) || !(newObj instanceof PdfDict)) return false;
    if (this.fieldType(oldObj) !== 'Sig' || oldObj.get('V') !== undefined || newObj.get('V') === undefined) return false;
    return changedKeys(oldObj, newObj).every((k) => ['V', 'AP', 'AS'].includes(k));
  }

  private fieldType(d: PdfDict): string | undefined {
    let cur: PdfDict | undefined = d;
    for (let i = 0; cur && i < 32; i++) {
      const ft = cur.getName('FT');
      if (ft) return ft;
      const p = this.resolve(cur.get('Parent'), this.r);
      cur = p instanceof PdfDict ? p : undefined;
    }
    return undefined;
  }

  private describe(num: number, obj: PdfObject): BilingualText {
    const o = this.old;
    const content = o.contentByNum.get(num);
    if (content !== undefined) return { zh: `第 ${content + 1} 页的内容被修改(对象 ${num})`, en: `the content of page ${content + 1} changed (object ${num})` };
    const res = o.resourceByNum.get(num);
    if (res !== undefined) return { zh: `第 ${res + 1} 页使用的资源被替换(对象 ${num},${typeName(obj)})`, en: `a resource used by page ${res + 1} was replaced (object ${num}, ${typeName(obj)})` };
    return { zh: `对象 ${num}(${typeName(obj)})被修改`, en: `object ${num} (${typeName(obj)}) changed` };
  }

  private readOldState(): OldState {
    const s: OldState = { pageByNum: new Map(), annotsByNum: new Map(), contentByNum: new Map(), resourceByNum: new Map() };
    const root = this.doc.revisions[this.prev]!.trailer.get('Root');
    if (!(root instanceof PdfRef)) return s;
    s.rootNum = root.num;
    const catalog = this.resolve(root, this.prev);
    if (!(catalog instanceof PdfDict)) return s;
    const acro = catalog.get('AcroForm');
    if (acro instanceof PdfRef) s.acroNum = acro.num;
    const acroD = this.resolve(acro, this.prev);
    if (acroD instanceof PdfDict && acroD.get('Fields') instanceof PdfRef) s.fieldsNum = (acroD.get('Fields') as PdfRef).num;
    // Page tree as of the previous revision, with what each page draws.
    const visited = new Set<number>();
    let index = 0;
    const walk = (node: PdfObject | undefined, depth: number): void => {
      if (!(node instanceof PdfRef) || visited.has(node.num) || depth > 64 || visited.size > MAX_WALK) return;
      visited.add(node.num);
      const d = this.resolve(node, this.prev);
      if (!(d instanceof PdfDict)) return;
      const kids = this.resolve(d.get('Kids'), this.prev);
      if (d.getName('Type') === 'Pages' || (d.getName('Type') === undefined && kids instanceof PdfArray)) {
        if (kids instanceof PdfArray) for (const k of kids.items) walk(k, depth + 1);
        return;
      }
      const page = index++;
      s.pageByNum.set(node.num, page);
      const annots = d.get('Annots');
      if (annots instanceof PdfRef) s.annotsByNum.set(annots.num, page);
      const contents = d.get('Contents');
      const cItems = contents instanceof PdfRef ? [contents, ...this.arrayItems(contents)] : contents instanceof PdfArray ? contents.items : [];
      for (const c of cItems) if (c instanceof PdfRef) s.contentByNum.set(c.num, page);
      this.collectResources(d.get('Resources'), page, s.resourceByNum, 0);
    };
    walk(catalog.get('Pages'), 0);
    return s;
  }

  private collectResources(res: PdfObject | undefined, page: number, into: Map<number, number>, depth: number): void {
    if (depth > 3) return;
    if (res instanceof PdfRef) {
      if (into.has(res.num)) return;
      into.set(res.num, page);
    }
    const d = this.resolve(res, this.prev);
    if (!(d instanceof PdfDict)) return;
    for (const cat of ['Font', 'XObject', 'ExtGState', 'ColorSpace', 'Pattern', 'Shading', 'Properties']) {
      const group = d.get(cat);
      if (group instanceof PdfRef) into.set(group.num, page);
      const g = this.resolve(group, this.prev);
      if (!(g instanceof PdfDict)) continue;
      for (const v of g.entries.values()) {
        if (!(v instanceof PdfRef) || into.has(v.num)) continue;
        into.set(v.num, page);
        const x = this.resolve(v, this.prev);
        if (x instanceof PdfStream) this.collectResources(x.dict.get('Resources'), page, into, depth + 1);
      }
    }
  }

  private arrayItems(o: PdfObject): PdfObject[] {
    const a = this.resolve(o, this.prev);
    return a instanceof PdfArray ? a.items : [];
  }

  private existedBefore(num: number): boolean {
    const e = this.doc.entryOf(num, this.prev);
    return e !== undefined && e.type !== 'free';
  }

  private get(ref: PdfRef, revision: number): PdfObject {
    return this.doc.getObject(ref, { revision });
  }

  private resolve(o: PdfObject | undefined, revision: number): PdfObject | undefined {
    let cur = o;
    for (let hops = 0; cur instanceof PdfRef && hops < 32; hops++) cur = this.get(cur, revision);
    return cur instanceof PdfRef ? undefined : cur;
  }

  private allow(object: string | undefined, description: BilingualText): void {
    this.changes.push({ revision: this.r, kind: 'allowed', object, description });
  }

  private disallow(object: string | undefined, description: BilingualText): void {
    this.changes.push({ revision: this.r, kind: 'disallowed', object, description });
  }
}

function typeName(o: PdfObject): string {
  const d = o instanceof PdfStream ? o.dict : o instanceof PdfDict ? o : undefined;
  if (!d) return o instanceof PdfArray ? 'array' : o === null ? 'null' : typeof o;
  const parts = [d.getName('Type'), d.getName('Subtype')].filter(Boolean);
  return parts.length > 0 ? parts.map((p) => `/${p}`).join(' ') : o instanceof PdfStream ? 'stream' : 'dictionary';
}

import type { BilingualText, Modification } from '../../api/verification-report';
import type { PdfDocument } from '../pdf/document';
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, isNumber, type PdfObject } from '../pdf/objects';
import { changedKeys, pdfEqual } from './pdf-equality';

/**
 * What each incremental update changed, judged the way a recipient needs it. Allowed: later stamps
 * (a new signature field with its widget, the widget's appearance objects, the AcroForm's /Fields and
 * /SigFlags, the page's /Annots growing by that widget) and form filling, Adobe's and pyHanko's
 * "form filling" modification level (see fieldOrWidgetChange). Anything else — page content, resources,
 * other annotations, objects rewritten, re-referenced, deleted, a new catalog — is a modification
 * that invalidates every signature made before it (incremental-saving and shadow attacks).
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

/** An allowed change that filled in a form field; the field's fully qualified name travels as data. */
export interface FormFillModification extends Modification {
  filledField: string;
}

export function isFormFill(m: Modification): m is FormFillModification {
  return m.kind === 'allowed' && typeof (m as Partial<FormFillModification>).filledField === 'string';
}

/** The fields a list of changes filled in, each once, in the order they were first filled. */
export function filledFields(changes: Modification[]): string[] {
  return [...new Set(changes.filter(isFormFill).map((m) => m.filledField))];
}

/**
 * The "later changes" check message when every later change is allowed: says which form fields were
 * filled, and whether further stamps were added, so a recipient sees what happened after the stamp.
 */
export function allowedChangesMessage(changes: Modification[]): BilingualText {
  if (changes.length === 0) return { zh: '签章后文档未被修改', en: 'The document was not changed after this stamp' };
  const names = filledFields(changes);
  if (names.length === 0) return { zh: '签章后只增加了其他签章', en: 'Only further stamps were added after this stamp' };
  const stamps = changes.some((m) => m.kind === 'allowed' && !isFormFill(m));
  const quoted = (open: string, close: string): string => names.map((n) => `${open}${n}${close}`).join(open === '“' ? '、' : ', ');
  return {
    zh: `签章后填写了表单字段 ${quoted('“', '”')}${stamps ? ',并增加了其他签章' : ''}(允许的修改)`,
    en: `Form field${names.length > 1 ? 's' : ''} ${quoted('"', '"')} filled in after stamping${stamps ? ', and further stamps added' : ''} (allowed changes)`,
  };
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

/** A terminal form field as the previous revision has it. */
interface FieldState {
  /** Fully qualified name (parents' /T joined with "."). */
  name: string;
  /** /FT, inherited from the parents. */
  type?: string;
  /** /Ff in effect, and what the parents alone give (when the field itself sets none). */
  flags: number;
  inheritedFlags: number;
}

/** What an object is in the previous revision's form: the parts form filling may touch, and the ones it may not. */
type FormRole =
  | { kind: 'field'; field: FieldState; isWidget: boolean }
  | { kind: 'widget'; field: FieldState }
  | { kind: 'appearance'; field: FieldState; widgetNum: number; part: 'ap' | 'states' | 'stream' }
  | { kind: 'parent-field'; name: string }
  | { kind: 'sig-field'; name: string }
  | { kind: 'sig-widget'; name: string };

/** A FieldMDP lock (/Lock of a signed signature field, or its /Reference /TransformParams). */
interface FieldLock {
  by: string;
  action: 'All' | 'Include' | 'Exclude';
  fields: string[];
}

interface FormState {
  roles: Map<number, FormRole>;
  /** Indirect /DR and /DR /Font of the AcroForm: fonts may be added there for filled-in values. */
  drNum?: number;
  drFontNum?: number;
  locks: FieldLock[];
  /** The signature field of a certification with DocMDP P=1, which forbids every later change. */
  noChangesBy?: string;
}

const MAX_WALK = 100_000;
const MAX_FIELD_DEPTH = 32;
/** Field types a person fills in: text, buttons (check boxes, radio buttons), choices. */
const FILLABLE_TYPES = new Set(['Tx', 'Btn', 'Ch']);
const FF_READ_ONLY = 1;
const FF_PUSHBUTTON = 1 << 16;
const APPEARANCE_KEYS = ['N', 'D', 'R'];

function lockCovers(lock: FieldLock, name: string): boolean {
  const listed = lock.fields.some((f) => name === f || name.startsWith(`${f}.`));
  return lock.action === 'All' || (lock.action === 'Include' ? listed : !listed);
}

function keyList(keys: string[]): string {
  return keys.map((k) => `/${k}`).join(' ');
}

function reReferenced(num: number): BilingualText {
  return { zh: `重新引用了已有对象 ${num}`, en: `it re-references the existing object ${num}` };
}

class RevisionAnalysis {
  private readonly prev: number;
  private readonly changes: Modification[] = [];
  private readonly added = new Set<number>();
  /** New annotations / fields that must turn out to be signature widgets of new stamps. */
  private readonly candidates: Array<{ ref: PdfObject; role: 'annot' | 'field'; page?: number }> = [];
  /** Starting points of the objects this revision may add: new stamps, new appearances, new values. */
  private readonly explainedRoots: PdfObject[] = [];
  private readonly old: OldState;
  private formState: FormState | undefined;
  private referrerIndex: Map<number, number[]> | undefined;
  /** Fields filled in this revision, and AcroForm updates that are allowed only to show them. */
  private readonly filled = new Set<string>();
  private readonly formSupport: Array<{ object: string; description: BilingualText }> = [];

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
    this.settleFormSupport();
    this.checkUnexplainedAdditions();
    this.checkCertification();
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
    const form = this.form();
    // An indirect /DR (or its /Font) that is not also a page's resources: fonts for filled-in values.
    if ((num === form.drNum || num === form.drFontNum) && !o.resourceByNum.has(num) && oldObj instanceof PdfDict && newObj instanceof PdfDict) {
      const problem = num === form.drNum ? this.resourcesDictProblem(oldObj, newObj) : this.fontsDictProblem(oldObj, newObj);
      if (problem) this.disallow(obj, { zh: `表单的默认资源(/DR)被修改:${problem.zh}`, en: `the form's default resources (/DR) changed: ${problem.en}` });
      else this.formSupport.push({ object: obj, description: { zh: '表单的默认资源(/DR)为显示填写的内容增加了字体', en: "the form's default resources (/DR) gained fonts to show filled-in values" } });
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
    const role = form.roles.get(num);
    if ((role === undefined || role.kind === 'sig-field') && this.isFillingEmptySignatureField(oldObj, newObj)) {
      this.candidates.push({ ref: new PdfRef(num, 0), role: 'field' });
      this.allow(obj, { zh: '空签名域被签章', en: 'an empty signature field was signed' });
      return;
    }
    if (role) {
      this.formObjectChange(obj, num, role, oldObj, newObj);
      return;
    }
    this.disallow(obj, this.describe(num, newObj));
  }

  /** A changed object that belongs to the form of the previous revision. */
  private formObjectChange(obj: string, num: number, role: FormRole, oldObj: PdfObject, newObj: PdfObject): void {
    const keys = oldObj instanceof PdfDict && newObj instanceof PdfDict ? keyList(changedKeys(oldObj, newObj)) : `→ ${typeName(newObj)}`;
    switch (role.kind) {
      case 'sig-field': {
        const swapped = oldObj instanceof PdfDict && newObj instanceof PdfDict && !pdfEqual(oldObj.get('V'), newObj.get('V'));
        this.disallow(obj, swapped
          ? { zh: `签名域“${role.name}”的签名(/V)被替换`, en: `the signature (/V) of signature field "${role.name}" was replaced` }
          : { zh: `签名域“${role.name}”被修改(${keys})`, en: `signature field "${role.name}" changed (${keys})` });
        return;
      }
      case 'sig-widget':
        this.disallow(obj, { zh: `签名域“${role.name}”的控件被修改(${keys})`, en: `the widget of signature field "${role.name}" changed (${keys})` });
        return;
      case 'parent-field':
        this.disallow(obj, { zh: `表单域“${role.name}”被修改(${keys})`, en: `form field "${role.name}" changed (${keys})` });
        return;
      case 'appearance':
        this.appearanceRewritten(obj, num, role, oldObj, newObj);
        return;
      default:
        this.fieldOrWidgetChange(obj, role, oldObj, newObj);
    }
  }

  /**
   * Form filling: a field's /V (and /AS of its widgets) and the widgets' appearances may change;
   * its place, flags, type, kids, parent, page and looks (/MK) may not.
   */
  private fieldOrWidgetChange(obj: string, role: Extract<FormRole, { kind: 'field' | 'widget' }>, oldObj: PdfObject, newObj: PdfObject): void {
    const f = role.field;
    const label = { zh: `表单域“${f.name}”`, en: `form field "${f.name}"` };
    if (!(oldObj instanceof PdfDict) || !(newObj instanceof PdfDict)) {
      this.disallow(obj, { zh: `${label.zh}被替换为 ${typeName(newObj)}`, en: `${label.en} was replaced by ${typeName(newObj)}` });
      return;
    }
    const permitted = role.kind === 'widget' ? ['AS', 'AP'] : role.isWidget ? ['V', 'AS', 'AP'] : ['V'];
    // Writers such as pdf-lib add "/Ff 0" to a field that had none: the flags in effect are what count.
    const keys = changedKeys(oldObj, newObj).filter((k) => !(k === 'Ff' && role.kind === 'field' && this.flagsInEffect(f, newObj) === f.flags));
    const bad = keys.filter((k) => !permitted.includes(k));
    if (bad.length > 0) {
      this.disallow(obj, { zh: `${label.zh}被修改(${keyList(bad)})`, en: `${label.en} changed (${keyList(bad)})` });
      return;
    }
    if (keys.length === 0) return;
    const problem = this.fillProblem(f)
      ?? (keys.includes('V') ? this.valueProblem(f, newObj.get('V')) : undefined)
      ?? (keys.includes('AS') && !(newObj.get('AS') instanceof PdfName) ? { zh: '/AS 不是名称', en: '/AS is not a name' } : undefined)
      ?? (keys.includes('AP') ? this.appearanceProblem(oldObj.get('AP'), newObj.get('AP')) : undefined);
    if (problem) {
      this.disallow(obj, { zh: `${label.zh}被修改:${problem.zh}`, en: `${label.en} changed: ${problem.en}` });
      return;
    }
    this.filledIn(obj, f);
  }

  /**
   * An appearance object of a field rewritten in place (instead of a new one referenced from the
   * widget): allowed only when nothing but that widget uses it, else it is the shadow attack of an
   * appearance stream that is also page content or another annotation's look.
   */
  private appearanceRewritten(obj: string, num: number, role: Extract<FormRole, { kind: 'appearance' }>, oldObj: PdfObject, newObj: PdfObject): void {
    const f = role.field;
    const problem = this.fillProblem(f) ?? this.soleUseProblem(num, role.widgetNum) ?? this.rewrittenAppearanceProblem(role.part, oldObj, newObj);
    if (problem) {
      this.disallow(obj, { zh: `表单域“${f.name}”的外观对象 ${num} 被改写:${problem.zh}`, en: `the appearance object ${num} of form field "${f.name}" was rewritten: ${problem.en}` });
      return;
    }
    this.filledIn(obj, f);
  }

  private rewrittenAppearanceProblem(part: 'ap' | 'states' | 'stream', oldObj: PdfObject, newObj: PdfObject): BilingualText | undefined {
    if (part === 'stream') {
      if (!(newObj instanceof PdfStream)) return { zh: '它不再是外观流', en: 'it is no longer an appearance stream' };
      this.explainedRoots.push(newObj.dict);
      return undefined;
    }
    if (!(oldObj instanceof PdfDict) || !(newObj instanceof PdfDict)) return { zh: '它不再是外观字典', en: 'it is no longer an appearance dictionary' };
    return this.appearanceEntriesProblem(oldObj, newObj, part === 'ap');
  }

  /** Who else refers to an object of a widget's appearance, in the previous revision. */
  private soleUseProblem(num: number, widgetNum: number): BilingualText | undefined {
    const own = new Set([widgetNum]);
    for (const [n, role] of this.form().roles) if (role.kind === 'appearance' && role.widgetNum === widgetNum) own.add(n);
    const others = [...new Set((this.referrers().get(num) ?? []).filter((n) => !own.has(n)))];
    if (others.length === 0) return undefined;
    const list = others.slice(0, 3);
    return { zh: `它还被对象 ${list.join('、')} 使用`, en: `it is also used by object${list.length > 1 ? 's' : ''} ${list.join(', ')}` };
  }

  private filledIn(obj: string, f: FieldState): void {
    this.filled.add(f.name);
    const m: FormFillModification = {
      revision: this.r, kind: 'allowed', object: obj, filledField: f.name,
      description: { zh: `签章后填写了表单字段“${f.name}”`, en: `form field "${f.name}" filled in after stamping` },
    };
    this.changes.push(m);
  }

  private flagsInEffect(f: FieldState, d: PdfDict): number {
    const own = this.resolve(d.get('Ff'), this.r);
    return isNumber(own) ? own : f.inheritedFlags;
  }

  /** Why this field may not be filled at all, if it may not. */
  private fillProblem(f: FieldState): BilingualText | undefined {
    if (!FILLABLE_TYPES.has(f.type ?? '')) return { zh: `${f.type ? `/${f.type}` : '无类型'} 表单域不能填写`, en: `a field of type ${f.type ? `/${f.type}` : '(none)'} is not filled in` };
    if (f.type === 'Btn' && (f.flags & FF_PUSHBUTTON) !== 0) return { zh: '按钮没有可填写的值', en: 'a push button has no value to fill in' };
    if ((f.flags & FF_READ_ONLY) !== 0) return { zh: '该表单域是只读的', en: 'the field is read-only' };
    const lock = this.form().locks.find((l) => lockCovers(l, f.name));
    if (lock) return { zh: `签名域“${lock.by}”签章后锁定了该表单域(/Lock /Action /${lock.action})`, en: `signature field "${lock.by}" locked it when signed (/Lock /Action /${lock.action})` };
    return undefined;
  }

  private valueProblem(f: FieldState, v: PdfObject | undefined): BilingualText | undefined {
    if (v === undefined) return undefined; // the field was cleared
    let value: PdfObject | undefined = v;
    if (v instanceof PdfRef) {
      if (this.existedBefore(v.num)) return reReferenced(v.num);
      this.explainedRoots.push(v);
      value = this.resolve(v, this.r);
    }
    const ok = f.type === 'Btn' ? value instanceof PdfName
      : f.type === 'Ch' ? value instanceof PdfString || (value instanceof PdfArray && value.items.every((x) => x instanceof PdfString))
        : value instanceof PdfString || (v instanceof PdfRef && value instanceof PdfStream); // a long text may be a text stream
    return ok ? undefined : { zh: `值(/V)不是 /${f.type ?? '?'} 域的值`, en: `the value (/V) is not one a /${f.type ?? '?'} field takes` };
  }

  /** A widget's new /AP: every appearance stream is either the one it had or a new object. */
  private appearanceProblem(oldAp: PdfObject | undefined, newAp: PdfObject | undefined): BilingualText | undefined {
    if (newAp === undefined || pdfEqual(oldAp, newAp)) return undefined;
    if (newAp instanceof PdfRef) {
      if (this.existedBefore(newAp.num)) return reReferenced(newAp.num);
      this.explainedRoots.push(newAp);
    }
    const ap = this.resolve(newAp, this.r);
    if (!(ap instanceof PdfDict)) return { zh: '外观(/AP)不是字典', en: 'the appearance (/AP) is not a dictionary' };
    const old = this.resolve(oldAp, this.prev);
    return this.appearanceEntriesProblem(old instanceof PdfDict ? old : undefined, ap, true);
  }

  /**
   * Entries of an appearance dictionary (/N /D /R, when `top`) or of a state dictionary (/Off
   * /Yes ...): each stays as it was or points to a new stream; an existing object pulled in would
   * be an object swapped between revisions.
   */
  private appearanceEntriesProblem(old: PdfDict | undefined, now: PdfDict, top: boolean): BilingualText | undefined {
    for (const [k, v] of now.entries) {
      if (top && !APPEARANCE_KEYS.includes(k)) return { zh: `外观字典含有 /${k}`, en: `the appearance dictionary has /${k}` };
      const before = old?.get(k);
      if (pdfEqual(before, v)) continue;
      let target: PdfObject | undefined = v;
      if (v instanceof PdfRef) {
        if (this.existedBefore(v.num)) return reReferenced(v.num);
        this.explainedRoots.push(v);
        target = this.resolve(v, this.r);
      }
      if (target instanceof PdfStream && v instanceof PdfRef) continue;
      if (top && target instanceof PdfDict) {
        const states = this.resolve(before, this.prev);
        const problem = this.appearanceEntriesProblem(states instanceof PdfDict ? states : undefined, target, false);
        if (problem) return problem;
        continue;
      }
      return { zh: `外观 /${k} 不是外观流`, en: `appearance /${k} is not an appearance stream` };
    }
    return undefined;
  }

  /** A new /DR value: its fonts may grow; nothing else in it may change. */
  private resourcesProblem(oldDr: PdfObject | undefined, newDr: PdfObject | undefined): BilingualText | undefined {
    if (newDr instanceof PdfRef) {
      if (pdfEqual(oldDr, newDr)) return undefined;
      if (this.existedBefore(newDr.num)) return reReferenced(newDr.num);
      this.explainedRoots.push(newDr);
    }
    const o = this.resolve(oldDr, this.prev);
    const n = this.resolve(newDr, this.r);
    if (!(n instanceof PdfDict)) return { zh: '/DR 不是字典', en: '/DR is not a dictionary' };
    return this.resourcesDictProblem(o instanceof PdfDict ? o : undefined, n);
  }

  private resourcesDictProblem(o: PdfDict | undefined, n: PdfDict): BilingualText | undefined {
    const changed = o ? changedKeys(o, n) : [...n.keys()];
    const bad = changed.filter((k) => k !== 'Font');
    if (bad.length > 0) return { zh: `${keyList(bad)} 被修改`, en: `${keyList(bad)} changed` };
    if (!changed.includes('Font')) return undefined;
    const oldFonts = o?.get('Font');
    const newFonts = n.get('Font');
    if (newFonts instanceof PdfRef) {
      if (pdfEqual(oldFonts, newFonts)) return undefined;
      if (this.existedBefore(newFonts.num)) return reReferenced(newFonts.num);
      this.explainedRoots.push(newFonts);
    }
    const of = this.resolve(oldFonts, this.prev);
    const nf = this.resolve(newFonts, this.r);
    if (!(nf instanceof PdfDict)) return { zh: '/DR /Font 不是字典', en: '/DR /Font is not a dictionary' };
    return this.fontsDictProblem(of instanceof PdfDict ? of : undefined, nf);
  }

  /** Fonts already named keep their objects (a swapped font would change every field that uses it). */
  private fontsDictProblem(o: PdfDict | undefined, n: PdfDict): BilingualText | undefined {
    for (const [k, v] of o?.entries ?? []) {
      if (!pdfEqual(v, n.get(k))) return { zh: `字体 /${k} 被替换或移除`, en: `font /${k} was replaced or removed` };
    }
    for (const [k, v] of n.entries) if (!o?.has(k) && v instanceof PdfRef && !this.existedBefore(v.num)) this.explainedRoots.push(v);
    return undefined;
  }

  /** /NeedAppearances and /DR may change only to show values filled in in the same revision. */
  private settleFormSupport(): void {
    for (const c of this.formSupport) {
      if (this.filled.size > 0) this.allow(c.object, c.description);
      else this.disallow(c.object, { zh: `${c.description.zh},但没有填写任何表单字段`, en: `${c.description.en}, but no form field was filled in` });
    }
  }

  /** A certification with DocMDP P=1 forbids every change after it, later stamps and form filling included. */
  private checkCertification(): void {
    const by = this.form().noChangesBy;
    if (by === undefined || this.changes.length === 0) return;
    this.disallow(undefined, { zh: `签名域“${by}”的认证签章禁止任何修改(DocMDP P=1)`, en: `the certification in signature field "${by}" forbids any change (DocMDP P=1)` });
  }

  private form(): FormState {
    if (!this.formState) {
      try {
        this.formState = this.readForm();
      } catch {
        // An unreadable form gives no object a form role: changes to it stay disallowed.
        this.formState = { roles: new Map(), locks: [] };
      }
    }
    return this.formState;
  }

  /** The form of the previous revision: fields, their widgets and appearances, locks. */
  private readForm(): FormState {
    const s: FormState = { roles: new Map(), locks: [] };
    const catalog = this.resolve(this.doc.revisions[this.prev]!.trailer.get('Root'), this.prev);
    const acro = catalog instanceof PdfDict ? this.resolve(catalog.get('AcroForm'), this.prev) : undefined;
    if (!(acro instanceof PdfDict)) return s;
    const dr = acro.get('DR');
    if (dr instanceof PdfRef) s.drNum = dr.num;
    const drD = this.resolve(dr, this.prev);
    const drFont = drD instanceof PdfDict ? drD.get('Font') : undefined;
    if (drFont instanceof PdfRef) s.drFontNum = drFont.num;
    const fields = this.resolve(acro.get('Fields'), this.prev);
    if (!(fields instanceof PdfArray)) return s;
    const visited = new Set<number>();
    const walk = (o: PdfObject, parentName: string, inherited: { type?: string; flags: number }, depth: number): void => {
      if (!(o instanceof PdfRef) || depth > MAX_FIELD_DEPTH || visited.has(o.num) || visited.size > MAX_WALK) return;
      visited.add(o.num);
      const d = this.resolve(o, this.prev);
      if (!(d instanceof PdfDict)) return;
      const t = this.resolve(d.get('T'), this.prev);
      const name = t instanceof PdfString ? (parentName ? `${parentName}.${t.text()}` : t.text()) : parentName;
      const ft = this.resolve(d.get('FT'), this.prev);
      const type = ft instanceof PdfName ? ft.name : inherited.type;
      const ownFlags = this.resolve(d.get('Ff'), this.prev);
      const flags = isNumber(ownFlags) ? ownFlags : inherited.flags;
      const kids = this.resolve(d.get('Kids'), this.prev);
      const kidItems = kids instanceof PdfArray ? kids.items : [];
      // Kids with a /T are fields; kids without one are this field's widgets.
      const fieldKids = kidItems.filter((k) => {
        const kd = this.resolve(k, this.prev);
        return kd instanceof PdfDict && kd.has('T');
      });
      if (fieldKids.length > 0) {
        s.roles.set(o.num, { kind: 'parent-field', name });
        for (const k of fieldKids) walk(k, name, { type, flags }, depth + 1);
        return;
      }
      const widgets = kids instanceof PdfArray ? kidItems.filter((k): k is PdfRef => k instanceof PdfRef) : [o];
      if (type === 'Sig') {
        s.roles.set(o.num, { kind: 'sig-field', name });
        for (const w of widgets) if (w.num !== o.num && !s.roles.has(w.num)) s.roles.set(w.num, { kind: 'sig-widget', name });
        this.readLocks(d, name, s);
        return;
      }
      const field: FieldState = { name, type, flags, inheritedFlags: inherited.flags };
      s.roles.set(o.num, { kind: 'field', field, isWidget: !(kids instanceof PdfArray) });
      for (const w of widgets) {
        if (w.num !== o.num && !s.roles.has(w.num)) s.roles.set(w.num, { kind: 'widget', field });
      }
      for (const w of widgets) this.readAppearanceParts(w, field, s);
    };
    for (const f of fields.items) walk(f, '', { flags: 0 }, 0);
    return s;
  }

  /** Indirect objects of a widget's /AP: the appearance dictionary, state dictionaries, streams. */
  private readAppearanceParts(w: PdfRef, field: FieldState, s: FormState): void {
    const wd = this.resolve(w, this.prev);
    if (!(wd instanceof PdfDict)) return;
    const mark = (o: PdfObject | undefined, part: 'ap' | 'states' | 'stream'): void => {
      if (o instanceof PdfRef && !s.roles.has(o.num)) s.roles.set(o.num, { kind: 'appearance', field, widgetNum: w.num, part });
    };
    const ap = wd.get('AP');
    mark(ap, 'ap');
    const apD = this.resolve(ap, this.prev);
    if (!(apD instanceof PdfDict)) return;
    for (const k of APPEARANCE_KEYS) {
      const v = apD.get(k);
      const vd = this.resolve(v, this.prev);
      if (vd instanceof PdfDict) {
        mark(v, 'states');
        for (const sv of vd.entries.values()) mark(sv, 'stream');
      } else mark(v, 'stream');
    }
  }

  /** Locks a signed signature field puts on other fields (FieldMDP) or on the whole document (DocMDP P=1). */
  private readLocks(d: PdfDict, name: string, s: FormState): void {
    const sig = this.resolve(d.get('V'), this.prev);
    if (!(sig instanceof PdfDict)) return; // a lock takes effect only once the field is signed
    const addLock = (params: PdfObject | undefined): void => {
      if (!(params instanceof PdfDict)) return;
      const action = params.getName('Action');
      if (action !== 'All' && action !== 'Include' && action !== 'Exclude') return;
      const list = this.resolve(params.get('Fields'), this.prev);
      const names = list instanceof PdfArray
        ? list.items.map((x) => this.resolve(x, this.prev)).filter((x): x is PdfString => x instanceof PdfString).map((x) => x.text())
        : [];
      s.locks.push({ by: name, action, fields: names });
    };
    addLock(this.resolve(d.get('Lock'), this.prev));
    const refs = this.resolve(sig.get('Reference'), this.prev);
    if (!(refs instanceof PdfArray)) return;
    for (const item of refs.items) {
      const ref = this.resolve(item, this.prev);
      if (!(ref instanceof PdfDict)) continue;
      const params = this.resolve(ref.get('TransformParams'), this.prev);
      const method = ref.getName('TransformMethod');
      if (method === 'FieldMDP') addLock(params);
      if (method === 'DocMDP' && params instanceof PdfDict && this.resolve(params.get('P'), this.prev) === 1) s.noChangesBy ??= name;
    }
  }

  /**
   * For every object of the previous revision, the objects that refer to it. Built only when an
   * appearance is rewritten in place, the one change that needs to know an object's other uses.
   */
  private referrers(): Map<number, number[]> {
    if (this.referrerIndex) return this.referrerIndex;
    const index = new Map<number, number[]>();
    const nums = new Set<number>();
    for (let i = 0; i <= this.prev; i++) for (const n of this.doc.revisions[i]!.entries.keys()) nums.add(n);
    for (const num of nums) {
      const e = this.doc.entryOf(num, this.prev);
      if (num === 0 || !e || e.type === 'free') continue;
      let obj: PdfObject;
      try {
        obj = this.get(new PdfRef(num, e.type === 'offset' ? e.gen : 0), this.prev);
      } catch {
        continue; // an object that cannot be read draws nothing and refers to nothing
      }
      forEachRef(obj, (ref) => {
        const list = index.get(ref.num) ?? [];
        list.push(num);
        index.set(ref.num, list);
      });
    }
    this.referrerIndex = index;
    return index;
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
    const keys = changedKeys(oldD, newD);
    const bad = keys.filter((k) => !['Fields', 'SigFlags', 'NeedAppearances', 'DR'].includes(k));
    if (bad.length > 0) {
      const what = bad.map((k) => `/${k}`).join(' ');
      this.disallow(obj, { zh: `表单(AcroForm)被修改(${what})`, en: `the AcroForm changed (${what})` });
      return;
    }
    const support = keys.filter((k) => k === 'NeedAppearances' || k === 'DR');
    if (support.length > 0) {
      const needAppearances = newD.get('NeedAppearances');
      const problem = (support.includes('NeedAppearances') && needAppearances !== undefined && typeof needAppearances !== 'boolean'
        ? { zh: '/NeedAppearances 不是布尔值', en: '/NeedAppearances is not a boolean' } : undefined)
        ?? (support.includes('DR') ? this.resourcesProblem(oldD.get('DR'), newD.get('DR')) : undefined);
      const what = keyList(support);
      if (problem) {
        this.disallow(obj, { zh: `表单(AcroForm)被修改(${what}):${problem.zh}`, en: `the AcroForm changed (${what}): ${problem.en}` });
        return;
      }
      this.formSupport.push({ object: obj, description: { zh: `表单(AcroForm)的 ${what} 为显示填写的内容而更新`, en: `the AcroForm's ${what} updated to show filled-in values` } });
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

  /**
   * New objects must belong to a new stamp (reachable from its widget) or be document info. In a
   * revision that filled in the form, an object nothing refers to — neither an object of this
   * revision nor one of the previous (where a planted reference to a then-missing object would
   * come to life) — draws nothing and is tolerated: pdf-lib, for one, embeds its default font
   * whether or not an appearance uses it.
   */
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
    if (this.added.size > 0) this.checkPlantedReferences();
    const unexplained = [...this.added].filter((num) => !explained.has(num));
    const unused = this.filled.size > 0 && unexplained.length > 0 ? this.unreferenced(unexplained) : new Set<number>();
    for (const num of unexplained) {
      const obj = this.get(new PdfRef(num, 0), this.r);
      if (unused.has(num)) {
        this.allow(`${num} 0`, { zh: `填写表单时增加了未被使用的对象 ${num}(${typeName(obj)})`, en: `object ${num} (${typeName(obj)}) added while filling in the form is not used by anything` });
        continue;
      }
      this.disallow(`${num} 0`, { zh: `增加了不属于签章的对象 ${num}(${typeName(obj)})`, en: `object ${num} (${typeName(obj)}) was added outside any stamp` });
    }
  }

  /**
   * A new object whose number an object of the signed revision already referred to (a dangling
   * reference planted before signing, drawing nothing then) would come to life wherever that
   * reference sits — on the page, say — not just in the new stamp's widget or the filled field.
   * Costs one parse of the previous revision's objects (not of stream data) per revision that adds
   * objects: about 8 ms on a 900-object contract.
   */
  private checkPlantedReferences(): void {
    const index = this.referrers();
    for (const num of this.added) {
      const from = index.get(num);
      if (!from) continue;
      this.disallow(`${num} 0`, {
        zh: `新对象 ${num} 在签章时已被对象 ${from[0]} 引用(签章前预埋的引用)`,
        en: `the new object ${num} was already referred to by object ${from[0]} when stamped (a reference planted before stamping)`,
      });
    }
  }

  /** Which of these object numbers no object of the previous revision or of this one refers to. */
  private unreferenced(nums: number[]): Set<number> {
    const out = new Set(nums);
    for (const n of this.referrers().keys()) out.delete(n);
    for (const [num, entry] of this.doc.revisions[this.r]!.entries) {
      if (num === 0 || entry.type === 'free' || out.size === 0) continue;
      forEachRef(this.get(new PdfRef(num, entry.type === 'offset' ? entry.gen : 0), this.r), (ref) => { out.delete(ref.num); });
    }
    return out;
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

/** Calls `fn` for every reference inside an object (stream dictionaries included, stream data not). */
function forEachRef(obj: PdfObject, fn: (ref: PdfRef) => void): void {
  const stack: PdfObject[] = [obj];
  for (let steps = 0; stack.length > 0; steps++) {
    if (steps > MAX_WALK) throw new Error('object too deeply nested to scan for references');
    const o = stack.pop()!;
    if (o instanceof PdfRef) fn(o);
    else if (o instanceof PdfArray) stack.push(...o.items);
    else if (o instanceof PdfDict) stack.push(...o.entries.values());
    else if (o instanceof PdfStream) stack.push(o.dict);
  }
}

function typeName(o: PdfObject): string {
  const d = o instanceof PdfStream ? o.dict : o instanceof PdfDict ? o : undefined;
  if (!d) return o instanceof PdfArray ? 'array' : o === null ? 'null' : typeof o;
  const parts = [d.getName('Type'), d.getName('Subtype')].filter(Boolean);
  return parts.length > 0 ? parts.map((p) => `/${p}`).join(' ') : o instanceof PdfStream ? 'stream' : 'dictionary';
}

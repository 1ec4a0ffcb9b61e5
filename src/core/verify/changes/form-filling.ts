import type { BilingualText } from '../../../api/verification-report';
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, isNumber, type PdfObject } from '../../pdf/objects';
import { changedKeys, pdfEqual } from '../pdf-equality';
import type { RevisionAnalysis } from './analysis';
import { keyList, reReferenced, typeName } from './context';
import { APPEARANCE_KEYS, type FieldLock, type FieldState, type FormRole } from './old-state';
import type { RuleName } from './rule-names';

/**
 * Rule "form-filling": an existing field's value (/V), its widgets' state (/AS) and appearances
 * (/AP) may change — Adobe's and pyHanko's form-filling level — while its place, flags, type,
 * kids, parent, page and looks (/MK) may not, nor may a field that is read-only, a push button,
 * or locked by a signature (FieldMDP /Lock, DocMDP P=1). An appearance rewritten in place is
 * allowed only when nothing but that widget uses it (else it is the shadow attack of a stream
 * that is also page content). Rule "form-resources": /DR fonts, /DA and /NeedAppearances updated
 * to show filled-in values.
 */

/** Field types a person fills in: text, buttons (check boxes, radio buttons), choices. */
const FILLABLE_TYPES = new Set(['Tx', 'Btn', 'Ch']);
const FF_READ_ONLY = 1;
const FF_PUSHBUTTON = 1 << 16;

export interface FormFillChange {
  filledField: string;
}

function lockCovers(lock: FieldLock, name: string): boolean {
  const listed = lock.fields.some((f) => name === f || name.startsWith(`${f}.`));
  return lock.action === 'All' || (lock.action === 'Include' ? listed : !listed);
}

/** A changed object that belongs to the form of the previous revision. */
export function formObjectChange(a: RevisionAnalysis, obj: string, num: number, role: FormRole, oldObj: PdfObject, newObj: PdfObject): void {
  const keys = oldObj instanceof PdfDict && newObj instanceof PdfDict ? keyList(changedKeys(oldObj, newObj)) : `→ ${typeName(newObj)}`;
  switch (role.kind) {
    case 'sig-field': {
      const swapped = oldObj instanceof PdfDict && newObj instanceof PdfDict && !pdfEqual(oldObj.get('V'), newObj.get('V'));
      a.disallow(obj, swapped
        ? { zh: `签名域“${role.field.name}”的签名（/V）被替换`, en: `the signature (/V) of signature field "${role.field.name}" was replaced` }
        : { zh: `签名域“${role.field.name}”被修改（${keys}）`, en: `signature field "${role.field.name}" changed (${keys})` });
      return;
    }
    case 'sig-widget':
      a.disallow(obj, { zh: `签名域“${role.field.name}”的控件被修改（${keys}）`, en: `the widget of signature field "${role.field.name}" changed (${keys})` });
      return;
    case 'parent-field':
      a.disallow(obj, { zh: `表单域“${role.name}”被修改（${keys}）`, en: `form field "${role.name}" changed (${keys})` });
      return;
    case 'appearance':
      if (role.field.type === 'Sig') {
        a.disallow(obj, { zh: `签章“${role.field.name}”的外观对象 ${num} 被改写（${keys}）`, en: `the appearance object ${num} of stamp "${role.field.name}" was rewritten (${keys})` });
        return;
      }
      appearanceRewritten(a, obj, num, role, oldObj, newObj, 'form-filling');
      return;
    default:
      fieldOrWidgetChange(a, obj, role, oldObj, newObj);
  }
}

function fieldOrWidgetChange(a: RevisionAnalysis, obj: string, role: Extract<FormRole, { kind: 'field' | 'widget' }>, oldObj: PdfObject, newObj: PdfObject): void {
  const f = role.field;
  const label = { zh: `表单域“${f.name}”`, en: `form field "${f.name}"` };
  if (!(oldObj instanceof PdfDict) || !(newObj instanceof PdfDict)) {
    a.disallow(obj, { zh: `${label.zh}被替换为 ${typeName(newObj)}`, en: `${label.en} was replaced by ${typeName(newObj)}` });
    return;
  }
  const permitted = role.kind === 'widget' ? ['AS', 'AP'] : role.isWidget ? ['V', 'AS', 'AP'] : ['V'];
  // Writers such as pdf-lib add "/Ff 0" to a field that had none: the flags in effect are what count.
  const keys = changedKeys(oldObj, newObj).filter((k) => !(k === 'Ff' && role.kind === 'field' && flagsInEffect(a, f, newObj) === f.flags));
  const bad = keys.filter((k) => !permitted.includes(k));
  if (bad.length > 0) {
    a.disallow(obj, { zh: `${label.zh}被修改（${keyList(bad)}）`, en: `${label.en} changed (${keyList(bad)})` });
    return;
  }
  if (keys.length === 0) {
    a.ctx.explain(Number(obj.split(' ')[0]), 'form-filling');
    return;
  }
  const problem = fillProblem(a, f)
    ?? (keys.includes('V') ? valueProblem(a, f, newObj.get('V')) : undefined)
    ?? (keys.includes('AS') && !(newObj.get('AS') instanceof PdfName) ? { zh: '/AS 不是名称', en: '/AS is not a name' } : undefined)
    ?? (keys.includes('AP') ? appearanceProblem(a, oldObj.get('AP'), newObj.get('AP'), 'form-filling', Number(obj.split(' ')[0])) : undefined);
  if (problem) {
    a.disallow(obj, { zh: `${label.zh}被修改：${problem.zh}`, en: `${label.en} changed: ${problem.en}` });
    return;
  }
  filledIn(a, obj, f);
}

/**
 * An appearance object of a widget rewritten in place (instead of a new one referenced from the
 * widget): allowed only when nothing but that widget uses it.
 */
export function appearanceRewritten(a: RevisionAnalysis, obj: string, num: number, role: Extract<FormRole, { kind: 'appearance' }>, oldObj: PdfObject, newObj: PdfObject, rule: RuleName): boolean {
  const f = role.field;
  const problem = (rule === 'form-filling' ? fillProblem(a, f) : undefined)
    ?? soleUseProblem(a, num, role.widgetNum)
    ?? rewrittenAppearanceProblem(a, role.part, oldObj, newObj, rule);
  if (problem) {
    a.disallow(obj, { zh: `表单域“${f.name}”的外观对象 ${num} 被改写：${problem.zh}`, en: `the appearance object ${num} of form field "${f.name}" was rewritten: ${problem.en}` });
    return false;
  }
  if (rule === 'form-filling') filledIn(a, obj, f);
  else a.ctx.explain(num, rule);
  return true;
}

function rewrittenAppearanceProblem(a: RevisionAnalysis, part: 'ap' | 'states' | 'stream', oldObj: PdfObject, newObj: PdfObject, rule: RuleName): BilingualText | undefined {
  if (part === 'stream') {
    if (!(newObj instanceof PdfStream)) return { zh: '它不再是外观流', en: 'it is no longer an appearance stream' };
    a.ctx.explainTree(newObj.dict, rule);
    return undefined;
  }
  if (!(oldObj instanceof PdfDict) || !(newObj instanceof PdfDict)) return { zh: '它不再是外观字典', en: 'it is no longer an appearance dictionary' };
  return appearanceEntriesProblem(a, oldObj, newObj, part === 'ap', rule);
}

/**
 * Who else refers to an object of a widget's appearance, or to any other part of that widget's
 * appearance (the /AP dictionary above a stream, shared with a catalog entry, clobbers that
 * entry too), in the previous revision.
 */
export function soleUseProblem(a: RevisionAnalysis, num: number, widgetNum: number): BilingualText | undefined {
  const own = new Set([widgetNum]);
  for (const [n, role] of a.form().roles) if (role.kind === 'appearance' && role.widgetNum === widgetNum) own.add(n);
  own.add(num);
  for (const part of [num, ...[...own].filter((n) => n !== num && n !== widgetNum)]) {
    const others = [...new Set((a.ctx.oldReferrers().get(part) ?? []).filter((n) => !own.has(n)))];
    if (others.length === 0) continue;
    const list = others.slice(0, 3).map((n) => (n === 0 ? 'trailer' : `${n}`));
    const names = list.map((n) => (n === 'trailer' ? '文件尾（trailer）' : n));
    const which = part === num ? { zh: '它', en: 'it' } : { zh: `它所在的外观对象 ${part}`, en: `the appearance object ${part} it belongs to` };
    return {
      zh: `${which.zh}还被对象 ${names.join('、')} 使用${usedUnder(a, part, others)}`,
      en: `${which.en} is also used by ${list.length > 1 ? 'objects' : list[0] === 'trailer' ? 'the' : 'object'} ${list.join(', ')}${usedUnderEn(a, part, others)}`,
    };
  }
  return undefined;
}

/** The keys under which other objects refer to `num` (e.g. " (as /FooBar)"), for the message. */
function keysReferring(a: RevisionAnalysis, num: number, from: number[]): string[] {
  const keys = new Set<string>();
  for (const n of from) {
    const o = n === 0 ? a.ctx.doc.revisions[a.prev]!.trailer : a.ctx.oldObject(n);
    const d = o instanceof PdfStream ? o.dict : o instanceof PdfDict ? o : undefined;
    if (!d) continue;
    for (const [k, v] of d.entries) if (v instanceof PdfRef && v.num === num) keys.add(`.${k}`);
  }
  return [...keys];
}

function usedUnder(a: RevisionAnalysis, num: number, from: number[]): string {
  const keys = keysReferring(a, num, from);
  return keys.length > 0 ? `（作为 ${keys.join(' ')}）` : '';
}

function usedUnderEn(a: RevisionAnalysis, num: number, from: number[]): string {
  const keys = keysReferring(a, num, from);
  return keys.length > 0 ? ` (as ${keys.join(' ')})` : '';
}

/**
 * The objects of a widget's old appearance that a new /AP leaves behind must have been that
 * widget's alone: an /AP shared with something else (a catalog or trailer entry, another
 * annotation) is how an appearance is clobbered behind a legitimate-looking update.
 */
export function sharedOldAppearanceProblem(a: RevisionAnalysis, widgetNum: number, oldAp: PdfObject | undefined): BilingualText | undefined {
  const parts: number[] = [];
  if (oldAp instanceof PdfRef) parts.push(oldAp.num);
  const apD = a.resolveDict(oldAp, a.prev);
  for (const k of APPEARANCE_KEYS) {
    const v = apD?.get(k);
    if (v instanceof PdfRef) parts.push(v.num);
    const vd = a.resolveDict(v, a.prev);
    if (vd) for (const sv of vd.entries.values()) if (sv instanceof PdfRef) parts.push(sv.num);
  }
  for (const num of parts) {
    const p = soleUseProblem(a, num, widgetNum);
    if (p) return { zh: `原外观对象 ${num} ${p.zh}`, en: `the old appearance object ${num}: ${p.en}` };
  }
  return undefined;
}

export function filledIn(a: RevisionAnalysis, obj: string, f: FieldState): void {
  a.filled.add(f.name);
  a.ctx.explain(Number(obj.split(' ')[0]), 'form-filling');
  a.ctx.changes.push({
    revision: a.r, kind: 'allowed', object: obj, filledField: f.name, rule: 'form-filling',
    description: { zh: `签章后填写了表单字段“${f.name}”`, en: `form field "${f.name}" filled in after stamping` },
  });
}

function flagsInEffect(a: RevisionAnalysis, f: FieldState, d: PdfDict): number {
  const own = a.resolve(d.get('Ff'), a.r);
  return isNumber(own) ? own : f.inheritedFlags;
}

/** Why this field may not be filled at all, if it may not. */
function fillProblem(a: RevisionAnalysis, f: FieldState): BilingualText | undefined {
  if (!FILLABLE_TYPES.has(f.type ?? '')) return { zh: `${f.type ? `/${f.type}` : '无类型'} 表单域不能填写`, en: `a field of type ${f.type ? `/${f.type}` : '(none)'} is not filled in` };
  if (f.type === 'Btn' && (f.flags & FF_PUSHBUTTON) !== 0) return { zh: '按钮没有可填写的值', en: 'a push button has no value to fill in' };
  if ((f.flags & FF_READ_ONLY) !== 0) return { zh: '该表单域是只读的', en: 'the field is read-only' };
  const lock = a.form().locks.find((l) => lockCovers(l, f.name));
  if (lock) return { zh: `签名域“${lock.by}”签章后锁定了该表单域（/Lock /Action /${lock.action}）`, en: `signature field "${lock.by}" locked it when signed (/Lock /Action /${lock.action})` };
  return undefined;
}

function valueProblem(a: RevisionAnalysis, f: FieldState, v: PdfObject | undefined): BilingualText | undefined {
  if (v === undefined) return undefined; // the field was cleared
  let value: PdfObject | undefined = v;
  if (v instanceof PdfRef) {
    if (a.ctx.existedBefore(v.num)) return reReferenced(v.num);
    a.ctx.explainTree(v, 'form-filling');
    value = a.resolve(v, a.r);
  }
  const ok = f.type === 'Btn' ? value instanceof PdfName
    : f.type === 'Ch' ? value instanceof PdfString || (value instanceof PdfArray && value.items.every((x) => x instanceof PdfString))
      : value instanceof PdfString || (v instanceof PdfRef && value instanceof PdfStream); // a long text may be a text stream
  return ok ? undefined : { zh: `值（/V）不是 /${f.type ?? '?'} 域的值`, en: `the value (/V) is not one a /${f.type ?? '?'} field takes` };
}

/** A widget's new /AP: every appearance stream is either the one it had or a new object. */
export function appearanceProblem(a: RevisionAnalysis, oldAp: PdfObject | undefined, newAp: PdfObject | undefined, rule: RuleName, widgetNum: number): BilingualText | undefined {
  if (newAp === undefined || pdfEqual(oldAp, newAp)) return undefined;
  if (newAp instanceof PdfRef) {
    if (a.ctx.existedBefore(newAp.num)) return reReferenced(newAp.num);
    a.ctx.explainTree(newAp, rule);
  }
  const ap = a.resolve(newAp, a.r);
  if (!(ap instanceof PdfDict)) return { zh: '外观（/AP）不是字典', en: 'the appearance (/AP) is not a dictionary' };
  const old = a.resolve(oldAp, a.prev);
  return appearanceEntriesProblem(a, old instanceof PdfDict ? old : undefined, ap, true, rule)
    ?? (oldAp instanceof PdfRef && !pdfEqual(oldAp, newAp) ? sharedOldAppearanceProblem(a, widgetNum, oldAp) : undefined);
}

/**
 * Entries of an appearance dictionary (/N /D /R, when `top`) or of a state dictionary (/Off
 * /Yes ...): each stays as it was or points to a new stream; an existing object pulled in would
 * be an object swapped between revisions.
 */
function appearanceEntriesProblem(a: RevisionAnalysis, old: PdfDict | undefined, now: PdfDict, top: boolean, rule: RuleName): BilingualText | undefined {
  for (const [k, v] of now.entries) {
    if (top && !APPEARANCE_KEYS.includes(k)) return { zh: `外观字典含有 /${k}`, en: `the appearance dictionary has /${k}` };
    const before = old?.get(k);
    if (pdfEqual(before, v)) continue;
    let target: PdfObject | undefined = v;
    if (v instanceof PdfRef) {
      if (a.ctx.existedBefore(v.num)) return reReferenced(v.num);
      a.ctx.explainTree(v, rule);
      target = a.resolve(v, a.r);
    }
    if (target instanceof PdfStream && v instanceof PdfRef) continue;
    if (top && target instanceof PdfDict) {
      const states = a.resolve(before, a.prev);
      const problem = appearanceEntriesProblem(a, states instanceof PdfDict ? states : undefined, target, false, rule);
      if (problem) return problem;
      continue;
    }
    return { zh: `外观 /${k} 不是外观流`, en: `appearance /${k} is not an appearance stream` };
  }
  return undefined;
}

/**
 * A dictionary entry (/DR, /DR /Font) given a new value: the same reference, a new object, or a
 * direct dictionary — never an existing object pulled in. Returns both dictionaries, or the problem.
 */
function replacedDict(a: RevisionAnalysis, before: PdfObject | undefined, now: PdfObject | undefined, what: string): BilingualText | { o?: PdfDict; n: PdfDict } | undefined {
  if (now instanceof PdfRef) {
    if (pdfEqual(before, now)) return undefined;
    if (a.ctx.existedBefore(now.num)) return reReferenced(now.num);
    a.ctx.explainTree(now, 'form-resources');
  }
  const o = a.resolve(before, a.prev);
  const n = a.resolve(now, a.r);
  if (!(n instanceof PdfDict)) return { zh: `${what} 不是字典`, en: `${what} is not a dictionary` };
  return { o: o instanceof PdfDict ? o : undefined, n };
}

/** A new /DR value: its fonts may grow; nothing else in it may change. */
export function resourcesProblem(a: RevisionAnalysis, oldDr: PdfObject | undefined, newDr: PdfObject | undefined): BilingualText | undefined {
  const d = replacedDict(a, oldDr, newDr, '/DR');
  return d && 'n' in d ? resourcesDictProblem(a, d.o, d.n) : d;
}

/** Resource categories of /DR whose entries a signer may add (iText adds /XObject /FRM beside its fonts). */
const RESOURCE_CATEGORIES = new Set(['Font', 'XObject', 'ExtGState', 'ColorSpace', 'Pattern', 'Shading', 'Properties', 'Encoding']);

export function resourcesDictProblem(a: RevisionAnalysis, o: PdfDict | undefined, n: PdfDict): BilingualText | undefined {
  const changed = o ? changedKeys(o, n) : [...n.keys()];
  for (const k of changed) {
    if (k === 'ProcSet') {
      const ps = a.resolve(n.get(k), a.r);
      if (ps instanceof PdfArray && ps.items.every((x) => x instanceof PdfName)) continue;
      return { zh: '/ProcSet 被修改', en: '/ProcSet changed' };
    }
    if (!RESOURCE_CATEGORIES.has(k)) return { zh: `${keyList([k])} 被修改`, en: `${keyList([k])} changed` };
    const d = replacedDict(a, o?.get(k), n.get(k), `/DR /${k}`);
    if (!d) continue;
    const problem = 'n' in d ? entriesGrowProblem(a, d.o, d.n, k) : d;
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Entries of a /DR category already named keep their objects (a swapped font would change every
 * field that uses it); new entries are new objects or direct values, explained with the form.
 */
export function entriesGrowProblem(a: RevisionAnalysis, o: PdfDict | undefined, n: PdfDict, category = 'Font'): BilingualText | undefined {
  for (const [k, v] of o?.entries ?? []) {
    if (!pdfEqual(v, n.get(k))) {
      return category === 'Font'
        ? { zh: `字体 /${k} 被替换或移除`, en: `font /${k} was replaced or removed` }
        : { zh: `/DR /${category} /${k} 被替换或移除`, en: `/DR /${category} /${k} was replaced or removed` };
    }
  }
  for (const [k, v] of n.entries) {
    if (o?.has(k)) continue;
    if (v instanceof PdfRef && a.ctx.existedBefore(v.num) && category !== 'Font') return reReferenced(v.num);
    if (v instanceof PdfRef && !a.ctx.existedBefore(v.num)) a.ctx.explainTree(v, 'form-resources');
  }
  return undefined;
}

/** /NeedAppearances (and a changed /DA) may change only to show values filled in in the same revision. */
export function settleFormSupport(a: RevisionAnalysis): void {
  for (const c of a.formSupport) {
    if (a.filled.size > 0) a.allow(c.object, 'form-resources', c.description);
    else a.disallow(c.object, { zh: `${c.description.zh}，但没有填写任何表单字段`, en: `${c.description.en}, but no form field was filled in` });
  }
}

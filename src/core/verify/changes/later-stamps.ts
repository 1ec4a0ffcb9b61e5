import type { BilingualText } from '../../../api/verification-report';
import { PdfArray, PdfDict, PdfRef, PdfString, type PdfObject } from '../../pdf/objects';
import { changedKeys, pdfEqual } from '../pdf-equality';
import type { RevisionAnalysis } from './analysis';
import { appearanceProblem, appearanceRewritten } from './form-filling';
import type { FormRole } from './old-state';
import type { RuleName } from './rule-names';

/**
 * Rules "later-stamp", "sign-prepared-field" and "document-timestamp": what a later signer adds.
 * A stamp is a signature field (new, or prepared empty before the earlier stamp and signed now)
 * whose value is a new signature dictionary, with widgets that are Widget annotations — the
 * field itself or separate annotations under its /Kids — whose appearances are new objects.
 * The page's /Annots and the AcroForm's /Fields may grow by exactly those. What is judged is what
 * the object is: an annotation of another kind (FreeText, Link) carrying /FT /Sig, a widget with
 * actions, a widget added to a field signed before, an existing object re-used, all stay
 * modifications.
 */

const SIG_TYPES = new Set(['Sig', 'DocTimeStamp']);

/** An array (page /Annots, AcroForm /Fields) may only grow, and only by new stamps. */
export function growth(a: RevisionAnalysis, obj: string, oldA: PdfObject | undefined, newA: PdfObject | undefined, role: 'annot' | 'field', page?: number): void {
  const oldItems = oldA instanceof PdfArray ? oldA.items : [];
  const newItems = newA instanceof PdfArray ? newA.items : [];
  const remaining = [...newItems];
  for (const item of oldItems) {
    const i = remaining.findIndex((x) => pdfEqual(x, item));
    if (i < 0) {
      a.disallow(obj, role === 'annot'
        ? { zh: `第 ${(page ?? 0) + 1} 页的注释被移除或替换`, en: `an annotation on page ${(page ?? 0) + 1} was removed or replaced` }
        : { zh: '表单域被移除或替换', en: 'a form field was removed or replaced' });
      return;
    }
    remaining.splice(i, 1);
  }
  if (remaining.length > 0) {
    a.allow(obj, 'later-stamp', role === 'annot'
      ? { zh: `第 ${(page ?? 0) + 1} 页增加了签章控件`, en: `page ${(page ?? 0) + 1} gained a stamp widget` }
      : { zh: '表单增加了签名域', en: 'the form gained a signature field' });
    const listedBy = a.ctx.changes[a.ctx.changes.length - 1];
    for (const item of remaining) a.candidates.push({ ref: item, role, page, listedBy });
  } else {
    a.ctx.explain(Number(obj.split(' ')[0]), 'later-stamp');
  }
}

/** The terminal field a widget belongs to in the new revision: itself, its /Parent chain, or a new field listing it in /Kids. */
function terminalField(a: RevisionAnalysis, ref: PdfRef, d: PdfDict): { ref: PdfRef; dict: PdfDict } {
  if (d.has('FT') || d.has('T') || d.has('V')) return { ref, dict: d };
  const parent = d.get('Parent');
  const pd = a.resolveDict(parent, a.r);
  if (parent instanceof PdfRef && pd) return { ref: parent, dict: pd };
  const owner = kidsOwners(a).get(ref.num);
  if (owner) return owner;
  return { ref, dict: d };
}

/** New fields' /Kids, widget number → field: widgets need not point back with /Parent. */
function kidsOwners(a: RevisionAnalysis): Map<number, { ref: PdfRef; dict: PdfDict }> {
  if (a.kidOwners) return a.kidOwners;
  const out = new Map<number, { ref: PdfRef; dict: PdfDict }>();
  for (const c of a.ctx.pending.values()) {
    if (c.kind === 'freed' || !(c.newObj instanceof PdfDict)) continue;
    const kids = a.resolve(c.newObj.get('Kids'), a.r);
    if (kids instanceof PdfArray) for (const k of kids.items) if (k instanceof PdfRef) out.set(k.num, { ref: new PdfRef(c.num, 0), dict: c.newObj });
  }
  a.kidOwners = out;
  return out;
}

/** Why a dictionary is not a widget a stamp may add, if it is not. */
function widgetProblem(d: PdfDict): BilingualText | undefined {
  const sub = d.getName('Subtype');
  if (sub !== 'Widget') {
    return {
      zh: `注释（${sub ?? '无类型'}）冒充签名域（带 /FT /Sig），它不是签章控件`,
      en: `an annotation (${sub ?? 'no subtype'}) dressed up as a signature field (/FT /Sig) is not a stamp widget`,
    };
  }
  for (const k of ['A', 'AA']) if (d.has(k)) return { zh: `签章控件带有动作（/${k}）`, en: `the stamp widget carries an action (/${k})` };
  return undefined;
}

/** The signature dictionary a stamp's field holds must be a new one. */
function signatureValueProblem(a: RevisionAnalysis, field: PdfDict): BilingualText | { rule: RuleName } {
  const v = field.get('V');
  if (!(v instanceof PdfRef)) return { zh: '签名值（/V）不是独立对象', en: 'the signature value (/V) is not an object of its own' };
  if (a.ctx.existedBefore(v.num)) return { zh: `签名值（/V）重新引用了已有对象 ${v.num}`, en: `the signature value (/V) re-references the existing object ${v.num}` };
  const sig = a.resolveDict(v, a.r);
  if (!sig || !(sig.get('Contents') instanceof PdfString) || !(sig.get('ByteRange') instanceof PdfArray)) {
    return { zh: '签名值（/V）不是签名字典', en: 'the signature value (/V) is not a signature dictionary' };
  }
  const type = sig.getName('Type');
  if (type !== undefined && !SIG_TYPES.has(type)) return { zh: `签名值的类型是 /${type}`, en: `the signature value is of type /${type}` };
  const isTimestamp = type === 'DocTimeStamp' || sig.getName('SubFilter') === 'ETSI.RFC3161';
  return { rule: isTimestamp ? 'document-timestamp' : 'later-stamp' };
}

/** Every new annotation or field must be a widget or field of a new stamp. */
export function checkCandidates(a: RevisionAnalysis): void {
  for (const c of a.candidates) {
    const ref = c.ref;
    if (!(ref instanceof PdfRef)) {
      a.disallow(undefined, { zh: '增加了直接写入的注释或表单域', en: 'a direct (unreferenced) annotation or field was added' });
      continue;
    }
    const d = a.resolveDict(ref, a.r);
    const where = c.role === 'annot' ? { zh: `第 ${(c.page ?? 0) + 1} 页`, en: ` on page ${(c.page ?? 0) + 1}` } : { zh: '表单中', en: ' to the form' };
    if (!d) {
      a.disallow(ref.key, { zh: `${where.zh}增加的对象 ${ref.num} 不是字典`, en: `object ${ref.num} added${where.en} is not a dictionary` });
      continue;
    }
    if (a.ctx.existedBefore(ref.num) && !a.signedNow.has(ref.num)) {
      a.disallow(ref.key, { zh: '已有对象被重新引用为签章控件', en: 'an existing object was re-referenced as a stamp widget' });
      continue;
    }
    const field = terminalField(a, ref, d);
    if (a.fieldType(field.dict) !== 'Sig') {
      const sub = d.getName('Subtype') ?? d.getName('FT') ?? '?';
      a.disallow(ref.key, c.role === 'annot'
        ? { zh: `第 ${(c.page ?? 0) + 1} 页增加了注释（${sub}），会遮盖页面内容`, en: `an annotation (${sub}) was added on page ${(c.page ?? 0) + 1}, drawing over the page` }
        : { zh: `增加了非签名表单域（${sub}）`, en: `a form field that is not a signature (${sub}) was added` });
      continue;
    }
    // A widget added to a signature field that was already signed (a second picture under an old seal).
    if (a.ctx.existedBefore(field.ref.num) && !a.signedNow.has(field.ref.num)) {
      const name = fieldName(a, field.dict);
      a.disallow(ref.key, { zh: `已签章的签名域“${name}”被增加了第二个控件`, en: `a second widget was added to signature field "${name}", which was already signed` });
      continue;
    }
    // The field itself is a widget (merged) or lists its widgets in /Kids; either way each must be a widget.
    const isWidget = c.role === 'annot' || field.ref.num === ref.num && (d.getName('Subtype') !== undefined || d.has('Rect') || d.has('AP'));
    const problem = isWidget ? widgetProblem(d) : undefined;
    if (problem) {
      a.disallow(ref.key, problem);
      continue;
    }
    const value = field.dict.get('V') === undefined ? emptyFieldProblem(a, d, isWidget) : signatureValueProblem(a, field.dict);
    if (!('rule' in value)) {
      a.disallow(ref.key, value);
      continue;
    }
    if (c.role === 'field') {
      const kids = a.resolve(field.dict.get('Kids'), a.r);
      const kidProblem = kids instanceof PdfArray ? kids.items.map((k) => a.resolveDict(k, a.r)).map((k) => (k ? widgetProblem(k) : undefined)).find(Boolean) : undefined;
      if (kidProblem) {
        a.disallow(ref.key, kidProblem);
        continue;
      }
    }
    a.ctx.explain(ref.num, value.rule);
    a.ctx.explain(field.ref.num, value.rule);
    if (value.rule === 'document-timestamp' && c.listedBy && a.candidates.filter((x) => x.listedBy === c.listedBy).length === 1) {
      c.listedBy.rule = 'document-timestamp';
      c.listedBy.description = c.role === 'annot'
        ? { zh: `第 ${(c.page ?? 0) + 1} 页增加了文档时间戳的控件`, en: `page ${(c.page ?? 0) + 1} gained the widget of a document timestamp` }
        : { zh: '表单增加了文档时间戳域', en: 'the form gained a document timestamp field' };
    }
    a.ctx.explainTree(ref, value.rule);
    if (field.ref.num !== ref.num && !a.ctx.existedBefore(field.ref.num)) a.ctx.explainTree(field.ref, value.rule);
  }
}

/**
 * A new signature field left empty for a later signer (pyHanko addfields, Acrobat's "prepare
 * form"): allowed when its widget draws nothing — no appearance, or a zero-size rectangle — since
 * an empty field's appearance could paint anything over the signed page.
 */
function emptyFieldProblem(a: RevisionAnalysis, d: PdfDict, isWidget: boolean): BilingualText | { rule: RuleName } {
  if (!isWidget) return { rule: 'later-stamp' };
  const rect = a.resolve(d.get('Rect'), a.r);
  const nums = rect instanceof PdfArray ? rect.items.map((x) => a.resolve(x, a.r)) : [];
  const zero = nums.length === 4 && nums.every((x) => typeof x === 'number') && ((nums[0] as number) === (nums[2] as number) || (nums[1] as number) === (nums[3] as number));
  if (d.get('AP') === undefined || zero) return { rule: 'later-stamp' };
  return { zh: '新增的空签名域带有外观，会在页面上显示内容', en: 'a new empty signature field carries an appearance that draws on the page' };
}

function fieldName(a: RevisionAnalysis, d: PdfDict): string {
  const t = a.resolve(d.get('T'), a.r);
  return t instanceof PdfString ? t.text() : '?';
}

/**
 * A signature field prepared empty before the earlier stamp and signed now: the field gains its
 * /V (a new signature dictionary), and its widget — the field itself or a separate kid — a new
 * appearance, or its old appearance rewritten in place when nothing else uses it.
 */
export function signPreparedField(a: RevisionAnalysis, obj: string, num: number, role: FormRole | undefined, oldObj: PdfObject, newObj: PdfObject): boolean {
  if (!(oldObj instanceof PdfDict) || !(newObj instanceof PdfDict)) return false;
  // Only a field of the signed revision's form: an orphan field-widget planted outside the form
  // would bring its planted appearance onto the page when "signed".
  if (role?.kind === 'sig-field') {
    if (oldObj.get('V') !== undefined || newObj.get('V') === undefined) return false;
    const keys = changedKeys(oldObj, newObj);
    const widgetKeys = role?.kind === 'sig-field' && !role.isWidget ? [] : ['AP', 'AS'];
    const bad = keys.filter((k) => k !== 'V' && !widgetKeys.includes(k) && !(k === 'F' && isPrintFlagOnly(oldObj, newObj)) && !isModDate(k, newObj));
    const name = fieldName(a, newObj);
    if (bad.length > 0) {
      a.disallow(obj, { zh: `签名域“${name}”签章时被修改（${bad.map((k) => `/${k}`).join(' ')})`, en: `signature field "${name}" changed when signed (${bad.map((k) => `/${k}`).join(' ')})` });
      return true;
    }
    const value = signatureValueProblem(a, newObj);
    if (!('rule' in value)) {
      a.disallow(obj, value);
      return true;
    }
    const apProblem = keys.includes('AP') ? appearanceProblem(a, oldObj.get('AP'), newObj.get('AP'), 'sign-prepared-field', num) : undefined;
    if (apProblem) {
      a.disallow(obj, { zh: `签名域“${name}”的外观：${apProblem.zh}`, en: `signature field "${name}": ${apProblem.en}` });
      return true;
    }
    a.signedNow.add(num);
    a.ctx.explainTree(newObj.get('V'), 'sign-prepared-field');
    a.allow(obj, value.rule === 'document-timestamp' ? 'document-timestamp' : 'sign-prepared-field', { zh: `空签名域“${name}”被签章`, en: `the empty signature field "${name}" was signed` });
    return true;
  }
  return false;
}

/** Widgets and appearances of a prepared field signed in this revision (judged after the fields). */
export function preparedFieldPart(a: RevisionAnalysis, obj: string, num: number, role: FormRole, oldObj: PdfObject, newObj: PdfObject): boolean {
  if (role.kind !== 'sig-widget' && role.kind !== 'appearance') return false;
  const field = role.field;
  if (field.type !== 'Sig' || field.signed || field.num === undefined || !a.signedNow.has(field.num)) return false;
  if (role.kind === 'appearance') {
    appearanceRewritten(a, obj, num, role, oldObj, newObj, 'sign-prepared-field');
    return true;
  }
  if (!(oldObj instanceof PdfDict) || !(newObj instanceof PdfDict)) return false;
  const keys = changedKeys(oldObj, newObj);
  const bad = keys.filter((k) => k !== 'AP' && k !== 'AS' && !(k === 'F' && isPrintFlagOnly(oldObj, newObj)) && !isModDate(k, newObj));
  if (bad.length > 0) {
    a.disallow(obj, { zh: `签名域“${field.name}”的控件被修改（${bad.map((k) => `/${k}`).join(' ')})`, en: `the widget of signature field "${field.name}" changed (${bad.map((k) => `/${k}`).join(' ')})` });
    return true;
  }
  const problem = keys.includes('AP') ? appearanceProblem(a, oldObj.get('AP'), newObj.get('AP'), 'sign-prepared-field', num) : undefined;
  if (problem) {
    a.disallow(obj, { zh: `签名域“${field.name}”的控件外观：${problem.zh}`, en: `the widget of signature field "${field.name}": ${problem.en}` });
    return true;
  }
  a.ctx.explain(num, 'sign-prepared-field');
  return true;
}

/** An annotation's /M (its modification date, a text string): poppler's pdfsig sets it when it signs. */
function isModDate(key: string, d: PdfDict): boolean {
  return key === 'M' && d.get('M') instanceof PdfString;
}

/** Signers set the print and locked flags when they sign a field: /F changing only by bits 3 (print) and 8 (locked). */
function isPrintFlagOnly(o: PdfDict, n: PdfDict): boolean {
  const of = o.get('F');
  const nf = n.get('F');
  const ov = typeof of === 'number' ? of : 0;
  const nv = typeof nf === 'number' ? nf : 0;
  return ((ov ^ nv) & ~(4 | 128)) === 0;
}


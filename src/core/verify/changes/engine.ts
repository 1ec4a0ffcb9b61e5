import type { Modification } from '../../../api/verification-report';
import type { PdfDocument } from '../../pdf/document';
import { PdfDict, PdfRef, type PdfObject } from '../../pdf/objects';
import { changedKeys, pdfEqual } from '../pdf-equality';
import { RevisionAnalysis } from './analysis';
import { keyList } from './context';
import { checkPlantedReferences, explainTrees, judgeLeftovers, trailerChange } from './file-structure';
import { entriesGrowProblem, formObjectChange, resourcesDictProblem, settleFormSupport } from './form-filling';
import { checkCandidates, growth, preparedFieldPart, signPreparedField } from './later-stamps';
import { RULE_LEVEL, isRuleName } from './rule-names';
import { acroFormDictChange, catalogChange, catalogSubtrees, infoChange } from './signer-bookkeeping';

/**
 * Change analysis as a policy of named rules (the manner of pyHanko's difference analysis). For
 * each incremental update, every object it changed, added or freed must be explained by a rule —
 * later stamps, form filling, signer bookkeeping, DSS, xref and object-stream bookkeeping, null
 * and unused objects — judged by what the object was and is used for (a page, its content and
 * resources, a field, a widget's appearance, a catalog entry), never by its own /Type. What no
 * rule explains is a modification that invalidates every stamp made before it. Each allowed
 * change names its rule; a stamp's modification level is the highest level among them.
 *
 * Objects are compared as parsed (pdfEqual), so a writer that re-saves an object unchanged is fine.
 */
export function analyseRevisions(doc: PdfDocument): Modification[][] {
  const out: Modification[][] = [[]];
  for (let r = 1; r < doc.revisions.length; r++) {
    try {
      out.push(analyseRevision(doc, r));
    } catch {
      // A later revision that cannot even be read is not an allowed change.
      out.push([{ revision: r, kind: 'disallowed', description: { zh: `第 ${r + 1} 个版本无法读取`, en: `revision ${r + 1} cannot be read` } }]);
    }
  }
  return out;
}

function analyseRevision(doc: PdfDocument, r: number): Modification[] {
  const a = new RevisionAnalysis(doc, r);
  trailerChange(a);
  infoChange(a);
  // Fields first (a prepared field signed now), then the widgets and appearances that depend on it.
  const deferred: Array<{ num: number; oldObj: PdfObject; newObj: PdfObject }> = [];
  for (const c of a.ctx.pending.values()) {
    if (c.kind !== 'changed' || a.ctx.explainedBy.has(c.num) || a.ctx.rejected.has(c.num)) continue;
    const role = a.form().roles.get(c.num);
    if (role?.kind === 'sig-widget' || (role?.kind === 'appearance' && role.field.type === 'Sig')) {
      deferred.push({ num: c.num, oldObj: c.oldObj!, newObj: c.newObj! });
      continue;
    }
    classifyChange(a, c.num, c.oldObj!, c.newObj!);
  }
  for (const d of deferred) {
    const role = a.form().roles.get(d.num)!;
    if (!preparedFieldPart(a, `${d.num} 0`, d.num, role, d.oldObj, d.newObj)) formObjectChange(a, `${d.num} 0`, d.num, role, d.oldObj, d.newObj);
  }
  catalogSubtrees(a);
  checkCandidates(a);
  settleFormSupport(a);
  explainTrees(a);
  checkPlantedReferences(a);
  judgeLeftovers(a);
  checkCertification(a);
  return a.ctx.changes;
}

/** A changed object of the signed revision, judged by what it was used for there. */
function classifyChange(a: RevisionAnalysis, num: number, oldObj: PdfObject, newObj: PdfObject): void {
  const o = a.old;
  const obj = `${num} 0`;
  if (num === o.rootNum && oldObj instanceof PdfDict && newObj instanceof PdfDict) {
    catalogChange(a, obj, oldObj, newObj);
    return;
  }
  if (num === o.acroNum && oldObj instanceof PdfDict && newObj instanceof PdfDict) {
    acroFormDictChange(a, obj, oldObj, newObj);
    return;
  }
  if (num === o.fieldsNum) {
    growth(a, obj, oldObj, newObj, 'field');
    return;
  }
  const form = a.form();
  // An indirect /DR (or its /Font) that is not also a page's resources: fonts for field appearances.
  if ((num === form.drNum || num === form.drFontNum) && !o.resourceByNum.has(num) && oldObj instanceof PdfDict && newObj instanceof PdfDict) {
    const problem = num === form.drNum ? resourcesDictProblem(a, oldObj, newObj) : entriesGrowProblem(a, oldObj, newObj);
    if (problem) a.disallow(obj, { zh: `表单的默认资源（/DR）被修改：${problem.zh}`, en: `the form's default resources (/DR) changed: ${problem.en}` });
    else a.allow(obj, 'signer-bookkeeping', { zh: '表单的默认资源（/DR）增加了字体', en: "the form's default resources (/DR) gained fonts" });
    return;
  }
  const page = o.pageByNum.get(num);
  if (page !== undefined && oldObj instanceof PdfDict && newObj instanceof PdfDict) {
    const bad = changedKeys(oldObj, newObj).filter((k) => k !== 'Annots');
    if (bad.length > 0) {
      a.disallow(obj, { zh: `第 ${page + 1} 页被修改（${keyList(bad)}）`, en: `page ${page + 1} changed (${keyList(bad)})` });
      return;
    }
    const oldAnnots = oldObj.get('Annots');
    const newAnnots = newObj.get('Annots');
    if (newAnnots instanceof PdfRef && !pdfEqual(oldAnnots, newAnnots)) {
      // /Annots moved into an array object of its own (Acrobat does): a new object, never an existing one.
      if (a.ctx.existedBefore(newAnnots.num)) {
        a.disallow(obj, { zh: `第 ${page + 1} 页的注释列表（/Annots）重新引用了已有对象 ${newAnnots.num}`, en: `the annotation list (/Annots) of page ${page + 1} re-references the existing object ${newAnnots.num}` });
        return;
      }
      a.ctx.explain(newAnnots.num, 'later-stamp');
    }
    growth(a, obj, a.resolve(oldAnnots, a.prev), a.resolve(newAnnots, a.r), 'annot', page);
    return;
  }
  const annotsPage = o.annotsByNum.get(num);
  if (annotsPage !== undefined) {
    growth(a, obj, oldObj, newObj, 'annot', annotsPage);
    return;
  }
  const role = form.roles.get(num);
  if (signPreparedField(a, obj, num, role, oldObj, newObj)) return;
  if (role) formObjectChange(a, obj, num, role, oldObj, newObj);
  // Anything else stays unexplained: judged with the leftovers.
}

/**
 * A certification with DocMDP P=1 forbids every change after it but validation data (DSS and
 * document timestamps, as PAdES allows): later stamps and form filling included.
 */
function checkCertification(a: RevisionAnalysis): void {
  const by = a.form().noChangesBy;
  if (by === undefined) return;
  const forbidden = a.ctx.changes.some((m) => m.kind === 'allowed' && isRuleName(m.rule) && RULE_LEVEL[m.rule] !== 'none' && RULE_LEVEL[m.rule] !== 'ltv');
  if (!forbidden) return;
  a.disallow(undefined, { zh: `签名域“${by}”的认证签章禁止任何修改（DocMDP P=1）`, en: `the certification in signature field "${by}" forbids any change (DocMDP P=1)` });
}

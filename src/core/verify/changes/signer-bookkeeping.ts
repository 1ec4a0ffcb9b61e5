import type { BilingualText } from '../../../api/verification-report';
import { PdfArray, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from '../../pdf/objects';
import { changedKeys, pdfEqual } from '../pdf-equality';
import type { RevisionAnalysis } from './analysis';
import { keyList, typeName } from './context';
import { resourcesProblem } from './form-filling';
import { growth } from './later-stamps';
import type { RuleName } from './rule-names';

/**
 * Rules "signer-bookkeeping", "document-info", "acroform-indirect" and "dss": what signers write
 * besides the signature itself, none of which draws anything. The catalog's /Extensions,
 * /Version, /Metadata (XMP) and /MarkInfo; the trailer's /Info dictionary (ModDate, Producer);
 * a direct /AcroForm moved into an object of its own, with the same content; /DA and /DR added
 * to the AcroForm; the Document Security Store (/DSS) for long-term validation. Each object such
 * a rule accepts must be used only where the rule says (an XMP stream also used as page content,
 * an /Extensions dictionary also reachable under another catalog key, is a modification: pyHanko
 * checks every path to an updated object the same way).
 */

/** Catalog keys signers update; what each may hold is checked below. */
const CATALOG_BOOKKEEPING = new Set(['Extensions', 'Version', 'Metadata', 'MarkInfo']);

/** The catalog (the previous revision's /Root object) changed. */
export function catalogChange(a: RevisionAnalysis, obj: string, oldCat: PdfDict, newCat: PdfDict): void {
  const keys = changedKeys(oldCat, newCat);
  const bad = keys.filter((k) => k !== 'AcroForm' && k !== 'DSS' && !CATALOG_BOOKKEEPING.has(k));
  if (bad.length > 0) {
    a.disallow(obj, { zh: `文档目录被修改（${keyList(bad)}）`, en: `the document catalog changed (${keyList(bad)})` });
    return;
  }
  const num = Number(obj.split(' ')[0]);
  a.ctx.explain(num, 'signer-bookkeeping');
  for (const k of keys) a.catalogKeysHandled.add(k);
  const book = keys.filter((k) => CATALOG_BOOKKEEPING.has(k));
  if (book.length > 0) {
    const problem = book.map((k) => catalogEntryProblem(a, num, k, oldCat.get(k), newCat.get(k))).find(Boolean);
    if (problem) a.disallow(obj, { zh: `文档目录的 ${keyList(book)} 被修改：${problem.zh}`, en: `the document catalog's ${keyList(book)} changed: ${problem.en}` });
    else a.allow(obj, 'signer-bookkeeping', { zh: `签章软件更新了文档目录的 ${keyList(book)}`, en: `the signer updated the catalog's ${keyList(book)}` });
  }
  if (keys.includes('DSS')) dssChange(a, obj, num, oldCat.get('DSS'), newCat.get('DSS'));
  if (keys.includes('AcroForm')) acroFormChange(a, obj, oldCat.get('AcroForm'), newCat.get('AcroForm'));
}

/**
 * Objects under an unchanged catalog entry, rewritten in place: an indirect XMP stream, an
 * indirect /Extensions or /DSS dictionary (or its arrays) updated by a later signer.
 */
export function catalogSubtrees(a: RevisionAnalysis): void {
  const root = a.ctx.doc.revisions[a.r]!.trailer.get('Root');
  const cat = a.resolveDict(root, a.r);
  if (!(root instanceof PdfRef) || !cat) return;
  for (const key of ['Extensions', 'Metadata', 'MarkInfo', 'DSS']) {
    const v = cat.get(key);
    if (v === undefined || a.catalogKeysHandled.has(key) || !treeTouched(a, v)) continue;
    const obj = `${root.num} 0`;
    if (key === 'DSS') {
      dssChange(a, obj, root.num, v, v);
      continue;
    }
    const problem = catalogEntryProblem(a, root.num, key, v, v);
    if (problem) a.disallow(obj, { zh: `文档目录的 /${key} 被修改：${problem.zh}`, en: `the document catalog's /${key} changed: ${problem.en}` });
    else a.allow(obj, 'signer-bookkeeping', { zh: `签章软件更新了文档目录的 /${key}`, en: `the signer updated the catalog's /${key}` });
  }
}

/** Whether any object this revision wrote lies under `top` (through references). */
function treeTouched(a: RevisionAnalysis, top: PdfObject): boolean {
  let touched = false;
  walkTree(a, top, (num) => { if (a.ctx.pending.has(num) && !a.ctx.explainedBy.has(num)) touched = true; });
  return touched;
}

function walkTree(a: RevisionAnalysis, top: PdfObject, fn: (num: number) => void): Set<number> {
  const tree = new Set<number>();
  const stack: PdfObject[] = [top];
  while (stack.length > 0 && tree.size < 10_000) {
    const o = stack.pop()!;
    if (o instanceof PdfRef) {
      if (tree.has(o.num)) continue;
      tree.add(o.num);
      fn(o.num);
      const v = a.resolve(o, a.r);
      if (v !== undefined) stack.push(v);
    } else if (o instanceof PdfArray) stack.push(...o.items);
    else if (o instanceof PdfDict) stack.push(...o.entries.values());
    else if (o instanceof PdfStream) stack.push(o.dict);
  }
  return tree;
}

function catalogEntryProblem(a: RevisionAnalysis, catNum: number, key: string, _old: PdfObject | undefined, now: PdfObject | undefined): BilingualText | undefined {
  if (now === undefined) return key === 'Metadata' || key === 'MarkInfo' ? undefined : { zh: `/${key} 被删除`, en: `/${key} was removed` };
  switch (key) {
    case 'Version':
      return now instanceof PdfName ? undefined : { zh: '/Version 不是名称', en: '/Version is not a name' };
    case 'Metadata': {
      if (!(now instanceof PdfRef)) return { zh: '/Metadata 不是独立对象', en: '/Metadata is not an object of its own' };
      const s = a.resolve(now, a.r);
      if (!(s instanceof PdfStream) || s.dict.getName('Subtype') !== 'XML') return { zh: '/Metadata 不是 XML 元数据流', en: '/Metadata is not an XML metadata stream' };
      return ownedObjects(a, now, catNum, 'Metadata', 'signer-bookkeeping');
    }
    case 'MarkInfo':
    case 'Extensions': {
      const d = a.resolve(now, a.r);
      if (!(d instanceof PdfDict)) return { zh: `/${key} 不是字典`, en: `/${key} is not a dictionary` };
      if (key === 'MarkInfo') {
        const badKey = [...d.entries].find(([, v]) => typeof v !== 'boolean');
        return badKey ? { zh: `/MarkInfo /${badKey[0]} 不是布尔值`, en: `/MarkInfo /${badKey[0]} is not a boolean` } : ownedObjects(a, now, catNum, key, 'signer-bookkeeping');
      }
      const bad = extensionsProblem(a, d);
      return bad ?? ownedObjects(a, now, catNum, key, 'signer-bookkeeping');
    }
    default:
      return { zh: `/${key}`, en: `/${key}` };
  }
}

/** /Extensions: developer prefix → extension dictionary (or array of them), each /BaseVersion /ExtensionLevel. */
function extensionsProblem(a: RevisionAnalysis, d: PdfDict): BilingualText | undefined {
  for (const [prefix, v] of d.entries) {
    if (prefix === 'Type') continue;
    const target = a.resolve(v, a.r);
    const items = target instanceof PdfArray ? target.items.map((x) => a.resolve(x, a.r)) : [target];
    for (const e of items) {
      if (!(e instanceof PdfDict) || !(e.get('BaseVersion') instanceof PdfName)) {
        return { zh: `/Extensions /${prefix} 不是扩展声明`, en: `/Extensions /${prefix} is not an extension declaration` };
      }
    }
  }
  return undefined;
}

/**
 * The objects under a catalog (or trailer) entry, reached through references, must be used only
 * from there: every object the new revision wrote among them is claimed for `rule`, and each one
 * that existed before must have had (and still have) no other referrer outside the entry.
 */
function ownedObjects(a: RevisionAnalysis, top: PdfObject, ownerNum: number, key: string, rule: RuleName): BilingualText | undefined {
  const tree = walkTree(a, top, () => undefined);
  for (const num of tree) {
    if (!a.ctx.pending.has(num)) continue; // unchanged objects stay what they were
    for (const index of [a.ctx.oldReferrers(), a.ctx.newReferrers()]) {
      const others = (index.get(num) ?? []).filter((n) => !tree.has(n) && n !== ownerNum);
      if (others.length > 0) {
        const who = others[0] === 0 ? { zh: '文件尾（trailer）', en: 'the trailer' } : { zh: `对象 ${others[0]}`, en: `object ${others[0]}` };
        return { zh: `对象 ${num} 还被${who.zh}使用`, en: `object ${num} is also used by ${who.en}` };
      }
      // Referred to by the owner under another key (e.g. the catalog's /DontOverrideMe).
      const ownerObj = ownerNum === 0 ? a.ctx.doc.revisions[index === a.ctx.oldReferrers() ? a.prev : a.r]!.trailer
        : a.ctx.objectAt(ownerNum, index === a.ctx.oldReferrers() ? a.prev : a.r);
      const od = ownerObj instanceof PdfDict ? ownerObj : undefined;
      const otherKeys = od ? [...od.entries].filter(([k, v]) => k !== key && refersTo(v, num)).map(([k]) => k) : [];
      if (otherKeys.length > 0) {
        return { zh: `对象 ${num} 还以 ${keyList(otherKeys)} 被使用`, en: `object ${num} is also used as ${keyList(otherKeys)}` };
      }
    }
    a.ctx.explain(num, rule);
  }
  return undefined;
}

function refersTo(o: PdfObject | undefined, num: number, depth = 0): boolean {
  if (depth > 20 || o === undefined) return false;
  if (o instanceof PdfRef) return o.num === num;
  if (o instanceof PdfArray) return o.items.some((x) => refersTo(x, num, depth + 1));
  if (o instanceof PdfDict) return [...o.entries.values()].some((x) => refersTo(x, num, depth + 1));
  return false;
}

/** The trailer's /Info: a dictionary of text entries, used by nothing but the trailer. */
export function infoChange(a: RevisionAnalysis): void {
  const oldInfo = a.ctx.doc.revisions[a.prev]!.trailer.get('Info');
  const newInfo = a.ctx.doc.revisions[a.r]!.trailer.get('Info');
  const num = newInfo instanceof PdfRef ? newInfo.num : undefined;
  const touched = num !== undefined && a.ctx.pending.has(num);
  if (pdfEqual(oldInfo, newInfo) && !touched) return;
  if (newInfo === undefined) return; // dropping /Info from the trailer hides nothing
  const obj = num !== undefined ? `${num} 0` : undefined;
  const problem = infoProblem(a, oldInfo, newInfo);
  if (problem) {
    a.disallow(obj, { zh: `文档信息（/Info）被修改：${problem.zh}`, en: `the document information (/Info) changed: ${problem.en}` });
    return;
  }
  a.allow(obj, 'document-info', { zh: '签章软件更新了文档信息（/Info，如修改日期）', en: 'the signer updated the document information (/Info, e.g. its modification date)' });
}

function infoProblem(a: RevisionAnalysis, oldInfo: PdfObject | undefined, newInfo: PdfObject): BilingualText | undefined {
  if (!(newInfo instanceof PdfRef)) return newInfo instanceof PdfDict ? textEntriesProblem(a, newInfo) : { zh: `它是 ${typeName(newInfo)}`, en: `it is ${typeName(newInfo)}` };
  if (!pdfEqual(oldInfo, newInfo) && a.ctx.existedBefore(newInfo.num)) {
    return { zh: `它重新引用了已有对象 ${newInfo.num}`, en: `it re-references the existing object ${newInfo.num}` };
  }
  const d = a.resolve(newInfo, a.r);
  if (d instanceof PdfStream) return { zh: `它被替换为数据流（${typeName(d)}）`, en: `it was replaced by a stream (${typeName(d)})` };
  if (!(d instanceof PdfDict)) return { zh: `它被替换为 ${typeName(d)}`, en: `it was replaced by ${typeName(d)}` };
  return textEntriesProblem(a, d) ?? ownedObjects(a, newInfo, 0, 'Info', 'document-info');
}

/** /Info holds text strings, names and dates (strings); anything else is not document information. */
function textEntriesProblem(a: RevisionAnalysis, d: PdfDict): BilingualText | undefined {
  for (const [k, v] of d.entries) {
    const target = v instanceof PdfRef && !a.ctx.existedBefore(v.num) ? a.resolve(v, a.r) : v;
    if (!(target instanceof PdfString || target instanceof PdfName || typeof target === 'number' || typeof target === 'boolean' || target === null)) {
      return { zh: `/${k} 不是文本`, en: `/${k} is not text` };
    }
  }
  return undefined;
}

/** The catalog's /AcroForm entry changed. */
export function acroFormChange(a: RevisionAnalysis, obj: string, oldA: PdfObject | undefined, newA: PdfObject | undefined): void {
  if (pdfEqual(oldA, newA)) return;
  if (oldA === undefined && newA instanceof PdfRef && !a.ctx.existedBefore(newA.num)) {
    // A new AcroForm object: its fields are checked as new fields.
    a.ctx.explain(newA.num, 'later-stamp');
    const acro = a.resolveDict(newA, a.r);
    if (acro) {
      const fields = a.resolve(acro.get('Fields'), a.r);
      if (fields instanceof PdfArray) for (const f of fields.items) a.candidates.push({ ref: f, role: 'field' });
      const fr = acro.get('Fields');
      if (fr instanceof PdfRef && !a.ctx.existedBefore(fr.num)) a.ctx.explain(fr.num, 'later-stamp');
      formDefaultsProblem(a, `${newA.num} 0`, undefined, acro);
    }
    a.allow(obj, 'later-stamp', { zh: '新建表单（AcroForm）以容纳签章', en: 'an AcroForm was created for a stamp' });
    return;
  }
  if (oldA instanceof PdfDict && newA instanceof PdfDict) {
    acroFormDictChange(a, obj, oldA, newA);
    return;
  }
  if (oldA instanceof PdfDict && newA instanceof PdfRef && !a.ctx.existedBefore(newA.num)) {
    // A direct AcroForm moved into an object of its own (SealDesk and others write indirect ones).
    const d = a.resolveDict(newA, a.r);
    if (!d) {
      a.disallow(obj, { zh: '表单（AcroForm）被替换为非字典', en: 'the AcroForm was replaced by something that is not a dictionary' });
      return;
    }
    const ref = `${newA.num} 0`;
    a.allow(ref, 'acroform-indirect', { zh: '直接写在目录中的表单（AcroForm）移入独立对象，内容不变', en: 'the AcroForm written directly in the catalog moved into an object of its own, content unchanged' });
    acroFormDictChange(a, ref, oldA, d);
    return;
  }
  a.disallow(obj, { zh: '表单（AcroForm）被替换', en: 'the AcroForm was replaced' });
}

/** The AcroForm dictionary itself changed. */
export function acroFormDictChange(a: RevisionAnalysis, obj: string, oldD: PdfDict, newD: PdfDict): void {
  const keys = changedKeys(oldD, newD);
  const bad = keys.filter((k) => !['Fields', 'SigFlags', 'NeedAppearances', 'DR', 'DA'].includes(k));
  if (bad.length > 0) {
    a.disallow(obj, { zh: `表单（AcroForm）被修改（${keyList(bad)}）`, en: `the AcroForm changed (${keyList(bad)})` });
    return;
  }
  a.ctx.explain(Number(obj.split(' ')[0]), 'later-stamp');
  const sigFlags = newD.get('SigFlags');
  if (keys.includes('SigFlags') && sigFlags !== undefined && typeof sigFlags !== 'number') {
    a.disallow(obj, { zh: '/SigFlags 不是数字', en: '/SigFlags is not a number' });
    return;
  }
  if (!formDefaultsProblem(a, obj, oldD, newD)) return;
  const oldF = oldD.get('Fields');
  const newF = newD.get('Fields');
  if (pdfEqual(oldF, newF)) return;
  if (oldF instanceof PdfRef && newF instanceof PdfRef) {
    a.disallow(obj, { zh: '表单域列表被重新引用', en: 'the form field list was re-referenced' });
    return;
  }
  if (newF instanceof PdfRef && !a.ctx.existedBefore(newF.num)) a.ctx.explain(newF.num, 'later-stamp');
  growth(a, obj, a.resolve(oldF, a.prev), a.resolve(newF, a.r), 'field');
}

/**
 * /DA and /DR added, and /DR fonts added, render nothing by themselves (signers add them with
 * the first field): "signer-bookkeeping". A changed /DA and /NeedAppearances change how existing
 * fields look in a viewer that regenerates appearances: allowed only with a fill in the same
 * revision ("form-resources"). Returns false when it reported a problem.
 */
function formDefaultsProblem(a: RevisionAnalysis, obj: string, oldD: PdfDict | undefined, newD: PdfDict): boolean {
  const keys = oldD ? changedKeys(oldD, newD) : [...newD.keys()].filter((k) => k === 'DA' || k === 'DR');
  const da = newD.get('DA');
  if (keys.includes('DA') && da !== undefined && !(a.resolve(da, a.r) instanceof PdfString)) {
    a.disallow(obj, { zh: '表单的 /DA 不是字符串', en: "the AcroForm's /DA is not a string" });
    return false;
  }
  const needAppearances = newD.get('NeedAppearances');
  if (keys.includes('NeedAppearances') && needAppearances !== undefined && typeof needAppearances !== 'boolean') {
    a.disallow(obj, { zh: '表单（AcroForm）被修改（/NeedAppearances）:/NeedAppearances 不是布尔值', en: 'the AcroForm changed (/NeedAppearances): /NeedAppearances is not a boolean' });
    return false;
  }
  if (keys.includes('DR')) {
    const problem = resourcesProblem(a, oldD?.get('DR'), newD.get('DR'));
    if (problem) {
      a.disallow(obj, { zh: `表单（AcroForm）被修改（/DR）：${problem.zh}`, en: `the AcroForm changed (/DR): ${problem.en}` });
      return false;
    }
  }
  // With a regenerating change in the same update, the new resources go with it (allowed only with a fill).
  const regenerating = keys.some((k) => k === 'NeedAppearances' || (k === 'DA' && oldD?.get('DA') !== undefined));
  const added = regenerating ? [] : keys.filter((k) => (k === 'DR' || (k === 'DA' && oldD?.get('DA') === undefined)));
  if (added.length > 0) a.allow(obj, 'signer-bookkeeping', { zh: `表单（AcroForm）增加了默认外观资源 ${keyList(added)}`, en: `the AcroForm gained default appearance resources ${keyList(added)}` });
  const support = regenerating ? keys.filter((k) => k === 'NeedAppearances' || k === 'DA' || k === 'DR') : [];
  if (support.length > 0) {
    a.formSupport.push({ object: obj, description: { zh: `表单（AcroForm）的 ${keyList(support)} 为显示填写的内容而更新`, en: `the AcroForm's ${keyList(support)} updated to show filled-in values` } });
  }
  return true;
}

/** Keys of a DSS and of its /VRI entries. */
const DSS_KEYS = new Set(['Type', 'Certs', 'OCSPs', 'CRLs', 'VRI']);
const VRI_KEYS = new Set(['Type', 'Cert', 'OCSP', 'CRL', 'TU', 'TS']);

/**
 * /DSS: certificates, OCSP responses and CRLs as streams, listed in arrays and per-signature
 * /VRI dictionaries. Every object under it that this revision wrote is claimed for "dss" if only
 * the DSS uses it; a DSS array that is also a page's content list, say, is a modification.
 */
function dssChange(a: RevisionAnalysis, obj: string, catNum: number, _old: PdfObject | undefined, now: PdfObject | undefined): void {
  if (now === undefined) {
    a.disallow(obj, { zh: '文档安全存储（/DSS）被删除', en: 'the Document Security Store (/DSS) was removed' });
    return;
  }
  const problem = dssShapeProblem(a, now) ?? ownedObjects(a, now, catNum, 'DSS', 'dss');
  if (problem) {
    a.disallow(obj, { zh: `文档安全存储（/DSS）被修改：${problem.zh}`, en: `the Document Security Store (/DSS) changed: ${problem.en}` });
    return;
  }
  a.allow(obj, 'dss', { zh: '增加或更新了长期验证数据（/DSS）', en: 'long-term validation data (/DSS) was added or updated' });
}

function dssShapeProblem(a: RevisionAnalysis, dssRef: PdfObject): BilingualText | undefined {
  const dss = a.resolve(dssRef, a.r);
  if (!(dss instanceof PdfDict)) return { zh: '/DSS 不是字典', en: '/DSS is not a dictionary' };
  const streamsOnly = (o: PdfObject | undefined, what: string): BilingualText | undefined => {
    if (o === undefined) return undefined;
    const arr = a.resolve(o, a.r);
    if (!(arr instanceof PdfArray)) return { zh: `${what} 不是数组`, en: `${what} is not an array` };
    for (const x of arr.items) if (!(a.resolve(x, a.r) instanceof PdfStream)) return { zh: `${what} 中有非数据流的项`, en: `${what} holds an item that is not a data stream` };
    return undefined;
  };
  for (const [k, v] of dss.entries) {
    if (!DSS_KEYS.has(k)) return { zh: `/DSS 含有 /${k}`, en: `/DSS has /${k}` };
    if (k === 'Type') continue;
    if (k !== 'VRI') {
      const p = streamsOnly(v, `/DSS /${k}`);
      if (p) return p;
      continue;
    }
    const vri = a.resolve(v, a.r);
    if (!(vri instanceof PdfDict)) return { zh: '/VRI 不是字典', en: '/VRI is not a dictionary' };
    for (const [hash, entry] of vri.entries) {
      if (hash === 'Type') continue;
      const e = a.resolve(entry, a.r);
      if (!(e instanceof PdfDict)) return { zh: `/VRI /${hash} 不是字典`, en: `/VRI /${hash} is not a dictionary` };
      for (const [ek, ev] of e.entries) {
        if (!VRI_KEYS.has(ek)) return { zh: `/VRI 项含有 /${ek}`, en: `a /VRI entry has /${ek}` };
        if (ek === 'Cert' || ek === 'OCSP' || ek === 'CRL') {
          const p = streamsOnly(ev, `/VRI /${ek}`);
          if (p) return p;
        }
      }
    }
  }
  return undefined;
}

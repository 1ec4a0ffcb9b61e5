import type { BilingualText } from '../../../api/verification-report';
import { PdfArray, PdfDict, PdfRef, PdfStream, type PdfObject } from '../../pdf/objects';
import { pdfEqual } from '../pdf-equality';
import type { RevisionAnalysis } from './analysis';
import { MAX_WALK, keyList, typeName } from './context';

/**
 * Rules "xref-bookkeeping", "null-object" and "unused-object", and the engine's last word on
 * every object no other rule claimed. A cross-reference stream or an object stream is allowed
 * because of where it sits — the revision's xref offset, the container of this revision's
 * compressed objects — and because nothing refers to it, never because it says /Type /XRef or
 * /Type /ObjStm: a page's content stream relabelled /XRef is still the page's content, and a
 * "new object stream" filling a reference the signed revision already held (planted before
 * stamping) comes to life wherever that reference sits. An object nothing refers to, in the
 * signed revision or the new one, renders nothing; a new null object reads like the missing
 * object it replaces. Everything else is a modification, named by what the object is used for.
 */

/** Trailer keys a writer sets for its own bookkeeping. */
const TRAILER_BOOKKEEPING = new Set(['Size', 'Prev', 'ID', 'Info', 'Root', 'XRefStm', 'Type', 'W', 'Index', 'Filter', 'DecodeParms', 'Length', 'DL', 'DocChecksum']);

export function trailerChange(a: RevisionAnalysis): void {
  const oldT = a.ctx.doc.revisions[a.prev]!.trailer;
  const newT = a.ctx.doc.revisions[a.r]!.trailer;
  if (!pdfEqual(oldT.get('Root'), newT.get('Root'))) {
    a.disallow(undefined, { zh: '文档目录（/Root）被替换', en: 'the document catalog (/Root) was replaced' });
  }
  const keys = new Set([...oldT.keys(), ...newT.keys()]);
  const bad = [...keys].filter((k) => !TRAILER_BOOKKEEPING.has(k) && !pdfEqual(oldT.get(k), newT.get(k)));
  if (bad.length > 0) a.disallow(undefined, { zh: `文件尾（trailer）被修改（${keyList(bad)}）`, en: `the trailer changed (${keyList(bad)})` });
}

/** Explains new objects reachable (through new objects only) from the roots the rules gave. */
export function explainTrees(a: RevisionAnalysis): void {
  const ctx = a.ctx;
  // The same root under the same rule is walked once: a stamp with 300 widgets names its field as
  // the root of each, and walking the field (all its kids) 300 times would be quadratic.
  const walked = new Set<string>();
  for (const { obj, rule } of ctx.roots) {
    if (obj instanceof PdfRef) {
      const key = `${obj.num}/${rule}`;
      if (walked.has(key)) continue;
      walked.add(key);
    }
    const stack: PdfObject[] = [obj];
    const seen = new Set<number>();
    let steps = 0;
    while (stack.length > 0 && steps++ < MAX_WALK) {
      const o = stack.pop()!;
      if (o instanceof PdfRef) {
        if (!ctx.isAdded(o.num) || seen.has(o.num)) continue;
        seen.add(o.num);
        ctx.explain(o.num, rule);
        stack.push(ctx.newObject(o.num));
      } else if (o instanceof PdfArray) stack.push(...o.items);
      else if (o instanceof PdfDict) {
        for (const [k, v] of o.entries) if (k !== 'P' && k !== 'Parent') stack.push(v);
      } else if (o instanceof PdfStream) stack.push(o.dict);
    }
  }
}

/**
 * A new object whose number an object of the signed revision already referred to (a dangling
 * reference planted before signing, drawing nothing then) would come to life wherever that
 * reference sits — on the page, say — not just in the new stamp or the filled field. Whatever
 * rule reached it, and whatever it is labelled.
 */
export function checkPlantedReferences(a: RevisionAnalysis): void {
  const added = a.ctx.added;
  if (added.length === 0) return;
  const index = a.ctx.oldReferrers();
  for (const num of added) {
    const from = index.get(num);
    if (!from || a.ctx.newObject(num) === null) continue;
    const type = typeName(a.ctx.newObject(num));
    a.disallow(`${num} 0`, {
      zh: `新对象 ${num} 在签章时已被${from[0] === 0 ? '文件尾(trailer)' : `对象 ${from[0]}`}引用（签章前预埋的引用；它是 ${type}）`,
      en: `the new object ${num} was already referred to by ${from[0] === 0 ? 'the trailer' : `object ${from[0]}`} when stamped (a reference planted before stamping; it is ${type})`,
    });
  }
}

/** Every object no rule claimed: bookkeeping, null, unused — or a modification. */
export function judgeLeftovers(a: RevisionAnalysis): void {
  const ctx = a.ctx;
  const rev = ctx.doc.revisions[a.r]!;
  const containers = new Set<number>();
  for (const e of rev.entries.values()) if (e.type === 'compressed') containers.add(e.stream);
  const unused = unusedObjects(a);
  for (const c of ctx.pending.values()) {
    if (ctx.explainedBy.has(c.num) || ctx.rejected.has(c.num)) continue;
    const obj = `${c.num} 0`;
    if (c.kind === 'freed') {
      if (unused.has(c.num)) ctx.allow(obj, 'unused-object', { zh: `删除了未被使用的对象 ${c.num}`, en: `object ${c.num}, used by nothing, was freed` });
      else ctx.disallow(obj, { zh: `对象 ${c.num} 被删除`, en: `object ${c.num} was deleted` });
      continue;
    }
    if (c.kind === 'changed') {
      const held = heldCompressed(a, c.num);
      if (held !== undefined) {
        ctx.disallow(obj, { zh: `对象流 ${c.num} 被改写，其中的对象 ${held} 随之改变`, en: `the object stream ${c.num} was rewritten, changing the object ${held} it holds` });
        continue;
      }
    }
    if (c.kind === 'added' && c.newObj === null) {
      ctx.allow(obj, 'null-object', { zh: `增加了空对象 ${c.num}（null）`, en: `a null object ${c.num} was added` });
      continue;
    }
    if (unused.has(c.num)) {
      const bookkeeping = isXrefStreamOf(a, c.num) || containers.has(c.num);
      if (bookkeeping) ctx.allow(obj, 'xref-bookkeeping', { zh: `交叉引用流或对象流 ${c.num}（不显示任何内容）`, en: `cross-reference or object stream ${c.num} (renders nothing)` });
      else ctx.allow(obj, 'unused-object', c.kind === 'added'
        ? { zh: `增加了未被任何对象使用的对象 ${c.num}（${typeName(c.newObj)}）`, en: `object ${c.num} (${typeName(c.newObj)}) was added, used by nothing` }
        : { zh: `改写了未被任何对象使用的对象 ${c.num}（${typeName(c.newObj)}）`, en: `object ${c.num} (${typeName(c.newObj)}), used by nothing, was rewritten` });
      continue;
    }
    ctx.disallow(obj, c.kind === 'added'
      ? { zh: `增加了不属于签章的对象 ${c.num}（${typeName(c.newObj)}）${useOf(a, c.num).zh}`, en: `object ${c.num} (${typeName(c.newObj)}) was added outside any stamp${useOf(a, c.num).en}` }
      : describe(a, c.num, c.newObj));
  }
}

function isXrefStreamOf(a: RevisionAnalysis, num: number): boolean {
  const e = a.ctx.doc.revisions[a.r]!.entries.get(num);
  return e?.type === 'offset' && a.ctx.doc.revisions[a.r]!.xrefOffsets.includes(e.offset);
}

/** A compressed object of an earlier revision, still current, that lives in object stream `num`. */
function heldCompressed(a: RevisionAnalysis, num: number): number | undefined {
  for (let i = 0; i < a.r; i++) {
    for (const [n, e] of a.ctx.doc.revisions[i]!.entries) {
      if (e.type !== 'compressed' || e.stream !== num) continue;
      const now = a.ctx.doc.entryOf(n, a.r);
      if (now?.type === 'compressed' && now.stream === num && !a.ctx.doc.revisions[a.r]!.entries.has(n)) return n;
    }
  }
  return undefined;
}

/**
 * Objects of this revision that nothing refers to in the signed revision, and that nothing refers
 * to in the new one except other such objects (a font with its descriptor, embedded but not used).
 */
function unusedObjects(a: RevisionAnalysis): Set<number> {
  const ctx = a.ctx;
  const oldIndex = ctx.oldReferrers();
  const newIndex = ctx.newReferrers();
  const candidates = new Set<number>();
  for (const c of ctx.pending.values()) if (!oldIndex.has(c.num)) candidates.add(c.num);
  // Remove, until nothing changes, every candidate something outside the candidates refers to.
  for (let changed = true; changed;) {
    changed = false;
    for (const num of candidates) {
      const from = newIndex.get(num) ?? [];
      if (from.some((n) => n === 0 || !candidates.has(n))) {
        candidates.delete(num);
        changed = true;
      }
    }
  }
  return candidates;
}

/** Where a new or changed object is used in the new revision, for the message (" — used by page 2"). */
function useOf(a: RevisionAnalysis, num: number): BilingualText {
  const index = a.ctx.newReferrers();
  const seen = new Set<number>([num]);
  let frontier = [num];
  for (let depth = 0; depth < 8 && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const n of frontier) {
      for (const from of index.get(n) ?? []) {
        if (from === 0) return { zh: '，由文件尾引用', en: ', referred to by the trailer' };
        const page = a.old.pageByNum.get(from);
        if (page !== undefined) return { zh: `，被第 ${page + 1} 页使用`, en: `, used by page ${page + 1}` };
        if (from === a.old.rootNum) return { zh: '，被文档目录使用', en: ', used by the document catalog' };
        if (!seen.has(from)) { seen.add(from); next.push(from); }
      }
    }
    frontier = next;
  }
  return { zh: '', en: '' };
}

export function describe(a: RevisionAnalysis, num: number, obj: PdfObject | undefined): BilingualText {
  const o = a.old;
  const content = o.contentByNum.get(num);
  if (content !== undefined) return { zh: `第 ${content + 1} 页的内容被修改（对象 ${num}）`, en: `the content of page ${content + 1} changed (object ${num})` };
  const res = o.resourceByNum.get(num);
  if (res !== undefined) return { zh: `第 ${res + 1} 页使用的资源被替换（对象 ${num}，${typeName(obj)}）`, en: `a resource used by page ${res + 1} was replaced (object ${num}, ${typeName(obj)})` };
  const role = a.form().roles.get(num);
  if (role?.kind === 'appearance') return { zh: `表单域“${role.field.name}”的外观对象 ${num} 被改写`, en: `the appearance object ${num} of form field "${role.field.name}" was rewritten` };
  const use = useOf(a, num);
  return { zh: `对象 ${num}（${typeName(obj)}）被修改${use.zh}`, en: `object ${num} (${typeName(obj)}) changed${use.en}` };
}

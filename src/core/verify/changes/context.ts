import type { BilingualText, Modification } from '../../../api/verification-report';
import type { PdfDocument } from '../../pdf/document';
import { PdfArray, PdfDict, PdfRef, PdfStream, type PdfObject } from '../../pdf/objects';
import { pdfEqual } from '../pdf-equality';
import type { RuleName } from './rule-names';

/**
 * What one incremental update did, and the bookkeeping the rules share: every object the revision
 * changed, added or freed starts out unexplained; a rule that recognises an object's change claims
 * it under the rule's name, and the engine calls whatever stays unclaimed a modification. Objects
 * are judged by what they are used for — who refers to them, in the signed revision and in the new
 * one — never by the /Type they carry, because a label costs an attacker nothing.
 */

export interface ObjectChange {
  num: number;
  kind: 'added' | 'changed' | 'freed';
  oldObj?: PdfObject;
  newObj?: PdfObject;
}

/** Who refers to an object: an object number, or 0 for the trailer. */
export type Referrers = Map<number, number[]>;

const MAX_WALK = 100_000;

export class RevisionContext {
  readonly prev: number;
  readonly changes: Modification[] = [];
  /** Objects this revision changed, added or freed (rewritten-but-equal objects are left out). */
  readonly pending = new Map<number, ObjectChange>();
  /** Which rule explained each pending object. */
  readonly explainedBy = new Map<number, RuleName>();
  /** Starting points from which new objects are explained, each with the rule that allowed it. */
  readonly roots: Array<{ obj: PdfObject; rule: RuleName }> = [];
  /** Objects already reported as disallowed (reported once). */
  readonly rejected = new Set<number>();
  private oldIndex: Referrers | undefined;
  private newIndex: Referrers | undefined;

  constructor(readonly doc: PdfDocument, readonly r: number) {
    this.prev = r - 1;
    for (const [num, entry] of doc.revisions[r]!.entries) {
      if (num === 0) continue;
      const oldEntry = doc.entryOf(num, this.prev);
      const existed = oldEntry !== undefined && oldEntry.type !== 'free';
      if (entry.type === 'free') {
        if (existed) this.pending.set(num, { num, kind: 'freed', oldObj: this.oldObject(num) });
        continue;
      }
      const newObj = this.newObject(num);
      if (!existed) {
        this.pending.set(num, { num, kind: 'added', newObj });
        continue;
      }
      const oldObj = this.oldObject(num);
      const sameGen = (oldEntry.type === 'offset' ? oldEntry.gen : 0) === (entry.type === 'offset' ? entry.gen : 0);
      if (sameGen && pdfEqual(oldObj, newObj)) continue;
      this.pending.set(num, { num, kind: 'changed', oldObj, newObj });
    }
  }

  get added(): number[] {
    return [...this.pending.values()].filter((c) => c.kind === 'added').map((c) => c.num);
  }

  isAdded(num: number): boolean {
    return this.pending.get(num)?.kind === 'added';
  }

  existedBefore(num: number): boolean {
    const e = this.doc.entryOf(num, this.prev);
    return e !== undefined && e.type !== 'free';
  }

  oldObject(num: number): PdfObject {
    return this.objectAt(num, this.prev);
  }

  newObject(num: number): PdfObject {
    return this.objectAt(num, this.r);
  }

  objectAt(num: number, revision: number): PdfObject {
    const e = this.doc.entryOf(num, revision);
    if (!e || e.type === 'free') return null;
    return this.doc.getObject(new PdfRef(num, e.type === 'offset' ? e.gen : 0), { revision });
  }

  get(ref: PdfRef, revision: number): PdfObject {
    return this.doc.getObject(ref, { revision });
  }

  resolve(o: PdfObject | undefined, revision: number): PdfObject | undefined {
    let cur = o;
    for (let hops = 0; cur instanceof PdfRef && hops < 32; hops++) cur = this.get(cur, revision);
    return cur instanceof PdfRef ? undefined : cur;
  }

  /** Claims a changed object for a rule without a line of its own in the report. */
  explain(num: number, rule: RuleName): void {
    if (!this.explainedBy.has(num)) this.explainedBy.set(num, rule);
  }

  /** New objects reachable from `obj` (through new objects only) are explained by `rule`. */
  explainTree(obj: PdfObject | undefined, rule: RuleName): void {
    if (obj !== undefined) this.roots.push({ obj, rule });
  }

  allow(object: string | undefined, rule: RuleName, description: BilingualText, extra: Partial<Modification> = {}): void {
    const num = object ? Number(object.split(' ')[0]) : undefined;
    if (num !== undefined && Number.isInteger(num)) this.explain(num, rule);
    this.changes.push({ revision: this.r, kind: 'allowed', object, rule, description, ...extra });
  }

  disallow(object: string | undefined, description: BilingualText): void {
    const num = object ? Number(object.split(' ')[0]) : undefined;
    if (num !== undefined && Number.isInteger(num)) this.rejected.add(num);
    this.changes.push({ revision: this.r, kind: 'disallowed', object, description });
  }

  /**
   * For every object of the signed (previous) revision, the objects that refer to it; 0 stands
   * for the trailer. One parse of the previous revision's objects (not of stream data).
   */
  oldReferrers(): Referrers {
    if (!this.oldIndex) this.oldIndex = this.buildIndex(this.prev);
    return this.oldIndex;
  }

  /**
   * The same for the new revision, derived from the old index: only the objects this revision
   * wrote can have gained or lost references.
   */
  newReferrers(): Referrers {
    if (this.newIndex) return this.newIndex;
    const old = this.oldReferrers();
    const index: Referrers = new Map();
    const touched = new Set([...this.pending.keys(), 0]);
    for (const [target, from] of old) {
      const kept = from.filter((n) => !touched.has(n));
      if (kept.length > 0) index.set(target, kept);
    }
    const add = (from: number, obj: PdfObject | undefined): void => {
      if (obj === undefined) return;
      forEachRef(obj, (ref) => {
        const list = index.get(ref.num) ?? [];
        list.push(from);
        index.set(ref.num, list);
      });
    };
    add(0, this.doc.revisions[this.r]!.trailer);
    const rev = this.doc.revisions[this.r]!;
    for (const c of this.pending.values()) {
      if (c.kind === 'freed') continue;
      const e = rev.entries.get(c.num);
      if (e?.type === 'offset' && rev.xrefOffsets.includes(e.offset)) continue; // this revision's xref stream: its trailer
      add(c.num, c.newObj);
    }
    this.newIndex = index;
    return index;
  }

  private buildIndex(revision: number): Referrers {
    const index: Referrers = new Map();
    const push = (from: number) => (ref: PdfRef): void => {
      const list = index.get(ref.num) ?? [];
      list.push(from);
      index.set(ref.num, list);
    };
    forEachRef(this.doc.revisions[revision]!.trailer, push(0));
    // A cross-reference stream's dictionary is a trailer: its /Root and /Info are the trailer's.
    const xrefAt = new Set<number>();
    for (let i = 0; i <= revision; i++) for (const off of this.doc.revisions[i]!.xrefOffsets) xrefAt.add(off);
    const nums = new Set<number>();
    for (let i = 0; i <= revision; i++) for (const n of this.doc.revisions[i]!.entries.keys()) nums.add(n);
    for (const num of nums) {
      if (num === 0) continue;
      const e = this.doc.entryOf(num, revision);
      if (e?.type === 'offset' && xrefAt.has(e.offset)) continue;
      let obj: PdfObject;
      try {
        obj = this.objectAt(num, revision);
      } catch {
        continue; // an object that cannot be read draws nothing and refers to nothing
      }
      forEachRef(obj, push(num));
    }
    return index;
  }
}

/** Calls `fn` for every reference inside an object (stream dictionaries included, stream data not). */
export function forEachRef(obj: PdfObject, fn: (ref: PdfRef) => void): void {
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

export function typeName(o: PdfObject | undefined): string {
  const d = o instanceof PdfStream ? o.dict : o instanceof PdfDict ? o : undefined;
  if (!d) return o instanceof PdfArray ? 'array' : o === null || o === undefined ? 'null' : typeof o;
  const parts = [d.getName('Type'), d.getName('Subtype')].filter(Boolean);
  return parts.length > 0 ? parts.map((p) => `/${p}`).join(' ') : o instanceof PdfStream ? 'stream' : 'dictionary';
}

export function keyList(keys: string[]): string {
  return keys.map((k) => `/${k}`).join(' ');
}

export function reReferenced(num: number): BilingualText {
  return { zh: `重新引用了已有对象 ${num}`, en: `it re-references the existing object ${num}` };
}

export { MAX_WALK };

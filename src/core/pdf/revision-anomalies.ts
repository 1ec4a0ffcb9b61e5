import { PdfArray, PdfDict, PdfRef, PdfStream, type PdfObject } from './objects';
import type { PdfDocument } from './document';
import { isWhite } from './object-parser';
import { MAX_RECORDED } from './xref';
import { CHUNK, type ByteSource } from './byte-source';
import { isSealDeskError, SealDeskError } from '../errors';

/**
 * The strict reading of a document's revisions. An incremental update may only say one thing:
 * where a file lets two readers see two documents — an object defined twice in one xref section or
 * one object stream, a dictionary with a key written twice, an xref entry whose offset holds
 * another object (or none), object bodies no xref indexes (readers that reconstruct a damaged
 * file show them, the others do not), bytes after the last %%EOF, an object stream rewritten
 * while older objects still live in it — the ambiguity itself is the finding. Verification turns
 * each finding of revision r into a modification that invalidates every stamp made before r
 * (src/core/verify/structural-changes.ts); stamping refuses a file with such findings
 * (assertUnambiguous), because a seal on a file that two readers read differently proves nothing.
 *
 * Written here rather than taken from a library: pdf.js, pdf-lib and qpdf all repair or pick one
 * reading silently, and a verifier needs the list of what was ambiguous, not a repaired file.
 */
export type AnomalyCode =
  | 'duplicate-xref-entry'
  | 'duplicate-objstm-entry'
  | 'duplicate-key'
  | 'xref-wrong-object'
  | 'xref-no-object'
  | 'hybrid-xref-conflict'
  | 'xref-stream-conflict'
  | 'size-too-small'
  | 'objstm-index-mismatch'
  | 'objstm-unindexed-object'
  | 'objstm-replaced'
  | 'object-unreadable'
  | 'overlapping-objects'
  | 'unindexed-object'
  | 'unindexed-data'
  | 'trailing-object'
  | 'trailing-data';

export interface RevisionAnomaly {
  /** 0-based revision whose bytes carry the finding; `doc.revisions.length` for bytes after the last one. */
  revision: number;
  code: AnomalyCode;
  /** "12 0" when the finding concerns one object, "trailer" for a trailer dictionary. */
  object?: string;
  message: { zh: string; en: string };
}

export interface AnomalyOptions {
  /** The first revision to read strictly (default 1: revision 0 is what the first stamp signed). */
  from?: number;
}

interface Span { start: number; end: number; what: string }

export function revisionAnomalies(doc: PdfDocument, opts: AnomalyOptions = {}): RevisionAnomaly[] {
  const out: RevisionAnomaly[] = [];
  const push = (a: RevisionAnomaly): void => { if (out.length < MAX_RECORDED) out.push(a); };
  for (let r = Math.max(0, opts.from ?? 1); r < doc.revisions.length; r++) readRevision(doc, r, push);
  // Bytes after the last revision's %%EOF belong to no revision: a finding against every stamp.
  const last = doc.revisions[doc.revisions.length - 1]!;
  scanGap(doc, last.end, doc.source.length, doc.revisions.length, 'trailing', push);
  return out;
}

function readRevision(doc: PdfDocument, r: number, push: (a: RevisionAnomaly) => void): void {
  const rev = doc.revisions[r]!;
  const n = r + 1;
  const sections = doc.xrefSections().filter((s) => s.revision === r).map((s) => s.section);
  const start = r === 0 ? 0 : doc.revisions[r - 1]!.end;
  const spans: Span[] = sections.map((s) => ({ start: s.offset, end: s.end, what: 'xref' }));
  for (const s of sections) {
    if (s.xrefStm !== undefined && s.xrefStmEnd !== undefined) spans.push({ start: s.xrefStm, end: s.xrefStmEnd, what: 'xref' });
    for (const num of s.duplicates) {
      push({ revision: r, code: 'duplicate-xref-entry', object: `${num}`, message: {
        zh: `第 ${n} 个版本的交叉引用表对对象 ${num} 定义了两次（不同阅读器会读到不同的对象）`,
        en: `revision ${n}'s cross-reference section defines object ${num} twice (readers may take different objects)` } });
    }
    for (const num of s.hybridConflicts) {
      push({ revision: r, code: 'hybrid-xref-conflict', object: `${num}`, message: {
        zh: `第 ${n} 个版本的交叉引用表与其交叉引用流对对象 ${num} 的位置说法不一`,
        en: `revision ${n}'s cross-reference table and its xref stream disagree on where object ${num} is` } });
    }
    if (s.trailer.duplicateKeys.length > 0) duplicateKeyFinding(r, 'trailer', s.trailer.duplicateKeys, push);
    // /Size is one more than the highest object number: a revision contradicting its own index.
    const size = s.trailer.get('Size');
    const beyond = typeof size === 'number' ? [...s.entries].find(([num, e]) => num >= size && e.type !== 'free')?.[0] : undefined;
    if (r > 0 && beyond !== undefined) {
      push({ revision: r, code: 'size-too-small', object: `${beyond}`, message: {
        zh: `第 ${n} 个版本定义了对象 ${beyond}，却声明文件只有 ${String(size)} 个对象（交叉引用自相矛盾）`,
        en: `revision ${n} defines object ${beyond} beyond its trailer's /Size ${String(size)} (its cross-reference contradicts itself)` } });
    }
    if (s.kind === 'stream') {
      // The xref stream is an object too: its number must not be given to another object.
      const head = doc.objectAt(s.offset);
      const e = head ? rev.entries.get(head.num) : undefined;
      if (head && e && !(e.type === 'offset' && e.offset === s.offset) && e.type !== 'free') {
        push({ revision: r, code: 'xref-stream-conflict', object: `${head.num} ${head.gen}`, message: {
          zh: `第 ${n} 个版本的交叉引用流的对象号 ${head.num} 又被定义为另一个对象`,
          en: `revision ${n}'s xref stream is object ${head.num}, a number its own index gives to another object` } });
      }
    }
  }

  if (r === 0) {
    // The original as a whole is read by the signer's other checks (every object of the newest
    // view parsed against its header); here only what the xref and object streams say twice.
    const streams = new Set<number>();
    for (const e of rev.entries.values()) if (e.type === 'compressed') streams.add(e.stream);
    for (const stm of streams) {
      try { objectStreamFindings(doc, r, stm, push); } catch (err) { unreadable(r, new PdfRef(stm, 0), err, push); }
    }
    for (const [num, e] of rev.entries) {
      if (e.type !== 'compressed') continue;
      try {
        const slot = doc.objectStreamHeader(e.stream, r).slots[e.index];
        if (!slot || slot[0] !== num) indexMismatch(r, num, e.stream, e.index, slot, push);
      } catch { /* reported above for its stream */ }
    }
    return;
  }
  for (const [num, e] of rev.entries) {
    if (e.type === 'free') {
      if (r > 0) replacedObjectStream(doc, r, num, push);
      continue;
    }
    const ref = new PdfRef(num, e.type === 'offset' ? e.gen : 0);
    if (e.type === 'offset') {
      const head = doc.objectAt(e.offset);
      if (!head) {
        push({ revision: r, code: 'xref-no-object', object: ref.key, message: {
          zh: `第 ${n} 个版本的交叉引用表指向的位置没有对象 ${ref.key}`,
          en: `revision ${n}'s cross-reference entry for object ${ref.key} points where no object starts` } });
        continue;
      }
      if (head.num !== num || head.gen !== e.gen) {
        push({ revision: r, code: 'xref-wrong-object', object: ref.key, message: {
          zh: `第 ${n} 个版本的交叉引用表把对象 ${ref.key} 指向了对象 ${head.num} ${head.gen} 的数据`,
          en: `revision ${n}'s cross-reference entry for object ${ref.key} points at the bytes of object ${head.num} ${head.gen}` } });
        continue;
      }
      // (an xref stream indexing itself is already accounted for as its section)
      if (e.offset >= start && e.offset < rev.end && !spans.some((x) => x.what === 'xref' && x.start === e.offset)) spans.push({ start: e.offset, end: head.end, what: ref.key });
      if (r > 0) replacedObjectStream(doc, r, num, push);
    } else {
      try {
        const header = doc.objectStreamHeader(e.stream, r);
        const slot = header.slots[e.index];
        if (!slot || slot[0] !== num) indexMismatch(r, num, e.stream, e.index, slot, push);
      } catch (err) {
        unreadable(r, ref, err, push);
        continue;
      }
    }
    try {
      const value = doc.getObject(ref, { revision: r });
      const dups = duplicateKeys(value);
      if (dups.length > 0) duplicateKeyFinding(r, ref.key, dups, push);
      if (value instanceof PdfStream && value.dict.getName('Type') === 'ObjStm') objectStreamFindings(doc, r, num, push);
    } catch (err) {
      unreadable(r, ref, err, push);
    }
  }
  if (r > 0) {
    // Objects an earlier section indexes inside this revision's bytes are accounted for too: a
    // linearized file's first-page section indexes objects that lie after the %%EOF closing it.
    const known = new Set(spans.map((x) => x.start));
    for (const { section, revision } of doc.xrefSections()) {
      if (revision >= r) continue;
      for (const [num, e] of section.entries) {
        if (e.type !== 'offset' || e.offset < start || e.offset >= rev.end || known.has(e.offset)) continue;
        known.add(e.offset);
        const head = doc.objectAt(e.offset);
        if (head && head.num === num) spans.push({ start: e.offset, end: head.end, what: `${num} ${head.gen}` });
      }
    }
    spans.sort((a, b) => a.start - b.start);
    let at = start;
    for (const s of spans) {
      if (s.start < at && s.start >= start) {
        push({ revision: r, code: 'overlapping-objects', object: s.what, message: {
          zh: `第 ${n} 个版本中对象 ${s.what} 与其他数据重叠（藏在另一对象的数据中）`,
          en: `in revision ${n}, object ${s.what} overlaps other data (it hides inside another object's bytes)` } });
      }
      if (s.start > at) scanGap(doc, at, s.start, r, 'inside', push);
      at = Math.max(at, s.end);
    }
    scanGap(doc, at, rev.end, r, 'inside', push);
  }
}

function indexMismatch(r: number, num: number, stream: number, index: number, slot: [number, number] | undefined, push: (a: RevisionAnomaly) => void): void {
  // pdf.js takes the object at the entry's index; other readers look the number up in the header.
  push({ revision: r, code: 'objstm-index-mismatch', object: `${num} 0`, message: {
    zh: `第 ${r + 1} 个版本的交叉引用流说对象 ${num} 在对象流 ${stream} 的第 ${index + 1} 个位置，对象流中那里是${slot ? `对象 ${slot[0]}` : '空的'}`,
    en: `revision ${r + 1}'s xref stream puts object ${num} at index ${index} of object stream ${stream}, where the stream has ${slot ? `object ${slot[0]}` : 'nothing'}` } });
}

/** An object stream of an earlier revision rewritten or freed while older objects still live in it. */
function replacedObjectStream(doc: PdfDocument, r: number, num: number, push: (a: RevisionAnomaly) => void): void {
  const before = doc.entryOf(num, r - 1);
  if (!before || before.type !== 'offset') return;
  let wasObjStm = false;
  try {
    const old = doc.getObject(new PdfRef(num, before.gen), { revision: r - 1 });
    wasObjStm = old instanceof PdfStream && old.dict.getName('Type') === 'ObjStm';
  } catch { /* an unreadable old object stream held nothing anyone could read */ }
  if (!wasObjStm) return;
  const living: number[] = [];
  for (const { section, revision } of doc.xrefSections()) {
    if (revision >= r) continue;
    for (const [obj, e] of section.entries) {
      if (e.type !== 'compressed' || e.stream !== num || living.length >= 5) continue;
      const now = doc.entryOf(obj, r);
      if (now && now.type === 'compressed' && now.stream === num && !doc.revisions[r]!.entries.has(obj) && !living.includes(obj)) living.push(obj);
    }
  }
  if (living.length === 0) return;
  push({ revision: r, code: 'objstm-replaced', object: `${num}`, message: {
    zh: `第 ${r + 1} 个版本改写了对象流 ${num}，而之前版本的对象 ${living.join('、')} 仍存于其中（内容被暗中替换）`,
    en: `revision ${r + 1} rewrites object stream ${num} while objects ${living.join(', ')} of earlier revisions still live in it (their content changes unseen)` } });
}

/** Findings on an object stream a revision writes: objects listed twice, objects its xref puts elsewhere. */
function objectStreamFindings(doc: PdfDocument, r: number, streamNum: number, push: (a: RevisionAnomaly) => void): void {
  const header = doc.objectStreamHeader(streamNum, r);
  for (const num of header.duplicates) {
    push({ revision: r, code: 'duplicate-objstm-entry', object: `${num}`, message: {
      zh: `第 ${r + 1} 个版本的对象流 ${streamNum} 两次包含对象 ${num}`,
      en: `revision ${r + 1}'s object stream ${streamNum} contains object ${num} twice` } });
  }
  const rev = doc.revisions[r]!;
  let reported = 0;
  for (const [num] of header.slots) {
    const e = rev.entries.get(num) ?? doc.entryOf(num, r);
    if (e && e.type === 'compressed' && e.stream === streamNum) continue;
    if (reported++ >= 5) break;
    // MuPDF's repair (and other reconstructing readers) take objects from every object stream.
    push({ revision: r, code: 'objstm-unindexed-object', object: `${num}`, message: {
      zh: `第 ${r + 1} 个版本的对象流 ${streamNum} 中有对象 ${num}，交叉引用却不指向它（重建交叉引用的阅读器会显示它）`,
      en: `revision ${r + 1}'s object stream ${streamNum} holds an object ${num} its cross-reference does not point to (readers that rebuild the xref show it)` } });
  }
}

function duplicateKeyFinding(r: number, object: string, keys: readonly string[], push: (a: RevisionAnomaly) => void): void {
  const list = keys.slice(0, 5).map((k) => `/${k}`).join(' ');
  const what = object === 'trailer' ? { zh: '文件尾字典', en: 'the trailer' } : { zh: `对象 ${object}`, en: `object ${object}` };
  push({ revision: r, code: 'duplicate-key', object, message: {
    zh: `第 ${r + 1} 个版本中${what.zh}的字典重复写了键 ${list}（不同阅读器会取不同的值）`,
    en: `in revision ${r + 1}, a dictionary of ${what.en} has the key ${list} twice (readers may take different values)` } });
}

function unreadable(r: number, ref: PdfRef, err: unknown, push: (a: RevisionAnomaly) => void): void {
  if (isSealDeskError(err) && err.code === 'PDF_TOO_COMPLEX') throw err;
  const why = isSealDeskError(err) ? err : undefined;
  push({ revision: r, code: 'object-unreadable', object: ref.key, message: {
    zh: `第 ${r + 1} 个版本的对象 ${ref.key} 无法读取${why ? `(${why.zh})` : ''}`,
    en: `revision ${r + 1}'s object ${ref.key} cannot be read${why ? ` (${why.en})` : ''}` } });
}

/** Keys written twice in any dictionary of an object (its own, nested ones, a stream's). */
export function duplicateKeys(o: PdfObject): string[] {
  const found: string[] = [];
  const walk = (v: PdfObject): void => {
    if (found.length >= 5) return;
    if (v instanceof PdfStream) { walk(v.dict); return; }
    if (v instanceof PdfDict) {
      for (const k of v.duplicateKeys) if (!found.includes(k)) found.push(k);
      for (const x of v.entries.values()) walk(x);
    } else if (v instanceof PdfArray) for (const x of v.items) walk(x);
  };
  walk(o);
  return found;
}

/**
 * Bytes no xref accounts for, between `from` and `to`: whitespace, comments and the
 * `startxref n` line are bookkeeping; anything else is data no reader should show, and an object
 * header among it is an object that only readers which reconstruct the file will show.
 */
function scanGap(doc: PdfDocument, from: number, to: number, r: number, where: 'inside' | 'trailing', push: (a: RevisionAnomaly) => void): void {
  const src = doc.source;
  // Byte by byte through a window of the file (positioned reads), never the whole gap at once.
  let win: Uint8Array = new Uint8Array(0);
  let winAt = 0;
  const byte = (k: number): number => {
    if (k < winAt || k >= winAt + win.length) { win = src.read(k, Math.min(GAP_WINDOW, to - k)); winAt = k; }
    return win[k - winAt]!;
  };
  let i = from;
  for (;;) {
    while (i < to && isWhite(byte(i))) i++;
    if (i >= to) return;
    // After the last %%EOF even a comment is data nobody signed; inside an update it is bookkeeping.
    if (byte(i) === 0x25 && where === 'inside') { // a comment (%%EOF among them), to the end of its line
      while (i < to && byte(i) !== 0x0a && byte(i) !== 0x0d) i++;
      continue;
    }
    const head = where === 'inside' ? src.read(i, Math.min(40, to - i)) : undefined;
    const m = head ? /^startxref\s+\d+/.exec(Buffer.from(head.buffer, head.byteOffset, head.length).toString('latin1')) : null;
    if (m) { i += m[0].length; continue; }
    break;
  }
  const objects = objectHeadersIn(src, i, to);
  const n = r + 1;
  const size = to - i;
  if (where === 'trailing') {
    if (objects.length > 0) {
      push({ revision: r, code: 'trailing-object', object: objects[0], message: {
        zh: `最后一个 %%EOF 之后追加了没有交叉引用的对象 ${objects.join('、')}（重建交叉引用的阅读器会显示它们）`,
        en: `object${objects.length > 1 ? 's' : ''} ${objects.join(', ')} appended after the last %%EOF without a cross-reference (readers that rebuild the xref show them)` } });
    } else {
      push({ revision: r, code: 'trailing-data', message: {
        zh: `最后一个 %%EOF 之后有 ${size} 字节未签名的数据`,
        en: `${size} bytes of unsigned data after the last %%EOF` } });
    }
    return;
  }
  if (objects.length > 0) {
    push({ revision: r, code: 'unindexed-object', object: objects[0], message: {
      zh: `第 ${n} 个版本中有交叉引用未索引的对象 ${objects.join('、')}（重建交叉引用的阅读器会显示它们）`,
      en: `revision ${n} carries object${objects.length > 1 ? 's' : ''} ${objects.join(', ')} its cross-reference does not index (readers that rebuild the xref show them)` } });
  } else {
    push({ revision: r, code: 'unindexed-data', message: {
      zh: `第 ${n} 个版本中有 ${size} 字节既不属于对象也不属于交叉引用的数据`,
      en: `revision ${n} carries ${size} bytes that belong to no object and no cross-reference` } });
  }
}

const GAP_WINDOW = 64 * 1024;
/** Object headers are looked for in chunks that overlap by this much (a header with more blank space than this in it is not one). */
const HEADER_OVERLAP = 4096;

/** The first five `n g obj` headers in [from, to), read in overlapping chunks. */
function objectHeadersIn(src: ByteSource, from: number, to: number): string[] {
  const found = new Map<number, string>();
  for (let at = from; at < to && found.size < 5; at += CHUNK) {
    const c = src.read(at, Math.min(CHUNK + HEADER_OVERLAP, to - at));
    const text = Buffer.from(c.buffer, c.byteOffset, c.length).toString('latin1');
    for (const x of text.matchAll(/(?:^|[^0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b/g)) {
      // A match at the start of a later chunk may begin inside a number: the chunk before saw it whole.
      if (at > from && x.index === 0 && /^\d/.test(x[0])) continue;
      const end = at + x.index + x[0].length;
      if (!found.has(end)) found.set(end, `${x[1]} ${x[2]}`);
      if (found.size >= 5) break;
    }
  }
  return [...found.values()];
}

/** Findings that make stamping refuse a file (every revision, revision 0 included). */
const REFUSED_FOR_STAMPING = new Set<AnomalyCode>([
  'duplicate-xref-entry', 'duplicate-objstm-entry', 'xref-wrong-object', 'xref-no-object', 'hybrid-xref-conflict',
  'xref-stream-conflict', 'size-too-small', 'objstm-index-mismatch', 'objstm-replaced', 'overlapping-objects', 'unindexed-object', 'trailing-object',
]);

/**
 * Stamping's gate: a file whose structure cannot be read one way only is refused (PDF_AMBIGUOUS)
 * before anything is signed. Besides the findings above, a key written twice in the dictionaries
 * the stamp rewrites or depends on — trailer, catalog, page tree, AcroForm — is refused; a
 * repeated key deep in some font dictionary of the original is left to the verifier.
 */
export function assertUnambiguous(doc: PdfDocument): void {
  const found = revisionAnomalies(doc, { from: 0 }).filter((a) => REFUSED_FOR_STAMPING.has(a.code));
  const dupKey = (what: string, d: PdfDict | undefined): void => {
    const k = d ? duplicateKeys(d) : [];
    if (k.length > 0) duplicateKeyFinding(doc.revisions.length - 1, what, k, (a) => found.push(a));
  };
  dupKey('trailer', doc.trailer);
  dupKey(`${refKey(doc.trailer.get('Root'))}`, doc.catalog);
  dupKey(`${refKey(doc.catalog.get('AcroForm'))}`, doc.resolveDict(doc.catalog.get('AcroForm')));
  for (const page of doc.pages()) {
    dupKey(page.ref.key, page.dict);
    const parent = page.dict.get('Parent');
    if (parent instanceof PdfRef) dupKey(parent.key, doc.resolveDict(parent));
  }
  if (found.length === 0) return;
  const first = found.slice(0, 3);
  throw new SealDeskError('PDF_AMBIGUOUS',
    `文件结构有歧义，不同阅读器会看到不同的内容，不能签章：${first.map((a) => a.message.zh).join('；')}`,
    `The file's structure is ambiguous (different readers would show different documents), so it cannot be stamped: ${first.map((a) => a.message.en).join('; ')}`,
    { details: { reason: first[0]!.message.en, findings: found.map((a) => ({ code: a.code, revision: a.revision, object: a.object })) } });
}

function refKey(o: PdfObject | undefined): string {
  return o instanceof PdfRef ? o.key : 'catalog';
}

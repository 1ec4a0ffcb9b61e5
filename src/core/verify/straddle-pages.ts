import type { BilingualText, Check } from '../../api/verification-report';
import { openPdf, type PdfDocument } from '../pdf/document';
import type { PdfPage } from '../pdf/pages';
import type { SignatureField } from '../pdf/signature-fields';
import { pageContentDigest, readStripMark, type StripMark } from '../sign/straddle-marker';
import type { ByteRangeOutcome } from './byte-range';

/**
 * The straddle check (骑缝校验): the pages a straddle seal ties together are still there, in their
 * places, unchanged. What was stamped is read from the revision the signature covers — its page
 * tree (page objects and their content digests) and the strips' marks, all inside the signed
 * bytes — and compared with the page tree of the document as it is now: a page whose object is
 * gone is missing (or replaced, when the page count stayed), one found elsewhere was moved, one
 * whose content no longer hashes the same was replaced. When the signed revision cannot be read
 * (a file rewritten as a whole, e.g. by qpdf), the strips' marks as they are now and the pages'
 * content digests decide, and the page is still named; the signature has failed anyway.
 */
interface StampedStrip { mark: StripMark; pageIndex: number; pageKey?: string; digest: string }

export function checkStraddlePages(doc: PdfDocument, field: SignatureField, structure: ByteRangeOutcome): Check | undefined {
  // Only a stamp whose widgets are marked as strips is a straddle seal; a later revision that took
  // the marks away changed a signed widget, which the change analysis refuses on its own.
  if (!field.widgets.some((w) => readStripMark(doc, w.dict))) return undefined;
  const problems = findProblems(doc, field, structure);
  if (problems.length === 0) {
    return { id: 'straddle', status: 'ok', message: { zh: '骑缝章所连各页都在原位,内容未变', en: 'Every page the straddle seal ties together is in its place and unchanged' } };
  }
  return {
    id: 'straddle', status: 'failed',
    message: { zh: `骑缝校验失败：${problems.map((p) => p.zh).join('；')}`, en: `The straddle check fails: ${problems.map((p) => p.en).join('; ')}` },
  };
}

function signedField(doc: PdfDocument, field: SignatureField, structure: ByteRangeOutcome): { doc: PdfDocument; field: SignatureField } | undefined {
  const range = structure.range;
  if (!range || structure.status === 'failed') return undefined;
  try {
    const signedDoc = openPdf(doc.bytes.subarray(0, range[2] + range[3]));
    const f = signedDoc.signatureFields().find((x) => x.name === field.name && x.value?.ref.key === field.value?.ref.key);
    return f ? { doc: signedDoc, field: f } : undefined;
  } catch {
    return undefined;
  }
}

function findProblems(doc: PdfDocument, field: SignatureField, structure: ByteRangeOutcome): BilingualText[] {
  const now = doc.pages();
  const digestNow = new Map<number, string>();
  const digestOf = (i: number): string => {
    let d = digestNow.get(i);
    if (d === undefined) {
      d = safeDigest(doc, now[i]!);
      digestNow.set(i, d);
    }
    return d;
  };
  const signed = signedField(doc, field, structure);
  const strips = signed ? stripsOf(signed.doc, signed.field, true) : stripsOf(doc, field, false);
  const problems: BilingualText[] = [];
  const count = strips[0]?.mark.count ?? 0;
  const first = strips[0]?.mark;
  // The strips must describe one and the same cut: as many strips as the range has pages, one edge.
  if (!first || strips.some((s) => s.mark.count !== first.count || s.mark.edge !== first.edge || s.mark.pages.join() !== first.pages.join() || s.mark.page !== first.pages[s.mark.index])
    || (signed && strips.length !== first.count)) {
    return [{ zh: '骑缝章各条的标记互相矛盾(条数、页边或页码范围不一致)', en: "the straddle seal's strips contradict each other (count, edge or page range)" }];
  }
  const indices = new Set(strips.map((s) => s.mark.index));
  const range = strips[0]?.mark.pages ?? [];
  // Strips missing from the set as it is now: their pages went with them.
  for (let k = 0; k < count; k++) {
    if (!indices.has(k)) {
      const p = range[k] ?? k + 1;
      problems.push({ zh: `第 ${p} 页缺失(其骑缝条已不在文档中)`, en: `page ${p} is missing (its strip is no longer in the document)` });
    }
  }
  const pageCountThen = signed?.doc.pages().length;
  const indexNow = new Map(now.map((pg) => [pg.ref.key, pg.index]));
  const found: Array<{ s: StampedStrip; q: number }> = [];
  for (const s of strips) {
    const p = s.mark.page;
    const at = s.pageIndex;
    if (signed && s.pageKey) {
      // Identity by page object: the signed revision and the document now share their objects.
      const q = indexNow.get(s.pageKey) ?? -1;
      if (q < 0) {
        problems.push(pageCountThen !== undefined && now.length < pageCountThen
          ? { zh: `第 ${p} 页已被删除`, en: `page ${p} was removed` }
          : { zh: `第 ${p} 页已被替换为另一页`, en: `page ${p} was replaced by another page` });
        continue;
      }
      if (digestOf(q) !== s.digest) problems.push({ zh: `第 ${p} 页的内容被替换`, en: `the content of page ${p} was replaced` });
      found.push({ s, q });
      continue;
    }
    // No signed revision to compare with: where the strip's widget sits now, and that page's content.
    if (at < 0) {
      problems.push({ zh: `第 ${p} 页缺失或被替换(其骑缝条已不在任何页上)`, en: `page ${p} is missing or was replaced (its strip is on no page)` });
      continue;
    }
    if (digestOf(at) !== s.mark.digest) problems.push({ zh: `第 ${p} 页的内容被替换`, en: `the content of page ${p} was replaced` });
    found.push({ s, q: at });
  }
  problems.push(...orderProblems(found, signed !== undefined));
  return problems;
}

/**
 * Pages that changed places. Surviving pages out of their order were moved (swapped); in order,
 * a wider gap than when stamped means pages were put in between. A shift of the whole range
 * (a page removed or added before it) is the change analysis's concern, not the seal's.
 */
function orderProblems(found: Array<{ s: StampedStrip; q: number }>, signed: boolean): BilingualText[] {
  const then = (x: { s: StampedStrip }): number => (signed ? x.s.pageIndex : x.s.mark.page - 1);
  const list = [...found].sort((a, b) => a.s.mark.index - b.s.mark.index);
  const inOrder = list.every((x, i) => i === 0 || x.q > list[i - 1]!.q);
  if (!inOrder) {
    return list.filter((x) => x.q !== then(x))
      .map((x) => ({ zh: `第 ${x.s.mark.page} 页被移到了第 ${x.q + 1} 页`, en: `page ${x.s.mark.page} was moved to position ${x.q + 1}` }));
  }
  const out: BilingualText[] = [];
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1]!;
    const b = list[i]!;
    if (b.s.mark.index - a.s.mark.index !== 1) continue; // the strips between are missing, and named so
    const gapNow = b.q - a.q;
    const gapThen = then(b) - then(a);
    if (gapNow > gapThen) out.push({ zh: `第 ${a.s.mark.page} 页与第 ${b.s.mark.page} 页之间被插入了 ${gapNow - gapThen} 页`, en: `${gapNow - gapThen} page(s) were inserted between page ${a.s.mark.page} and page ${b.s.mark.page}` });
    else if (gapNow < gapThen) out.push({ zh: `第 ${a.s.mark.page} 页与第 ${b.s.mark.page} 页之间少了 ${gapThen - gapNow} 页`, en: `${gapThen - gapNow} page(s) between page ${a.s.mark.page} and page ${b.s.mark.page} were removed` });
  }
  if (!signed && list.length > 0 && out.length === 0 && list[0]!.q !== then(list[0]!)) {
    out.push({ zh: `骑缝章所连各页从第 ${list[0]!.s.mark.page} 页移到了第 ${list[0]!.q + 1} 页起`, en: `the pages the straddle seal ties together moved from page ${list[0]!.s.mark.page} to page ${list[0]!.q + 1} on` });
  }
  return out;
}

/** The strips with their marks; from the signed revision, each also with its page object and that page's digest then. */
function stripsOf(doc: PdfDocument, field: SignatureField, signed: boolean): StampedStrip[] {
  const pages = doc.pages();
  const out: StampedStrip[] = [];
  const seen = new Set<number>();
  for (const w of field.widgets) {
    const mark = readStripMark(doc, w.dict);
    if (!mark || seen.has(mark.index)) continue;
    seen.add(mark.index);
    const page = pages[w.pageIndex];
    out.push({ mark, pageIndex: w.pageIndex, pageKey: signed ? page?.ref.key : undefined, digest: signed && page ? safeDigest(doc, page) : mark.digest });
  }
  return out;
}

function safeDigest(doc: PdfDocument, page: PdfPage): string {
  try {
    return pageContentDigest(doc, page);
  } catch {
    return 'unreadable';
  }
}

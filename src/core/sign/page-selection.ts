import { placementInvalid } from './sign-errors';

/**
 * Which pages a multi-page stamp or a straddle seal goes on, as a keeper writes it: `all`, `odd`,
 * `even`, or a list of pages and ranges such as `1,3,5-7`. Pages are 1-based as printed; the
 * result is 0-based page indices in page order, each once.
 */
export function selectPages(selection: string, pageCount: number): number[] {
  const s = selection.trim().toLowerCase();
  if (s === 'all') return range(0, pageCount);
  if (s === 'odd') return range(0, pageCount).filter((i) => i % 2 === 0);
  if (s === 'even') return range(0, pageCount).filter((i) => i % 2 === 1);
  const picked = new Set<number>();
  for (const part of s.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) {
      throw placementInvalid(`页码“${part.trim()}”无法识别（应为 all、odd、even 或如 1,3,5-7 的列表）`,
        `the pages "${part.trim()}" are not understood (use all, odd, even or a list such as 1,3,5-7)`, { selection });
    }
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to < from) throw placementInvalid(`页码范围 ${part.trim()} 无效`, `the page range ${part.trim()} is not valid`, { selection });
    if (to > pageCount) throw placementInvalid(`第 ${to} 页不存在（共 ${pageCount} 页）`, `page ${to} does not exist (the document has ${pageCount})`, { selection, pageCount });
    for (let p = from; p <= to; p++) picked.add(p - 1);
  }
  return [...picked].sort((a, b) => a - b);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

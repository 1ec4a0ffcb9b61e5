import type { BilingualText } from './verification-report';

/**
 * Which pages a several-pages stamp or a straddle seal goes on, as a keeper writes it: `all`,
 * `odd`, `even`, or a list of pages and ranges such as `1,3,5-7` (1-based, as printed). The one
 * reading of it, shared by core (which refuses what it cannot read) and the desktop client (which
 * previews the pages). The result is 0-based page indices in page order, each once.
 */
export function parsePageSelection(selection: string, pageCount: number): { pages: number[] } | { error: BilingualText } {
  const s = selection.trim().toLowerCase();
  if (s === 'all') return { pages: range(pageCount) };
  if (s === 'odd') return { pages: range(pageCount).filter((i) => i % 2 === 0) };
  if (s === 'even') return { pages: range(pageCount).filter((i) => i % 2 === 1) };
  const picked = new Set<number>();
  for (const part of s.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) {
      return { error: { zh: `页码“${part.trim()}”无法识别（应为 all、odd、even 或如 1,3,5-7 的列表）`, en: `the pages "${part.trim()}" are not understood (use all, odd, even or a list such as 1,3,5-7)` } };
    }
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to < from) return { error: { zh: `页码范围 ${part.trim()} 无效`, en: `the page range ${part.trim()} is not valid` } };
    if (to > pageCount) return { error: { zh: `第 ${to} 页不存在（共 ${pageCount} 页）`, en: `page ${to} does not exist (the document has ${pageCount})` } };
    for (let p = from; p <= to; p++) picked.add(p - 1);
  }
  return { pages: [...picked].sort((a, b) => a - b) };
}

function range(n: number): number[] {
  return Array.from({ length: Math.max(0, n) }, (_, i) => i);
}

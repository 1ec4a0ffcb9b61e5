import path from 'node:path';
import { asSealDeskError } from '../errors';

/** Where a keyword was found: its centre in PDF user space of a (0-based) page. */
export interface KeywordHit {
  pageIndex: number;
  x: number;
  y: number;
}

interface TextItemLike { str: string; transform: number[]; width: number; height: number }

/**
 * Finds every occurrence of `text` with pdf.js text extraction (自动定位), in page order. Text
 * items are joined per page so a keyword split across items (one glyph per item, as some writers
 * emit CJK) is still found; whitespace inside the page text is ignored when matching.
 */
export async function findKeyword(bytes: Uint8Array, text: string): Promise<KeywordHit[]> {
  const needle = text.replace(/\s+/g, '');
  if (!needle) return [];
  let pdfjs: typeof import('pdfjs-dist/legacy/build/pdf.mjs');
  try {
    pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  } catch (e) {
    throw asSealDeskError(e, 'PDF_TEXT_UNAVAILABLE', '无法加载文本提取组件', 'The text extraction component cannot be loaded');
  }
  const pkgDir = path.dirname(require.resolve('pdfjs-dist/package.json'));
  // pdf.js may detach the buffer it is given; hand it a copy so the caller's bytes stay intact.
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    cMapUrl: path.join(pkgDir, 'cmaps') + path.sep,
    cMapPacked: true,
    standardFontDataUrl: path.join(pkgDir, 'standard_fonts') + path.sep,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  });
  const hits: KeywordHit[] = [];
  try {
    const pdf = await task.promise;
    for (let p = 1; p <= pdf.numPages; p++) {
      const page = await pdf.getPage(p);
      const content = await page.getTextContent();
      const items = content.items.filter((i): i is TextItemLike & typeof i => 'str' in i);
      // One entry per non-space character: which item it is in and where inside it.
      const chars: { item: TextItemLike; index: number; count: number }[] = [];
      for (const item of items) {
        const glyphs = [...item.str];
        glyphs.forEach((g, index) => { if (!/\s/.test(g)) chars.push({ item, index, count: glyphs.length }); });
      }
      const joined = chars.map((c) => [...c.item.str][c.index]).join('');
      const needleLen = [...needle].length;
      const joinedChars = [...joined];
      for (let i = 0; i + needleLen <= joinedChars.length; i++) {
        if (joinedChars.slice(i, i + needleLen).join('') !== needle) continue;
        const a = pointAlong(chars[i]!, 0);
        const b = pointAlong(chars[i + needleLen - 1]!, 1);
        const first = chars[i]!.item;
        const fontSize = Math.hypot(first.transform[2]!, first.transform[3]!) || first.height || 10;
        // Text is positioned by its baseline; the middle of CJK glyphs sits about 0.35 em above it.
        const up = unit(first.transform[2]!, first.transform[3]!);
        hits.push({ pageIndex: p - 1, x: (a.x + b.x) / 2 + up.x * fontSize * 0.35, y: (a.y + b.y) / 2 + up.y * fontSize * 0.35 });
        i += needleLen - 1;
      }
      page.cleanup();
    }
    return hits;
  } finally {
    await task.destroy();
  }
}

/** The point at fraction `t` of a glyph's advance (t = 0 start, 1 end), in user space. */
function pointAlong(c: { item: TextItemLike; index: number; count: number }, t: number): { x: number; y: number } {
  const [a, b, , , e, f] = c.item.transform as [number, number, number, number, number, number];
  const dir = unit(a, b);
  const per = c.item.width / Math.max(1, c.count);
  const d = per * (c.index + t);
  return { x: e + dir.x * d, y: f + dir.y * d };
}

function unit(x: number, y: number): { x: number; y: number } {
  const l = Math.hypot(x, y);
  return l > 0 ? { x: x / l, y: y / l } : { x: 1, y: 0 };
}

/**
 * Find in the document (Ctrl+F): searches the text of every page (pdf.js getTextContent, read once
 * per page and kept), lists how many pages match, and Enter / the arrows go from one match's page to
 * the next; the text layer marks the matches on the pages drawn.
 */
import { useEffect, useRef, useState } from 'react';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { Strings } from './i18n';

interface Props {
  pdf: PDFDocumentProxy;
  t: Strings;
  onQuery(q: string): void;
  onGoTo(page: number): void;
  onClose(): void;
}

export function FindBar({ pdf, t, onQuery, onGoTo, onClose }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const texts = useRef(new Map<number, string>());
  const [q, setQ] = useState('');
  const [pages, setPages] = useState<number[] | null>(null);
  const [at, setAt] = useState(0);
  useEffect(() => input.current?.focus(), []);

  const pageText = async (n: number) => {
    let s = texts.current.get(n);
    if (s === undefined) {
      const c = await (await pdf.getPage(n)).getTextContent();
      s = c.items.map((i) => ('str' in i ? i.str : '')).join('').toLowerCase();
      texts.current.set(n, s);
    }
    return s;
  };

  const search = async (text: string) => {
    const needle = text.trim().toLowerCase();
    onQuery(text.trim());
    if (!needle) {
      setPages(null);
      return;
    }
    const found: number[] = [];
    for (let n = 1; n <= pdf.numPages; n++) if ((await pageText(n)).includes(needle)) found.push(n);
    setPages(found);
    setAt(0);
    if (found[0]) onGoTo(found[0]);
  };

  const step = (d: 1 | -1) => {
    if (!pages || pages.length === 0) return;
    const next = (at + d + pages.length) % pages.length;
    setAt(next);
    onGoTo(pages[next]!);
  };

  return (
    <div className="find-bar" role="search" data-testid="find-bar">
      <input
        ref={input}
        value={q}
        placeholder={t.findPlaceholder}
        aria-label={t.find}
        data-testid="find-input"
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            if (pages && q.trim().toLowerCase() === (input.current?.dataset.last ?? '')) step(e.shiftKey ? -1 : 1);
            else {
              if (input.current) input.current.dataset.last = q.trim().toLowerCase();
              void search(q);
            }
          }
        }}
      />
      <button onClick={() => step(-1)} aria-label={t.findPrev} disabled={!pages?.length}>
        ↑
      </button>
      <button onClick={() => step(1)} aria-label={t.findNext} disabled={!pages?.length}>
        ↓
      </button>
      <span className="find-count" data-testid="find-count" aria-live="polite">
        {pages === null ? '' : pages.length === 0 ? t.findNone : t.findPages(at + 1, pages.length, pages[at]!)}
      </span>
      <button onClick={onClose} aria-label={t.close}>
        ✕
      </button>
    </div>
  );
}

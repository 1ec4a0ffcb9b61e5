/**
 * The scrolling page list. Which pages are "near" is decided by one IntersectionObserver with a
 * generous margin; everything else stays an empty box of the right size.
 */
import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useState, type ReactNode } from 'react';
import type { PDFDocumentProxy, PageViewport } from 'pdfjs-dist';
import type { Language, VerificationReport } from '../api/contract';
import { PageView } from './PageView';
import { useNearPages } from './lazy-pages';
import { pdfRectToCss } from './geometry';
import type { Strings } from './i18n';

export interface DocumentViewHandle {
  scrollToPage(page: number, rect?: readonly number[]): void;
  viewport(page: number): PageViewport | undefined;
  container(): HTMLDivElement | null;
}

interface Props {
  pdf: PDFDocumentProxy;
  scale: number;
  report: VerificationReport | null;
  highlighted?: string;
  lang: Language;
  t: Strings;
  onPageChange(page: number): void;
  overlay(page: number, vp: PageViewport): ReactNode;
  onContextMenu?(e: React.MouseEvent): void;
}

export const DocumentView = forwardRef<DocumentViewHandle, Props>(function DocumentView(props, ref) {
  const { pdf, scale } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const viewports = useRef(new Map<number, PageViewport>());
  const near = useNearPages(scroller, '.page', '1200px 0px', pdf, [1, 2, 3]);
  const [estimate, setEstimate] = useState({ width: 595 * scale, height: 842 * scale });

  useEffect(() => {
    let live = true;
    void pdf.getPage(1).then((p) => {
      if (!live) return;
      const vp = p.getViewport({ scale });
      setEstimate({ width: vp.width, height: vp.height });
    });
    return () => {
      live = false;
    };
  }, [pdf, scale]);

  // The page whose box crosses the upper third of the view is "the current page".
  const onScroll = useCallback(() => {
    const root = scroller.current;
    if (!root) return;
    const mark = root.getBoundingClientRect().top + root.clientHeight / 3;
    for (const el of root.querySelectorAll<HTMLElement>('.page')) {
      const r = el.getBoundingClientRect();
      if (r.top <= mark && r.bottom >= mark) {
        props.onPageChange(Number(el.dataset.page));
        break;
      }
    }
  }, [props]);

  // A scroll to a rectangle on a page not loaded yet is finished when the page's viewport arrives.
  const pendingScroll = useRef<{ page: number; rect: readonly number[] } | null>(null);
  const scrollToPage = useCallback((page: number, rect?: readonly number[]) => {
    const root = scroller.current;
    const el = root?.querySelector<HTMLElement>(`#page-${page}`);
    if (!root || !el) return;
    let top = el.offsetTop - 16;
    const vp = viewports.current.get(page);
    pendingScroll.current = rect && !vp ? { page, rect } : null;
    if (rect && vp) top = el.offsetTop + pdfRectToCss(vp, rect).top - root.clientHeight / 3;
    root.scrollTo({ top: Math.max(0, top) });
  }, []);

  useImperativeHandle(ref, () => ({
    scrollToPage,
    viewport: (page) => viewports.current.get(page),
    container: () => scroller.current,
  }));

  const onViewport = useCallback((page: number, vp: PageViewport | null) => {
    if (vp) viewports.current.set(page, vp);
    else viewports.current.delete(page);
    const p = pendingScroll.current;
    if (vp && p && p.page === page) scrollToPage(p.page, p.rect);
  }, [scrollToPage]);

  const sigsByPage = new Map<number, VerificationReport['signatures']>();
  for (const s of props.report?.signatures ?? []) {
    if (typeof s.page !== 'number') continue;
    sigsByPage.set(s.page, [...(sigsByPage.get(s.page) ?? []), s]);
  }

  const pages = Array.from({ length: pdf.numPages }, (_, i) => i + 1);
  return (
    <div className="document" ref={scroller} onScroll={onScroll} onContextMenu={props.onContextMenu} data-testid="document">
      {pages.map((n) => (
        <PageView
          key={n}
          pdf={pdf}
          pageNumber={n}
          scale={scale}
          estimate={estimate}
          near={near.has(n)}
          signatures={sigsByPage.get(n) ?? []}
          highlighted={props.highlighted}
          lang={props.lang}
          t={props.t}
          onViewport={onViewport}
        >
          {(vp) => props.overlay(n, vp)}
        </PageView>
      ))}
    </div>
  );
});

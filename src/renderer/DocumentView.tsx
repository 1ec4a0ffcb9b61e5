/**
 * The scrolling page list. Which pages are "near" is decided by one IntersectionObserver with a
 * generous margin; everything else stays an empty box of the right size. The view owns the scale:
 * a zoom percentage, or "fit page" / "fit width" computed from its own size and page 1's, and a
 * zoom keeps the point under the pointer (or the view's centre) where it was.
 */
import { forwardRef, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { PDFDocumentProxy, PageViewport } from 'pdfjs-dist';
import type { Language, VerificationReport } from '../api/contract';
import { PageView } from './PageView';
import { useNearPages } from './lazy-pages';
import { CSS_PX_PER_POINT, pdfRectToCss } from './geometry';
import type { Strings } from './i18n';
import { marksByPage, type VerifyPhase } from './SealMarks';

/** A zoom percentage, or one of the fits. */
export type Zoom = number | 'fit-page' | 'fit-width';

export interface DocumentViewHandle {
  /** Scrolls to a page, or to a rectangle on it (brought fully into view). */
  scrollToPage(page: number, rect?: readonly number[]): void;
  viewport(page: number): PageViewport | undefined;
  container(): HTMLDivElement | null;
  /** Remembers the point under (clientX, clientY), or the view's centre, to keep it there across the next zoom. */
  anchorZoomAt(clientX?: number, clientY?: number): void;
}

interface Props {
  pdf: PDFDocumentProxy;
  zoom: Zoom;
  report: VerificationReport | null;
  phase: VerifyPhase;
  highlighted?: string;
  query?: string;
  lang: Language;
  t: Strings;
  onPageChange(page: number): void;
  /** The scale in use (CSS px per point), for what the app draws at real size (the seal sample). */
  onScale(scale: number): void;
  overlay(page: number, vp: PageViewport): ReactNode;
  onContextMenu?(e: React.MouseEvent): void;
}

const PAD = 16;

export const DocumentView = forwardRef<DocumentViewHandle, Props>(function DocumentView(props, ref) {
  const { pdf, zoom } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const viewports = useRef(new Map<number, PageViewport>());
  const near = useNearPages(scroller, '.page', '1200px 0px', pdf, [1, 2, 3]);
  const [base, setBase] = useState<{ width: number; height: number } | null>(null);
  const [box, setBox] = useState<{ width: number; height: number }>({ width: 800, height: 600 });

  useEffect(() => {
    let live = true;
    void pdf.getPage(1).then((p) => {
      const vp = p.getViewport({ scale: 1 });
      if (live) setBase({ width: vp.width, height: vp.height });
    });
    return () => {
      live = false;
    };
  }, [pdf]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setBox({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const b = base ?? { width: 595, height: 842 };
  const fitWidth = Math.max(0.1, (box.width - 2 * PAD) / b.width);
  const scale = zoom === 'fit-width' ? fitWidth : zoom === 'fit-page' ? Math.max(0.1, Math.min(fitWidth, (box.height - 2 * PAD) / b.height)) : (zoom / 100) * CSS_PX_PER_POINT;
  const estimate = { width: b.width * scale, height: b.height * scale };
  const { onScale } = props;
  useEffect(() => onScale(scale), [scale, onScale]);

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

  // Zoom anchor: which page and where on it (as fractions) sits under a point of the view.
  const anchor = useRef<{ page: number; fx: number; fy: number; vx: number; vy: number } | null>(null);
  const anchorZoomAt = useCallback((clientX?: number, clientY?: number) => {
    const root = scroller.current;
    if (!root) return;
    const r = root.getBoundingClientRect();
    const x = clientX ?? r.left + root.clientWidth / 2;
    const y = clientY ?? r.top + root.clientHeight / 2;
    for (const el of root.querySelectorAll<HTMLElement>('.page')) {
      const p = el.getBoundingClientRect();
      if (y >= p.top - PAD && y <= p.bottom + PAD) {
        anchor.current = { page: Number(el.dataset.page), fx: (x - p.left) / p.width, fy: (y - p.top) / p.height, vx: x - r.left, vy: y - r.top };
        return;
      }
    }
  }, []);
  useLayoutEffect(() => {
    const a = anchor.current;
    const root = scroller.current;
    anchor.current = null;
    if (!a || !root) return;
    const el = root.querySelector<HTMLElement>(`#page-${a.page}`);
    if (!el) return;
    root.scrollTop = el.offsetTop + a.fy * el.offsetHeight - a.vy;
    root.scrollLeft = el.offsetLeft + a.fx * el.offsetWidth - a.vx;
  }, [scale]);

  // A scroll to a rectangle on a page not loaded yet is finished when the page's viewport arrives.
  const pendingScroll = useRef<{ page: number; rect: readonly number[] } | null>(null);
  const scrollToPage = useCallback((page: number, rect?: readonly number[]) => {
    const root = scroller.current;
    const el = root?.querySelector<HTMLElement>(`#page-${page}`);
    if (!root || !el) return;
    let top = el.offsetTop - PAD;
    let left: number | undefined;
    const vp = viewports.current.get(page);
    pendingScroll.current = rect && !vp ? { page, rect } : null;
    if (rect && vp) {
      // The whole rectangle in view: centred when it fits, its top-left corner otherwise.
      const r = pdfRectToCss(vp, rect);
      top = el.offsetTop + r.top - Math.max(PAD, (root.clientHeight - r.height) / 2);
      left = el.offsetLeft + r.left - Math.max(PAD, (root.clientWidth - r.width) / 2);
    }
    root.scrollTo({ top: Math.max(0, top), ...(left !== undefined ? { left: Math.max(0, left) } : {}) });
  }, []);

  useImperativeHandle(ref, () => ({
    scrollToPage,
    viewport: (page) => viewports.current.get(page),
    container: () => scroller.current,
    anchorZoomAt,
  }));

  const onViewport = useCallback((page: number, vp: PageViewport | null) => {
    if (vp) viewports.current.set(page, vp);
    else viewports.current.delete(page);
    const p = pendingScroll.current;
    if (vp && p && p.page === page) scrollToPage(p.page, p.rect);
  }, [scrollToPage]);

  const marks = marksByPage(props.report, props.phase);
  const pages = Array.from({ length: pdf.numPages }, (_, i) => i + 1);
  return (
    <div className="document" ref={scroller} onScroll={onScroll} onContextMenu={props.onContextMenu} data-testid="document" data-scale={scale.toFixed(4)} tabIndex={0} aria-label={props.t.documentPages}>
      {pages.map((n) => (
        <PageView
          key={n}
          pdf={pdf}
          pageNumber={n}
          scale={scale}
          estimate={estimate}
          near={near.has(n)}
          marks={marks(n)}
          highlighted={props.highlighted}
          query={props.query}
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

// Rendering only what is near the viewport, for the document's pages and the thumbnail strip alike.
import { useEffect, useState, type RefObject } from 'react';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist';

/**
 * The page numbers (from each element's data-page) of the `selector` elements inside `root` that are
 * within `rootMargin` of its visible area; starts with `initial` until the observer reports.
 */
export function useNearPages(root: RefObject<HTMLElement | null>, selector: string, rootMargin: string, pdf: PDFDocumentProxy, initial: number[]): Set<number> {
  const [near, setNear] = useState<Set<number>>(() => new Set(initial));
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    const io = new IntersectionObserver(
      (entries) => {
        setNear((prev) => {
          const next = new Set(prev);
          for (const e of entries) {
            const n = Number((e.target as HTMLElement).dataset.page);
            if (e.isIntersecting) next.add(n);
            else next.delete(n);
          }
          return next;
        });
      },
      { root: el, rootMargin },
    );
    el.querySelectorAll<HTMLElement>(selector).forEach((child) => io.observe(child));
    return () => io.disconnect();
  }, [pdf, root, selector, rootMargin]);
  return near;
}

/** The page object, loaded once the page first comes near (cheap: no drawing yet). */
export function usePageWhenNear(pdf: PDFDocumentProxy, pageNumber: number, near: boolean): PDFPageProxy | null {
  const [page, setPage] = useState<PDFPageProxy | null>(null);
  useEffect(() => {
    if (!near || page) return;
    let live = true;
    void pdf.getPage(pageNumber).then((p) => live && setPage(p));
    return () => {
      live = false;
    };
  }, [near, page, pdf, pageNumber]);
  return page;
}

/**
 * Draws a page into a canvas at `scale` CSS px per point, sharp on high-DPI screens. Calls
 * onDrawn when finished; returns the cancel for an effect's cleanup (scrolling away, zooming).
 */
export function drawPage(page: PDFPageProxy, canvas: HTMLCanvasElement, scale: number, onDrawn: () => void): () => void {
  const viewport = page.getViewport({ scale });
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.floor(viewport.width * dpr);
  canvas.height = Math.floor(viewport.height * dpr);
  const task = page.render({ canvas, viewport, transform: dpr !== 1 ? [dpr, 0, 0, dpr, 0, 0] : undefined });
  task.promise.then(onDrawn, () => undefined); // a cancelled draw has nothing to report
  return () => task.cancel();
}

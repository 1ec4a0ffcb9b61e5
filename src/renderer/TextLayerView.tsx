/**
 * pdf.js's TextLayer over a drawn page: transparent text placed exactly over the glyphs, so a person
 * can select and copy, and the find bar (Ctrl+F) can mark what it found. Only pages near the view
 * get one (as with the canvas).
 */
import { useEffect, useRef } from 'react';
import type { PDFPageProxy, PageViewport } from 'pdfjs-dist';
import { pdfjs } from './pdf';

export function TextLayerView({ page, vp, query }: { page: PDFPageProxy; vp: PageViewport; query?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let live = true;
    let layer: { cancel(): void } | null = null;
    el.replaceChildren();
    void pdfjs().then((m) => {
      if (!live) return;
      const tl = new m.TextLayer({ textContentSource: page.streamTextContent(), container: el, viewport: vp });
      layer = tl;
      tl.render().then(() => live && markMatches(el, query), () => undefined);
    });
    return () => {
      live = false;
      layer?.cancel();
    };
  }, [page, vp.scale, vp.rotation]);

  useEffect(() => {
    if (box.current) markMatches(box.current, query);
  }, [query]);

  return <div className="textLayer" ref={box} data-testid="text-layer" style={{ ['--total-scale-factor' as string]: String(vp.scale), width: vp.width, height: vp.height }} />;
}

/** Marks the text spans that contain the query (case-insensitive). */
function markMatches(el: HTMLElement, query: string | undefined) {
  const q = query?.trim().toLowerCase();
  for (const span of el.querySelectorAll('span')) {
    const hit = !!q && (span.textContent ?? '').toLowerCase().includes(q);
    span.classList.toggle('highlight', hit);
  }
}

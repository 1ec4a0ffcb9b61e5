/**
 * One page: a placeholder of the right size always, a canvas only while the page is near the
 * viewport (so a 500-page file scrolls smoothly), its text layer (select, copy, find), and the
 * overlays: the seal marks (SealMarks.tsx), the placed sample seal, keyword previews.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { PDFDocumentProxy, PageViewport } from 'pdfjs-dist';
import type { Language } from '../api/contract';
import { drawPage, usePageWhenNear } from './lazy-pages';
import type { Strings } from './i18n';
import { SealMarks, type PageMarksInput } from './SealMarks';
import { TextLayerView } from './TextLayerView';

export interface PageViewProps {
  pdf: PDFDocumentProxy;
  pageNumber: number;
  scale: number;
  estimate: { width: number; height: number };
  near: boolean;
  marks: PageMarksInput;
  highlighted?: string;
  /** What the find bar looks for: marked in the text layer. */
  query?: string;
  lang: Language;
  t: Strings;
  onViewport(page: number, vp: PageViewport | null): void;
  children?: (vp: PageViewport) => ReactNode;
}

export function PageView(props: PageViewProps) {
  const { pdf, pageNumber, scale, near } = props;
  const page = usePageWhenNear(pdf, pageNumber, near);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [rendered, setRendered] = useState(false);

  const vp = page ? page.getViewport({ scale }) : null;
  const { onViewport } = props;
  useEffect(() => {
    onViewport(pageNumber, vp);
  }, [page, scale]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!page || !near || !canvas) return;
    setRendered(false);
    return drawPage(page, canvas, scale, () => setRendered(true));
  }, [page, near, scale]);

  const width = vp?.width ?? props.estimate.width;
  const height = vp?.height ?? props.estimate.height;
  return (
    <div className="page" data-page={pageNumber} data-rendered={rendered ? 'yes' : 'no'} id={`page-${pageNumber}`} style={{ width, height }}>
      {near && page ? <canvas ref={canvasRef} style={{ width, height }} /> : <div className="page-placeholder">{pageNumber}</div>}
      {vp && page && near && <TextLayerView page={page} vp={vp} query={props.query} />}
      {vp && <SealMarks vp={vp} page={page} input={props.marks} lang={props.lang} t={props.t} highlighted={props.highlighted} />}
      {vp && props.children?.(vp)}
    </div>
  );
}

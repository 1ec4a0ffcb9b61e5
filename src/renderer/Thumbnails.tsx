/**
 * The page thumbnail strip beside the document. Like the pages themselves it stays light on a
 * 500-page file: every thumbnail is a box of the right size, and only those near the strip's own
 * viewport get a (small) canvas. Clicking one scrolls the document to that page. Seals are marked
 * on the thumbnails exactly as on the pages (SealMarks, without the words).
 */
import { useEffect, useRef, useState } from 'react';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { Language, VerificationReport } from '../api/contract';
import type { Strings } from './i18n';
import { drawPage, useNearPages, usePageWhenNear } from './lazy-pages';
import { SealMarks, marksByPage, type PageMarksInput, type VerifyPhase } from './SealMarks';

/** CSS width of one thumbnail; its height follows the page's shape. */
export const THUMB_WIDTH = 96;

interface Props {
  pdf: PDFDocumentProxy;
  /** The page the document view shows now (highlighted, and kept in sight in the strip). */
  current: number;
  t: Strings;
  lang: Language;
  report: VerificationReport | null;
  phase: VerifyPhase;
  onPick(page: number): void;
}

export function Thumbnails({ pdf, current, t, lang, report, phase, onPick }: Props) {
  const strip = useRef<HTMLDivElement>(null);
  // A smaller margin than the pages': thumbnails are short, a screenful ahead is plenty.
  const near = useNearPages(strip, '.thumb', '300px 0px', pdf, [1, 2, 3, 4, 5, 6]);
  const [ratio, setRatio] = useState(842 / 595);

  // Every box takes the first page's shape until its own page is loaded (as the document view does).
  useEffect(() => {
    let live = true;
    void pdf.getPage(1).then((p) => {
      const vp = p.getViewport({ scale: 1 });
      if (live) setRatio(vp.height / vp.width);
    });
    return () => {
      live = false;
    };
  }, [pdf]);

  // Keep the current page's thumbnail in sight while the person scrolls the document.
  useEffect(() => {
    const el = strip.current?.querySelector<HTMLElement>(`.thumb[data-page="${current}"]`);
    el?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  const pages = Array.from({ length: pdf.numPages }, (_, i) => i + 1);
  const marks = marksByPage(report, phase);
  return (
    <nav className="thumbnails" ref={strip} data-testid="thumbnails" aria-label={t.thumbnails}>
      {pages.map((n) => (
        <Thumbnail key={n} pdf={pdf} pageNumber={n} near={near.has(n)} ratio={ratio} current={n === current} label={t.pageN(n)} onPick={onPick} marks={marks(n)} t={t} lang={lang} />
      ))}
    </nav>
  );
}

interface ThumbProps {
  pdf: PDFDocumentProxy;
  pageNumber: number;
  near: boolean;
  ratio: number;
  current: boolean;
  label: string;
  onPick(page: number): void;
  marks: PageMarksInput;
  t: Strings;
  lang: Language;
}

function Thumbnail({ pdf, pageNumber, near, ratio, current, label, onPick, marks, t, lang }: ThumbProps) {
  const page = usePageWhenNear(pdf, pageNumber, near);
  const [rendered, setRendered] = useState(false);
  const canvasRef = useRef<HTMLCanvasElement>(null);

  const base = page?.getViewport({ scale: 1 });
  const height = base ? (THUMB_WIDTH * base.height) / base.width : THUMB_WIDTH * ratio;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!page || !near || !canvas) return;
    setRendered(false);
    const cancel = drawPage(page, canvas, THUMB_WIDTH / page.getViewport({ scale: 1 }).width, () => setRendered(true));
    return () => {
      cancel();
      setRendered(false);
    };
  }, [page, near]);

  return (
    <button
      type="button"
      className={`thumb${current ? ' current' : ''}`}
      data-page={pageNumber}
      data-rendered={rendered ? 'yes' : 'no'}
      data-current={current ? 'yes' : 'no'}
      aria-current={current ? 'page' : undefined}
      title={label}
      onClick={() => onPick(pageNumber)}
    >
      <span className="thumb-paper" style={{ width: THUMB_WIDTH, height }}>
        {near && page && <canvas ref={canvasRef} style={{ width: THUMB_WIDTH, height }} />}
        {page && base && <SealMarks vp={page.getViewport({ scale: THUMB_WIDTH / base.width })} page={page} input={marks} lang={lang} t={t} small />}
      </span>
      <span className="thumb-number">{pageNumber}</span>
    </button>
  );
}

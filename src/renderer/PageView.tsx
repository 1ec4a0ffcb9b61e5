/**
 * One page: a placeholder of the right size always, a canvas only while the page is near the
 * viewport (so a 500-page file scrolls smoothly), and the overlays: verified seals (valid mark or
 * greyed and crossed out), the placed sample seal, keyword previews.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { PDFDocumentProxy, PageViewport } from 'pdfjs-dist';
import type { VerificationReport } from '../api/contract';
import { pdfRectToCss } from './geometry';
import { drawPage, usePageWhenNear } from './lazy-pages';
import { pick, type Strings } from './i18n';
import type { Language } from '../api/contract';

type Signature = VerificationReport['signatures'][number];

export interface PageViewProps {
  pdf: PDFDocumentProxy;
  pageNumber: number;
  scale: number;
  estimate: { width: number; height: number };
  near: boolean;
  signatures: Signature[];
  highlighted?: string;
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
      {vp && props.signatures.map((s) => <SealOverlay key={s.field} sig={s} vp={vp} lang={props.lang} t={props.t} highlighted={props.highlighted === s.field} />)}
      {vp && props.children?.(vp)}
    </div>
  );
}

function SealOverlay({ sig, vp, lang, t, highlighted }: { sig: Signature; vp: PageViewport; lang: Language; t: Strings; highlighted: boolean }) {
  if (!sig.rect) return null;
  const box = pdfRectToCss(vp, sig.rect);
  const reasons = sig.checks.filter((c) => c.status === 'failed').map((c) => pick(lang, c.message));
  const warnings = sig.checks.filter((c) => c.status === 'warning').map((c) => pick(lang, c.message));
  const cls = `seal-overlay seal-${sig.verdict}${highlighted ? ' highlighted' : ''}`;
  const title = sig.verdict === 'invalid' ? t.reasonHover + reasons.join(';') : sig.verdict === 'warning' ? warnings.join(';') : t.sealValid;
  return (
    <div className={cls} data-field={sig.field} data-verdict={sig.verdict} title={title} style={{ left: box.left, top: box.top, width: box.width, height: box.height }}>
      {sig.verdict === 'invalid' ? (
        <svg className="cross" viewBox="0 0 100 100" preserveAspectRatio="none" aria-label={t.sealInvalid}>
          <line x1="4" y1="4" x2="96" y2="96" />
          <line x1="96" y1="4" x2="4" y2="96" />
        </svg>
      ) : (
        <span className="seal-mark" aria-label={sig.verdict === 'valid' ? t.sealValid : t.sealWarning}>{sig.verdict === 'valid' ? '✔' : '!'}</span>
      )}
    </div>
  );
}

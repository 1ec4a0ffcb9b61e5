/**
 * What is drawn over a seal on a page — the same on the document's pages, on the thumbnails and in
 * print, so no view shows a seal as normal that another shows as doubtful:
 * - while verification runs (or when it could not run): every signature widget pdf.js finds is muted
 *   and labelled 验证中 / 未验证 — unproven, never a plain seal;
 * - after verification: valid seals get a small mark; invalid ones are greyed and crossed; an unknown
 *   signer is muted with a "?"; a copied seal picture (a FileWarning with a rectangle) is greyed and
 *   crossed where it is drawn;
 * - a signature widget that pdf.js sees but the report does not name stays unproven.
 */
import { useEffect, useState } from 'react';
import type { PDFPageProxy, PageViewport } from 'pdfjs-dist';
import type { Language } from '../api/contract';
import type { FileWarning, Rect, VerificationReport } from '../api/verification-report';
import { STATE_WORDS, headlineCheck, sealState, type SealState } from '../api/report-wording';
import { pdfRectToCss } from './geometry';
import { pick, type Strings } from './i18n';

type Signature = VerificationReport['signatures'][number];

/** Where verification stands for the document shown. */
export type VerifyPhase = 'verifying' | 'failed' | 'done';

export interface PageMarksInput {
  phase: VerifyPhase;
  signatures: Signature[];
  warnings: FileWarning[];
}

export type MarkKind = SealState | 'pending' | 'unverified' | 'copied';

interface Mark {
  key: string;
  kind: MarkKind;
  rect: Rect;
  title: string;
  field?: string;
  warningIndex?: number;
}

/** The signature widgets of a page as pdf.js reads them (field name and /Rect), without verifying anything. */
export function useSignatureWidgets(page: PDFPageProxy | null): { field: string; rect: Rect }[] {
  const [widgets, setWidgets] = useState<{ field: string; rect: Rect }[]>([]);
  useEffect(() => {
    if (!page) return;
    let live = true;
    void page.getAnnotations({ intent: 'display' }).then(
      (annots: { subtype?: string; fieldType?: string; fieldName?: string; rect?: number[] }[]) => {
        if (!live) return;
        setWidgets(
          annots
            .filter((a) => a.subtype === 'Widget' && a.fieldType === 'Sig' && Array.isArray(a.rect) && a.rect.length === 4)
            .map((a) => ({ field: a.fieldName ?? '', rect: a.rect as Rect })),
        );
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [page]);
  return widgets;
}

const overlaps = (a: Rect, b: Rect) => {
  const ix = Math.min(Math.max(a[0], a[2]), Math.max(b[0], b[2])) - Math.max(Math.min(a[0], a[2]), Math.min(b[0], b[2]));
  const iy = Math.min(Math.max(a[1], a[3]), Math.max(b[1], b[3])) - Math.max(Math.min(a[1], a[3]), Math.min(b[1], b[3]));
  return ix > 0 && iy > 0;
};

function marksOf(input: PageMarksInput, widgets: { field: string; rect: Rect }[], lang: Language, t: Strings): Mark[] {
  if (input.phase !== 'done') {
    return widgets.map((w, i) => ({ key: `w${i}`, kind: input.phase === 'verifying' ? 'pending' : 'unverified', rect: w.rect, title: input.phase === 'verifying' ? t.markPending : t.markUnverified, field: w.field }));
  }
  const marks: Mark[] = [];
  for (const s of input.signatures) {
    if (!s.rect) continue;
    const kind = sealState(s);
    const h = headlineCheck(s);
    const title = kind === 'valid' ? t.sealValid : kind === 'invalid' ? t.reasonHover + pick(lang, h?.message) : pick(lang, h?.message) || pick(lang, STATE_WORDS[kind]);
    marks.push({ key: `s:${s.field}`, kind, rect: s.rect, title, field: s.field });
  }
  input.warnings.forEach((w, i) => {
    if (w.id === 'copied_seal_image' && w.rect) marks.push({ key: `c${i}`, kind: 'copied', rect: w.rect, title: pick(lang, w.message), warningIndex: i });
  });
  widgets.forEach((w, i) => {
    const named = input.signatures.some((s) => (s.field && s.field === w.field) || (s.rect && overlaps(s.rect, w.rect)));
    // An empty signature field core reported as such is a blank box, not an unproven seal.
    const empty = input.warnings.some((x) => x.id === 'empty_signature_field' && w.field !== '' && x.message.en.includes(`"${w.field}"`));
    if (!named && !empty) marks.push({ key: `u${i}`, kind: 'unverified', rect: w.rect, title: t.markUnverified, field: w.field });
  });
  return marks;
}

interface Props {
  vp: PageViewport;
  page: PDFPageProxy | null;
  input: PageMarksInput;
  lang: Language;
  t: Strings;
  /** The seal (field) or copied picture (warning index) picked in the list: outlined. */
  highlighted?: string;
  /** Thumbnails: no words, only the shapes (a 96-px page has no room for a label). */
  small?: boolean;
}

export function SealMarks({ vp, page, input, lang, t, highlighted, small }: Props) {
  const widgets = useSignatureWidgets(page);
  return (
    <>
      {marksOf(input, widgets, lang, t).map((m) => {
        const box = pdfRectToCss(vp, m.rect);
        const hi = highlighted !== undefined && (highlighted === m.field || highlighted === `warning:${m.warningIndex}`);
        const crossed = m.kind === 'invalid' || m.kind === 'copied';
        return (
          <div
            key={m.key}
            className={`seal-overlay seal-${m.kind}${hi ? ' highlighted' : ''}`}
            data-field={m.field}
            data-verdict={m.kind}
            data-warning={m.warningIndex}
            title={m.title}
            role="img"
            aria-label={`${t.markWords[m.kind]}${m.title && m.title !== t.markWords[m.kind] ? `${t.colon}${m.title}` : ''}`}
            style={{ left: box.left, top: box.top, width: box.width, height: box.height }}
          >
            {crossed && (
              <svg className="cross" viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true">
                <line x1="4" y1="4" x2="96" y2="96" />
                <line x1="96" y1="4" x2="4" y2="96" />
              </svg>
            )}
            {!crossed && <span className="seal-mark" aria-hidden="true">{MARK_GLYPH[m.kind]}</span>}
            {!small && m.kind !== 'valid' && <span className="seal-label">{t.markWords[m.kind]}</span>}
          </div>
        );
      })}
    </>
  );
}

const MARK_GLYPH: Record<MarkKind, string> = { valid: '✔', warning: '!', unknown_signer: '?', invalid: '✖', pending: '…', unverified: '?', copied: '✖' };

/** The report's seals and copied pictures, page by page (shared with the thumbnails). */
export function marksByPage(report: VerificationReport | null, phase: VerifyPhase): (page: number) => PageMarksInput {
  const empty: PageMarksInput = { phase, signatures: [], warnings: [] };
  if (!report || phase !== 'done') return () => empty;
  return (page) => ({
    phase,
    signatures: report.signatures.filter((s) => s.page === page),
    // Warnings keep their index in the report (the list and the page refer to them by it).
    warnings: report.warnings.map((w) => (w.page === page ? w : { ...w, rect: undefined })),
  });
}

/**
 * 骑缝章 and one seal on several pages, in the desktop client: the keeper chooses the pages (all,
 * odd, even, or a list such as 1,3,5-7), for a straddle seal the edge and the distance along it,
 * sees the strips (or the samples) on the pages, and stamps. The pages are read by the same rule
 * core uses (src/api/page-selection.ts) and the strips cut by the same rule (src/api/straddle-strips.ts);
 * core places and signs, and refuses what it cannot stamp with its reason.
 */
import { useEffect, useState } from 'react';
import type { PageViewport } from 'pdfjs-dist';
import type { Language, Placement } from '../api/contract';
import { parsePageSelection } from '../api/page-selection';
import { STRADDLE_EDGES, stripSlice, type StraddleEdge } from '../api/straddle-strips';
import { mmToPoints, pdfToCss, sealCssSize } from './geometry';
import { pick, type Strings } from './i18n';

export interface MultiPageSpec {
  mode: 'straddle' | 'pages';
  pages: string;
  edge: StraddleEdge;
  /** Millimetres from the top (left/right edges) or the left (top/bottom); empty: the middle. */
  offsetMm: string;
}

export const DEFAULT_MULTI_PAGE: MultiPageSpec = { mode: 'straddle', pages: 'all', edge: 'right', offsetMm: '' };

export interface SealPicture { url: string; widthMm: number; heightMm: number }

/** The seal picture's size in pixels (the strips are cut at whole pixels of it). */
export function usePictureSize(url: string | undefined): { width: number; height: number } | null {
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  useEffect(() => {
    setSize(null);
    if (!url) return;
    const img = new Image();
    img.onload = () => setSize({ width: img.naturalWidth, height: img.naturalHeight });
    img.src = url;
  }, [url]);
  return size;
}

type Checked = { pages: number[]; problem?: string };

function check(spec: MultiPageSpec, pageCount: number, lang: Language, t: Strings): Checked {
  const r = parsePageSelection(spec.pages, pageCount);
  if ('error' in r) return { pages: [], problem: pick(lang, r.error) };
  if (spec.mode === 'straddle' && r.pages.length < 2) return { pages: r.pages, problem: t.straddleNeedsTwo(r.pages.length) };
  if (r.pages.length === 0) return { pages: [], problem: t.multiNoPages };
  if (spec.offsetMm.trim() !== '' && !/^\d+(\.\d+)?$/.test(spec.offsetMm.trim())) return { pages: r.pages, problem: t.multiOffsetBad };
  return { pages: r.pages };
}

/** What the panel's stamp button asks core for. */
export function multiPagePlacement(spec: MultiPageSpec, point: { x: number; y: number } | null): Placement | null {
  if (spec.mode === 'straddle') {
    const off = spec.offsetMm.trim();
    return { kind: 'straddle', pages: spec.pages.trim(), edge: spec.edge, ...(off ? { offsetMm: Number(off) } : {}) };
  }
  return point ? { kind: 'pages', pages: spec.pages.trim(), x: point.x, y: point.y } : null;
}

interface Props {
  t: Strings;
  lang: Language;
  pageCount: number;
  spec: MultiPageSpec | null;
  /** The placed sample's point, for the same seal on several pages. */
  point: { x: number; y: number } | null;
  onChange(spec: MultiPageSpec | null): void;
  onStamp(p: Placement): void;
}

export function MultiPagePanel({ t, lang, pageCount, spec, point, onChange, onStamp }: Props) {
  if (!spec) {
    return (
      <div className="keyword-box">
        <button onClick={() => onChange(DEFAULT_MULTI_PAGE)} data-testid="multi-open">{t.multiOpen}</button>
      </div>
    );
  }
  const c = check(spec, pageCount, lang, t);
  const placement = c.problem ? null : multiPagePlacement(spec, point);
  const set = (p: Partial<MultiPageSpec>) => onChange({ ...spec, ...p });
  return (
    <div className="keyword-box multi-page" data-testid="multi-panel">
      <h3>{t.multiTitle}</h3>
      <div className="multi-modes" role="radiogroup" aria-label={t.multiTitle}>
        {(['straddle', 'pages'] as const).map((m) => (
          <label key={m}>
            <input type="radio" name="multi-mode" checked={spec.mode === m} onChange={() => set({ mode: m })} data-testid={`multi-mode-${m}`} />
            {m === 'straddle' ? t.multiModeStraddle : t.multiModePages}
          </label>
        ))}
      </div>
      <label>
        {t.multiPages}
        <input value={spec.pages} onChange={(e) => set({ pages: e.target.value })} data-testid="multi-pages" placeholder="all / odd / even / 1,3,5-7" />
      </label>
      {spec.mode === 'straddle' && (
        <>
          <label>
            {t.multiEdge}
            <select value={spec.edge} onChange={(e) => set({ edge: e.target.value as StraddleEdge })} data-testid="multi-edge">
              {STRADDLE_EDGES.map((e) => <option key={e} value={e}>{t.edges[e]}</option>)}
            </select>
          </label>
          <label>
            {t.multiOffset(spec.edge === 'right' || spec.edge === 'left')}
            <input value={spec.offsetMm} onChange={(e) => set({ offsetMm: e.target.value })} data-testid="multi-offset" inputMode="decimal" placeholder={t.multiOffsetMiddle} />
          </label>
        </>
      )}
      <div className="token-meta" data-testid="multi-summary" role={c.problem ? 'alert' : undefined}>
        {c.problem ?? (spec.mode === 'straddle' ? t.straddleSummary(c.pages.length) : point ? t.pagesSummary(c.pages.length) : t.multiNeedsPoint)}
      </div>
      <button className="primary" disabled={!placement} onClick={() => placement && onStamp(placement)} data-testid="multi-stamp">
        {spec.mode === 'straddle' ? t.straddleStamp : t.pagesStamp}
      </button>
      <button onClick={() => onChange(null)} data-testid="multi-close">{t.close}</button>
    </div>
  );
}

/**
 * The preview on page `n`: for a straddle seal, that page's strip of the seal picture on the
 * chosen edge as the page is shown (pdf.js's viewport has the rotation and the crop box); for
 * several pages, the sample at the placed point.
 */
export function multiPagePreview(n: number, vp: PageViewport, spec: MultiPageSpec | null, pageCount: number, seal: SealPicture, pixels: { width: number; height: number } | null, point: { x: number; y: number } | null): React.ReactNode[] {
  if (!spec) return [];
  const r = parsePageSelection(spec.pages, pageCount);
  if ('error' in r) return [];
  const position = r.pages.indexOf(n - 1);
  if (position < 0) return [];
  const full = sealCssSize(seal.widthMm, seal.heightMm, vp.scale);
  if (spec.mode === 'pages') {
    if (!point) return [];
    const c = pdfToCss(vp, point.x, point.y);
    return [
      <div key="multi-sample" className="keyword-preview" data-testid="multi-preview" style={{ left: c.left - full.width / 2, top: c.top - full.height / 2, width: full.width, height: full.height }}>
        <img src={seal.url} alt="" draggable={false} />
      </div>,
    ];
  }
  if (!pixels || r.pages.length < 2) return [];
  const slice = stripSlice(pixels.width, pixels.height, spec.edge, r.pages.length, position);
  const kx = full.width / pixels.width;
  const ky = full.height / pixels.height;
  const w = slice.width * kx;
  const h = slice.height * ky;
  const off = spec.offsetMm.trim() && /^\d+(\.\d+)?$/.test(spec.offsetMm.trim()) ? mmToPoints(Number(spec.offsetMm)) * vp.scale : undefined;
  const vertical = spec.edge === 'right' || spec.edge === 'left';
  const left = vertical ? (spec.edge === 'right' ? vp.width - w : 0) : (off ?? vp.width / 2) - w / 2;
  const top = vertical ? (off ?? vp.height / 2) - h / 2 : spec.edge === 'bottom' ? vp.height - h : 0;
  return [
    <div key="strip" className="straddle-strip" data-testid="straddle-strip" data-position={position} data-edge={spec.edge} style={{ left, top, width: w, height: h }}>
      <img src={seal.url} alt="" draggable={false} style={{ left: -slice.x * kx, top: -slice.y * ky, width: full.width, height: full.height }} />
    </div>,
  ];
}

/**
 * The SealDesk window: toolbar, document view, verification banner and seal list, token panel,
 * drag-to-stamp with the PIN dialog. All verdicts and all stamping rules come from core through
 * window.sealdesk; this file only shows them and collects what the person chose.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PDFDocumentProxy, PageViewport } from 'pdfjs-dist';
import { MultiPagePanel, multiPagePreview, usePictureSize, type MultiPageSpec } from './MultiPagePanel';
import type { ApiError, DocumentRef, KeywordHit, Language, Placement, SealRegistryView, SealView, StampPlatformView, TokenView, VerificationReport } from '../api/contract';
import { api, call, errorOf } from './api-client';
import { AuditDialog } from './AuditDialog';
import { BatchDialog } from './BatchDialog';
import { SealPictureDialog } from './SealPictureDialog';
import { CertificateDialog } from './CertificateDialog';
import { DocumentView, type DocumentViewHandle, type Zoom } from './DocumentView';
import { FindBar } from './FindBar';
import { CSS_PX_PER_POINT, cssToPdf, pdfToCss, sealCssSize } from './geometry';
import type { VerifyPhase } from './SealMarks';
import { pick, strings } from './i18n';
import { openDocumentByRanges } from './pdf';
import { PinDialog } from './PinDialog';
import { SettingsDialog } from './SettingsDialog';
import { Thumbnails } from './Thumbnails';
import { TokenPanel, sealPictureUrl } from './TokenPanel';
import { StampNotice } from './StampNotice';
import { SealList, VerificationBanner } from './VerificationPanel';
import { SignedVersion } from './SignedVersion';

interface OpenDoc {
  ref: DocumentRef;
  pdf: PDFDocumentProxy;
}
interface Chosen {
  token: TokenView;
  seal: SealView;
  url: string;
}
interface Drag {
  chosen: Chosen;
  x: number;
  y: number;
  /** Pointer offset from the seal's centre when moving an already placed sample. */
  dx: number;
  dy: number;
}
type StampFlow =
  | { phase: 'pin'; outputId: string; outputName: string; placement: Placement; error?: string; triesLeft?: number }
  | { phase: 'working'; jobId: string; stage: string; fraction: number; cancel?: 'asked' | 'too-late' }
  | { phase: 'result'; ok: boolean; message: string; cancelled?: boolean; code?: string; refused?: boolean };

const ZOOMS = [50, 75, 100, 125, 150, 200, 300];
/** The next zoom step up or down from the scale in use. */
const stepZoom = (scale: number, dir: 1 | -1): number => {
  const now = (scale / CSS_PX_PER_POINT) * 100;
  return dir > 0 ? ZOOMS.find((z) => z > now + 0.5) ?? ZOOMS[ZOOMS.length - 1]! : [...ZOOMS].reverse().find((z) => z < now - 0.5) ?? ZOOMS[0]!;
};
const TOKEN_POLL_MS = 2000;
/** The seals' registry states are asked of the platform less often than the keys are listed. */
const REGISTRY_POLL_MS = 4000;
/** Errors after which the person is pointed to the settings (the platform there cannot be reached or trusted). */
const SETTINGS_HINT = new Set(['PLATFORM_UNREACHABLE', 'LOG_ROLLED_BACK', 'LOG_FORKED', 'LOG_PROOF_INVALID', 'PLATFORM_BAD_ANSWER']);

const randomId = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');

/** An error from opening: ours arrive as {code, zh, en}; pdf.js's English ones are put in words of the language. */
function openErrorOf(e: unknown, name: string): ApiError {
  const err = errorOf(e);
  if (err.code !== 'RENDERER_ERROR') return err;
  const kind = e instanceof Error ? e.name : '';
  const zhT = strings('zh').openErrors;
  const enT = strings('en').openErrors;
  return { code: `PDF_${kind || 'UNREADABLE'}`, zh: `${name}：${zhT[kind] ?? zhT.other}`, en: `${name}: ${enT[kind] ?? enT.other}` };
}

export function App() {
  const [lang, setLang] = useState<Language>('zh');
  const t = strings(lang);
  const [doc, setDoc] = useState<OpenDoc | null>(null);
  const [openError, setOpenError] = useState<ApiError | null>(null);
  const [report, setReport] = useState<VerificationReport | null>(null);
  /** The document being opened (verification already running, pages not loaded yet). */
  const [opening, setOpening] = useState<DocumentRef | null>(null);
  const [phase, setPhase] = useState<VerifyPhase>('verifying');
  const [verifyError, setVerifyError] = useState<ApiError | null>(null);
  const [tokens, setTokens] = useState<TokenView[] | null>(null);
  const [registry, setRegistry] = useState<ReadonlyMap<string, SealRegistryView>>(new Map());
  const [stampNotice, setStampNotice] = useState<StampPlatformView | null>(null);
  const [zoom, setZoom] = useState<Zoom>('fit-page');
  const [scale, setScale] = useState(CSS_PX_PER_POINT);
  const [page, setPage] = useState(1);
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [placement, setPlacement] = useState<{ page: number; x: number; y: number } | null>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [keyword, setKeyword] = useState('盖章处');
  const [hits, setHits] = useState<KeywordHit[] | null>(null);
  const [multi, setMulti] = useState<MultiPageSpec | null>(null);
  const [flow, setFlow] = useState<StampFlow | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const [dialog, setDialog] = useState<'settings' | 'audit' | 'batch' | 'seal-picture' | null>(null);
  const [certFor, setCertFor] = useState<string | null>(null);
  const [signedFor, setSignedFor] = useState<string | null>(null);
  const [printing, setPrinting] = useState(false);
  const [finding, setFinding] = useState(false);
  const [query, setQuery] = useState('');
  const [toast, setToast] = useState('');
  const [selectedField, setSelectedField] = useState<string | undefined>();
  const [showThumbs, setShowThumbs] = useState(true);
  const [dropping, setDropping] = useState(false);
  const [recent, setRecent] = useState<{ index: number; name: string }[]>([]);
  const refreshRecent = useCallback(() => void call('recentDocuments', {}).then(setRecent, () => undefined), []);
  const view = useRef<DocumentViewHandle>(null);
  const docRef = useRef<OpenDoc | null>(null);
  docRef.current = doc;

  // The document being shown (or loading): late results for an earlier document are dropped.
  const latest = useRef<string | null>(null);
  const verify = useCallback((docId: string) => {
    setReport(null);
    setVerifyError(null);
    setPhase('verifying');
    void call('verifyDocument', { docId }).then(
      (r) => {
        if (latest.current !== docId) return;
        setReport(r);
        setPhase('done');
      },
      (e) => {
        if (latest.current !== docId) return;
        setVerifyError(errorOf(e));
        setPhase('failed');
      },
    );
  }, []);
  const showDocument = useCallback(async (ref: DocumentRef) => {
    latest.current = ref.docId;
    // The previous document leaves the screen at once: no stale pages, no stamping or export for it.
    const old = docRef.current;
    setDoc(null);
    void old?.pdf.destroy();
    setOpening(ref);
    setOpenError(null);
    setPlacement(null);
    setHits(null);
    setMulti(null);
    setSelectedField(undefined);
    setCertFor(null);
    setSignedFor(null);
    setQuery('');
    // Verification starts at once (the banner says so) and runs beside loading; it never blocks the pages.
    verify(ref.docId);
    try {
      // pdf.js reads the file by ranges: the first page shows before a big file has arrived.
      const pdf = await openDocumentByRanges(ref);
      if (latest.current !== ref.docId) {
        void pdf.destroy();
        return;
      }
      setDoc({ ref, pdf });
      setOpening(null);
      setPage(1);
      refreshRecent();
    } catch (e) {
      if (latest.current !== ref.docId) return;
      // The file cannot be shown: its error replaces the view, and its verification is not waited for.
      latest.current = null;
      setOpening(null);
      setReport(null);
      setOpenError(openErrorOf(e, ref.name));
    }
  }, [verify, refreshRecent]);

  const openViaDialog = useCallback(async () => {
    try {
      const ref = await call('openDocument', {});
      if (ref) await showDocument(ref);
    } catch (e) {
      setOpenError(errorOf(e));
    }
  }, [showDocument]);

  const takeWaiting = useCallback(async () => {
    const refs = await call('takeOpenedDocuments', {}).catch(() => []);
    const last = refs[refs.length - 1];
    if (last) await showDocument(last);
  }, [showDocument]);

  // Settings (language), documents from argv, events from main.
  useEffect(() => {
    void call('settingsGet', {}).then((s) => setLang(s.language), () => undefined);
    refreshRecent();
    void takeWaiting();
    return api().onEvent((e) => {
      if (e.kind === 'documentsWaiting') void takeWaiting();
      else if (e.kind === 'language') setLang(e.language);
      else if (e.kind === 'menu') {
        if (e.command === 'open') void openViaDialog();
        if (e.command === 'audit') setDialog('audit');
        if (e.command === 'settings') setDialog('settings');
        if (e.command === 'exportReport') exportRef.current();
      }
    });
  }, [takeWaiting, openViaDialog, refreshRecent]);

  // Tokens: polled, because keys come and go (SoftHSM and many vendor libraries have no slot events).
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const list = await call('listTokens', {});
        if (live) setTokens(list);
      } catch {
        if (live) setTokens([]);
      }
      if (live) timer = setTimeout(() => void poll(), TOKEN_POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, []);

  // Each seal's registry state on the seal platform (or "not checked" without one), for the panel.
  const esIDs = (tokens ?? []).flatMap((tk) => tk.seals.map((s) => s.esID)).sort().join('\n');
  const mergeRegistry = useCallback((list: SealRegistryView[]) => setRegistry((old) => {
    const next = new Map(old);
    for (const r of list) next.set(r.esID, r);
    return next;
  }), []);
  useEffect(() => {
    if (!esIDs) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      const list = await call('sealStates', { esIDs: esIDs.split('\n') }).catch(() => null);
      if (live && list) mergeRegistry(list);
      if (live) timer = setTimeout(() => void poll(), REGISTRY_POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [esIDs, mergeRegistry]);

  // The chosen seal disappears with its key, and the person is told (the placed sample goes with it).
  useEffect(() => {
    if (!chosen || !tokens) return;
    const still = tokens.find((tk) => tk.serial === chosen.token.serial)?.seals.some((s) => s.esID === chosen.seal.esID);
    if (!still) {
      setChosen(null);
      setPlacement(null);
      setHits(null);
      setToast(t.tokenRemoved(chosen.token.label));
    }
  }, [tokens, chosen, t]);

  // The page's language and title follow the language chosen.
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    const name = doc?.ref.name ?? opening?.name;
    document.title = name ? `${name} — ${t.appTitle}` : t.appTitle;
  }, [lang, doc, opening, t]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'o') {
        e.preventDefault();
        void openViaDialog();
      }
      if (e.key === 'Escape') {
        // The topmost thing open closes; a stamp in progress is cancelled only by its own button.
        setMenu(null);
        if (certFor) setCertFor(null);
        else if (signedFor) setSignedFor(null);
        else if (dialog) setDialog(null);
        else if (finding) {
          setFinding(false);
          setQuery('');
        } else if (flow && flow.phase !== 'working') setFlow(null);
      }
      if (!docRef.current) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && (e.key === '=' || e.key === '+')) {
        e.preventDefault();
        view.current?.anchorZoomAt();
        setZoom(stepZoom(scaleRef.current, 1));
      } else if (mod && e.key === '-') {
        e.preventDefault();
        view.current?.anchorZoomAt();
        setZoom(stepZoom(scaleRef.current, -1));
      } else if (mod && e.key === '0') {
        e.preventDefault();
        setZoom('fit-page');
      } else if (mod && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        setFinding(true);
      } else if (mod && e.key.toLowerCase() === 'p') {
        e.preventDefault();
        setPrinting(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [openViaDialog, certFor, signedFor, dialog, finding, flow]);

  // Print only once verification has finished (a seal is never printed before it is judged) and
  // every page is drawn with its marks; until then the person is told it is being prepared.
  useEffect(() => {
    if (!printing) return;
    if (!doc) {
      setPrinting(false);
      return;
    }
    let live = true;
    const total = doc.pdf.numPages;
    const timer = window.setInterval(() => {
      if (!live || phase === 'verifying') return;
      const drawn = document.querySelectorAll('.center .document .page[data-rendered=yes]').length;
      if (drawn < total) return;
      window.clearInterval(timer);
      window.print();
      setPrinting(false);
    }, 100);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [printing, doc, phase]);

  // Ctrl + wheel zooms about the point under the pointer.
  const scaleRef = useRef(scale);
  scaleRef.current = scale;
  useEffect(() => {
    const el = view.current?.container();
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      view.current?.anchorZoomAt(e.clientX, e.clientY);
      setZoom(stepZoom(scaleRef.current, e.deltaY < 0 ? 1 : -1));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [doc]);

  // ---- drag the sample seal ----
  const startDrag = (tk: TokenView, seal: SealView, e: React.PointerEvent) => {
    e.preventDefault();
    const c = chosen && chosen.token.serial === tk.serial && chosen.seal.esID === seal.esID ? chosen : { token: tk, seal, url: sealPictureUrl(seal) };
    setChosen(c);
    setDrag({ chosen: c, x: e.clientX, y: e.clientY, dx: 0, dy: 0 });
  };
  // Keyboard placement: the sample goes to the middle of the page in view; Enter on 文档签章 stamps it.
  const placeByKeyboard = (tk: TokenView, seal: SealView) => {
    const c = chosen && chosen.token.serial === tk.serial && chosen.seal.esID === seal.esID ? chosen : { token: tk, seal, url: sealPictureUrl(seal) };
    const vp = view.current?.viewport(page);
    if (!vp) return;
    setChosen(c);
    setPlacement({ page, ...cssToPdf(vp, vp.width / 2, vp.height / 2) });
    setHits(null);
    setToast(t.placedAt(page));
  };
  const startMove = (e: React.PointerEvent, centre: { x: number; y: number }) => {
    if (!chosen || e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    setDrag({ chosen, x: e.clientX, y: e.clientY, dx: e.clientX - centre.x, dy: e.clientY - centre.y });
  };
  useEffect(() => {
    if (!drag) return;
    const move = (e: PointerEvent) => setDrag((d) => (d ? { ...d, x: e.clientX, y: e.clientY } : d));
    const up = (e: PointerEvent) => {
      const cx = e.clientX - drag.dx;
      const cy = e.clientY - drag.dy;
      setDrag(null);
      const pageEl = document.elementsFromPoint(cx, cy).find((el) => el instanceof HTMLElement && el.classList.contains('page')) as HTMLElement | undefined;
      if (!pageEl) {
        if (document.elementsFromPoint(cx, cy).some((el) => el instanceof HTMLElement && el.classList.contains('document'))) setToast(t.offPaper);
        return;
      }
      const n = Number(pageEl.dataset.page);
      const vp = view.current?.viewport(n);
      if (!vp) return;
      const box = pageEl.getBoundingClientRect();
      // A seal mostly off the paper would be cut off (or land on nothing): refused, and said why.
      const size = sealCssSize(drag.chosen.seal.widthMm, drag.chosen.seal.heightMm, scaleRef.current);
      const inX = Math.max(0, Math.min(cx + size.width / 2, box.right) - Math.max(cx - size.width / 2, box.left));
      const inY = Math.max(0, Math.min(cy + size.height / 2, box.bottom) - Math.max(cy - size.height / 2, box.top));
      if (inX * inY < 0.5 * size.width * size.height) {
        setToast(t.offPaper);
        return;
      }
      setPlacement({ page: n, ...cssToPdf(vp, cx - box.left, cy - box.top) });
      setHits(null);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up, { once: true });
    return () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
  }, [drag]);

  // ---- stamping ----
  const beginStamp = async (p: Placement) => {
    setMenu(null);
    setStampNotice(null);
    if (!doc || !chosen) {
      setToast(t.pickSeal);
      return;
    }
    // A key core reports locked is not offered a PIN dialog at all (core refuses it anyway).
    const current = tokens?.find((tk) => tk.serial === chosen.token.serial);
    if (current?.locked) {
      setFlow({ phase: 'result', ok: false, message: `${t.pinLockedFinal}。${t.keyLocked}` });
      return;
    }
    try {
      // Stamping step (a), asked now and before anything else (no save dialog, no PIN): a seal the
      // platform says may not stamp, or a platform that cannot be reached, ends here with the reason.
      setToast(t.registryChecking);
      const [reg] = await call('sealStates', { esIDs: [chosen.seal.esID] });
      setToast('');
      if (reg) mergeRegistry([reg]);
      if (reg && !reg.mayStamp) {
        const why = pick(lang, reg.reason);
        setFlow({ phase: 'result', ok: false, refused: true, code: reg.reason?.code, message: reg.state === 'unchecked' ? why : `${t.sealMayNotStamp}${t.colon}${why}` });
        return;
      }
      const out = await call('chooseStampOutput', { docId: doc.ref.docId });
      if (!out) return;
      setFlow({ phase: 'pin', outputId: out.outputId, outputName: out.name, placement: p, triesLeft: current?.triesLeft ?? chosen.token.triesLeft });
    } catch (e) {
      setFlow({ phase: 'result', ok: false, message: pick(lang, errorOf(e)) });
    }
  };

  const submitPin = async (pin: Uint8Array) => {
    if (!flow || flow.phase !== 'pin' || !doc || !chosen) return;
    const pinFlow = flow;
    const jobId = randomId();
    setFlow({ phase: 'working', jobId, stage: 'start', fraction: 0 });
    const timer = setInterval(() => {
      void call('stampProgress', { jobId }).then((p) => {
        if (p) setFlow((f) => (f && f.phase === 'working' && f.jobId === jobId ? { ...f, stage: p.stage, fraction: p.fraction } : f));
      }, () => undefined);
    }, 250);
    try {
      const r = await call('stamp', { jobId, docId: doc.ref.docId, outputId: pinFlow.outputId, tokenSerial: chosen.token.serial, esID: chosen.seal.esID, placement: pinFlow.placement, pin });
      setFlow(null);
      setStampNotice(r.platform ?? null);
      setPlacement(null);
      setHits(null);
      setToast(`${t.stampOk}${t.colon}${r.document.name}`);
      await showDocument(r.document);
    } catch (e) {
      const err = errorOf(e);
      if (err.code === 'PIN_LOCKED' || err.details?.locked) {
        setFlow({ phase: 'result', ok: false, message: pick(lang, err) || `${t.pinLockedFinal}。${t.keyLocked}` });
      } else if (err.code === 'PIN_INCORRECT') {
        setFlow({ ...pinFlow, error: pick(lang, err), triesLeft: err.details?.triesLeft });
      } else if (err.code === 'CANCELLED' || err.code === 'STAMP_CANCELLED') {
        // Say so: a keeper who pressed Cancel must know no stamped file exists.
        setFlow({ phase: 'result', ok: false, cancelled: true, message: t.stampCancelled });
      } else {
        setFlow({ phase: 'result', ok: false, code: err.code, message: `${t.stampFailed}${t.colon}${pick(lang, err)}` });
      }
    } finally {
      clearInterval(timer);
      pin.fill(0);
      void call('listTokens', {}).then(setTokens, () => undefined);
    }
  };

  const findKeyword = async () => {
    if (!doc || !keyword.trim()) return;
    try {
      const found = await call('findKeyword', { docId: doc.ref.docId, text: keyword.trim() });
      setHits(found);
      setPlacement(null);
      if (found[0]) view.current?.scrollToPage(found[0].page);
    } catch (e) {
      setToast(pick(lang, errorOf(e)));
    }
  };

  const exportReport = async () => {
    if (!doc) return;
    try {
      const r = await call('exportReport', { docId: doc.ref.docId, language: lang });
      if (r) setToast(t.exported(r.name));
    } catch (e) {
      setToast(pick(lang, errorOf(e)));
    }
  };
  const exportRef = useRef(exportReport);
  exportRef.current = exportReport;

  useEffect(() => {
    if (!toast) return;
    const id = setTimeout(() => setToast(''), 6000);
    return () => clearTimeout(id);
  }, [toast]);

  const cancelStamp = async (jobId: string) => {
    setFlow((f) => (f && f.phase === 'working' && f.jobId === jobId ? { ...f, cancel: 'asked' } : f));
    const r = await call('cancelStamp', { jobId }).catch(() => ({ cancelled: false }));
    // Refused once the token signs: the stamp will finish (or fail) on its own.
    if (!r.cancelled) setFlow((f) => (f && f.phase === 'working' && f.jobId === jobId ? { ...f, cancel: 'too-late' } : f));
  };

  const pickSignature = (field: string) => {
    setSelectedField(field);
    const s = report?.signatures.find((x) => x.field === field);
    if (s && typeof s.page === 'number') view.current?.scrollToPage(s.page, s.rect ?? undefined);
  };
  const goToWarning = (index: number) => {
    const w = report?.warnings[index];
    if (!w || typeof w.page !== 'number') return;
    setSelectedField(`warning:${index}`);
    view.current?.scrollToPage(w.page, w.rect);
  };
  // Trusting the signer's root: the person chooses the root certificate file; then the document is verified again.
  const trustRootAndReverify = async () => {
    if (!doc) return;
    try {
      const before = await call('trustList', {});
      const after = await call('trustAdd', {});
      if (after.length === before.length) return; // cancelled, or that root was already trusted
      setToast(t.rootAdded(after.find((r) => !before.some((b) => b.fingerprint === r.fingerprint))?.subject ?? ''));
      verify(doc.ref.docId);
    } catch (e) {
      setToast(pick(lang, errorOf(e)));
    }
  };

  const sampleBox = (vp: PageViewport, x: number, y: number, seal: SealView) => {
    const c = pdfToCss(vp, x, y);
    const size = sealCssSize(seal.widthMm, seal.heightMm, scale);
    return { left: c.left - size.width / 2, top: c.top - size.height / 2, width: size.width, height: size.height, centre: c };
  };

  const pictureSize = usePictureSize(chosen?.url);
  const overlay = (n: number, vp: PageViewport) => {
    if (!chosen) return null;
    const items: React.ReactNode[] = [];
    // A straddle seal is placed by its edge: the sample's point does not apply, so it is not shown.
    if (placement && placement.page === n && multi?.mode !== 'straddle') {
      const b = sampleBox(vp, placement.x, placement.y, chosen.seal);
      items.push(
        <div
          key="sample"
          className="placed-sample"
          data-testid="placed-sample"
          data-pdf-x={placement.x}
          data-pdf-y={placement.y}
          style={{ left: b.left, top: b.top, width: b.width, height: b.height }}
          onPointerDown={(e) => {
            const r = (e.currentTarget.parentElement as HTMLElement).getBoundingClientRect();
            startMove(e, { x: r.left + b.centre.left, y: r.top + b.centre.top });
          }}
          onContextMenu={(e) => {
            e.preventDefault();
            e.stopPropagation();
            setMenu({ x: e.clientX, y: e.clientY });
          }}
        >
          <img src={chosen.url} alt={chosen.seal.name} draggable={false} />
        </div>,
      );
    }
    items.push(...multiPagePreview(n, vp, multi, doc?.pdf.numPages ?? 0, { url: chosen.url, widthMm: chosen.seal.widthMm, heightMm: chosen.seal.heightMm }, pictureSize, placement));
    for (const [i, h] of (hits ?? []).entries()) {
      if (h.page !== n) continue;
      const b = sampleBox(vp, h.x, h.y, chosen.seal);
      items.push(
        <div key={`hit-${i}`} className="keyword-preview" data-testid="keyword-preview" style={{ left: b.left, top: b.top, width: b.width, height: b.height }}>
          <img src={chosen.url} alt="" draggable={false} />
        </div>,
      );
    }
    return items;
  };

  const dragSize = drag ? sealCssSize(drag.chosen.seal.widthMm, drag.chosen.seal.heightMm, scale) : null;

  const shown = doc?.ref ?? opening;
  const zoomValue = typeof zoom === 'number' ? String(zoom) : zoom;
  return (
    <div
      className="app"
      onDragOver={(e) => {
        e.preventDefault();
        setDropping(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDropping(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDropping(false);
        const f = e.dataTransfer.files[0];
        if (f) void api().openDroppedFile(f).then((r) => (r.ok ? showDocument(r.value) : setOpenError(r.error)));
      }}
      onClick={() => setMenu(null)}
    >
      <header className="toolbar" role="toolbar" aria-label={t.toolbar}>
        {/* The window title names the app; with a document open the room goes to its tools. */}
        {!doc && <span className="brand">{t.appTitle}</span>}
        <button onClick={() => void openViaDialog()} data-testid="open" title="Ctrl+O">
          {t.open}
        </button>
        {recent.length > 0 && (
          <select
            className="recent"
            value=""
            aria-label={t.recentFiles}
            data-testid="recent"
            onChange={(e) => {
              const index = Number(e.target.value);
              void call('openRecent', { index }).then((ref) => showDocument(ref), (err) => setOpenError(errorOf(err)));
            }}
          >
            <option value="" disabled>
              {t.recentFiles}
            </option>
            {recent.map((r) => (
              <option key={r.index} value={r.index}>
                {r.name}
              </option>
            ))}
          </select>
        )}
        {shown && (
          <span className="docname" data-testid="docname" data-doc-id={doc?.ref.docId ?? ''} data-opening={doc ? undefined : opening?.docId} title={shown.name}>
            {shown.name}
          </span>
        )}
        {doc && (
          <>
            <label className="zoom">
              <span className="visually-hidden">{t.zoom}</span>
              <select
                value={zoomValue}
                onChange={(e) => {
                  const v = e.target.value;
                  view.current?.anchorZoomAt();
                  setZoom(v === 'fit-page' || v === 'fit-width' ? v : Number(v));
                }}
                data-testid="zoom"
                aria-label={t.zoom}
              >
                <option value="fit-page">{t.fitPage}</option>
                <option value="fit-width">{t.fitWidth}</option>
                {ZOOMS.map((z) => (
                  <option key={z} value={z}>
                    {z}%
                  </option>
                ))}
              </select>
            </label>
            <label className="jump">
              <span className="visually-hidden">{t.goToPage}</span>
              <input
                type="number"
                min={1}
                max={doc.pdf.numPages}
                value={page}
                data-testid="page-jump"
                aria-label={t.goToPage}
                onChange={(e) => {
                  const n = Math.min(doc.pdf.numPages, Math.max(1, Number(e.target.value) || 1));
                  setPage(n);
                  view.current?.scrollToPage(n);
                }}
              />
              / {doc.pdf.numPages}
            </label>
            <button className="primary" data-testid="stamp-button" disabled={!placement || !chosen} onClick={() => placement && void beginStamp({ kind: 'point', ...placement })}>
              {t.stamp}
            </button>
            <button onClick={() => setShowThumbs((v) => !v)} aria-pressed={showThumbs} data-testid="thumbs-toggle" aria-label={t.toggleThumbnails} title={t.toggleThumbnails}>
              ▤
            </button>
            <button onClick={() => setFinding(true)} data-testid="find-open" title="Ctrl+F">
              {t.find}
            </button>
            <button onClick={() => setPrinting(true)} data-testid="print" title="Ctrl+P" disabled={printing}>
              {t.print}
            </button>
            <button onClick={() => void exportReport()} data-testid="export" disabled={phase !== 'done'}>
              {t.exportReport}
            </button>
          </>
        )}
        <span className="spacer" />
        <button onClick={() => setDialog('batch')} data-testid="batch-open">{lang === 'zh' ? '批量签章' : 'Batch'}</button>
        <button onClick={() => setDialog('seal-picture')} data-testid="seal-picture-open">{lang === 'zh' ? '印模制作' : 'Seal picture'}</button>
        <button onClick={() => setDialog('audit')} data-testid="audit-open">{t.audit}</button>
        <button onClick={() => setDialog('settings')} data-testid="settings-open">{t.settings}</button>
      </header>
      {shown && (
        <VerificationBanner
          phase={phase}
          report={report}
          error={verifyError}
          t={t}
          lang={lang}
          onTrustRoot={() => void trustRootAndReverify()}
          onShowCertificate={setCertFor}
          onGoToWarning={goToWarning}
        />
      )}
      {stampNotice && <StampNotice p={stampNotice} t={t} lang={lang} onClose={() => setStampNotice(null)} />}
      {finding && doc && (
        <FindBar
          pdf={doc.pdf}
          t={t}
          onQuery={setQuery}
          onGoTo={(n) => {
            setPage(n);
            view.current?.scrollToPage(n);
          }}
          onClose={() => {
            setFinding(false);
            setQuery('');
          }}
        />
      )}
      <main className="workspace">
        <aside className="left" aria-label={t.tokens}>
          <TokenPanel tokens={tokens} t={t} lang={lang} registry={registry} onStartDrag={startDrag} selected={chosen ? `${chosen.token.serial}/${chosen.seal.esID}` : undefined} onKeyboardPlace={doc ? placeByKeyboard : undefined} />
          {doc && chosen && (
            <div className="keyword-box">
              <h3>{t.keyword}</h3>
              <input value={keyword} onChange={(e) => setKeyword(e.target.value)} data-testid="keyword-input" aria-label={t.keyword} />
              <button onClick={() => void findKeyword()} data-testid="keyword-find">
                {t.keywordFind}
              </button>
              {hits && (
                <>
                  <div className="token-meta" data-testid="keyword-count">
                    {t.keywordHits(hits.length)}
                  </div>
                  <button className="primary" disabled={hits.length === 0} onClick={() => void beginStamp({ kind: 'keyword', text: keyword.trim(), occurrence: 'all' })} data-testid="keyword-stamp">
                    {t.keywordStampAll}
                  </button>
                </>
              )}
            </div>
          )}
          {doc && chosen && <MultiPagePanel t={t} lang={lang} pageCount={doc.pdf.numPages} spec={multi} point={placement} onChange={setMulti} onStamp={(p) => void beginStamp(p)} />}
        </aside>
        <section className="center">
          {openError && (
            <div className="open-error" role="alert" data-testid="open-error">
              <h2>{t.cannotOpen}</h2>
              <p>{pick(lang, openError)}</p>
            </div>
          )}
          {doc ? (
            <div className="reader">
              {showThumbs && (
                <Thumbnails
                  key={`thumbs-${doc.ref.docId}`}
                  pdf={doc.pdf}
                  current={page}
                  t={t}
                  lang={lang}
                  report={report}
                  phase={phase}
                  onPick={(n) => {
                    setPage(n);
                    view.current?.scrollToPage(n);
                  }}
                />
              )}
              <DocumentView
                key={doc.ref.docId}
                ref={view}
                pdf={doc.pdf}
                zoom={zoom}
                report={report}
                phase={phase}
                highlighted={selectedField}
                query={query}
                lang={lang}
                t={t}
                onPageChange={setPage}
                onScale={setScale}
                overlay={overlay}
                drawAll={printing}
              />
            </div>
          ) : opening ? (
            <div className="empty" data-testid="loading">{t.loading}</div>
          ) : (
            !openError && <div className={`empty${dropping ? ' dropping' : ''}`}>{dropping ? t.dropHere : t.openHint}</div>
          )}
        </section>
        {shown && report && phase === 'done' && (report.signatures.length > 0 || report.warnings.some((w) => w.id !== 'no_signatures')) && (
          <aside className="right" aria-label={t.seals}>
            <SealList report={report} t={t} lang={lang} onPick={pickSignature} onGoToWarning={goToWarning} onShowCertificate={setCertFor} onViewSigned={setSignedFor} selected={selectedField} />
          </aside>
        )}
      </main>
      {dropping && doc && <div className="drop-overlay">{t.dropHere}</div>}
      {drag && dragSize && (
        <img className="drag-ghost" src={drag.chosen.url} alt="" style={{ left: drag.x - drag.dx - dragSize.width / 2, top: drag.y - drag.dy - dragSize.height / 2, width: dragSize.width, height: dragSize.height }} />
      )}
      {menu && (
        <div className="context-menu" style={{ left: menu.x, top: menu.y }} data-testid="context-menu" onClick={(e) => e.stopPropagation()}>
          <button onClick={() => placement && void beginStamp({ kind: 'point', ...placement })}>{t.stamp}</button>
          <button
            onClick={() => {
              setPlacement(null);
              setMenu(null);
            }}
          >
            {t.cancelPlacement}
          </button>
        </div>
      )}
      {flow?.phase === 'pin' && chosen && <PinDialog t={t} lang={lang} tokenLabel={chosen.token.label} triesLeft={flow.triesLeft} error={flow.error} onSubmit={(p) => void submitPin(p)} onCancel={() => setFlow(null)} />}
      {flow?.phase === 'working' && (
        <div className="modal-backdrop">
          <div className="modal" data-testid="stamp-progress" data-stage={flow.stage}>
            <h3>{t.stamping}</h3>
            <progress max={1} value={flow.fraction} data-testid="stamp-progress-bar" />
            <div className="token-meta" data-testid="stamp-progress-text">
              {t.progress(`${t.stage[flow.stage] ?? flow.stage} ${Math.round(flow.fraction * 100)}%`)}
            </div>
            {flow.cancel === 'too-late' && <div className="tries">{t.cancelTooLate}</div>}
            <div className="buttons">
              <button disabled={flow.cancel !== undefined} onClick={() => void cancelStamp(flow.jobId)} data-testid="stamp-cancel">
                {flow.cancel === 'asked' ? t.cancelling : t.cancel}
              </button>
            </div>
          </div>
        </div>
      )}
      {flow?.phase === 'result' && (
        <div className="modal-backdrop">
          <div className="modal" data-testid="stamp-result" data-ok={flow.ok ? 'yes' : 'no'} data-cancelled={flow.cancelled ? 'yes' : 'no'} data-code={flow.code ?? ''}>
            <h3>{flow.ok ? t.stampOk : flow.cancelled ? t.cancel : flow.refused ? t.stampRefused : t.stampFailed}</h3>
            <p className="error" role="alert">
              {flow.message}
            </p>
            <div className="buttons">
              {flow.code && SETTINGS_HINT.has(flow.code) && (
                <button
                  data-testid="open-settings"
                  onClick={() => {
                    setFlow(null);
                    setDialog('settings');
                  }}
                >
                  {t.openSettings}
                </button>
              )}
              <button onClick={() => setFlow(null)}>{t.close}</button>
            </div>
          </div>
        </div>
      )}
      {dialog === 'settings' && <SettingsDialog t={t} lang={lang} onClose={() => setDialog(null)} onSaved={(s) => setLang(s.language)} />}
      {dialog === 'audit' && <AuditDialog t={t} lang={lang} onClose={() => setDialog(null)} />}
      {signedFor && doc && report && <SignedVersion docId={doc.ref.docId} report={report} field={signedFor} t={t} lang={lang} onClose={() => setSignedFor(null)} />}
      {dialog === 'batch' && <BatchDialog t={t} lang={lang} tokens={tokens ?? []} onClose={() => setDialog(null)} />}
      {dialog === 'seal-picture' && <SealPictureDialog lang={lang} onClose={() => setDialog(null)} />}
      {certFor && doc && report && <CertificateDialog docId={doc.ref.docId} signature={report.signatures.find((s) => s.field === certFor)} t={t} lang={lang} onClose={() => setCertFor(null)} onTrustRoot={() => void trustRootAndReverify().then(() => setCertFor(null))} />}
      {printing && (
        <div className="toast" data-testid="print-preparing" role="status">
          {phase === 'verifying' ? t.printWaitsForVerification : t.printPreparing}
        </div>
      )}
      {toast && (
        <div className="toast" data-testid="toast">
          {toast}
        </div>
      )}
    </div>
  );
}

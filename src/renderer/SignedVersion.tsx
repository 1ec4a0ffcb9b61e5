/**
 * "View the signed version" of a stamp: the document as it was when the stamp was made — the file's
 * first signedLength bytes, exactly the revision its /ByteRange covers, drawn by pdf.js — beside what
 * each later revision changed (core's findings, grouped by revision). The seals present in that
 * revision keep their marks from the report (an invalid one stays greyed and crossed here too); later
 * stamps are not in these bytes. Nothing is judged here: the slice and the findings come from core.
 */
import { useEffect, useRef, useState } from 'react';
import type { PDFDocumentProxy, PageViewport } from 'pdfjs-dist';
import type { Language, VerificationReport } from '../api/contract';
import type { Modification } from '../api/verification-report';
import { STATE_WORDS, sealState, sealTitle } from '../api/report-wording';
import { call, errorOf } from './api-client';
import { DocumentView, type DocumentViewHandle } from './DocumentView';
import { pick, type Strings } from './i18n';
import { loadPdf } from './pdf';

type Signature = VerificationReport['signatures'][number];

interface Props {
  docId: string;
  report: VerificationReport;
  field: string;
  t: Strings;
  lang: Language;
  onClose(): void;
}

/** The report as it applies to the signed version: only the stamps made in it or before. */
export function reportForRevision(report: VerificationReport, revision: number): VerificationReport {
  return { ...report, signatures: report.signatures.filter((s) => s.revision !== null && s.revision <= revision) };
}

/** Later changes, by the revision that made them, oldest first. */
export function changesByRevision(mods: Modification[]): Array<{ revision: number; changes: Modification[] }> {
  const by = new Map<number, Modification[]>();
  for (const m of mods) by.set(m.revision, [...(by.get(m.revision) ?? []), m]);
  return [...by].sort((a, b) => a[0] - b[0]).map(([revision, changes]) => ({ revision, changes }));
}

export function SignedVersion({ docId, report, field, t, lang, onClose }: Props) {
  const s = report.signatures.find((x) => x.field === field) as Signature | undefined;
  const index = report.signatures.findIndex((x) => x.field === field);
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const [error, setError] = useState('');
  const view = useRef<DocumentViewHandle>(null);
  const closeBtn = useRef<HTMLButtonElement>(null);
  useEffect(() => closeBtn.current?.focus(), []);
  useEffect(() => {
    if (!s?.signedLength) return;
    let live = true;
    let loaded: PDFDocumentProxy | null = null;
    void call('readDocument', { docId })
      .then((bytes) => loadPdf(bytes.slice(0, s.signedLength)))
      .then((p) => {
        loaded = p;
        if (live) setPdf(p);
        else void p.destroy();
      }, (e) => live && setError(pick(lang, errorOf(e))));
    return () => {
      live = false;
      void loaded?.destroy();
    };
  }, [docId, s?.signedLength, lang]);
  if (!s || s.revision === null) return null;
  const state = sealState(s);
  const later = changesByRevision(s.modifications);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal signed-version" role="dialog" aria-modal="true" aria-labelledby="signed-version-title" data-testid="signed-version" data-revision={s.revision} onClick={(e) => e.stopPropagation()}>
        <h3 id="signed-version-title">{t.signedVersionTitle(sealTitle(s, index, lang))}</h3>
        <p className={`signed-version-note state-${state}`} data-testid="signed-version-note">
          {t.signedVersionNote(s.revision + 1, report.file.revisions, s.coversWholeFile)}{t.colon}{pick(lang, STATE_WORDS[state])}
        </p>
        <div className="signed-version-body">
          <section className="signed-version-pages" aria-label={t.signedVersionPages}>
            {error && <p className="error" role="alert">{error}</p>}
            {pdf && (
              <DocumentView
                ref={view}
                pdf={pdf}
                zoom="fit-width"
                report={reportForRevision(report, s.revision)}
                phase="done"
                highlighted={s.field}
                lang={lang}
                t={t}
                onPageChange={() => undefined}
                onScale={() => undefined}
                overlay={(_page: number, _vp: PageViewport) => null}
              />
            )}
          </section>
          <section className="signed-version-changes" data-testid="later-changes">
            <h4>{t.laterChanges}</h4>
            {later.length === 0 ? (
              <p data-testid="no-later-changes">{s.coversWholeFile ? t.noLaterRevision : t.laterRevisionsNothingFound}</p>
            ) : (
              later.map(({ revision, changes }) => (
                <div key={revision} className="revision-changes" data-revision={revision}>
                  <h5>{t.revisionN(revision + 1)}</h5>
                  <ul>
                    {changes.map((m, i) => (
                      <li key={i} className={`change change-${m.kind}`} data-kind={m.kind}>
                        <span className="change-kind">{m.kind === 'allowed' ? t.changeAllowed : t.changeDisallowed}</span> {pick(lang, m.description)}
                      </li>
                    ))}
                  </ul>
                </div>
              ))
            )}
          </section>
        </div>
        <div className="buttons">
          <button ref={closeBtn} onClick={onClose} data-testid="signed-version-close">
            {t.backToCurrent}
          </button>
        </div>
      </div>
    </div>
  );
}

/**
 * The audit log, newest first, in words (actions, outcomes, codes explained — src/api/audit-words.ts)
 * with the document each entry concerns; filters by action, outcome and text; export to CSV; and the
 * hash-chain check of `sealdesk log verify`. Read-only: the log is kept by core.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { AuditCheckView, AuditEntryView, Language } from '../api/contract';
import type { BilingualText } from '../api/verification-report';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, chainReason, explainCode } from '../api/audit-words';
import { localTime } from '../api/report-wording';
import { call, errorOf } from './api-client';
import { pick, type Strings } from './i18n';

const baseName = (p: string | undefined) => (p ? p.split(/[\\/]/).pop() ?? p : '');

export function AuditDialog({ t, lang, onClose }: { t: Strings; lang: Language; onClose(): void }) {
  const [entries, setEntries] = useState<AuditEntryView[] | null>(null);
  const [error, setError] = useState('');
  const [action, setAction] = useState('');
  const [outcome, setOutcome] = useState('');
  const [text, setText] = useState('');
  const [check, setCheck] = useState<AuditCheckView | null>(null);
  const [note, setNote] = useState('');
  const closeBtn = useRef<HTMLButtonElement>(null);
  useEffect(() => closeBtn.current?.focus(), []);
  useEffect(() => {
    void call('auditList', { limit: 5000 }).then(setEntries, (e) => setError(pick(lang, errorOf(e))));
  }, [lang]);
  const shown = useMemo(() => {
    const q = text.trim().toLowerCase();
    return (entries ?? []).filter((e) => (!action || e.action === action) && (!outcome || e.outcome === outcome) && (!q || [e.document, e.esID, e.tokenLabel, e.tokenSerial, e.code].some((v) => v?.toLowerCase().includes(q))));
  }, [entries, action, outcome, text]);

  const verify = async () => {
    try {
      setCheck(await call('auditVerify', {}));
    } catch (e) {
      setError(pick(lang, errorOf(e)));
    }
  };
  const exportCsv = async () => {
    try {
      const r = await call('auditExport', { language: lang });
      if (r) setNote(t.auditExported(r.name, r.count));
    } catch (e) {
      setError(pick(lang, errorOf(e)));
    }
  };

  return (
    <div className="modal-backdrop">
      <div className="modal audit" data-testid="audit" role="dialog" aria-modal="true" aria-labelledby="audit-title">
        <h3 id="audit-title">{t.audit}</h3>
        <div className="audit-filters">
          <FilterSelect label={t.action} all={t.all} value={action} onChange={setAction} choices={AUDIT_ACTIONS} lang={lang} testId="audit-filter-action" />
          <FilterSelect label={t.outcome} all={t.all} value={outcome} onChange={setOutcome} choices={AUDIT_OUTCOMES} lang={lang} testId="audit-filter-outcome" />
          <label>
            {t.auditSearch}
            <input value={text} onChange={(e) => setText(e.target.value)} data-testid="audit-filter-text" />
          </label>
          <button onClick={() => void verify()} data-testid="audit-verify">
            {t.auditVerify}
          </button>
          <button onClick={() => void exportCsv()} data-testid="audit-export">
            {t.auditExport}
          </button>
        </div>
        {check && (
          <div className={`audit-check ${check.ok ? 'ok' : 'bad'}`} data-testid="audit-check" data-ok={check.ok ? 'yes' : 'no'} role="status">
            {check.ok ? t.auditChainOk(check.count) : t.auditChainBad(check.badLine ?? 0, pick(lang, chainReason(check.reason)))}
          </div>
        )}
        {note && <div className="token-meta" data-testid="audit-note">{note}</div>}
        {error && <div className="error">{error}</div>}
        {entries && shown.length === 0 && <p>{t.noEntries}</p>}
        {shown.length > 0 && (
          <div className="audit-scroll">
            <table>
              <thead>
                <tr>
                  <th>#</th>
                  <th>{t.time}</th>
                  <th>{t.action}</th>
                  <th>{t.outcome}</th>
                  <th>{t.documentColumn}</th>
                  <th>{t.tokenColumn}</th>
                  <th>esID</th>
                  <th>{t.explanation}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => (
                  <tr key={e.seq} className={`outcome-${e.outcome}`} data-action={e.action} data-outcome={e.outcome}>
                    <td>{e.seq}</td>
                    <td>{localTime(e.time)}</td>
                    <td>{pick(lang, AUDIT_ACTIONS[e.action]) || e.action}</td>
                    <td>{pick(lang, AUDIT_OUTCOMES[e.outcome]) || e.outcome}</td>
                    <td className="doc" title={e.document}>{baseName(e.document)}</td>
                    <td title={e.tokenSerial}>{e.tokenLabel ?? e.tokenSerial ?? ''}</td>
                    <td>{e.esID ?? ''}</td>
                    <td title={e.code}>{pick(lang, explainCode(e.code))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="buttons">
          <button ref={closeBtn} onClick={onClose}>
            {t.close}
          </button>
        </div>
      </div>
    </div>
  );
}

function FilterSelect(p: { label: string; all: string; value: string; onChange(v: string): void; choices: Record<string, BilingualText>; lang: Language; testId: string }) {
  return (
    <label>
      {p.label}
      <select value={p.value} onChange={(e) => p.onChange(e.target.value)} data-testid={p.testId}>
        <option value="">{p.all}</option>
        {Object.entries(p.choices).map(([k, v]) => (
          <option key={k} value={k}>
            {pick(p.lang, v)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The audit log, newest first (read-only: the log is hash-chained in core). */
import { useEffect, useState } from 'react';
import type { AuditEntryView, Language } from '../api/contract';
import { call, errorOf } from './api-client';
import { pick, type Strings } from './i18n';

export function AuditDialog({ t, lang, onClose }: { t: Strings; lang: Language; onClose(): void }) {
  const [entries, setEntries] = useState<AuditEntryView[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    void call('auditList', { limit: 500 }).then(setEntries, (e) => setError(pick(lang, errorOf(e))));
  }, [lang]);
  return (
    <div className="modal-backdrop">
      <div className="modal audit" data-testid="audit">
        <h3>{t.audit}</h3>
        {error && <div className="error">{error}</div>}
        {entries && entries.length === 0 && <p>{t.noEntries}</p>}
        {entries && entries.length > 0 && (
          <div className="audit-scroll">
            <table>
              <thead>
                <tr>
                  <th>#</th>
                  <th>{t.time}</th>
                  <th>{t.action}</th>
                  <th>{t.outcome}</th>
                  <th>{t.serial}</th>
                  <th>esID</th>
                  <th>code</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.seq} className={`outcome-${e.outcome}`}>
                    <td>{e.seq}</td>
                    <td>{new Date(e.time).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}</td>
                    <td>{e.action}</td>
                    <td>{e.outcome}</td>
                    <td>{e.tokenSerial ?? ''}</td>
                    <td>{e.esID ?? ''}</td>
                    <td>{e.code ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="buttons">
          <button onClick={onClose}>{t.close}</button>
        </div>
      </div>
    </div>
  );
}

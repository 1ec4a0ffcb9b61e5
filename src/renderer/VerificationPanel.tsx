/** The banner (one line at a glance) and the side list of every seal with each check. */
import type { ApiError, Language, VerificationReport } from '../api/contract';
import { pick, type Strings } from './i18n';

export function VerificationBanner({ report, error, busy, t, lang }: { report: VerificationReport | null; error: ApiError | null; busy: boolean; t: Strings; lang: Language }) {
  if (busy) return <div className="banner banner-busy" data-testid="banner" data-verdict="pending">{t.verifying}</div>;
  if (error) return <div className="banner banner-invalid" data-testid="banner" data-verdict="error">{t.verifyFailed}:{pick(lang, error)}</div>;
  if (!report) return null;
  if (report.signatures.length === 0) return <div className="banner banner-none" data-testid="banner" data-verdict="none">{t.verdictNone}</div>;
  const text = report.verdict === 'valid' ? t.verdictValid : report.verdict === 'warning' ? t.verdictWarning : t.verdictInvalid;
  const icon = report.verdict === 'valid' ? '✔' : report.verdict === 'warning' ? '!' : '✖';
  return (
    <div className={`banner banner-${report.verdict}`} data-testid="banner" data-verdict={report.verdict} role="status">
      <span className="banner-icon">{icon}</span> {text}
    </div>
  );
}

export function SealList({ report, t, lang, onPick, selected }: { report: VerificationReport; t: Strings; lang: Language; onPick(field: string): void; selected?: string }) {
  return (
    <div className="seal-list" data-testid="seal-list">
      {report.warnings.filter((w) => w.id !== 'no_signatures').map((w, i) => (
        <div key={i} className="file-warning" data-warning={w.id}>
          ! {pick(lang, w.message)}
        </div>
      ))}
      <h3>
        {t.seals} ({report.signatures.length})
      </h3>
      {report.signatures.map((s) => (
        <div
          key={s.field}
          className={`seal-item seal-item-${s.verdict}${selected === s.field ? ' selected' : ''}`}
          data-field={s.field}
          data-verdict={s.verdict}
          onClick={() => onPick(s.field)}
        >
          <div className="seal-item-head">
            <span className={`pill pill-${s.verdict}`}>{s.verdict === 'valid' ? t.sealValid : s.verdict === 'warning' ? t.sealWarning : t.sealInvalid}</span>
            <b>{s.seal?.name ?? s.field}</b>
          </div>
          <dl>
            <dt>{t.signer}</dt>
            <dd className="signer" title={s.signer?.subject}>
              {s.signer?.commonName ?? '—'}
            </dd>
            <dt>esID</dt>
            <dd className="esid">{s.seal?.esID ?? '—'}</dd>
            <dt>{t.signingTime}</dt>
            <dd>
              {s.signingTime ? new Date(s.signingTime).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB') : '—'}{' '}
              <small>({s.timeSource === 'timestamp' ? t.fromTsa : t.claimed})</small>
            </dd>
            <dt>{t.page}</dt>
            <dd>{typeof s.page === 'number' ? t.pageN(s.page) : '—'}</dd>
          </dl>
          <ul className="checks">
            {s.checks.map((c) => (
              <li key={c.id} className={`check check-${c.status}`} data-check={c.id} data-status={c.status}>
                <span className="check-status">{t[`status_${c.status}` as 'status_ok'] ?? c.status}</span> {pick(lang, c.message)}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

/**
 * The banner (one line at a glance, shown from the moment verification starts) and the side list
 * of every seal: its state in words, the finding that leads, its properties, and its checks
 * (folded when there are many seals). Words come from src/api/report-wording.ts, which the
 * exported report uses too.
 */
import type { ApiError, Language, VerificationReport } from '../api/contract';
import { DOCUMENT_WORDS, STATE_WORDS, checkName, documentState, headlineCheck, localTime, sealState, sealTitle, sealTypeName, shownChecks, stampFacts, timeSourceWords } from '../api/report-wording';
import { pick, type Strings } from './i18n';
import type { VerifyPhase } from './SealMarks';

type Signature = VerificationReport['signatures'][number];

interface BannerProps {
  phase: VerifyPhase;
  report: VerificationReport | null;
  error: ApiError | null;
  t: Strings;
  lang: Language;
  onTrustRoot(): void;
  onShowCertificate(field: string): void;
  onGoToWarning(index: number): void;
}

const ICON: Record<string, string> = { valid: '✔', warning: '!', unknown_signer: '?', copied: '✖', invalid: '✖', none: 'i' };

export function VerificationBanner({ phase, report, error, t, lang, onTrustRoot, onShowCertificate, onGoToWarning }: BannerProps) {
  if (phase === 'verifying') {
    return (
      <div className="banner banner-busy" data-testid="banner" data-verdict="pending" role="status">
        <span className="spinner" aria-hidden="true" /> {t.verifying}
      </div>
    );
  }
  if (phase === 'failed' || !report) {
    return (
      <div className="banner banner-invalid" data-testid="banner" data-verdict="error" role="alert">
        ✖ {t.verifyFailed}{t.colon}{pick(lang, error ?? undefined)}
      </div>
    );
  }
  const state = documentState(report);
  const unknown = report.signatures.find((s) => sealState(s) === 'unknown_signer');
  const copied = report.warnings.findIndex((w) => w.id === 'copied_seal_image');
  // The seal platform's log was rolled back or forked: said on the banner itself, not only in a card.
  const untrustedLog = report.warnings.find((w) => w.id === 'platform_log_untrusted');
  const cls = state === 'copied' ? 'invalid' : state === 'unknown_signer' ? 'warning' : state;
  return (
    <div className={`banner banner-${cls}`} data-testid="banner" data-verdict={state === 'none' ? 'none' : report.verdict} data-state={state} role={state === 'valid' || state === 'none' ? 'status' : 'alert'}>
      <span className="banner-icon" aria-hidden="true">{ICON[state]}</span> {pick(lang, DOCUMENT_WORDS[state])}
      {state === 'unknown_signer' && unknown && (
        <span className="banner-actions">
          <button onClick={() => onShowCertificate(unknown.field)} data-testid="banner-show-cert">
            {t.showCertificate}
          </button>
          <button onClick={onTrustRoot} data-testid="banner-trust-root">
            {t.trustRootAndReverify}
          </button>
        </span>
      )}
      {untrustedLog && (
        <div className="banner-alarm" data-testid="platform-log-alarm" role="alert">
          ⚠ {pick(lang, untrustedLog.message)}
        </div>
      )}
      {copied >= 0 && (
        <span className="banner-actions">
          <button onClick={() => onGoToWarning(copied)} data-testid="banner-go-copied">
            {t.showWhere}
          </button>
        </span>
      )}
    </div>
  );
}

interface ListProps {
  report: VerificationReport;
  t: Strings;
  lang: Language;
  onPick(field: string): void;
  onGoToWarning(index: number): void;
  onShowCertificate(field: string): void;
  onViewSigned?(field: string): void;
  selected?: string;
}

export function SealList({ report, t, lang, onPick, onGoToWarning, onShowCertificate, onViewSigned, selected }: ListProps) {
  const many = report.signatures.length > 3;
  return (
    <div className="seal-list" data-testid="seal-list">
      {report.warnings.map((w, i) =>
        w.id === 'no_signatures' ? null : (
          <button
            key={i}
            type="button"
            className={`file-warning file-warning-${w.id}`}
            data-warning={w.id}
            data-index={i}
            disabled={typeof w.page !== 'number'}
            onClick={() => onGoToWarning(i)}
            aria-label={`${pick(lang, w.message)}${typeof w.page === 'number' ? ` ${t.pageN(w.page)}` : ''}`}
          >
            ! {pick(lang, w.message)}
            {typeof w.page === 'number' && <span className="go-to"> → {t.pageN(w.page)}</span>}
          </button>
        ),
      )}
      {report.signatures.length > 0 && (
        <h3>
          {t.seals} ({report.signatures.length})
        </h3>
      )}
      {report.signatures.map((s, i) => (
        <SealItem key={s.field} s={s} index={i} t={t} lang={lang} selected={selected === s.field} folded={many && sealState(s) === 'valid'} onPick={onPick} onShowCertificate={onShowCertificate} onViewSigned={onViewSigned} />
      ))}
    </div>
  );
}

function SealItem({ s, index, t, lang, selected, folded, onPick, onShowCertificate, onViewSigned }: { s: Signature; index: number; t: Strings; lang: Language; selected: boolean; folded: boolean; onPick(field: string): void; onShowCertificate(field: string): void; onViewSigned?(field: string): void }) {
  const state = sealState(s);
  const head = headlineCheck(s);
  const type = sealTypeName(s.seal?.type);
  return (
    <div className={`seal-item seal-item-${state}${selected ? ' selected' : ''}`} data-field={s.field} data-verdict={s.verdict} data-state={state} onClick={() => onPick(s.field)}>
      <button type="button" className="seal-item-head" aria-label={`${sealTitle(s, index, lang)}${t.colon}${pick(lang, STATE_WORDS[state])}`}>
        <span className={`pill pill-${state}`}>{pick(lang, STATE_WORDS[state])}</span>
        <b className="seal-title">{sealTitle(s, index, lang)}</b>
      </button>
      {head && (
        <div className={`headline headline-${head.status}`} data-testid="seal-headline" data-check={head.id}>
          {pick(lang, checkName(head.id))}{t.colon}{pick(lang, head.message)}
        </div>
      )}
      <dl>
        <dt>{t.sealName}</dt>
        <dd className="seal-name-value">{s.seal?.name ?? '—'}</dd>
        {type && (
          <>
            <dt>{t.sealKind}</dt>
            <dd>{pick(lang, type)}</dd>
          </>
        )}
        <dt>esID</dt>
        <dd className="esid">{s.seal?.esID ?? '—'}</dd>
        {(s.seal?.validStart || s.seal?.validEnd) && (
          <>
            <dt>{t.sealValidity}</dt>
            <dd>
              {localTime(s.seal?.validStart).slice(0, 10)} — {localTime(s.seal?.validEnd).slice(0, 10)}
            </dd>
          </>
        )}
        <dt>{t.signer}</dt>
        <dd className="signer" title={s.signer?.subject}>
          {s.signer?.commonName ?? '—'}
          {s.signer && (
            <button
              type="button"
              className="link"
              onClick={(e) => {
                e.stopPropagation();
                onShowCertificate(s.field);
              }}
              data-testid="show-cert"
            >
              {t.showCertificate}
            </button>
          )}
        </dd>
        <dt>{t.signingTime}</dt>
        <dd>
          {localTime(s.signingTime)} <small>({pick(lang, timeSourceWords(s))})</small>
        </dd>
        {stampFacts(s).map((f, i) => (
          <div key={`${f.key}-${i}`} className={`stamp-fact${f.warn ? ' stamp-fact-warn' : ''}`} data-fact={f.key}>
            <dt>{pick(lang, f.label)}</dt>
            <dd>{pick(lang, f.value)}</dd>
          </div>
        ))}
        <dt>{t.page}</dt>
        <dd>{s.impressions ? s.impressions.map((i) => t.pageN(i.page)).join(t.listSep) : typeof s.page === 'number' ? t.pageN(s.page) : t.invisible}</dd>
      </dl>
      {onViewSigned && s.signedLength !== undefined && s.revision !== null && (
        <button
          type="button"
          className="link view-signed"
          data-testid="view-signed-version"
          onClick={(e) => {
            e.stopPropagation();
            onViewSigned(s.field);
          }}
        >
          {t.viewSignedVersion}
          {s.modifications.length > 0 ? ` · ${t.laterChanges}（${s.modifications.length}）` : ''}
        </button>
      )}
      <details className="checks-box" open={!folded}>
        <summary>{t.checksSummary(s.checks.filter((c) => c.status === 'ok').length, s.checks.length)}</summary>
        <ul className="checks">
          {shownChecks(s).map((c) => (
            <li key={c.id} className={`check check-${c.status}`} data-check={c.id} data-status={c.status}>
              <span className="check-status">{t[`status_${c.status}` as 'status_ok'] ?? c.status}</span> <b>{pick(lang, checkName(c.id))}</b>{t.colon}{pick(lang, c.message)}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}

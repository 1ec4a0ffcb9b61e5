/**
 * The settings' seal platform section (issue #9): configure (its https address, then its root CA
 * file chosen in a dialog: the platform's signed trust bundle is checked against it in core), show
 * its name, its state asked now (reachable; unreachable or its log untrusted, with the reason), the
 * last contact and the stamping records waiting to be sent; remove it.
 */
import { useEffect, useState } from 'react';
import type { Language, PlatformView } from '../api/contract';
import { call, errorOf } from './api-client';
import { pick, type Strings } from './i18n';

export function PlatformSettings({ t, lang }: { t: Strings; lang: Language }) {
  const [view, setView] = useState<PlatformView | null>(null);
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    void call('platformGet', {}).then(setView, (e) => setError(pick(lang, errorOf(e))));
  }, [lang]);
  const run = async (f: () => Promise<PlatformView | null>) => {
    setBusy(true);
    setError('');
    try {
      const v = await f();
      if (v) setView(v);
    } catch (e) {
      setError(pick(lang, errorOf(e)));
    } finally {
      setBusy(false);
    }
  };
  const time = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB') : t.platformNever);
  return (
    <section className="platform-settings" data-testid="platform-section" data-configured={view ? (view.configured ? 'yes' : 'no') : 'pending'}>
      <h4>{t.platform}</h4>
      {!view && <div className="token-meta">{t.platformChecking}</div>}
      {view && !view.configured && (
        <>
          <p className="token-meta" data-testid="platform-none">{t.platformNone}</p>
          <label>
            {t.platformUrl}
            <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://" data-testid="platform-url" spellCheck={false} />
          </label>
          <button disabled={busy || !url.trim()} onClick={() => void run(() => call('platformUse', { url: url.trim() }))} data-testid="platform-use">
            {t.platformUse}
          </button>
        </>
      )}
      {view?.configured && (
        <>
          <dl className="platform-facts">
            <dt>{t.platformName}</dt>
            <dd data-testid="platform-name">{view.name}</dd>
            <dt>URL</dt>
            <dd data-testid="platform-address">{view.url}</dd>
            <dt>{t.platformState}</dt>
            <dd className={`platform-state platform-${view.state}`} data-testid="platform-state" data-state={view.state} role={view.state === 'reachable' ? undefined : 'alert'}>
              {view.state === 'reachable' ? t.platformReachable : view.state === 'untrusted' ? t.platformUntrusted : t.platformUnreachable}
              {view.reason && <>{t.colon}{pick(lang, view.reason)}</>}
            </dd>
            <dt>{t.platformLastContact}</dt>
            <dd data-testid="platform-last-contact">{time(view.lastContact)}</dd>
            <dt>{t.platformWaiting}</dt>
            <dd data-testid="platform-waiting">{view.recordsWaiting}</dd>
            {view.logSize !== undefined && (
              <>
                <dt>{t.platformLogSize}</dt>
                <dd>{view.logSize}</dd>
              </>
            )}
            <dt>{t.platformConfiguredAt}</dt>
            <dd>{time(view.configuredAt)}</dd>
          </dl>
          <button disabled={busy} onClick={() => void run(() => call('platformRemove', {}))} data-testid="platform-remove">
            {t.platformRemove}
          </button>
        </>
      )}
      {error && <div className="error" data-testid="platform-error" role="alert">{error}</div>}
    </section>
  );
}

/**
 * Seals and their state histories (unit admins and auditors). Unit admins also change a seal's state:
 * suspend (停用) and resume (恢复启用), report loss (挂失, with the time the key was lost, which may be
 * earlier than now) and cancel (注销). Auditors read only.
 */
import { useEffect, useState, type ReactElement } from 'react';
import { SEAL_KINDS, type SealAction, type SealState, type SealView } from '../api/contract';
import { api } from './api';
import type { ViewProps } from './App';
import { WORDS, showDate, showTime, type Lang } from './i18n';

/** What a unit admin may ask for in each state (the server holds the same rule and refuses the rest). */
const NEXT: Record<SealState, SealAction[]> = { in_use: ['suspend', 'lost', 'cancel'], suspended: ['resume', 'lost', 'cancel'], lost: [], cancelled: [] };

/** datetime-local value (to the second) for a time, in local time. */
export function localInputValue(d: Date): string {
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}
const localNow = (): string => localInputValue(new Date());

function StateAction({ lang, seal, onDone, onApiError }: { lang: Lang; seal: SealView; onDone(s: SealView, text: string): void; onApiError(e: unknown): string }): ReactElement | null {
  const w = WORDS[lang];
  const choices = NEXT[seal.state];
  const [action, setAction] = useState<SealAction | undefined>();
  const [reason, setReason] = useState('');
  const [lostAt, setLostAt] = useState(localNow);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  if (choices.length === 0) return null;

  const submit = async (): Promise<void> => {
    if (!action) return;
    if (!reason.trim()) { setError(w.needReason); return; }
    let effectiveAt: string | undefined;
    if (action === 'lost') {
      if (!lostAt) { setError(w.needLostAt); return; }
      const t = new Date(lostAt);
      if (Number.isNaN(t.getTime())) { setError(w.needLostAt); return; }
      if (t.getTime() > Date.now()) { setError(w.futureTime); return; }
      effectiveAt = t.toISOString();
    }
    setBusy(true);
    setError(undefined);
    try {
      const s = await api.stateEvent(seal.esID, { action, reason: reason.trim(), ...(effectiveAt ? { effectiveAt } : {}) });
      onDone(s, w.actionDone(w.actions[action], seal.esID));
      setAction(undefined);
      setReason('');
    } catch (e) {
      setError(w.failed(onApiError(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="actions" data-testid="seal-actions">
      <div className="row">
        {choices.map((a) => (
          <button key={a} className={a === action ? 'active' : ''} onClick={() => { setAction(a); setError(undefined); }} data-testid={`action-${a}`}>{w.actions[a]}</button>
        ))}
      </div>
      {action && (
        <div className="action-form">
          {action === 'lost' && (
            <label>{w.lostAt} <input type="datetime-local" step={1} value={lostAt} max={localNow()} onChange={(e) => setLostAt(e.target.value)} data-testid="lost-at" />
              <span className="muted">{w.lostAtHint}</span></label>
          )}
          <label>{w.actionReason}<input value={reason} maxLength={512} onChange={(e) => setReason(e.target.value)} data-testid="action-reason" /></label>
          {(action === 'lost' || action === 'cancel') && <p className="notice">{w.confirmFinal(w.actions[action], seal.esID)}</p>}
          <button className="primary" disabled={busy} onClick={() => void submit()} data-testid="action-confirm">{w.doAction(w.actions[action])}</button>
        </div>
      )}
      {error && <p className="error" role="alert" data-testid="action-error">{error}</p>}
    </div>
  );
}

export function SealsView({ lang, session, onApiError }: ViewProps): ReactElement {
  const w = WORDS[lang];
  const [seals, setSeals] = useState<SealView[] | undefined>();
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const admin = session.roles.includes('unit_admin');
  const load = (): void => { api.seals().then((r) => setSeals(r.seals), (e) => setMessage({ text: w.failed(onApiError(e)), error: true })); };
  useEffect(load, []);

  return (
    <section className="list wide">
      <h2>{w.seals} <button className="link" onClick={load}>{w.refresh}</button></h2>
      {message && <p className={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'} data-testid="seal-message">{message.text}</p>}
      {seals === undefined ? <p className="muted">{w.loading}</p> : seals.length === 0 ? <p className="muted" data-testid="seals-empty">{w.none}</p>
        : seals.map((s) => (
          <article key={s.esID} className="card seal" data-testid="seal" data-esid={s.esID} data-state={s.state}>
            <h3>{s.name} <span className={`badge seal-${s.state}`} data-testid="seal-state">{w.states[s.state]}</span>{s.expired && <span className="badge expired">{w.expired}</span>}</h3>
            <dl>
              <dt>{w.esID}</dt><dd><code>{s.esID}</code></dd>
              <dt>{w.unit}</dt><dd>{s.unitName}</dd>
              <dt>{w.kind}</dt><dd>{SEAL_KINDS[s.kind][lang]}</dd>
              <dt>{w.validity}</dt><dd>{showDate(lang, s.validStart)} — {showDate(lang, s.validEnd)}</dd>
              <dt>{w.keeperCerts}</dt><dd>{s.keeperCertificates.map((c) => <div key={c.sha256}>{c.subject} <code className="hash">{c.sha256.slice(0, 16)}…</code></div>)}</dd>
              <dt>{w.makerCert}</dt><dd>{s.maker.subject}</dd>
            </dl>
            <h4>{w.history}</h4>
            <table className="history" data-testid="seal-history">
              <thead><tr><th>{w.event}</th><th>{w.state}</th><th>{w.effectiveAt}</th><th>{w.reportedAt}</th><th>{w.actionReason}</th><th>{w.actor}</th><th>{w.logIndex}</th></tr></thead>
              <tbody>
                {s.history.map((h) => (
                  <tr key={h.logIndex} data-action={h.action}>
                    <td>{w.actions[h.action]}</td><td>{w.states[h.state]}</td><td>{showTime(lang, h.effectiveAt)}</td><td>{showTime(lang, h.reportedAt)}</td>
                    <td>{h.reason}</td><td>{h.actor}</td><td>{h.logIndex}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {admin && <StateAction lang={lang} seal={s} onApiError={onApiError} onDone={(n, text) => { setSeals((all) => all?.map((x) => (x.esID === n.esID ? n : x))); setMessage({ text, error: false }); }} />}
          </article>
        ))}
    </section>
  );
}

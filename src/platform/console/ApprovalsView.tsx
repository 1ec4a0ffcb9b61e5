/** Approvers: the applications waiting for a decision; approve, or reject with a reason. */
import { useEffect, useState, type ReactElement } from 'react';
import type { ApplicationView } from '../api/contract';
import { api } from './api';
import type { ViewProps } from './App';
import { WORDS } from './i18n';
import { ApplicationCard } from './ApplicationCard';

export function ApprovalsView({ lang, session, onApiError }: ViewProps): ReactElement {
  const w = WORDS[lang];
  const [list, setList] = useState<ApplicationView[] | undefined>();
  const [opinion, setOpinion] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ text: string; error: boolean; id?: string } | undefined>();
  const [busy, setBusy] = useState<string | undefined>();

  const load = (): void => { api.applications('pending').then((r) => setList(r.applications), (e) => setMessage({ text: w.failed(onApiError(e)), error: true })); };
  useEffect(load, []);

  const decide = async (a: ApplicationView, decision: 'approve' | 'reject'): Promise<void> => {
    const reason = (opinion[a.id] ?? '').trim();
    if (decision === 'reject' && !reason) { setMessage({ text: w.rejectNeedsReason, error: true, id: a.id }); return; }
    setBusy(a.id);
    setMessage(undefined);
    try {
      await api.decide(a.id, { decision, reason: reason || w.approveDefault });
      setMessage({ text: decision === 'approve' ? w.approved(a.id) : w.rejected(a.id), error: false });
      load();
    } catch (e) {
      setMessage({ text: w.failed(onApiError(e)), error: true, id: a.id });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section className="list wide">
      <h2>{w.waiting} <button className="link" onClick={load}>{w.refresh}</button></h2>
      {message && !message.id && <p className={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'} data-testid="approval-message">{message.text}</p>}
      {list === undefined ? <p className="muted">{w.loading}</p> : list.length === 0 ? <p className="muted" data-testid="approvals-empty">{w.none}</p>
        : list.map((a) => {
          const own = a.applicant === session.user;
          return (
            <ApplicationCard key={a.id} lang={lang} a={a}>
              {own ? <p className="notice">{w.ownApplication}</p> : (
                <div className="decide">
                  <label>{w.opinion}<textarea rows={2} maxLength={512} value={opinion[a.id] ?? ''} onChange={(e) => setOpinion({ ...opinion, [a.id]: e.target.value })} data-testid="approval-opinion" /></label>
                  <div className="row">
                    <button className="primary" disabled={busy === a.id} onClick={() => void decide(a, 'approve')} data-testid="approve">{w.approve}</button>
                    <button disabled={busy === a.id} onClick={() => void decide(a, 'reject')} data-testid="reject">{w.reject}</button>
                  </div>
                </div>
              )}
              {message?.id === a.id && <p className={message.error ? 'error' : 'ok'} role="alert" data-testid="approval-message">{message.text}</p>}
            </ApplicationCard>
          );
        })}
    </section>
  );
}

/** Makers: the approved applications a seal is still to be made for, with the command that makes it. */
import { useEffect, useState, type ReactElement } from 'react';
import type { ApplicationView } from '../api/contract';
import { api } from './api';
import type { ViewProps } from './App';
import { WORDS } from './i18n';
import { ApplicationCard } from './ApplicationCard';

export function MakingView({ lang, onApiError }: ViewProps): ReactElement {
  const w = WORDS[lang];
  const [list, setList] = useState<ApplicationView[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = (): void => { api.applications('approved').then((r) => setList(r.applications), (e) => setError(w.failed(onApiError(e)))); };
  useEffect(load, []);
  return (
    <section className="list wide">
      <h2>{w.toMake} <button className="link" onClick={load}>{w.refresh}</button></h2>
      {error && <p className="error" role="alert">{error}</p>}
      {list === undefined ? <p className="muted">{w.loading}</p> : list.length === 0 ? <p className="muted" data-testid="making-empty">{w.none}</p>
        : list.map((a) => <ApplicationCard key={a.id} lang={lang} a={a}><p className="command" data-testid="make-hint"><code>{w.makeHint(a.id)}</code></p></ApplicationCard>)}
    </section>
  );
}

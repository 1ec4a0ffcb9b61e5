/** Log-in. Wrong passwords and the server's lock-out (after repeated failures) are shown as the server words them. */
import { useState, type FormEvent, type ReactElement } from 'react';
import type { SessionView } from '../api/contract';
import { ApiError, api } from './api';
import { WORDS, say, showTime, type Lang } from './i18n';

export function LoginView({ lang, notice, onLoggedIn }: { lang: Lang; notice?: string; onLoggedIn(s: SessionView): void }): ReactElement {
  const w = WORDS[lang];
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; locked: boolean } | undefined>();

  const submit = async (ev: FormEvent): Promise<void> => {
    ev.preventDefault();
    if (!user.trim() || !password) { setError({ text: w.needFields, locked: false }); return; }
    setBusy(true);
    setError(undefined);
    try {
      const s = await api.login({ user: user.trim(), password });
      setPassword('');
      onLoggedIn(s);
    } catch (e) {
      setPassword('');
      if (e instanceof ApiError && e.code === 'ACCOUNT_LOCKED') {
        const until = typeof e.details.lockedUntil === 'string' ? showTime(lang, e.details.lockedUntil) : undefined;
        setError({ text: w.locked(until), locked: true });
      } else {
        setError({ text: e instanceof ApiError ? say(lang, e) : String(e), locked: false });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card login" onSubmit={(e) => void submit(e)} data-testid="login-form">
      <h1>{w.title}</h1>
      <p className="muted">{w.subtitle}</p>
      {notice && <p className="notice" role="status" data-testid="login-notice">{notice}</p>}
      <label>{w.user}<input name="user" autoComplete="username" value={user} onChange={(e) => setUser(e.target.value)} data-testid="login-user" /></label>
      <label>{w.password}<input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="login-password" /></label>
      {error && <p className={error.locked ? 'error locked' : 'error'} role="alert" data-testid="login-error" data-locked={error.locked ? 'yes' : 'no'}>{error.text}</p>}
      <button type="submit" className="primary" disabled={busy} data-testid="login-submit">{busy ? w.loggingIn : w.login}</button>
    </form>
  );
}

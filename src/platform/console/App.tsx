/** The console's frame: log-in, the tabs each role may use, the language switch, log-out. */
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import type { Role, SessionView } from '../api/contract';
import { ApiError, api } from './api';
import { WORDS, say, showTime, type Lang } from './i18n';
import { LoginView } from './LoginView';
import { ApplicationsView } from './ApplicationsView';
import { ApprovalsView } from './ApprovalsView';
import { MakingView } from './MakingView';
import { SealsView } from './SealsView';
import { LogView } from './LogView';

export interface ViewProps { lang: Lang; session: SessionView; onApiError(e: unknown): string }

type Tab = 'apply' | 'approve' | 'make' | 'seals' | 'log';
const TABS: { tab: Tab; roles: Role[] }[] = [
  { tab: 'apply', roles: ['applicant'] },
  { tab: 'approve', roles: ['approver'] },
  { tab: 'make', roles: ['maker'] },
  { tab: 'seals', roles: ['unit_admin', 'auditor'] },
  { tab: 'log', roles: ['auditor'] },
];

function initialLang(): Lang {
  try { return localStorage.getItem('sealdesk-console-lang') === 'en' ? 'en' : 'zh'; } catch { return 'zh'; }
}

export function App(): ReactElement {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const [tab, setTab] = useState<Tab | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const w = WORDS[lang];

  useEffect(() => { document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'; document.title = w.title; }, [lang, w.title]);
  useEffect(() => { api.session().then(setSession, () => setSession(null)); }, []);

  const tabs = session ? TABS.filter((t) => t.roles.some((r) => session.roles.includes(r))).map((t) => t.tab) : [];
  const current = tab && tabs.includes(tab) ? tab : tabs[0];

  const onApiError = useCallback((e: unknown): string => {
    if (e instanceof ApiError && e.code === 'SESSION_REQUIRED') {
      setSession(null);
      setNotice(WORDS[lang].sessionExpired);
    }
    return e instanceof ApiError ? say(lang, e) : String(e);
  }, [lang]);

  const switchLang = (): void => {
    const next: Lang = lang === 'zh' ? 'en' : 'zh';
    setLang(next);
    try { localStorage.setItem('sealdesk-console-lang', next); } catch { /* private mode: the switch still works for this page */ }
  };

  const logout = async (): Promise<void> => {
    try { await api.logout(); } catch { /* the session is gone either way */ }
    setSession(null);
    setTab(undefined);
    setNotice(w.loggedOut);
  };

  const tabName: Record<Tab, string> = { apply: w.tabApply, approve: w.tabApprove, make: w.tabMake, seals: w.tabSeals, log: w.tabLog };
  const props = session ? { lang, session, onApiError } : undefined;

  return (
    <div className="console">
      <header className="topbar">
        <span className="brand">{w.title}</span>
        {session && (
          <nav className="tabs" role="tablist">
            {tabs.map((t) => (
              <button key={t} role="tab" aria-selected={t === current} className={t === current ? 'tab active' : 'tab'} data-testid={`tab-${t}`} onClick={() => setTab(t)}>{tabName[t]}</button>
            ))}
          </nav>
        )}
        <span className="spacer" />
        {session && (
          <span className="who" data-testid="who">
            {session.displayName}{lang === 'zh' ? `（${session.roles.map((r) => w.roles[r]).join('、')}）` : ` (${session.roles.map((r) => w.roles[r]).join(', ')})`}{session.unitName ? ` · ${session.unitName}` : ''}
          </span>
        )}
        <button className="link" data-testid="lang" onClick={switchLang}>{w.language}</button>
        {session && <button data-testid="logout" onClick={() => void logout()}>{w.logout}</button>}
      </header>
      <main className="content">
        {session === undefined && <p className="muted">{w.loading}</p>}
        {session === null && <LoginView lang={lang} notice={notice} onLoggedIn={(s) => { setNotice(undefined); setSession(s); }} />}
        {props && tabs.length === 0 && <p className="notice">{w.noRole}</p>}
        {props && current === 'apply' && <ApplicationsView {...props} />}
        {props && current === 'approve' && <ApprovalsView {...props} />}
        {props && current === 'make' && <MakingView {...props} />}
        {props && current === 'seals' && <SealsView {...props} />}
        {props && current === 'log' && <LogView {...props} />}
      </main>
      {session && <footer className="footer muted">{lang === 'zh' ? '登录有效期至' : 'Session valid until'} {showTime(lang, session.expiresAt)}</footer>}
    </div>
  );
}

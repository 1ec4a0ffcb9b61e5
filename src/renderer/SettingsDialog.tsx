/** Settings: PKCS#11 module paths, timestamp authority, language, the trust store (add a root file) and the seal platform. */
import { useEffect, useState } from 'react';
import type { Language, Settings, TrustRootView } from '../api/contract';
import { call, errorOf } from './api-client';
import { pick, type Strings } from './i18n';
import { PlatformSettings } from './PlatformSettings';

export function SettingsDialog({ t, lang, onClose, onSaved }: { t: Strings; lang: Language; onClose(): void; onSaved(s: Settings): void }) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [modules, setModules] = useState('');
  const [roots, setRoots] = useState<TrustRootView[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    void call('settingsGet', {}).then((s) => {
      setSettings(s);
      setModules(s.modulePaths.join('\n'));
    }, (e) => setError(pick(lang, errorOf(e))));
    void call('trustList', {}).then(setRoots, () => undefined);
  }, [lang]);
  if (!settings) return null;
  const save = async () => {
    try {
      const s = await call('settingsSet', { ...settings, modulePaths: modules.split('\n').map((m) => m.trim()).filter(Boolean) });
      onSaved(s);
      onClose();
    } catch (e) {
      setError(pick(lang, errorOf(e)));
    }
  };
  return (
    <div className="modal-backdrop">
      <div className="modal settings" data-testid="settings">
        <h3>{t.settings}</h3>
        <label>
          {t.modulePaths}
          <textarea rows={3} value={modules} onChange={(e) => setModules(e.target.value)} />
        </label>
        <label>
          {t.tsaUrl}
          <input value={settings.tsaUrl ?? ''} onChange={(e) => setSettings({ ...settings, tsaUrl: e.target.value })} />
        </label>
        <label>
          {t.language}
          <select value={settings.language} onChange={(e) => setSettings({ ...settings, language: e.target.value as Language })}>
            <option value="zh">中文</option>
            <option value="en">English</option>
          </select>
        </label>
        <h4>{t.trustRoots}</h4>
        <ul className="roots">
          {roots.map((r) => (
            <li key={r.fingerprint} title={r.fingerprint}>
              {r.subject}
            </li>
          ))}
        </ul>
        <button onClick={() => void call('trustAdd', {}).then(setRoots, (e) => setError(pick(lang, errorOf(e))))}>{t.addTrustRoot}</button>
        <PlatformSettings t={t} lang={lang} />
        {error && <div className="error">{error}</div>}
        <div className="buttons">
          <button onClick={onClose}>{t.cancel}</button>
          <button className="primary" onClick={() => void save()}>
            {t.save}
          </button>
        </div>
      </div>
    </div>
  );
}

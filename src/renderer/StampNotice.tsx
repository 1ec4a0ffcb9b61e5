/**
 * What the seal platform said about the stamp just made, left on screen (not a toast that fades):
 * "no platform configured, seal status not checked", the stamping record's log index, or that the
 * record waits in the queue. Not modal: the stamped document is already open beneath it.
 */
import type { Language, StampPlatformView } from '../api/contract';
import { pick, type Strings } from './i18n';

export function StampNotice({ p, t, lang, onClose }: { p: StampPlatformView; t: Strings; lang: Language; onClose(): void }) {
  const lines = [
    ...(p.note ? [pick(lang, p.note)] : []),
    ...(p.logIndex !== undefined ? [t.platformRecorded(p.logIndex)] : []),
    ...(p.recordQueued ? [t.platformQueued] : []),
  ];
  if (lines.length === 0) return null;
  return (
    <div className={`stamp-notice${p.checked ? '' : ' stamp-notice-offline'}`} data-testid="stamp-notice" data-checked={p.checked ? 'yes' : 'no'} role="status">
      {lines.map((l) => (
        <div key={l}>{l}</div>
      ))}
      <button type="button" onClick={onClose} data-testid="stamp-notice-close">
        {t.dismiss}
      </button>
    </div>
  );
}

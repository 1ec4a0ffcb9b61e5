/** Inserted USB-Keys and their seals; a seal's picture is the sample (样章) a person drags onto a page. */
import { useEffect, useMemo } from 'react';
import type { SealView, TokenView } from '../api/contract';
import type { Strings } from './i18n';

export function sealPictureUrl(seal: SealView): string {
  return URL.createObjectURL(new Blob([seal.picture.slice()], { type: seal.pictureType === 'png' ? 'image/png' : 'image/jpeg' }));
}

export function TokenPanel({ tokens, t, onStartDrag, selected }: { tokens: TokenView[] | null; t: Strings; selected?: string; onStartDrag(token: TokenView, seal: SealView, e: React.PointerEvent): void }) {
  const urls = useMemo(() => new Map((tokens ?? []).flatMap((tk) => tk.seals.map((s) => [`${tk.serial}/${s.esID}`, sealPictureUrl(s)] as const))), [tokens]);
  useEffect(() => () => urls.forEach((u) => URL.revokeObjectURL(u)), [urls]);
  if (tokens === null) return <div className="token-panel" data-testid="token-panel">…</div>;
  return (
    <div className="token-panel" data-testid="token-panel">
      <h3>{t.tokens}</h3>
      {tokens.length === 0 && <div className="insert-token" data-testid="insert-token">{t.insertToken}</div>}
      {tokens.map((tk) => (
        <div className="token" key={tk.serial} data-serial={tk.serial} data-label={tk.label}>
          <div className="token-label">{tk.label}</div>
          <div className="token-meta">
            {t.serial}: {tk.serial}
          </div>
          {tk.keeperSubject && (
            <div className="token-meta" title={tk.keeperSubject}>
              {t.keeper}: {tk.keeperSubject}
            </div>
          )}
          {tk.seals.map((s) => (
            <div key={s.esID} className={`seal-sample${selected === `${tk.serial}/${s.esID}` ? ' selected' : ''}`} data-esid={s.esID} title={t.dragHint} onPointerDown={(e) => onStartDrag(tk, s, e)}>
              <img src={urls.get(`${tk.serial}/${s.esID}`)} alt={s.name} draggable={false} />
              <div>
                <div className="seal-name">{s.name}</div>
                <div className="token-meta">
                  {s.widthMm}×{s.heightMm} mm · {s.esID}
                </div>
              </div>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

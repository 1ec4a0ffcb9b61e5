/**
 * Inserted USB-Keys and their seals; a seal's picture is the sample (样章) a person drags onto a
 * page — or, from the keyboard, places on the page in view with its "放到当前页" button. A key that
 * is locked, or has no usable seal, looks different and says why before any PIN is asked.
 */
import { useEffect, useMemo } from 'react';
import type { SealView, TokenView } from '../api/contract';
import type { Strings } from './i18n';

export function sealPictureUrl(seal: SealView): string {
  return URL.createObjectURL(new Blob([seal.picture.slice()], { type: seal.pictureType === 'png' ? 'image/png' : 'image/jpeg' }));
}

interface Props {
  tokens: TokenView[] | null;
  t: Strings;
  selected?: string;
  onStartDrag(token: TokenView, seal: SealView, e: React.PointerEvent): void;
  /** Places the seal at the middle of the page in view (keyboard users); absent while no document is open. */
  onKeyboardPlace?(token: TokenView, seal: SealView): void;
}

/** Why a key cannot stamp, when it cannot. */
function unusable(tk: TokenView, t: Strings): string | null {
  if (tk.locked) return t.tokenLockedWhy;
  if (tk.seals.length === 0) return tk.keeperSubject ? t.tokenNoSealWhy : t.tokenEmptyWhy;
  return null;
}

export function TokenPanel({ tokens, t, onStartDrag, onKeyboardPlace, selected }: Props) {
  const urls = useMemo(() => new Map((tokens ?? []).flatMap((tk) => tk.seals.map((s) => [`${tk.serial}/${s.esID}`, sealPictureUrl(s)] as const))), [tokens]);
  useEffect(() => () => urls.forEach((u) => URL.revokeObjectURL(u)), [urls]);
  if (tokens === null) return <div className="token-panel" data-testid="token-panel">…</div>;
  return (
    <div className="token-panel" data-testid="token-panel">
      <h3>{t.tokens}</h3>
      {tokens.length === 0 && <div className="insert-token" data-testid="insert-token">{t.insertToken}</div>}
      {tokens.map((tk) => {
        const why = unusable(tk, t);
        const holdsSeal = tk.seals.length > 0;
        return (
          <div className={`token${tk.locked ? ' token-locked' : ''}${why ? ' token-unusable' : ''}`} key={tk.serial} data-serial={tk.serial} data-label={tk.label} data-usable={why ? 'no' : 'yes'}>
            <div className="token-label">
              {tk.locked && <span aria-hidden="true">🔒 </span>}
              {tk.label}
            </div>
            <div className="token-meta">
              {t.serial}{t.colon}{tk.serial}
            </div>
            {tk.keeperSubject && (
              <div className="token-meta" title={tk.keeperSubject}>
                {/* Only a key that holds a seal is a keeper's (保管人) key; a maker's card just carries a certificate. */}
                {holdsSeal ? t.keeper : t.certificate}{t.colon}{tk.keeperSubject}
              </div>
            )}
            {why && (
              <div className="token-why" data-testid="token-why" role="note">
                {why}
              </div>
            )}
            {!tk.locked && tk.triesLeft !== undefined && tk.triesLeft < 5 && holdsSeal && <div className="tries">{t.pinTries(tk.triesLeft)}</div>}
            {tk.seals.map((s) => (
              <div
                key={s.esID}
                className={`seal-sample${selected === `${tk.serial}/${s.esID}` ? ' selected' : ''}${tk.locked ? ' disabled' : ''}`}
                data-esid={s.esID}
                title={tk.locked ? t.tokenLockedWhy : t.dragHint}
                onPointerDown={(e) => !tk.locked && onStartDrag(tk, s, e)}
              >
                <img src={urls.get(`${tk.serial}/${s.esID}`)} alt={s.name} draggable={false} />
                <div>
                  <div className="seal-name">{s.name}</div>
                  <div className="token-meta">
                    {s.widthMm}×{s.heightMm} mm · {s.esID}
                  </div>
                  {onKeyboardPlace && !tk.locked && (
                    <button type="button" className="place-here" data-testid="place-here" onPointerDown={(e) => e.stopPropagation()} onClick={() => onKeyboardPlace(tk, s)} aria-label={`${t.placeHere}${t.colon}${s.name}`}>
                      {t.placeHere}
                    </button>
                  )}
                </div>
              </div>
            ))}
          </div>
        );
      })}
    </div>
  );
}

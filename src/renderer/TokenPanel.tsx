/**
 * Inserted USB-Keys and their seals; a seal's picture is the sample (样章) a person drags onto a
 * page — or, from the keyboard, places on the page in view with its "放到当前页" button. A key that
 * is locked, or has no usable seal, looks different and says why before any PIN is asked. With a
 * seal platform, each seal shows its registry state (在用, 已暂停, 已挂失…); one the platform says
 * may not stamp cannot be picked up, and says why.
 */
import { useEffect, useMemo } from 'react';
import type { Language, SealRegistryView, SealView, TokenView } from '../api/contract';
import { pick, type Strings } from './i18n';

/** A registry answer that rules the seal out (not merely "could not ask"): it may not be picked up. */
export const refusedByRegistry = (r: SealRegistryView | undefined): boolean => !!r && !r.mayStamp && r.state !== 'unchecked';

export function sealPictureUrl(seal: SealView): string {
  return URL.createObjectURL(new Blob([seal.picture.slice()], { type: seal.pictureType === 'png' ? 'image/png' : 'image/jpeg' }));
}

interface Props {
  tokens: TokenView[] | null;
  t: Strings;
  lang: Language;
  /** Each seal's registry state by esID, as last asked (absent: not asked yet). */
  registry: ReadonlyMap<string, SealRegistryView>;
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

export function TokenPanel({ tokens, t, lang, registry, onStartDrag, onKeyboardPlace, selected }: Props) {
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
            {tk.seals.map((s) => {
              const reg = registry.get(s.esID);
              const refused = refusedByRegistry(reg);
              const blocked = tk.locked || refused;
              return (
              <div
                key={s.esID}
                className={`seal-sample${selected === `${tk.serial}/${s.esID}` ? ' selected' : ''}${blocked ? ' disabled' : ''}`}
                data-esid={s.esID}
                data-may-stamp={refused ? 'no' : 'yes'}
                title={tk.locked ? t.tokenLockedWhy : refused ? pick(lang, reg?.reason) : t.dragHint}
                onPointerDown={(e) => !blocked && onStartDrag(tk, s, e)}
              >
                <img src={urls.get(`${tk.serial}/${s.esID}`)} alt={s.name} draggable={false} />
                <div>
                  <div className="seal-name">{s.name}</div>
                  <div className="token-meta">
                    {s.widthMm}×{s.heightMm} mm · {s.esID}
                  </div>
                  <div
                    className={`registry registry-${reg?.state ?? 'pending'}`}
                    data-testid="seal-registry"
                    data-state={reg?.state ?? 'pending'}
                    title={reg?.reason ? pick(lang, reg.reason) : reg?.asOf ? `${t.platform} ${reg.asOf}` : undefined}
                  >
                    {reg ? t.registry[reg.state] ?? reg.state : t.registryChecking}
                  </div>
                  {reg && !reg.mayStamp && reg.reason && (
                    <div className="token-why" data-testid="seal-why" role="note">
                      {refused ? `${t.sealMayNotStamp}${t.colon}` : ''}{pick(lang, reg.reason)}
                    </div>
                  )}
                  {onKeyboardPlace && !blocked && (
                    <button type="button" className="place-here" data-testid="place-here" onPointerDown={(e) => e.stopPropagation()} onClick={() => onKeyboardPlace(tk, s)} aria-label={`${t.placeHere}${t.colon}${s.name}`}>
                      {t.placeHere}
                    </button>
                  )}
                </div>
              </div>
              );
            })}
          </div>
        );
      })}
    </div>
  );
}

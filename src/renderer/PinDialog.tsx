/**
 * The PIN dialog. The PIN lives in this input only until submit: it is handed over as bytes once and
 * the field is cleared at once. Shows tries left and the last error.
 */
import { useEffect, useRef } from 'react';
import type { Language } from '../api/contract';
import type { Strings } from './i18n';

export function PinDialog(props: { t: Strings; lang: Language; tokenLabel: string; triesLeft?: number; error?: string; onSubmit(pin: Uint8Array): void; onCancel(): void }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [props.error]);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const el = input.current;
    if (!el || el.value.length === 0) return;
    const bytes = new TextEncoder().encode(el.value);
    el.value = '';
    props.onSubmit(bytes);
  };
  return (
    <div className="modal-backdrop">
      <form className="modal pin-dialog" data-testid="pin-dialog" onSubmit={submit} autoComplete="off">
        <h3>{props.t.pinTitle}</h3>
        <div className="token-meta">{props.tokenLabel}</div>
        <label>
          {props.t.pinLabel}
          <input ref={input} type="password" name="pin" inputMode="numeric" maxLength={64} autoComplete="off" data-testid="pin-input" />
        </label>
        <div className="tries" data-testid="pin-tries">
          {props.triesLeft !== undefined ? props.t.pinTries(props.triesLeft) : props.t.pinTriesUnknown}
        </div>
        {props.error && (
          <div className="error" data-testid="pin-error" role="alert">
            {props.error}
          </div>
        )}
        <div className="buttons">
          <button type="button" onClick={props.onCancel}>
            {props.t.cancel}
          </button>
          <button type="submit" className="primary" data-testid="pin-ok">
            {props.t.confirm}
          </button>
        </div>
      </form>
    </div>
  );
}

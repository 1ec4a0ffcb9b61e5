import { AppContext } from '../core/app/context';
import type { PinPrompt } from '../core/app/login-signer';
import { stdinPinSource, terminalPinSource, type PinSource } from './pin-input';

/** Options every token-touching command accepts. */
export const tokenOptions = {
  module: { type: 'string' },
  'pin-stdin': { type: 'boolean' },
} as const;

export function appContext(values: { module?: string }): AppContext {
  return new AppContext({ module: values.module });
}

export function pinSource(values: { 'pin-stdin'?: boolean }): PinSource {
  return values['pin-stdin'] ? stdinPinSource() : terminalPinSource();
}

const PURPOSE = { stamp: '签章', 'make-seal': '制章' } as const;

/** The PIN prompt for a use case: names the token and the tries left. */
export function pinPrompt(source: PinSource): PinPrompt {
  return ({ token, purpose, triesLeft }) =>
    source.read(`请输入 ${token.label} 的 PIN 以${PURPOSE[purpose]} / PIN of ${token.label}${triesLeft !== undefined ? ` (剩余 ${triesLeft} 次 / ${triesLeft} tries left)` : ''}`);
}

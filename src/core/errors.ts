/**
 * Every failure SealDesk reports to a person carries a stable code (kept in the audit log and
 * used by the CLI and UI), a message for the keeper in Chinese and in English, and the cause.
 * Messages never contain a PIN.
 */
export class SealDeskError extends Error {
  readonly code: string;
  readonly zh: string;
  readonly en: string;
  readonly details: Record<string, unknown>;

  constructor(code: string, zh: string, en: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(`${zh} / ${en}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SealDeskError';
    this.code = code;
    this.zh = zh;
    this.en = en;
    this.details = options.details ?? {};
  }
}

export function isSealDeskError(e: unknown): e is SealDeskError {
  return e instanceof SealDeskError;
}

/** Wraps anything thrown into a SealDeskError without losing the cause. */
export function asSealDeskError(e: unknown, code = 'INTERNAL', zh = '内部错误', en = 'Internal error'): SealDeskError {
  if (e instanceof SealDeskError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new SealDeskError(code, `${zh}: ${detail}`, `${en}: ${detail}`, { cause: e });
}

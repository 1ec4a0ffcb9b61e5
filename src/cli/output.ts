import { SealDeskError, asSealDeskError } from '../core/errors';

/** How the CLI shows a failure: code, Chinese and English message; never a stack unless asked. */
export function printError(e: unknown): void {
  const err: SealDeskError = asSealDeskError(e);
  process.stderr.write(`错误 [${err.code}] ${err.zh}\nError [${err.code}] ${err.en}\n`);
  if (process.env.SEALDESK_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
}

export function usageError(zh: string, en: string): SealDeskError {
  return new SealDeskError('USAGE', zh, en);
}

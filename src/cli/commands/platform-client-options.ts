/**
 * How `sealdesk platform` subcommands reach a platform: its URL and TLS root from --dir (the
 * server writes DIR/server.url when it listens), or --url and --root, or SEALDESK_PLATFORM and
 * SEALDESK_PLATFORM_ROOT; the console account from --user with the password read without echo or
 * from standard input (--password-stdin). The TLS connection trusts only the platform's root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SealDeskError } from '../../core/errors';
import type { ApiAnswer } from '../../platform/client/platform-client';
import { PlatformClient } from '../../platform/client/platform-client';
import { loadPlatformConfig } from '../../platform/config';
import { stdinPinSource, terminalPinSource, type PinSource } from '../pin-input';
import { usageError } from '../output';

export const clientOptions = {
  dir: { type: 'string' },
  url: { type: 'string' },
  root: { type: 'string' },
  user: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export interface ClientValues { dir?: string; url?: string; root?: string; user?: string; 'password-stdin'?: boolean; json?: boolean }

export function serverUrlFile(dir: string): string { return path.join(dir, 'server.url'); }

export function passwordSource(values: { 'password-stdin'?: boolean }): PinSource {
  return values['password-stdin'] ? stdinPinSource() : terminalPinSource();
}

export function platformClient(v: ClientValues): PlatformClient {
  let url = v.url ?? process.env.SEALDESK_PLATFORM;
  let rootFile = v.root ?? process.env.SEALDESK_PLATFORM_ROOT;
  if (v.dir) {
    const config = loadPlatformConfig(v.dir);
    const file = serverUrlFile(v.dir);
    url ??= fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : `https://${config.listen}`;
    rootFile ??= path.resolve(v.dir, config.tls.root);
  }
  if (!url || !rootFile) throw usageError('需要 --dir 或 --url 与 --root', 'needs --dir, or --url and --root');
  return new PlatformClient(url, fs.readFileSync(rootFile, 'utf8'));
}

/** Logs in as --user (password without echo, or --password-stdin). */
export async function loggedIn(v: ClientValues, passwords: PinSource = passwordSource(v)): Promise<PlatformClient> {
  if (!v.user) throw usageError('需要 --user 指定控制台账号', 'needs --user NAME (a console account)');
  const c = platformClient(v);
  const pw = await passwords.read(`${v.user} 的密码 / password of ${v.user}`);
  const r = await c.login(v.user, pw);
  if (r.status !== 200) throw answerError(r);
  return c;
}

/** A refusal from the platform as the CLI's error (its code and both messages). */
export function answerError(a: ApiAnswer): SealDeskError {
  const e = (a.body as { error?: { code: string; zh: string; en: string } }).error;
  if (e) return new SealDeskError(e.code, e.zh, e.en);
  return new SealDeskError('PLATFORM_ANSWER', `平台应答异常(HTTP ${a.status})`, `Unexpected platform answer (HTTP ${a.status})`);
}

export function expectOk<T>(a: ApiAnswer<T>): T {
  if (a.status < 200 || a.status >= 300) throw answerError(a);
  return a.body;
}

/**
 * What every platform service gets: the database, the platform signer, the clock, the logger, and
 * `write`, the one way to change anything: a transaction that first takes the log head, so every
 * change and its log leaf commit together, in one order across all server processes.
 */
import type { Logger } from 'pino';
import type { Role } from './api/contract';
import type { DialectName, PlatformDatabase } from './db/database';
import { refuse, REFUSALS } from './errors';
import { LogAppender, lockLogHead, type Db } from './log/log-store';
import type { PlatformConfig } from './config';
import type { PlatformSigner } from './signing/platform-signer';

export interface Actor { id: number; user: string; displayName: string; roles: Role[]; unitId: number | null }

export interface PlatformContext {
  db: Db;
  dialect: DialectName;
  signer: PlatformSigner;
  config: PlatformConfig;
  log: Logger;
  now(): Date;
  /** PEM texts of the accepted maker/keeper roots. */
  acceptedRoots: string[];
  tlsRootPem: string;
}

export function makeContext(database: PlatformDatabase, rest: Omit<PlatformContext, 'db' | 'dialect'>): PlatformContext {
  return { db: database.db, dialect: database.dialect, ...rest };
}

const RETRYABLE = new Set(['40001', '40P01', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT']);

/** Runs `fn` in a transaction holding the log head; retries on serialisation failures and busy databases. */
export async function write<T>(ctx: PlatformContext, fn: (trx: Db, log: LogAppender) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.db.transaction().execute(async (trx) => {
        const size = await lockLogHead(trx);
        return fn(trx, new LogAppender(trx, size));
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code && RETRYABLE.has(code) && attempt < 20) {
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 40 * (attempt + 1)));
        continue;
      }
      if (code && RETRYABLE.has(code)) throw refuse(REFUSALS.PLATFORM_BUSY, {}, { cause: e });
      throw e;
    }
  }
}

export function iso(d: Date): string {
  return d.toISOString();
}

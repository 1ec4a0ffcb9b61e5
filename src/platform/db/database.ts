/**
 * Opening the platform's database through one query layer (Kysely) on either backend: SQLite
 * (better-sqlite3, one file, WAL, synchronous=FULL so an acknowledged write survives a kill) or
 * PostgreSQL (pg pool). Callers see `PlatformDatabase` and never the driver.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { PlatformDb } from './schema';

export type DialectName = 'sqlite' | 'postgres';

export interface PlatformDatabase {
  db: Kysely<PlatformDb>;
  dialect: DialectName;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

// Counts and sizes come back as numbers on both backends (bigint/numeric would be strings in pg).
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/** `target` is a SQLite file path or a postgres:// URL. */
export function openDatabase(target: string, o: { poolSize?: number } = {}): PlatformDatabase {
  if (isPostgresUrl(target)) {
    const pool = new pg.Pool({ connectionString: target, max: o.poolSize ?? 10 });
    // A dropped connection (the server restarting) must not crash the process; the query fails instead.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => { client.on('error', () => undefined); });
    const db = new Kysely<PlatformDb>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const sqlite = new BetterSqlite3(target);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  const db = new Kysely<PlatformDb>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

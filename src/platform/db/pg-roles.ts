/**
 * PostgreSQL roles for a platform: the database owner (the URL given to init) runs migrations; the
 * server connects as an app role that may only SELECT and INSERT history tables (no UPDATE, DELETE
 * or TRUNCATE: the database refuses them even if the server is subverted; a trigger refuses them
 * for the owner too) and may change only the mutable tables. Returns the app role's URL.
 */
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { APPEND_ONLY_TABLES, MUTABLE_TABLES } from './schema';

export async function createAppRole(db: Kysely<unknown>, ownerUrl: string): Promise<string> {
  const role = `sealdesk_app_${crypto.randomBytes(4).toString('hex')}`;
  const password = crypto.randomBytes(24).toString('base64url');
  const dbName = (await sql<{ d: string }>`select current_database() as d`.execute(db)).rows[0]!.d;
  await sql.raw(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`).execute(db);
  await sql.raw(`GRANT CONNECT ON DATABASE "${dbName}" TO ${role}`).execute(db);
  await sql.raw(`GRANT USAGE ON SCHEMA public TO ${role}`).execute(db);
  for (const t of APPEND_ONLY_TABLES) {
    await sql.raw(`REVOKE ALL ON ${t} FROM PUBLIC`).execute(db);
    await sql.raw(`GRANT SELECT, INSERT ON ${t} TO ${role}`).execute(db);
  }
  for (const t of MUTABLE_TABLES) await sql.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO ${role}`).execute(db);
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}

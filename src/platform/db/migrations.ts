/**
 * Schema migrations (Kysely Migrator with the migrations inline, so the built CLI needs no
 * migration folder). Each migration writes the same tables on both backends; where the backends
 * differ (byte columns, triggers) the dialect picks. History tables refuse UPDATE and DELETE in
 * the database itself: SQLite triggers, PostgreSQL a trigger plus grants (see grants.ts).
 */
import { Kysely, Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { SealDeskError } from '../../core/errors';
import type { DialectName } from './database';
import { APPEND_ONLY_TABLES } from './schema';

function initial(dialect: DialectName): Migration {
  const bytes = dialect === 'postgres' ? sql`bytea` : sql`blob`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('units').addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique()).addColumn('code', 'text')
        .addColumn('requires_use_approval', 'integer', (c) => c.notNull()).addColumn('created_at', 'text', (c) => c.notNull()).execute();
      await db.schema.createTable('accounts').addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('user_name', 'text', (c) => c.notNull().unique()).addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull()).addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'integer', (c) => c.references('units.id')).addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('failed_logins', 'integer', (c) => c.notNull()).addColumn('locked_until', 'text').execute();
      await db.schema.createTable('sessions').addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id')).addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull()).addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('ended', 'integer', (c) => c.notNull()).execute();
      await db.schema.createTable('log_head').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('size', 'integer', (c) => c.notNull()).execute();
      await db.schema.createTable('log_leaves').addColumn('idx', 'integer', (c) => c.primaryKey())
        .addColumn('leaf', bytes, (c) => c.notNull()).addColumn('leaf_hash', bytes, (c) => c.notNull())
        .addColumn('appended_at', 'text', (c) => c.notNull()).execute();
      await db.schema.createTable('log_nodes').addColumn('level', 'integer', (c) => c.notNull()).addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('hash', bytes, (c) => c.notNull()).addPrimaryKeyConstraint('log_nodes_pk', ['level', 'idx']).execute();
      await db.schema.createTable('checkpoints').addColumn('size', 'integer', (c) => c.primaryKey())
        .addColumn('root_hash', bytes, (c) => c.notNull()).addColumn('made_at', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull()).execute();
      await db.schema.createTable('applications').addColumn('id', 'integer', (c) => c.primaryKey().references('log_leaves.idx'))
        .addColumn('unit_id', 'integer', (c) => c.notNull().references('units.id')).addColumn('seal_name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull()).addColumn('keeper_name', 'text', (c) => c.notNull()).addColumn('keeper_cert', bytes)
        .addColumn('impression', bytes, (c) => c.notNull()).addColumn('impression_sha256', 'text', (c) => c.notNull())
        .addColumn('width_mm', 'real', (c) => c.notNull()).addColumn('height_mm', 'real', (c) => c.notNull())
        .addColumn('width_px', 'integer', (c) => c.notNull()).addColumn('height_px', 'integer', (c) => c.notNull())
        .addColumn('valid_from', 'text', (c) => c.notNull()).addColumn('valid_to', 'text', (c) => c.notNull()).addColumn('note', 'text')
        .addColumn('applicant_id', 'integer', (c) => c.notNull().references('accounts.id')).addColumn('filed_at', 'text', (c) => c.notNull()).execute();
      await db.schema.createTable('decisions').addColumn('id', 'integer', (c) => c.primaryKey().references('log_leaves.idx'))
        .addColumn('application_id', 'integer', (c) => c.notNull().unique().references('applications.id'))
        .addColumn('decision', 'text', (c) => c.notNull()).addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'integer', (c) => c.notNull().references('accounts.id')).addColumn('decided_at', 'text', (c) => c.notNull()).execute();
      await db.schema.createTable('seals').addColumn('es_id', 'text', (c) => c.primaryKey())
        .addColumn('id', 'integer', (c) => c.notNull().unique().references('log_leaves.idx'))
        .addColumn('application_id', 'integer', (c) => c.notNull().unique().references('applications.id'))
        .addColumn('unit_id', 'integer', (c) => c.notNull().references('units.id')).addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull()).addColumn('der', bytes, (c) => c.notNull()).addColumn('seal_sha256', 'text', (c) => c.notNull())
        .addColumn('maker_cert', bytes, (c) => c.notNull()).addColumn('maker_sha256', 'text', (c) => c.notNull()).addColumn('maker_subject', 'text', (c) => c.notNull())
        .addColumn('valid_start', 'text', (c) => c.notNull()).addColumn('valid_end', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'text', (c) => c.notNull()).addColumn('registered_by', 'integer', (c) => c.notNull().references('accounts.id')).execute();
      await db.schema.createTable('seal_certs').addColumn('es_id', 'text', (c) => c.notNull().references('seals.es_id'))
        .addColumn('position', 'integer', (c) => c.notNull()).addColumn('cert_sha256', 'text', (c) => c.notNull())
        .addColumn('cert', bytes).addColumn('subject', 'text', (c) => c.notNull()).addPrimaryKeyConstraint('seal_certs_pk', ['es_id', 'position']).execute();
      await db.schema.createIndex('seal_certs_by_cert').on('seal_certs').column('cert_sha256').execute();
      await db.schema.createTable('seal_events').addColumn('id', 'integer', (c) => c.primaryKey().references('log_leaves.idx'))
        .addColumn('es_id', 'text', (c) => c.notNull().references('seals.es_id')).addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull()).addColumn('action', 'text', (c) => c.notNull())
        .addColumn('effective_at', 'text', (c) => c.notNull()).addColumn('reported_at', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull()).addColumn('actor_id', 'integer', (c) => c.references('accounts.id'))
        .addUniqueConstraint('seal_events_seq', ['es_id', 'seq']).execute();
      await db.schema.createTable('use_approvals').addColumn('id', 'integer', (c) => c.primaryKey().references('log_leaves.idx'))
        .addColumn('es_id', 'text', (c) => c.notNull().references('seals.es_id')).addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('digest_alg', 'text').addColumn('digest_hex', 'text').addColumn('max_count', 'integer')
        .addColumn('not_before', 'text').addColumn('not_after', 'text').addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('approver_id', 'integer', (c) => c.notNull().references('accounts.id')).addColumn('approved_at', 'text', (c) => c.notNull()).execute();
      await db.schema.createTable('permits').addColumn('id', 'integer', (c) => c.primaryKey().references('log_leaves.idx'))
        .addColumn('es_id', 'text', (c) => c.notNull().references('seals.es_id')).addColumn('cert_sha256', 'text', (c) => c.notNull())
        .addColumn('digest_alg', 'text', (c) => c.notNull()).addColumn('digest_hex', 'text', (c) => c.notNull())
        .addColumn('use_approval_id', 'integer', (c) => c.references('use_approvals.id'))
        .addColumn('produced_at', 'text', (c) => c.notNull()).addColumn('expires_at', 'text', (c) => c.notNull()).addColumn('nonce', 'text').execute();
      await db.schema.createTable('nonces').addColumn('nonce', 'text', (c) => c.primaryKey())
        .addColumn('issued_at', 'text', (c) => c.notNull()).addColumn('expires_at', 'text', (c) => c.notNull()).execute();
      await db.schema.createTable('used_nonces').addColumn('nonce', 'text', (c) => c.primaryKey()).addColumn('used_at', 'text', (c) => c.notNull()).execute();
      await db.schema.createTable('records').addColumn('id', 'integer', (c) => c.primaryKey().references('log_leaves.idx'))
        .addColumn('kind', 'text', (c) => c.notNull()).addColumn('permit_id', 'integer', (c) => c.references('permits.id'))
        .addColumn('body', 'text', (c) => c.notNull()).addColumn('recorded_at', 'text', (c) => c.notNull()).execute();
      await db.schema.createIndex('records_by_permit').on('records').column('permit_id').execute();
      await sql`insert into log_head (id, size) values (1, 0)`.execute(db);
      for (const table of APPEND_ONLY_TABLES) await refuseChanges(db, dialect, table);
    },
  };
}

/** The database's own refusal of UPDATE and DELETE on a history table. */
async function refuseChanges(db: Kysely<unknown>, dialect: DialectName, table: string): Promise<void> {
  const message = `append-only table ${table}: history is never changed or deleted`;
  if (dialect === 'sqlite') {
    for (const op of ['UPDATE', 'DELETE']) {
      await sql.raw(`CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${message}'); END`).execute(db);
    }
    return;
  }
  await sql.raw(`CREATE OR REPLACE FUNCTION sealdesk_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'append-only table %: history is never changed or deleted', TG_TABLE_NAME USING ERRCODE = '42501'; END $$`).execute(db);
  await sql.raw(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION sealdesk_refuse_change()`).execute(db);
  await sql.raw(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION sealdesk_refuse_change()`).execute(db);
}

class InlineProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return { '0001_initial': initial(this.dialect) };
  }
}

export async function migrate(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const migrator = new Migrator({ db, provider: new InlineProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '?';
    throw new SealDeskError('PLATFORM_MIGRATION_FAILED', `数据库迁移失败(${failed})`, `Database migration failed (${failed})`, { cause: error });
  }
}

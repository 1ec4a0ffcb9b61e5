/**
 * Units, console accounts and sessions. Passwords are scrypt hashes; five wrong passwords in a row
 * lock the account for LOCK_MINUTES (the count and the lock are the account row's, so they hold
 * across server processes); sessions are random tokens of which only the SHA-256 is stored, each
 * with its CSRF token.
 */
import crypto from 'node:crypto';
import { ROLES, type AccountView, type Role, type SessionView, type UnitView } from '../api/contract';
import { iso, type Actor, type PlatformContext } from '../context';
import { refuse, REFUSALS } from '../errors';
import type { Db } from '../log/log-store';
import { checkPassword, hashPassword } from './passwords';

export const MAX_LOGIN_FAILURES = 5;
export const LOCK_MINUTES = 15;
export const SESSION_HOURS = 8;

const tokenHash = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');

export function parseRoles(text: string): Role[] {
  return text.split(',').filter((r): r is Role => (ROLES as readonly string[]).includes(r));
}

export async function createUnit(db: Db, now: Date, u: { name: string; code?: string | null; requiresUseApproval?: boolean }): Promise<UnitView> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('units').selectAll().where('name', '=', u.name).executeTakeFirst();
    if (existing) return unitView(existing);
    const max = await trx.selectFrom('units').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
    const id = Number(max?.m ?? 0) + 1;
    const row = { id, name: u.name, code: u.code ?? null, requires_use_approval: u.requiresUseApproval ? 1 : 0, created_at: iso(now) };
    await trx.insertInto('units').values(row).execute();
    return unitView(row);
  });
}

export function unitView(r: { id: number; name: string; code: string | null; requires_use_approval: number }): UnitView {
  return { id: String(r.id), name: r.name, code: r.code, requiresUseApproval: Number(r.requires_use_approval) === 1 };
}

export async function listUnits(db: Db): Promise<UnitView[]> {
  return (await db.selectFrom('units').selectAll().orderBy('id').execute()).map(unitView);
}

export async function createAccount(db: Db, now: Date, a: { user: string; displayName: string; password: Buffer; roles: Role[]; unitId: number | null }): Promise<AccountView> {
  const hash = await hashPassword(a.password);
  return db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('accounts').select('id').where('user_name', '=', a.user).executeTakeFirst()) throw refuse(REFUSALS.ACCOUNT_EXISTS, { user: a.user });
    if (a.unitId !== null && !(await trx.selectFrom('units').select('id').where('id', '=', a.unitId).executeTakeFirst())) throw refuse(REFUSALS.UNIT_UNKNOWN, { unitId: a.unitId });
    const max = await trx.selectFrom('accounts').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
    const id = Number(max?.m ?? 0) + 1;
    const roles = [...new Set(a.roles)];
    await trx.insertInto('accounts').values({
      id, user_name: a.user, display_name: a.displayName, password_hash: hash, roles: roles.join(','), unit_id: a.unitId,
      created_at: iso(now), failed_logins: 0, locked_until: null,
    }).execute();
    return { user: a.user, displayName: a.displayName, roles, unitId: a.unitId === null ? null : String(a.unitId), createdAt: iso(now) };
  });
}

export async function listAccounts(db: Db, unitId?: number | null): Promise<AccountView[]> {
  let q = db.selectFrom('accounts').select(['user_name', 'display_name', 'roles', 'unit_id', 'created_at']).orderBy('id');
  if (unitId !== undefined && unitId !== null) q = q.where('unit_id', '=', unitId);
  return (await q.execute()).map((r) => ({ user: r.user_name, displayName: r.display_name, roles: parseRoles(r.roles), unitId: r.unit_id === null ? null : String(r.unit_id), createdAt: r.created_at }));
}

export interface LoginResult { token: string; session: SessionView }

/** Checks the password; counts failures and locks the account; starts a session. */
export async function login(ctx: PlatformContext, user: string, password: Buffer): Promise<LoginResult> {
  const now = ctx.now();
  const account = await ctx.db.selectFrom('accounts').selectAll().where('user_name', '=', user).executeTakeFirst();
  if (!account) {
    // Same cost as a real check, so timing does not tell which names exist.
    await checkPassword(password, 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    throw refuse(REFUSALS.LOGIN_FAILED, { user });
  }
  if (account.locked_until && account.locked_until > iso(now)) {
    password.fill(0);
    throw refuse(REFUSALS.ACCOUNT_LOCKED, { user, lockedUntil: account.locked_until });
  }
  const ok = await checkPassword(password, account.password_hash);
  if (!ok) {
    const failures = await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('accounts').set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) })).where('id', '=', account.id).execute();
      const row = await trx.selectFrom('accounts').select('failed_logins').where('id', '=', account.id).executeTakeFirstOrThrow();
      const n = Number(row.failed_logins);
      if (n >= MAX_LOGIN_FAILURES) {
        await trx.updateTable('accounts').set({ failed_logins: 0, locked_until: iso(new Date(now.getTime() + LOCK_MINUTES * 60_000)) }).where('id', '=', account.id).execute();
      }
      return n;
    });
    if (failures >= MAX_LOGIN_FAILURES) throw refuse(REFUSALS.ACCOUNT_LOCKED, { user });
    throw refuse(REFUSALS.LOGIN_FAILED, { user, triesLeft: MAX_LOGIN_FAILURES - failures });
  }
  const token = crypto.randomBytes(32).toString('base64url');
  const csrf = crypto.randomBytes(24).toString('base64url');
  const expires = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('accounts').set({ failed_logins: 0, locked_until: null }).where('id', '=', account.id).execute();
    await trx.insertInto('sessions').values({ token_hash: tokenHash(token), account_id: account.id, csrf_token: csrf, created_at: iso(now), expires_at: iso(expires), ended: 0 }).execute();
  });
  return { token, session: await sessionView(ctx.db, account.id, csrf, iso(expires)) };
}

async function sessionView(db: Db, accountId: number, csrf: string, expiresAt: string): Promise<SessionView> {
  const a = await db.selectFrom('accounts').leftJoin('units', 'units.id', 'accounts.unit_id')
    .select(['accounts.user_name', 'accounts.display_name', 'accounts.roles', 'accounts.unit_id', 'units.name as unit_name'])
    .where('accounts.id', '=', accountId).executeTakeFirstOrThrow();
  return {
    user: a.user_name, displayName: a.display_name, roles: parseRoles(a.roles), unitId: a.unit_id === null ? null : String(a.unit_id),
    unitName: a.unit_name ?? null, csrfToken: csrf, expiresAt,
  };
}

export interface ActiveSession { actor: Actor; view: SessionView; csrf: string }

export async function resumeSession(ctx: PlatformContext, token: string): Promise<ActiveSession | undefined> {
  const row = await ctx.db.selectFrom('sessions').innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .select(['sessions.account_id', 'sessions.csrf_token', 'sessions.expires_at', 'sessions.ended', 'accounts.user_name', 'accounts.display_name', 'accounts.roles', 'accounts.unit_id'])
    .where('sessions.token_hash', '=', tokenHash(token)).executeTakeFirst();
  if (!row || Number(row.ended) === 1 || row.expires_at <= iso(ctx.now())) return undefined;
  const actor: Actor = { id: row.account_id, user: row.user_name, displayName: row.display_name, roles: parseRoles(row.roles), unitId: row.unit_id };
  return { actor, csrf: row.csrf_token, view: await sessionView(ctx.db, row.account_id, row.csrf_token, row.expires_at) };
}

export async function endSession(ctx: PlatformContext, token: string): Promise<void> {
  await ctx.db.updateTable('sessions').set({ ended: 1 }).where('token_hash', '=', tokenHash(token)).execute();
}

export function requireRole(actor: Actor, roles: readonly Role[]): void {
  if (!roles.some((r) => actor.roles.includes(r))) throw refuse(REFUSALS.ROLE_REQUIRED, { user: actor.user, need: roles });
}

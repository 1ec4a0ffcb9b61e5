/**
 * The platform's tables as Kysely sees them. Times are ISO 8601 UTC text (fixed width, so text order
 * is time order on both SQLite and PostgreSQL); bytes are BLOB / bytea; ids are decimal integers.
 * Every event row's id is its transparency-log index, so ids are unique, ordered and need no sequence.
 */

export interface UnitsTable { id: number; name: string; code: string | null; requires_use_approval: number; created_at: string }
export interface AccountsTable {
  id: number; user_name: string; display_name: string; password_hash: string; roles: string;
  unit_id: number | null; created_at: string; failed_logins: number; locked_until: string | null;
}
export interface SessionsTable { token_hash: string; account_id: number; csrf_token: string; created_at: string; expires_at: string; ended: number }
export interface ApplicationsTable {
  id: number; unit_id: number; seal_name: string; kind: string; keeper_name: string; keeper_cert: Uint8Array | null;
  impression: Uint8Array; impression_sha256: string; width_mm: number; height_mm: number; width_px: number; height_px: number;
  valid_from: string; valid_to: string; note: string | null; applicant_id: number; filed_at: string;
}
export interface DecisionsTable { id: number; application_id: number; decision: string; reason: string; actor_id: number; decided_at: string }
export interface SealsTable {
  es_id: string; id: number; application_id: number; unit_id: number; name: string; kind: string; der: Uint8Array; seal_sha256: string;
  maker_cert: Uint8Array; maker_sha256: string; maker_subject: string; valid_start: string; valid_end: string; registered_at: string; registered_by: number;
}
export interface SealCertsTable { es_id: string; position: number; cert_sha256: string; cert: Uint8Array | null; subject: string }
export interface SealEventsTable {
  id: number; es_id: string; seq: number; state: string; action: string; effective_at: string; reported_at: string; reason: string; actor_id: number | null;
}
export interface UseApprovalsTable {
  id: number; es_id: string; kind: string; digest_alg: string | null; digest_hex: string | null; max_count: number | null;
  not_before: string | null; not_after: string | null; reason: string; approver_id: number; approved_at: string;
}
export interface PermitsTable {
  id: number; es_id: string; cert_sha256: string; digest_alg: string; digest_hex: string; use_approval_id: number | null;
  produced_at: string; expires_at: string; nonce: string | null;
}
export interface NoncesTable { nonce: string; issued_at: string; expires_at: string }
export interface UsedNoncesTable { nonce: string; used_at: string }
export interface RecordsTable { id: number; kind: string; permit_id: number | null; body: string; recorded_at: string }
export interface LogHeadTable { id: number; size: number }
export interface LogLeavesTable { idx: number; leaf: Uint8Array; leaf_hash: Uint8Array; appended_at: string }
export interface LogNodesTable { level: number; idx: number; hash: Uint8Array }
export interface CheckpointsTable { size: number; root_hash: Uint8Array; made_at: string; note: string }

export interface PlatformDb {
  units: UnitsTable;
  accounts: AccountsTable;
  sessions: SessionsTable;
  applications: ApplicationsTable;
  decisions: DecisionsTable;
  seals: SealsTable;
  seal_certs: SealCertsTable;
  seal_events: SealEventsTable;
  use_approvals: UseApprovalsTable;
  permits: PermitsTable;
  nonces: NoncesTable;
  used_nonces: UsedNoncesTable;
  records: RecordsTable;
  log_head: LogHeadTable;
  log_leaves: LogLeavesTable;
  log_nodes: LogNodesTable;
  checkpoints: CheckpointsTable;
}

/** Rows that are history: the database itself refuses UPDATE and DELETE on them. */
export const APPEND_ONLY_TABLES = [
  'applications', 'decisions', 'seals', 'seal_certs', 'seal_events', 'use_approvals', 'permits',
  'used_nonces', 'records', 'log_leaves', 'log_nodes', 'checkpoints',
] as const;
/** Rows the server changes: accounts (lock-out counters), sessions, issued nonces, the log head. */
export const MUTABLE_TABLES = ['units', 'accounts', 'sessions', 'nonces', 'log_head'] as const;

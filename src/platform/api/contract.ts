/**
 * The seal platform's HTTP API: every route with its request and response types, and the zod
 * schemas the server validates request bodies and queries with. The web console, the CLI and the
 * client (issue #9) build against this file only. Stable: routes and fields are added, never renamed.
 *
 * Conventions
 * - Base path API_PREFIX; JSON in and out; bytes travel as base64 (standard alphabet, padded);
 *   digests as lower-case hex; times as ISO 8601 UTC strings ("2026-12-04T18:00:00.000Z").
 * - Every failure is `ApiFailure` ({error: {code, zh, en}}) with a 4xx/5xx status.
 * - Console sessions: POST /session/login sets the HttpOnly, SameSite=Strict, Secure cookie
 *   SESSION_COOKIE and answers the CSRF token; every state-changing call made with the cookie must
 *   send that token in the CSRF_HEADER header. GETs need the cookie only where they are not public.
 * - Answers a client relies on (status, permit, record receipts, trust bundle) are `SignedEnvelope`s:
 *   `payload` is the exact JSON text that was signed, signature over its UTF-8 bytes
 *   (see src/platform/client-verify.ts). Everything else is plain JSON.
 * - Keeper calls (permits, stamping records) are signed on the USB-Key: see SIGNED_REQUEST_HEADERS
 *   and signedRequestText().
 */
import { z } from 'zod';

export const API_PREFIX = '/api/v1';
export const SESSION_COOKIE = 'sealdesk_session';
export const CSRF_HEADER = 'x-csrf-token';

// ---------------------------------------------------------------------------------------------
// Shared values

export interface ApiFailure {
  error: { code: string; zh: string; en: string; details?: Record<string, unknown> };
}

export const ROLES = ['applicant', 'approver', 'maker', 'unit_admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** domain.md's seal kind code table (registry codes). */
export const SEAL_KINDS = {
  '01': { zh: '单位专用章', en: 'official seal' },
  '02': { zh: '财务专用章', en: 'finance seal' },
  '03': { zh: '发票专用章', en: 'invoice seal' },
  '04': { zh: '合同专用章', en: 'contract seal' },
  '05': { zh: '法定代表人名章', en: 'legal representative seal' },
  '99': { zh: '其他', en: 'other' },
} as const;
export type SealKind = keyof typeof SEAL_KINDS;
const SEAL_KIND_CODES = Object.keys(SEAL_KINDS) as [SealKind, ...SealKind[]];

/** Stored seal states; "expired" is derived from the validity window and reported beside. */
export const SEAL_STATES = ['in_use', 'suspended', 'lost', 'cancelled'] as const;
export type SealState = (typeof SEAL_STATES)[number];
/** The state events a unit admin (or maker, for cancel) files. */
export const SEAL_ACTIONS = ['suspend', 'resume', 'lost', 'cancel'] as const;
export type SealAction = (typeof SEAL_ACTIONS)[number];

export const APPLICATION_STATES = ['pending', 'approved', 'rejected', 'registered'] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

export const DIGEST_ALGORITHMS = ['sha256', 'sm3'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

/** Largest impression PNG accepted, decoded bytes. */
export const MAX_IMPRESSION_BYTES = 512 * 1024;
/** Largest JSON body accepted on any route (an impression in base64 fits). */
export const MAX_BODY_BYTES = 1024 * 1024;

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX_DIGEST = /^[0-9a-f]{64}$/;
export const base64 = (maxDecoded: number) =>
  z.string().max(Math.ceil(maxDecoded / 3) * 4).regex(B64, 'not base64').refine((s) => s.length % 4 === 0, 'not base64');
export const isoTime = z.iso.datetime({ offset: true });
const text = (max: number) => z.string().trim().min(1).max(max).refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), 'control characters');
export const esIdSchema = z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
export const userNameSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits, _ . @ -');
export const digestSchema = z.strictObject({ alg: z.enum(DIGEST_ALGORITHMS), hex: z.string().regex(HEX_DIGEST, '64 lower-case hex digits') });
export type Digest = z.infer<typeof digestSchema>;
const idSchema = z.string().regex(/^[0-9]{1,18}$/, 'decimal id');

// ---------------------------------------------------------------------------------------------
// Signed answers

/** A platform key as published in the trust bundle. */
export interface PlatformKey {
  /** Lower-case hex SHA-256 of the key's SubjectPublicKeyInfo DER. */
  keyId: string;
  alg: 'ecdsa-p256-sha256' | 'rsa-pkcs1-sha256' | 'sm2-sm3';
  /** SubjectPublicKeyInfo DER, base64. */
  spki: string;
  /** Certificate for the key (self-signed by the platform or by its CA), base64 DER. */
  certificate?: string;
}

/** Body of every signed answer. `payload` is JSON text; the signature covers its UTF-8 bytes exactly. */
export interface SignedEnvelope<T extends SignedPayloadBase = SignedPayloadBase> {
  payload: string;
  signature: { keyId: string; alg: PlatformKey['alg']; value: string };
  /** Never sent: a type marker so `SignedEnvelope<StatusPayload>` says what the payload parses to. */
  readonly __payload?: T;
}

export interface SignedPayloadBase {
  /** What the answer is ("status", "permit", "stamping-receipt", "verification-receipt", "trust-bundle", "use-approval"). */
  type: string;
  producedAt: string;
  /** Until when the answer may be relied on without asking again. */
  nextUpdate: string;
  /** The caller's nonce, echoed (absent when the caller sent none). */
  nonce?: string;
}

// ---------------------------------------------------------------------------------------------
// Console session

/** POST /session/login */
export const loginRequest = z.strictObject({ user: userNameSchema, password: z.string().min(1).max(1024) });
export type LoginRequest = z.infer<typeof loginRequest>;
export interface SessionView {
  user: string;
  displayName: string;
  roles: Role[];
  unitId: string | null;
  unitName: string | null;
  csrfToken: string;
  expiresAt: string;
}
// GET /session → SessionView (401 without a session); POST /session/logout → { ok: true }

// ---------------------------------------------------------------------------------------------
// Units and accounts

export interface UnitView { id: string; name: string; code: string | null; requiresUseApproval: boolean }
/** POST /units (unit_admin of the platform unit) */
export const unitCreateRequest = z.strictObject({ name: text(128), code: z.string().regex(/^[0-9A-Z]{18}$/, 'unified social credit code').optional(), requiresUseApproval: z.boolean().default(false) });
export type UnitCreateRequest = z.input<typeof unitCreateRequest>;
export interface AccountView { user: string; displayName: string; roles: Role[]; unitId: string | null; createdAt: string }
/** POST /accounts (unit_admin; accounts of its own unit) */
export const accountCreateRequest = z.strictObject({
  user: userNameSchema, displayName: text(64), password: z.string().min(10).max(1024),
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length), unitId: idSchema.optional(),
});
export type AccountCreateRequest = z.infer<typeof accountCreateRequest>;
// GET /units → { units: UnitView[] }; GET /accounts → { accounts: AccountView[] } (unit_admin, auditor)

// ---------------------------------------------------------------------------------------------
// Applications (申请 / 审批)

/** POST /applications (applicant) */
export const applicationCreateRequest = z.strictObject({
  /** Defaults to the applicant's unit; an applicant may only file for its own unit. */
  unitId: idSchema.optional(),
  sealName: text(64),
  kind: z.enum(SEAL_KIND_CODES),
  keeper: z.strictObject({
    name: text(64),
    /** The keeper's signing certificate (base64 DER), when already known. */
    certificate: base64(16 * 1024).optional(),
  }),
  impression: z.strictObject({ png: base64(MAX_IMPRESSION_BYTES), widthMm: z.number().min(5).max(100), heightMm: z.number().min(5).max(100) }),
  validFrom: isoTime,
  validTo: isoTime,
  note: text(512).optional(),
});
export type ApplicationCreateRequest = z.infer<typeof applicationCreateRequest>;

export interface DecisionView { decision: 'approve' | 'reject'; reason: string; actor: string; decidedAt: string; logIndex: number }
export interface ApplicationView {
  id: string;
  unitId: string;
  unitName: string;
  sealName: string;
  kind: SealKind;
  keeper: { name: string; certificateSha256: string | null };
  impression: { sha256: string; widthMm: number; heightMm: number; widthPx: number; heightPx: number };
  validFrom: string;
  validTo: string;
  note: string | null;
  applicant: string;
  filedAt: string;
  state: ApplicationState;
  decision: DecisionView | null;
  /** esID once a seal was registered against it. */
  esID: string | null;
  logIndex: number;
}
// GET /applications?state=&unitId= → { applications: ApplicationView[] }
// GET /applications/:id → ApplicationView; GET /applications/:id/impression → image/png bytes
export const applicationListQuery = z.strictObject({ state: z.enum(APPLICATION_STATES).optional(), unitId: idSchema.optional() });

/** POST /applications/:id/decision (approver, not the applicant) */
export const decisionRequest = z.strictObject({ decision: z.enum(['approve', 'reject']), reason: text(512) });
export type DecisionRequest = z.infer<typeof decisionRequest>;

// ---------------------------------------------------------------------------------------------
// Seals (制章 / 备案) and their state history

/** POST /seals (maker): registers a made SESeal against an approved application and puts it in use. */
export const sealRegisterRequest = z.strictObject({ applicationId: idSchema, seal: base64(2 * 1024 * 1024) });
export type SealRegisterRequest = z.infer<typeof sealRegisterRequest>;

export interface StateEventView {
  state: SealState;
  action: SealAction | 'register';
  effectiveAt: string;
  reportedAt: string;
  reason: string;
  actor: string;
  logIndex: number;
}
export interface SealView {
  esID: string;
  unitId: string;
  unitName: string;
  applicationId: string;
  name: string;
  kind: SealKind;
  /** SHA-256 hex of the SESeal DER as registered (bytes at GET /seals/:esID/der). */
  sealSha256: string;
  keeperCertificates: { sha256: string; subject: string }[];
  maker: { sha256: string; subject: string };
  validStart: string;
  validEnd: string;
  registeredAt: string;
  registeredBy: string;
  /** Current stored state (the last event). */
  state: SealState;
  /** true when now is outside the validity window. */
  expired: boolean;
  history: StateEventView[];
}
// GET /seals?unitId=&state= → { seals: SealView[] }; GET /seals/:esID → SealView; GET /seals/:esID/der → application/octet-stream
export const sealListQuery = z.strictObject({ unitId: idSchema.optional(), state: z.enum(SEAL_STATES).optional() });

/** POST /seals/:esID/events (unit_admin; cancel also maker) */
export const stateEventRequest = z.strictObject({
  action: z.enum(SEAL_ACTIONS),
  /** When it took effect; for 挂失 when the key was lost (may be before now). Defaults to now; never in the future. */
  effectiveAt: isoTime.optional(),
  reason: text(512),
});
export type StateEventRequest = z.infer<typeof stateEventRequest>;
// → SealView

// ---------------------------------------------------------------------------------------------
// Status (public, signed)

/** GET /seals/:esID/status?at=TIME&nonce=N — no session needed. */
export const statusQuery = z.strictObject({ at: isoTime.optional(), nonce: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/).optional() });
export interface StatusPayload extends SignedPayloadBase {
  type: 'status';
  esID: string;
  /** The time asked about. */
  at: string;
  /** 'unknown' when no seal has this esID; 'not_yet_registered' when `at` is before its registration. */
  state: SealState | 'unknown' | 'not_yet_registered';
  /** The state at `at` is in_use but `at` is outside the validity window. */
  expired: boolean;
  validStart: string | null;
  validEnd: string | null;
  sealSha256: string | null;
  /** Every event with effectiveAt ≤ at and reportedAt ≤ producedAt, oldest first. */
  history: StateEventView[];
  /** Event that decided the state, if any. */
  decidingEvent: StateEventView | null;
  /** Checkpoint tree size at the time of answer (the history's events are in the log below it). */
  logSize: number;
}

// ---------------------------------------------------------------------------------------------
// Signed requests from a keeper's USB-Key (permits, stamping records)

/** GET /nonces → a single-use server nonce for one signed request, valid NONCE_LIFETIME_MS. */
export interface NonceView { nonce: string; expiresAt: string }
export const NONCE_LIFETIME_MS = 5 * 60_000;
/** A signed request's time may differ from the server's by at most this. */
export const REQUEST_CLOCK_SKEW_MS = 2 * 60_000;

export const SIGNED_REQUEST_HEADERS = {
  /** The keeper certificate, base64 DER. */
  certificate: 'x-sealdesk-certificate',
  nonce: 'x-sealdesk-nonce',
  time: 'x-sealdesk-time',
  /** 'sha256' or 'sm3': digest of the body bytes. */
  digestAlg: 'x-sealdesk-digest-alg',
  /** base64 signature over signedRequestText(): RSA PKCS#1 v1.5 / ECDSA (DER) with SHA-256, SM2 with SM3 (id 1234567812345678). */
  signature: 'x-sealdesk-signature',
} as const;

/** The exact text a keeper signs (UTF-8): method, path with query, body digest, server nonce, time. */
export function signedRequestText(r: { method: string; path: string; digestAlg: DigestAlgorithm; bodyDigestHex: string; nonce: string; time: string }): string {
  return ['SEALDESK-REQUEST-V1', r.method.toUpperCase(), r.path, `${r.digestAlg}:${r.bodyDigestHex}`, r.nonce, r.time].join('\n');
}

/** POST /permits (signed request) */
export const permitRequest = z.strictObject({
  esID: esIdSchema,
  documentDigest: digestSchema,
  /** The caller's nonce, echoed in the permit. */
  nonce: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/).optional(),
});
export type PermitRequest = z.infer<typeof permitRequest>;
export interface PermitPayload extends SignedPayloadBase {
  type: 'permit';
  permitId: string;
  esID: string;
  /** SHA-256 hex of the keeper certificate DER that signed the request. */
  certificateSha256: string;
  documentDigest: Digest;
  state: 'in_use';
  /** Present where the unit requires 用印审批. */
  useApproval: { id: string; approver: string; approvedAt: string } | null;
  logIndex: number;
}

/** POST /use-approvals (approver of the seal's unit): approve one document digest, or a count within a window. */
export const useApprovalRequest = z.strictObject({
  esID: esIdSchema,
  scope: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('document'), documentDigest: digestSchema }),
    z.strictObject({ kind: z.literal('count'), count: z.number().int().min(1).max(10_000), notBefore: isoTime, notAfter: isoTime }),
  ]),
  reason: text(512),
});
export type UseApprovalRequest = z.infer<typeof useApprovalRequest>;
export interface UseApprovalView {
  id: string;
  esID: string;
  scope: UseApprovalRequest['scope'];
  reason: string;
  approver: string;
  approvedAt: string;
  /** Permits issued under it so far. */
  used: number;
  logIndex: number;
}
// GET /use-approvals?esID= → { approvals: UseApprovalView[] }

// ---------------------------------------------------------------------------------------------
// Records (stamping: signed request; verification: anyone, digests only)

/** POST /records/stamping (signed request by the permit's keeper) */
export const stampingRecordRequest = z.strictObject({ permitId: idSchema, signatureDigest: digestSchema, documentDigest: digestSchema });
export type StampingRecordRequest = z.infer<typeof stampingRecordRequest>;
/** POST /records/verification */
export const verificationRecordRequest = z.strictObject({
  documentDigest: digestSchema,
  signatureDigests: z.array(digestSchema).max(64),
  esIDs: z.array(esIdSchema).max(64).default([]),
  result: z.enum(['valid', 'valid_with_warnings', 'invalid']),
});
export type VerificationRecordRequest = z.input<typeof verificationRecordRequest>;
export interface RecordReceiptPayload extends SignedPayloadBase {
  type: 'stamping-receipt' | 'verification-receipt';
  recordId: string;
  logIndex: number;
  /** base64 RFC 6962 leaf hash of the record's leaf. */
  leafHash: string;
  /** The checkpoint (signed note text) the inclusion proof is against. */
  checkpoint: string;
  /** Inclusion proof of logIndex in the checkpoint's tree, base64 hashes. */
  inclusionProof: string[];
}
export interface RecordView { id: string; kind: 'stamping' | 'verification'; recordedAt: string; logIndex: number; body: Record<string, unknown> }
// GET /records?kind=&esID= → { records: RecordView[] } (auditor)

// ---------------------------------------------------------------------------------------------
// Transparency log (RFC 6962 / 9162 shape; SHA-256)

/** Every leaf is the UTF-8 JSON text of one event; the leaf hash is SHA-256(0x00 ‖ leaf bytes). */
export type LogEventType = 'application' | 'decision' | 'seal_registered' | 'state_change' | 'use_approval' | 'permit' | 'stamping_record' | 'verification_record';
export interface LogEvent { type: LogEventType; at: string; [field: string]: unknown }

/** GET /log/checkpoint */
export interface CheckpointView {
  /** Signed note text (origin line, size, base64 root, blank line, signature lines). */
  checkpoint: string;
  size: number;
  rootHash: string;
  timestamp: string;
}
/** GET /log/proof/inclusion?index=&size= */
export const inclusionQuery = z.strictObject({ index: z.coerce.number().int().min(0), size: z.coerce.number().int().min(1).optional() });
export interface InclusionProofView { index: number; size: number; leafHash: string; proof: string[] }
/** GET /log/proof/consistency?from=&to= */
export const consistencyQuery = z.strictObject({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1).optional() });
export interface ConsistencyProofView { from: number; to: number; proof: string[] }
/** GET /log/leaves?start=&end= (end exclusive, at most MAX_LEAVES_PER_PAGE) */
export const MAX_LEAVES_PER_PAGE = 1000;
export const leavesQuery = z.strictObject({ start: z.coerce.number().int().min(0), end: z.coerce.number().int().min(1) });
export interface LeafView { index: number; leafHash: string; /** base64 of the leaf bytes (the event's JSON text) */ data: string; event: LogEvent }
// → { leaves: LeafView[] }
/** GET /log/checkpoints → { checkpoints: string[] } every stored signed checkpoint, smallest first (for `log verify`). */
export const checkpointsQuery = z.strictObject({});

// ---------------------------------------------------------------------------------------------
// Trust bundle (public, signed)

/** GET /trust-bundle?nonce= */
export interface TrustBundlePayload extends SignedPayloadBase {
  type: 'trust-bundle';
  platformName: string;
  /** Log origin line used in checkpoints. */
  logOrigin: string;
  platformKeys: PlatformKey[];
  /** PEM of the TLS root the platform's HTTPS certificate chains to. */
  tlsRoot: string;
  /** PEM roots accepted for keeper and maker certificates. */
  acceptedRoots: string[];
}

// ---------------------------------------------------------------------------------------------
// The route table (method, path under API_PREFIX, who may call it)

export type Access = 'public' | 'session' | 'signed' | Role[];
export const ROUTES = {
  health: { method: 'GET', path: '/health', access: 'public' },
  login: { method: 'POST', path: '/session/login', access: 'public' },
  session: { method: 'GET', path: '/session', access: 'session' },
  logout: { method: 'POST', path: '/session/logout', access: 'session' },
  units: { method: 'GET', path: '/units', access: 'session' },
  unitCreate: { method: 'POST', path: '/units', access: ['unit_admin'] },
  accounts: { method: 'GET', path: '/accounts', access: ['unit_admin', 'auditor'] },
  accountCreate: { method: 'POST', path: '/accounts', access: ['unit_admin'] },
  applicationCreate: { method: 'POST', path: '/applications', access: ['applicant'] },
  applications: { method: 'GET', path: '/applications', access: 'session' },
  application: { method: 'GET', path: '/applications/:id', access: 'session' },
  applicationImpression: { method: 'GET', path: '/applications/:id/impression', access: 'session' },
  decision: { method: 'POST', path: '/applications/:id/decision', access: ['approver'] },
  sealRegister: { method: 'POST', path: '/seals', access: ['maker'] },
  seals: { method: 'GET', path: '/seals', access: 'session' },
  seal: { method: 'GET', path: '/seals/:esID', access: 'session' },
  sealDer: { method: 'GET', path: '/seals/:esID/der', access: 'public' },
  stateEvent: { method: 'POST', path: '/seals/:esID/events', access: ['unit_admin', 'maker'] },
  status: { method: 'GET', path: '/seals/:esID/status', access: 'public' },
  nonce: { method: 'GET', path: '/nonces', access: 'public' },
  permit: { method: 'POST', path: '/permits', access: 'signed' },
  useApprovalCreate: { method: 'POST', path: '/use-approvals', access: ['approver'] },
  useApprovals: { method: 'GET', path: '/use-approvals', access: 'session' },
  stampingRecord: { method: 'POST', path: '/records/stamping', access: 'signed' },
  verificationRecord: { method: 'POST', path: '/records/verification', access: 'public' },
  records: { method: 'GET', path: '/records', access: ['auditor', 'unit_admin'] },
  checkpoint: { method: 'GET', path: '/log/checkpoint', access: 'public' },
  inclusionProof: { method: 'GET', path: '/log/proof/inclusion', access: 'public' },
  consistencyProof: { method: 'GET', path: '/log/proof/consistency', access: 'public' },
  leaves: { method: 'GET', path: '/log/leaves', access: 'public' },
  checkpoints: { method: 'GET', path: '/log/checkpoints', access: 'public' },
  trustBundle: { method: 'GET', path: '/trust-bundle', access: 'public' },
} as const satisfies Record<string, { method: 'GET' | 'POST'; path: string; access: Access }>;
export type RouteName = keyof typeof ROUTES;

export const recordListQuery = z.strictObject({ kind: z.enum(['stamping', 'verification']).optional(), esID: esIdSchema.optional() });
export const useApprovalListQuery = z.strictObject({ esID: esIdSchema.optional() });

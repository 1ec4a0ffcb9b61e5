/**
 * The typed contract between the renderer and the main process: one list of operations, each with
 * its request and response type. The preload exposes one function per operation, main generates one
 * IPC handler per operation, and the e2e test server serves the same list over loopback HTTP.
 * Failures travel as values ({code, zh, en}), never as thrown strings.
 *
 * Pure types and constants: this file is imported by main, preload, renderer and tests alike.
 */
import type { VerificationReport } from './verification-report';

export type { VerificationReport };

/** An error the UI can show as is: stable code, Chinese and English text. Never carries a PIN. */
export interface ApiError {
  code: string;
  zh: string;
  en: string;
  /** e.g. triesLeft after a wrong PIN. */
  details?: { triesLeft?: number; locked?: boolean };
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** A document main has opened for the renderer. The path stays in main; the renderer gets an opaque id. */
export interface DocumentRef {
  docId: string;
  /** File name only (no directory), for the title bar. */
  name: string;
  size: number;
  /**
   * A stamped copy: its first `length` bytes are exactly those of the open document `docId` (an
   * incremental update appends), so the renderer reuses what it already loaded of that document.
   */
  extends?: { docId: string; length: number };
}

/**
 * pdf.js reads documents in chunks of this size (src/renderer/document-ranges.ts); main aligns the
 * page tree it sends up front to them (src/main/document-ranges.ts).
 */
export const DOCUMENT_RANGE_CHUNK = 4 * 1024;

export interface SealView {
  esID: string;
  name: string;
  pictureType: 'png' | 'jpeg';
  picture: Uint8Array;
  widthMm: number;
  heightMm: number;
}

export interface TokenView {
  label: string;
  serial: string;
  /** Keeper certificate subject, e.g. "CN=张三, O=示例单位". */
  keeperSubject?: string;
  seals: SealView[];
  /** PIN tries left before SealDesk locks the key; undefined when unknown. */
  triesLeft?: number;
  locked?: boolean;
}

/** Where the seal's centre goes: a point in PDF user space (points), or every occurrence of a keyword. */
export type Placement =
  | { kind: 'point'; page: number; x: number; y: number }
  | { kind: 'keyword'; text: string; occurrence: number | 'all'; /** Moves the seal from the keyword, in points (right, up). */ offset?: { dx: number; dy: number } }
  /** The same seal at the same point on each chosen page, in one signature (pages: all | odd | even | 1,3,5-7). */
  | { kind: 'pages'; pages: string; x: number; y: number }
  /** 骑缝章: the seal cut into one strip per page on the chosen edge of each page (docs/straddle.md). */
  | { kind: 'straddle'; pages: string; edge: 'right' | 'left' | 'top' | 'bottom'; /** Seal centre from the top (left/right edge) or the left (top/bottom), mm. */ offsetMm?: number };

export interface KeywordHit {
  page: number;
  /** Seal centre in PDF user space. */
  x: number;
  y: number;
}

export interface TrustRootView {
  subject: string;
  fingerprint: string;
  notAfter?: string;
}

/** A certificate described for a person (core/crypto/describe-certificate.ts makes it). */
export interface CertificateFacts {
  subject: string;
  issuer: string;
  /** Hex. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** e.g. "SM2", "RSA 2048", "ECDSA P-256". */
  keyAlgorithm: string;
  /** The issuer's signature algorithm, e.g. "SM3withSM2", "SHA256withRSA". */
  signatureAlgorithm: string;
  sha256: string;
  isCa: boolean;
  selfSigned: boolean;
  /** keyUsage names, when the extension is present. */
  keyUsage?: string[];
}

/** One certificate of a signature's chain, described for the certificate dialog. */
export interface CertificateView extends CertificateFacts {
  /** In the trust store. */
  trusted: boolean;
}

/** A signature's certificates and its seal, beyond what the report says. */
export interface SignatureDetails {
  certificates: CertificateView[];
  seal?: { pictureType: 'png' | 'jpeg' | 'other'; picture: Uint8Array; widthMm: number; heightMm: number; maker?: string };
}

export interface AuditEntryView {
  seq: number;
  time: string;
  action: string;
  outcome: string;
  tokenSerial?: string;
  tokenLabel?: string;
  esID?: string;
  document?: string;
  code?: string;
}

/** The audit log's hash-chain check (`sealdesk log verify`). */
export interface AuditCheckView {
  ok: boolean;
  count: number;
  /** 1-based line of the first bad entry. */
  badLine?: number;
  /** Core's reason, in English (the renderer words it). */
  reason?: string;
}

export type Language = 'zh' | 'en';

export interface Settings {
  modulePaths: string[];
  language: Language;
  tsaUrl?: string;
}

/** What the seal platform said about a stamp just made (issue #9). */
export interface StampPlatformView {
  /** false: no seal platform configured, the seal's state was not checked (note says so). */
  checked: boolean;
  note?: { zh: string; en: string };
  /** The transparency log's index of the stamping record, when its receipt came back and was checked. */
  logIndex?: number;
  /** The record could not be sent and waits in the data dir's queue. */
  recordQueued?: boolean;
}

export interface StampOutcome {
  /** The stamped file, opened as a new document. */
  document: DocumentRef;
  fields: string[];
  platform?: StampPlatformView;
}

/**
 * A seal's registry state on the configured seal platform, as the token panel shows it:
 * in_use 在用, suspended 已暂停, lost 已挂失, cancelled 已注销, expired 已过期, not_registered 未登记,
 * unchecked 未核验 (no platform configured, or the platform cannot be reached: `reason` says which).
 */
export type SealRegistryState = 'in_use' | 'suspended' | 'lost' | 'cancelled' | 'expired' | 'not_registered' | 'unchecked';

export interface SealRegistryView {
  esID: string;
  state: SealRegistryState;
  /** Whether core would start a stamp with it now (the one rule: core's seal gate). */
  mayStamp: boolean;
  /** Why it may not stamp, or why it is unchecked; with the error code core uses. */
  reason?: ApiError;
  /** The platform's signed answer time. */
  asOf?: string;
  /** When the deciding state event took effect (e.g. the time the key was lost). */
  effectiveAt?: string;
}

/** The seal platform as the settings show it. */
export type PlatformView =
  | { configured: false }
  | {
      configured: true;
      url: string;
      name: string;
      configuredAt: string;
      /** Asked just now: reachable (and its log extends the largest checkpoint seen), or why not. */
      state: 'reachable' | 'unreachable' | 'untrusted';
      reason?: ApiError;
      /** The last time the platform answered this app (ISO), if it has. */
      lastContact?: string;
      /** Stamping records waiting in the queue to be sent. */
      recordsWaiting: number;
      /** Largest log checkpoint seen. */
      logSize?: number;
    };
/** One document of a batch, as the results list shows it. */
export interface BatchResultView {
  name: string;
  status: 'stamped' | 'skipped' | 'failed' | 'not-attempted';
  code?: string;
  zh?: string;
  en?: string;
}

export interface BatchOutcome {
  total: number;
  stamped: number;
  skipped: number;
  failed: number;
  notAttempted: number;
  stoppedBy?: { code: string; zh: string; en: string };
  results: BatchResultView[];
}

/** A seal picture (印模) to make: from text in a standard layout, or from a scan chosen in a dialog. */
export type SealPictureSource =
  | { from: 'text'; layout: 'round' | 'oval' | 'square'; name: string; purpose?: string; code?: string; taxNumber?: string; star?: boolean }
  | { from: 'scan'; scanId: string; widthMm: number; heightMm: number };

export interface SealPictureView {
  png: Uint8Array;
  widthMm: number;
  heightMm: number;
  /** What was done, one line each (Chinese / English). */
  steps: string[];
  warnings: { code: string; zh: string; en: string }[];
}

/** Every operation: request and response. */
export interface Operations {
  /** Shows the open dialog in main; null when the person cancels. */
  openDocument: { req: Record<string, never>; res: DocumentRef | null };
  /** The documents opened lately, newest first (names only; the paths stay in main). */
  recentDocuments: { req: Record<string, never>; res: { index: number; name: string }[] };
  /** Opens one of recentDocuments again. */
  openRecent: { req: { index: number }; res: DocumentRef };
  /** The bytes of a document main opened (dialog, drop, argv, a stamp result). */
  readDocument: { req: { docId: string }; res: Uint8Array };
  verifyDocument: { req: { docId: string }; res: VerificationReport };
  /** Documents main opened on its own (argv, menu Ctrl+O, a file dropped on the window) not yet shown. */
  takeOpenedDocuments: { req: Record<string, never>; res: DocumentRef[] };
  listTokens: { req: Record<string, never>; res: TokenView[] };
  /** Keyword placement preview: where the seal would land. */
  findKeyword: { req: { docId: string; text: string }; res: KeywordHit[] };
  /** Save dialog for a stamp result (never the original path by default); null when cancelled. */
  chooseStampOutput: { req: { docId: string }; res: { outputId: string; name: string } | null };
  stamp: {
    req: { jobId: string; docId: string; outputId: string; tokenSerial: string; esID: string; placement: Placement; pin: Uint8Array };
    res: StampOutcome;
  };
  /** Cancels a stamp job; effective until the token is asked to sign. */
  cancelStamp: { req: { jobId: string }; res: { cancelled: boolean } };
  stampProgress: { req: { jobId: string }; res: { stage: string; fraction: number } | null };
  trustAdd: { req: Record<string, never>; res: TrustRootView[] };
  trustList: { req: Record<string, never>; res: TrustRootView[] };
  auditList: { req: { limit: number }; res: AuditEntryView[] };
  /** Checks the audit log's hash chain. */
  auditVerify: { req: Record<string, never>; res: AuditCheckView };
  /** Saves the whole audit log as CSV where the person chooses; null when cancelled. */
  auditExport: { req: { language: Language }; res: { name: string; count: number } | null };
  settingsGet: { req: Record<string, never>; res: Settings };
  settingsSet: { req: Settings; res: Settings };
  /** Saves the verification report as a PDF where the person chooses; null when cancelled. */
  exportReport: { req: { docId: string; language: Language }; res: { name: string } | null };
  /** The verification report as printable HTML (the same HTML the exported PDF is made from). */
  reportHtml: { req: { docId: string; language: Language }; res: string };
  /** One signature's certificates (signer first) and seal picture and maker, for the property dialogs. */
  signatureDetails: { req: { docId: string; field: string }; res: SignatureDetails };
  /** Each seal's registry state, asked of the configured seal platform now (the panel, and before a PIN is asked). */
  sealStates: { req: { esIDs: string[] }; res: SealRegistryView[] };
  /** The configured seal platform, its state (asked now), last contact and records waiting. */
  platformGet: { req: Record<string, never>; res: PlatformView };
  /** Configures the platform at URL: the person chooses its root CA file in a dialog; null when cancelled. */
  platformUse: { req: { url: string }; res: PlatformView | null };
  platformRemove: { req: Record<string, never>; res: PlatformView };
  /** Open dialog for several PDFs at once (批量签章); [] when cancelled. */
  chooseBatchDocuments: { req: Record<string, never>; res: DocumentRef[] };
  /** Folder dialog for a batch's outputs; null when cancelled. */
  chooseBatchOutputDir: { req: Record<string, never>; res: { outputId: string; name: string } | null };
  /** Stamps every document with one PIN and one login; progress via batchProgress, cancel via cancelStamp. */
  stampBatch: {
    req: { jobId: string; docIds: string[]; outputId: string; tokenSerial: string; esID: string; placement: Placement; pin: Uint8Array };
    res: BatchOutcome;
  };
  batchProgress: { req: { jobId: string }; res: { done: number; total: number; results: BatchResultView[] } | null };
  /** Open dialog for a scan or photo of a seal impression; null when cancelled. */
  chooseSealScan: { req: Record<string, never>; res: { scanId: string; name: string } | null };
  /** The picture as it would be made (a preview). */
  sealPicturePreview: { req: SealPictureSource; res: SealPictureView };
  /** Makes the picture and saves it where the person chooses; null when cancelled. */
  saveSealPicture: { req: SealPictureSource; res: { name: string; bytes: number } | null };
}

export type OperationName = keyof Operations;
export type Req<K extends OperationName> = Operations[K]['req'];
export type Res<K extends OperationName> = Operations[K]['res'];

/** The list, in one place, that generates handlers, preload functions and the HTTP shim. */
export const OPERATION_NAMES = [
  'openDocument', 'recentDocuments', 'openRecent', 'readDocument', 'verifyDocument', 'takeOpenedDocuments', 'listTokens', 'findKeyword',
  'chooseStampOutput', 'stamp', 'cancelStamp', 'stampProgress', 'trustAdd', 'trustList', 'auditList', 'auditVerify', 'auditExport',
  'settingsGet', 'settingsSet', 'exportReport', 'reportHtml', 'signatureDetails', 'sealStates', 'platformGet', 'platformUse', 'platformRemove',
  'chooseBatchDocuments', 'chooseBatchOutputDir', 'stampBatch', 'batchProgress', 'chooseSealScan', 'sealPicturePreview', 'saveSealPicture',
] as const satisfies readonly OperationName[];

// Compile-time check that the list names every operation exactly.
type Missing = Exclude<OperationName, (typeof OPERATION_NAMES)[number]>;
const _allListed: Missing extends never ? true : Missing = true;
void _allListed;

/** The IPC channel of an operation. */
export const channelOf = (op: OperationName): string => `sealdesk:${op}`;

/** Main → renderer notifications ("something was opened, please take it"). */
export const EVENT_CHANNEL = 'sealdesk:event';
export type ApiEvent = { kind: 'documentsWaiting' } | { kind: 'menu'; command: 'open' | 'exportReport' | 'audit' | 'settings' } | { kind: 'language'; language: Language };

/** What the preload puts on window.sealdesk: one function per operation plus one event subscription. */
export type SealdeskApi = { [K in OperationName]: (req: Req<K>) => Promise<ApiResult<Res<K>>> } & {
  /**
   * A file dropped on the window. The preload turns the File into its path (webUtils.getPathForFile),
   * so page script can only open files a person actually dropped, never name a path itself.
   */
  openDroppedFile(file: File): Promise<ApiResult<DocumentRef>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
};

/** Channel the preload uses for a dropped file's path (not callable from page script). */
export const DROPPED_FILE_CHANNEL = 'sealdesk:openDroppedPath';

/** Every function name the preload exposes. */
export const EXPOSED_FUNCTIONS = [...OPERATION_NAMES, 'openDroppedFile', 'onEvent'] as const;

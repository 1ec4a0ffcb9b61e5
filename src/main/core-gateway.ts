/**
 * What the handler table needs from the core, as one interface. In the Electron app it is served by
 * the token host (a utilityProcess, so PKCS#11 calls never block the UI thread); in the e2e server
 * and inside the token host itself it is the in-process implementation over src/core/app.
 */
import type { AuditCheckView, AuditEntryView, BatchOutcome, BatchResultView, KeywordHit, Placement, PlatformView, SealPictureSource, SealPictureView, SealRegistryView, Settings, SignatureDetails, StampPlatformView, TokenView, TrustRootView, VerificationReport } from '../api/contract';

export interface StampJob {
  input: string;
  output: string;
  tokenSerial: string;
  esID: string;
  placement: Placement;
  /** Zeroed by the gateway as soon as the token has it. */
  pin: Buffer;
}

/** A batch: the inputs main resolved from document ids, the folder a person chose. */
export interface BatchJob {
  inputs: string[];
  outDir: string;
  tokenSerial: string;
  esID: string;
  placement: Placement;
  /** Zeroed by the gateway when the batch ends. */
  pin: Buffer;
}

export interface BatchHooks {
  signal?: AbortSignal;
  onFile?: (result: BatchResultView, done: number, total: number) => void;
}

/** A seal picture request with the scan's path resolved by main. */
export type SealPictureJob = Exclude<SealPictureSource, { from: 'scan' }> | { from: 'scan'; file: string; widthMm: number; heightMm: number };

export interface StampHooks {
  signal?: AbortSignal;
  onProgress?: (stage: string, fraction: number) => void;
}

export interface CoreGateway {
  listTokens(): Promise<TokenView[]>;
  stamp(job: StampJob, hooks: StampHooks): Promise<{ output: string; fields: string[]; platform?: StampPlatformView }>;
  verify(file: string): Promise<VerificationReport>;
  /** A signature's certificates (signer first, trust-store roots marked) and seal picture. */
  signatureDetails(file: string, field: string): Promise<SignatureDetails>;
  findKeyword(file: string, text: string): Promise<KeywordHit[]>;
  stampBatch(job: BatchJob, hooks: BatchHooks): Promise<BatchOutcome>;
  sealPicture(job: SealPictureJob): Promise<SealPictureView>;
  trustAdd(certFile: string): Promise<TrustRootView[]>;
  trustList(): Promise<TrustRootView[]>;
  auditList(limit: number): Promise<AuditEntryView[]>;
  auditVerify(): Promise<AuditCheckView>;
  settingsGet(): Promise<Settings>;
  settingsSet(settings: Settings): Promise<Settings>;
  /** The seal platform (issue #9): each seal's registry state, the settings' view, configure, remove. */
  sealStates(esIDs: string[]): Promise<SealRegistryView[]>;
  platformGet(): Promise<PlatformView>;
  platformUse(url: string, rootFile: string): Promise<PlatformView>;
  platformRemove(): Promise<PlatformView>;
  close?(): void;
}

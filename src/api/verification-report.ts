/**
 * The verification report: typed data computed in core (src/core/verify), printed by the CLI,
 * drawn by the renderer and asserted on by tests (pyHanko's idea: the result is data, the prose is
 * rendered from it). Pure types: nothing here imports anything.
 */

export type Verdict = 'valid' | 'warning' | 'invalid';
export type CheckStatus = 'ok' | 'warning' | 'failed' | 'not_checked';

export interface BilingualText {
  zh: string;
  en: string;
}

/** Stable ids of the checks, in the order of architecture.md "Verification, step by step". */
export type CheckId =
  | 'byte_range'        // /ByteRange starts at 0, its gap is exactly /Contents, it ends at a revision's %%EOF
  | 'digest'            // the signed bytes hash to the message-digest the signer signed
  | 'signature'         // the signer's signature over the signed attributes
  | 'signer_chain'      // the signer certificate chains to the trust store at the signing time
  | 'seal'              // maker signature and chain, validity window contains the signing time
  | 'seal_signer'       // the signer certificate is listed in the seal
  | 'impression'        // the widget's image is the seal picture (decoded pixels)
  | 'timestamp'         // RFC 3161 signature timestamp
  | 'modifications'     // what later revisions changed
  | 'seal_status';      // the seal's registry state at the signing time (seal platform, issue #9)

export interface Check {
  id: CheckId;
  status: CheckStatus;
  message: BilingualText;
}

/** [x1, y1, x2, y2] in PDF user space of the page (unrotated), as in the widget's /Rect. */
export type Rect = [number, number, number, number];

export interface SignerInfoSummary {
  subject: string;
  /** CN, or the whole subject when there is no CN. */
  commonName: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
}

export interface SealSummary {
  esID: string;
  name: string;
  /** GB/T 38540 seal type code (1..5, 99). */
  type?: number;
  validStart?: string;
  validEnd?: string;
}

/** One change found in a revision after a signature. */
export interface Modification {
  revision: number;
  /** 'allowed' = a later stamp (its field, widget, appearance) or form filling; 'disallowed' = anything else. */
  kind: 'allowed' | 'disallowed';
  /** The object concerned, e.g. "12 0", when there is one. */
  object?: string;
  /** For form filling: the fully qualified name of the field filled in. */
  filledField?: string;
  description: BilingualText;
}

export interface SignatureReport {
  /** Fully qualified field name. */
  field: string;
  /** 1-based page number of the widget, or null when the widget is on no page (invisible signature). */
  page: number | null;
  rect: Rect | null;
  /** 0-based revision the signature covers (its ByteRange ends there). */
  revision: number | null;
  /** Whether the signature covers the whole file as it is now. */
  coversWholeFile: boolean;
  subFilter: string | null;
  signer: SignerInfoSummary | null;
  seal: SealSummary | null;
  /** ISO 8601. From the timestamp when there is a valid one, else the claimed /M time. */
  signingTime: string | null;
  timeSource: 'timestamp' | 'claimed' | null;
  /** The /M time as claimed by the signer, ISO 8601. */
  claimedTime: string | null;
  timestampTime: string | null;
  verdict: Verdict;
  checks: Check[];
  modifications: Modification[];
}

export interface FileWarning {
  id: 'copied_seal_image' | 'unsigned_changes' | 'no_signatures' | 'empty_signature_field' | 'other';
  message: BilingualText;
  page?: number;
  rect?: Rect;
}

export interface VerificationReport {
  /** valid: every signature valid; warning: valid with warnings or no signature; invalid: any invalid. */
  verdict: Verdict;
  /** ISO 8601 time the verification ran ("now"). */
  verifiedAt: string;
  file: { name?: string; size: number; sha256: string; revisions: number };
  signatures: SignatureReport[];
  warnings: FileWarning[];
  summary: BilingualText;
}

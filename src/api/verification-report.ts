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
  | 'revocation'        // OCSP / CRL status of the signer's and seal maker's chains at the signing time
  | 'straddle'          // 骑缝章: the pages a straddle seal ties together are there, in place, unchanged
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
  /** For an allowed change: the name of the rule that allowed it (e.g. 'later-stamp', 'form-filling', 'dss'). */
  rule?: string;
  description: BilingualText;
}

/**
 * How far the document was changed after a stamp (pyHanko's ModificationLevel): nothing; only
 * validation data and signer bookkeeping (DSS, document timestamps, metadata); form filling
 * (filled fields, further stamps); annotations; anything else.
 */
export type ModificationLevel = 'none' | 'ltv' | 'form_filling' | 'annotations' | 'other';

export interface SignatureReport {
  /** Fully qualified field name. */
  field: string;
  /** 'document_timestamp': a PAdES document timestamp (/SubFilter /ETSI.RFC3161), whose "signer" is the TSA. Absent: a signature (stamp). */
  kind?: 'signature' | 'document_timestamp';
  /** 1-based page number of the widget, or null when the widget is on no page (invisible signature). */
  page: number | null;
  rect: Rect | null;
  /** Every impression of the stamp when it has several (a seal on several pages, a straddle seal's strips). */
  impressions?: Array<{ page: number; rect: Rect }>;
  /** 0-based revision the signature covers (its ByteRange ends there). */
  revision: number | null;
  /** Whether the signature covers the whole file as it is now. */
  coversWholeFile: boolean;
  /** Where the signed bytes end (the /ByteRange's end): the file's first signedLength bytes are the version the signer signed. */
  signedLength?: number;
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
  /** The highest level of the changes made after this stamp ('other' when any is disallowed). */
  modificationLevel?: ModificationLevel;
  // ---- what the stamp is made of (issue 11); optional, filled by the PDF (PAdES, GM) and OFD engines
  algorithms?: StampAlgorithms;
  format?: StampFormat;
  /** The seal's version (1 = GM/T 0031-2014, 4 = GB/T 38540, 5 = GM/T 0031-2025), when there is a seal. */
  sealVersion?: number;
  /** Vendor encoding habits read in the stamp, each named ("非标准编码 / non-standard encoding: …"). */
  encodingDeviations?: BilingualText[];
  timeBasis?: TimeBasis;
  /** Revocation status of each certificate of the signer's and maker's chains (issue 15). */
  revocation?: RevocationSummary;
}

/** Where the revocation data of a stamp came from and what it proved (issue 15). */
export interface RevocationSummary {
  /** ISO 8601: the time the status was judged at (the signing time). */
  judgedAt: string;
  /** Whether that time is a trusted timestamp's, or only claimed by the signer. */
  timeTrusted: boolean;
  /** True when only data already in the file (/DSS, GM extDatas) was used: nothing was asked of a responder. */
  offline: boolean;
  /** ISO 8601: when the whole chain was last proven unrevoked (the newest status data used), when it was. */
  provenAt?: string;
  certificates: CertificateRevocation[];
}

export interface CertificateRevocation {
  /** signer / maker: the end-entity certificate; *_ca: a CA above it; tsa: a timestamp authority's. */
  role: 'signer' | 'signer_ca' | 'maker' | 'maker_ca' | 'tsa' | 'tsa_ca';
  subject: string;
  serialNumber: string;
  /** revoked_after: revoked, but after the signing time (the stamp stays valid). */
  status: 'good' | 'revoked_before' | 'revoked_after' | 'unknown' | 'not_checked';
  method?: 'ocsp' | 'crl';
  source?: 'embedded' | 'fetched' | 'cache';
  revokedAt?: string;
  reason?: string;
  invalidityDate?: string;
  /** ISO 8601: thisUpdate (CRL) or producedAt (OCSP) of the data used. */
  statusTime?: string;
  message: BilingualText;
}

export interface StampAlgorithms {
  /** e.g. "SM2-with-SM3", "RSA PKCS#1 v1.5 SHA-256", "RSA-PSS SHA-256", "ECDSA P-256 SHA-256". */
  signature: string;
  /** The digest of the signed content: "SM3", "SHA-256" … */
  digest: string;
  /** The seal maker's signature algorithm, when there is a seal. */
  sealSignature?: string;
  /** Digests a reader can recompute, hex (GM stamps: the SM3 values). */
  digests?: Array<{ name: BilingualText; algorithm: string; hex: string }>;
}

export interface StampFormat {
  /** "PAdES CMS", "GB/T 38540 SES_Signature v4", "GM/T 0031-2014 SES_Signature v1", "GM/T 0010 SignedData", … */
  name: string;
  /** OFD only: the Signature's Type attribute. */
  ofdSignType?: 'Seal' | 'Sign';
}

/** At which time each certificate was judged, and which of the times are trusted or only claimed. */
export interface TimeBasis {
  /** ISO 8601: the signer certificate was judged at the signing time. */
  signerCertificateAt: string;
  /** ISO 8601: the seal maker's certificate was judged at the seal's createDate (bounded by a trusted time). */
  makerCertificateAt?: string;
  times: Array<{ what: 'timestamp' | 'signing_time' | 'seal_created' | 'now'; at: string; trusted: boolean }>;
  message: BilingualText;
}

export interface FileWarning {
  /** image_not_checked: a picture that could be a seal but cannot be decoded here (JPEG 2000, …). */
  id: 'copied_seal_image' | 'image_not_checked' | 'unsigned_changes' | 'no_signatures' | 'empty_signature_field' | 'other'
    // the seal platform's log was rolled back or forked: its seal status answers are not trusted (issue #9)
    | 'platform_log_untrusted';
  message: BilingualText;
  page?: number;
  rect?: Rect;
  /** For copied_seal_image: the known seal the picture shows, or seal_like when it matches none. */
  copiedSeal?: CopiedSealMatch;
}

export interface CopiedSealMatch {
  match: 'known_seal' | 'seal_like';
  esID?: string;
  name?: string;
  /** What draws the picture: the page content, a form XObject in it, a tiling pattern, an annotation's appearance, a Type3 font's glyph. */
  drawnBy: 'page' | 'form' | 'pattern' | 'annotation' | 'type3';
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

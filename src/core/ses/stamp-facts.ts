/**
 * What a stamp is made of, for the report (issue 11): algorithm and digest names, the format, the
 * seal's version, the vendor encoding habits read, and the time basis (which certificate was judged
 * at which time, and which times were trusted or only claimed). One place for these words, used by
 * the PDF engines (PAdES and GM) and by OFD.
 */
import type { BilingualText, SignatureReport, StampAlgorithms, TimeBasis } from '../../api/verification-report';
import type { EncodingDeviation } from '../asn1/der';
import {
  OID_ECDSA_SHA256, OID_ECDSA_SHA384, OID_ECDSA_SHA512, OID_EC_PUBLIC_KEY, OID_RSASSA_PSS, OID_RSA_ENCRYPTION,
  OID_SHA1, OID_SHA1_WITH_RSA, OID_SHA256, OID_SHA256_WITH_RSA, OID_SHA384, OID_SHA384_WITH_RSA, OID_SHA512,
  OID_SHA512_WITH_RSA, OID_SM2_SIGN, OID_SM2_WITH_SM3, OID_SM3,
} from '../asn1/oids';
import type { ParsedCms } from '../cms/parse-cms';
import type { SESSignature } from '../asn1/ses-signature';
import type { SESeal } from '../asn1/ses-seal';
import { tryParseCertificate } from '../crypto/certificate';

const SIGNATURE_NAMES: Record<string, string> = {
  [OID_SM2_WITH_SM3]: 'SM2-with-SM3',
  [OID_SM2_SIGN]: 'SM2-with-SM3',
  [OID_SHA1_WITH_RSA]: 'RSA PKCS#1 v1.5 SHA-1',
  [OID_SHA256_WITH_RSA]: 'RSA PKCS#1 v1.5 SHA-256',
  [OID_SHA384_WITH_RSA]: 'RSA PKCS#1 v1.5 SHA-384',
  [OID_SHA512_WITH_RSA]: 'RSA PKCS#1 v1.5 SHA-512',
  [OID_ECDSA_SHA256]: 'ECDSA SHA-256',
  [OID_ECDSA_SHA384]: 'ECDSA SHA-384',
  [OID_ECDSA_SHA512]: 'ECDSA SHA-512',
};

const DIGEST_NAMES: Record<string, string> = {
  [OID_SM3]: 'SM3', [OID_SHA1]: 'SHA-1', [OID_SHA256]: 'SHA-256', [OID_SHA384]: 'SHA-384', [OID_SHA512]: 'SHA-512',
  sm3: 'SM3', sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512',
};

export const digestName = (oidOrName: string | undefined): string => (oidOrName && DIGEST_NAMES[oidOrName]) || oidOrName || 'unknown';

/** A readable name of a signature algorithm OID (the OID itself when unknown). */
export function signatureAlgorithmName(oid: string, digest?: string, curve?: string): string {
  if (oid === OID_RSA_ENCRYPTION) return `RSA PKCS#1 v1.5 ${digestName(digest)}`;
  if (oid === OID_RSASSA_PSS) return `RSA-PSS ${digestName(digest)}`;
  if (oid === OID_EC_PUBLIC_KEY) return `ECDSA${curve ? ` ${curve}` : ''} ${digestName(digest)}`;
  const name = SIGNATURE_NAMES[oid] ?? oid;
  return curve && name.startsWith('ECDSA ') ? name.replace('ECDSA ', `ECDSA ${curve} `) : name;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The format name of an SES_Signature by its version. */
export function sesFormatName(version: number): string {
  if (version === 1) return 'GM/T 0031-2014 SES_Signature v1';
  if (version === 5) return 'GM/T 0031-2025 SES_Signature v5';
  return 'GB/T 38540 SES_Signature v4';
}

export function sesAlgorithms(ses: SESSignature, dataHashAlgorithm: string, extraDigests: StampAlgorithms['digests'] = []): StampAlgorithms {
  return {
    signature: signatureAlgorithmName(ses.signatureAlgID),
    digest: digestName(dataHashAlgorithm),
    sealSignature: signatureAlgorithmName(ses.toSign.eseal.signAlgID),
    digests: [
      { name: { zh: '原文杂凑值（TBS_Sign.dataHash）', en: 'data hash (TBS_Sign.dataHash)' }, algorithm: digestName(dataHashAlgorithm), hex: hex(ses.toSign.dataHash) },
      ...extraDigests,
    ],
  };
}

export function cmsAlgorithms(cms: ParsedCms, seal?: SESeal, contentDigest?: Uint8Array, curve?: string): StampAlgorithms {
  const alg = cms.signatureAlgorithm.algorithmId;
  const digest = digestName(cms.digestAlgorithmOid);
  const digests: NonNullable<StampAlgorithms['digests']> = [];
  if (contentDigest) digests.push({ name: { zh: '签名内容的摘要', en: 'digest of the signed content' }, algorithm: digest, hex: hex(contentDigest) });
  if (cms.messageDigest) digests.push({ name: { zh: '签名属性中的 messageDigest', en: 'messageDigest signed attribute' }, algorithm: digest, hex: hex(cms.messageDigest) });
  return {
    signature: signatureAlgorithmName(alg, cms.digestAlgorithmOid, curve),
    digest,
    ...(seal ? { sealSignature: signatureAlgorithmName(seal.signAlgID) } : {}),
    ...(digests.length > 0 ? { digests } : {}),
  };
}

export function deviationTexts(list: readonly EncodingDeviation[]): BilingualText[] {
  const seen = new Set<string>();
  const out: BilingualText[] = [];
  for (const d of list) {
    if (seen.has(d.en)) continue;
    seen.add(d.en);
    out.push({ zh: d.zh, en: d.en });
  }
  return out;
}

export interface TimeBasisInput {
  /** A valid timestamp's genTime (trusted when its authority chains to the trust store). */
  timestamp?: { at: Date; trusted: boolean };
  /** The signing time the signer claims (TBS_Sign.timeInfo, /M, signingTime). */
  claimed?: Date;
  /** SESeal createDate (claimed by the maker). */
  sealCreated?: Date;
  /** When the maker certificate was actually judged, if not at createDate (verify-seal.ts). */
  makerAt?: Date;
  now: Date;
}

/**
 * The rule, stated in every report: the signer certificate is judged at the signing time (a valid
 * timestamp's, else the claimed one, else now); the maker certificate at the seal's createDate,
 * bounded by a trusted time (a seal cannot have been made after a trusted time that stamps it).
 */
export function timeBasis(input: TimeBasisInput): TimeBasis {
  const signingAt = input.timestamp?.at ?? input.claimed ?? input.now;
  const trustedBound = input.timestamp?.trusted ? input.timestamp.at : undefined;
  const makerAt = input.makerAt ?? (input.sealCreated
    ? (trustedBound && trustedBound.getTime() < input.sealCreated.getTime() ? trustedBound : input.sealCreated)
    : undefined);
  const makerWhy = !makerAt ? undefined
    : makerAt === trustedBound || makerAt.getTime() === trustedBound?.getTime() ? { zh: '以可信时间为上限', en: 'bounded by the trusted time' }
      : input.sealCreated && makerAt.getTime() !== input.sealCreated.getTime() ? { zh: '印章制作时间早于该证书生效，按其生效时间', en: "the seal's createDate precedes the certificate, so when it came into force" }
        : { zh: '制章者声明', en: 'claimed by the maker' };
  const times: TimeBasis['times'] = [];
  if (input.timestamp) times.push({ what: 'timestamp', at: input.timestamp.at.toISOString(), trusted: input.timestamp.trusted });
  if (input.claimed) times.push({ what: 'signing_time', at: input.claimed.toISOString(), trusted: false });
  if (input.sealCreated) times.push({ what: 'seal_created', at: input.sealCreated.toISOString(), trusted: false });
  if (!input.timestamp && !input.claimed) times.push({ what: 'now', at: input.now.toISOString(), trusted: true });
  const source = input.timestamp
    ? { zh: input.timestamp.trusted ? '可信时间戳' : '不受信任的时间戳', en: input.timestamp.trusted ? 'a trusted timestamp' : 'an untrusted timestamp' }
    : input.claimed ? { zh: '签章者声明的时间（未经第三方证明）', en: 'the time the signer claims (not attested by a third party)' }
      : { zh: '验证时间（没有签章时间）', en: 'the verification time (no signing time given)' };
  const at = signingAt.toISOString();
  const maker = makerAt
    ? {
      zh: `；制章者证书按印章制作时间 ${makerAt.toISOString()} 判定（${makerWhy!.zh}）`,
      en: `; the maker certificate at the seal's making time ${makerAt.toISOString()} (${makerWhy!.en})`,
    }
    : { zh: '', en: '' };
  return {
    signerCertificateAt: at,
    ...(makerAt ? { makerCertificateAt: makerAt.toISOString() } : {}),
    times,
    message: {
      zh: `签章者证书按签章时间 ${at} 判定，该时间来自${source.zh}${maker.zh}`,
      en: `The signer certificate was judged at the signing time ${at}, from ${source.en}${maker.en}`,
    },
  };
}

/** Sets the optional stamp facts on a report in one step (keeps the engines' edits to one line). */
export function setStampFacts(report: SignatureReport, facts: Pick<SignatureReport, 'algorithms' | 'format' | 'sealVersion' | 'encodingDeviations' | 'timeBasis'>): void {
  for (const [k, v] of Object.entries(facts)) {
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) (report as unknown as Record<string, unknown>)[k] = v;
  }
}

/**
 * The facts of a PAdES / PKCS#7 CMS signature, from what the PAdES engine (verify-pdf.ts) already
 * parsed and reported: its one call keeps that shared file's edit to a line.
 */
export function padesStampFacts(parsed: object, report: SignatureReport, contentDigest: Uint8Array | undefined, now: Date): Pick<SignatureReport, 'algorithms' | 'format' | 'timeBasis'> {
  const cms = 'cms' in parsed ? (parsed as { cms: ParsedCms }).cms : undefined;
  const tsOk = report.checks.some((c) => c.id === 'timestamp' && c.status === 'ok');
  const basis = timeBasis({
    timestamp: report.timestampTime ? { at: new Date(report.timestampTime), trusted: tsOk } : undefined,
    claimed: report.claimedTime ? new Date(report.claimedTime) : undefined,
    now,
  });
  const format = { name: `PAdES CMS (${report.subFilter ?? 'no SubFilter'})` };
  if (!cms) return { format, timeBasis: basis };
  const key = cms.signerCertificate ? tryParseCertificate(cms.signerCertificate)?.publicKey.kind : undefined;
  return { algorithms: cmsAlgorithms(cms, undefined, contentDigest, key === 'EC-P256' ? 'P-256' : undefined), format, timeBasis: basis };
}

/**
 * A stamp's bottom line: invalid when a check failed; valid with warnings when a check warned or a
 * vendor encoding habit was accepted (so an accepted deviation is never hidden behind "valid").
 */
export function stampVerdict(report: Pick<SignatureReport, 'checks' | 'encodingDeviations'>): SignatureReport['verdict'] {
  if (report.checks.some((c) => c.status === 'failed')) return 'invalid';
  if (report.checks.some((c) => c.status === 'warning') || (report.encodingDeviations?.length ?? 0) > 0) return 'warning';
  return 'valid';
}

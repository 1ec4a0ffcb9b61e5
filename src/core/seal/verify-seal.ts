/**
 * Seal verification (GB/T 38540 seal checks, gm-formats.md §2.2): format → maker signature over the
 * received SES_SealInfo → maker certificate chain → seal validity window. Every check runs and is
 * reported, so a viewer can show all reasons at once; the result is data, not prose.
 *
 * Which bytes the maker signed: v4/v5 sign DER(SES_SealInfo); GM/T 0031-2014 says v1 signs
 * SEQUENCE{SealInfo, cert, alg}, but real v1 seals exist that sign SealInfo alone, so v1 tries both.
 * The maker's signature value may be in a vendor form (raw r‖s, non-minimal INTEGERs): read by
 * asn1/signature-value.ts and reported as a deviation; the signed bytes are always the received ones.
 *
 * Times (GM/T 0031-2025 §2.3): the maker certificate is judged at the seal's createDate (bounded by
 * a trusted time when the caller has one), the seal's validity window at `at` (now, or the signing
 * time of a stamp that uses it).
 */
import { decodeSeal, type SESeal } from '../asn1/ses-seal';
import { bytesEqual, type EncodingDeviation } from '../asn1/der';
import { readSignatureValue } from '../asn1/signature-value';
import { SealDeskError } from '../errors';
import { verifyChain, type ChainProblem, type ChainResult } from '../crypto/chain';
import { tryParseCertificate, type KeyUsageName } from '../crypto/certificate';
import { digest, digestAlgorithmByName, type DigestAlgorithm } from '../crypto/digest';
import { verifySignature } from '../crypto/verify-signature';

export type SealCheckId = 'format' | 'maker-signature' | 'maker-chain' | 'validity';
export type CheckStatus = 'ok' | 'warning' | 'failed' | 'not-checked';

export interface SealCheck {
  id: SealCheckId;
  status: CheckStatus;
  zh: string;
  en: string;
  /** Error or problem code when not ok. */
  code?: string;
  problems?: ChainProblem[];
}

export interface SealVerification {
  /** valid: every check ok; warning: only the maker's root is unknown; invalid: anything failed. */
  verdict: 'valid' | 'warning' | 'invalid';
  seal?: SESeal;
  checks: SealCheck[];
  makerChain?: ChainResult;
  /** v1 only: which construction the maker signature verified over. */
  signedContent?: 'SES_SealInfo' | 'SEQUENCE{SES_SealInfo,cert,alg}';
  /** The vendor encoding habits read (the seal's own and its signature value's). */
  deviations: EncodingDeviation[];
  /** When the maker certificate was judged. */
  makerAt?: Date;
}

export interface VerifySealOptions {
  trustRoots: readonly Uint8Array[];
  intermediates?: readonly Uint8Array[];
  /** The time the seal is judged at: now, or the signing time of a signature that uses it. */
  at: Date;
  /** Key usage the maker certificate must allow, if any (not required by default: makers' certificates vary). */
  makerKeyUsage?: KeyUsageName;
  /** A trusted time (a valid timestamp) that bounds the seal's createDate for judging the maker certificate. */
  trustedTime?: Date;
}

/** The maker certificate's time: createDate, but never after a trusted time that attests the seal existed. */
export function makerCertificateTime(seal: SESeal, trustedTime?: Date): Date {
  const created = seal.eSealInfo.property.createDate;
  return trustedTime && trustedTime.getTime() < created.getTime() ? trustedTime : created;
}

export function verifySeal(input: Uint8Array | SESeal, options: VerifySealOptions): SealVerification {
  let seal: SESeal;
  try {
    seal = input instanceof Uint8Array ? decodeSeal(input) : input;
  } catch (e) {
    const err = e instanceof SealDeskError ? e : undefined;
    return {
      verdict: 'invalid',
      deviations: [],
      checks: [
        { id: 'format', status: 'failed', code: err?.code ?? 'SEAL_MALFORMED', zh: err?.zh ?? '电子印章数据格式不正确', en: err?.en ?? 'The electronic seal data is malformed' },
        ...(['maker-signature', 'maker-chain', 'validity'] as const).map((id) => notChecked(id)),
      ],
    };
  }
  const checks: SealCheck[] = [{ id: 'format', status: 'ok', zh: `电子印章格式正确（版本 ${seal.version}）`, en: `The seal is well-formed (version ${seal.version})` }];

  const sig = checkMakerSignature(seal);
  checks.push(sig.check);

  let makerChain: ChainResult | undefined;
  const makerAt = makerCertificateTime(seal, options.trustedTime);
  if (!tryParseCertificate(seal.cert)) {
    checks.push({ id: 'maker-chain', status: 'failed', code: 'CERT_MALFORMED', zh: '制章者证书无法解析', en: "The maker's certificate cannot be parsed" });
  } else {
    const judge = (at: Date): ChainResult => verifyChain(seal.cert, { roots: options.trustRoots, intermediates: options.intermediates ?? [], at, keyUsage: options.makerKeyUsage });
    makerChain = judge(makerAt);
    const notYet = makerChain.problems.find((p) => p.code === 'CERT_NOT_YET_VALID' && p.index === 0);
    const issued = tryParseCertificate(seal.cert)!.notBefore;
    if (notYet && issued.getTime() <= options.at.getTime()) {
      // Tax-bureau seals (GOMAIN) carry the createDate of the seal record, days before the maker
      // certificate that signed it was issued: the signature cannot predate its certificate, and the
      // seal existed by the time it is judged at, so the certificate is judged when it came into force.
      makerChain = judge(issued);
      const check = chainCheck(makerChain, issued);
      const note = { zh: `；印章制作时间 ${makerAt.toISOString()} 早于制章者证书生效时间，按证书生效时间判定`, en: `; the seal's createDate ${makerAt.toISOString()} precedes the maker certificate, judged when the certificate came into force` };
      checks.push({ ...check, zh: check.zh + note.zh, en: check.en + note.en });
    } else {
      checks.push(chainCheck(makerChain, makerAt));
    }
  }

  const p = seal.eSealInfo.property;
  const t = options.at.getTime();
  if (t < p.validStart.getTime()) {
    checks.push({ id: 'validity', status: 'failed', code: 'SEAL_NOT_YET_VALID', zh: `印章尚未生效（${p.validStart.toISOString()} 起）`, en: `The seal is not yet valid (from ${p.validStart.toISOString()})` });
  } else if (t > p.validEnd.getTime()) {
    checks.push({ id: 'validity', status: 'failed', code: 'SEAL_EXPIRED', zh: `印章已过有效期（${p.validEnd.toISOString()} 止）`, en: `The seal has expired (until ${p.validEnd.toISOString()})` });
  } else {
    checks.push({ id: 'validity', status: 'ok', zh: '印章在有效期内', en: 'The seal is within its validity period' });
  }

  const statuses = checks.map((c) => c.status);
  const verdict = statuses.includes('failed') ? 'invalid' : statuses.includes('warning') ? 'warning' : 'valid';
  const deviations = [...seal.deviations, ...(sig.deviation ? [sig.deviation] : [])];
  return { verdict, seal, checks, makerChain, deviations, makerAt, ...(sig.signedContent ? { signedContent: sig.signedContent } : {}) };
}

function notChecked(id: SealCheckId): SealCheck {
  return { id, status: 'not-checked', zh: '未检查（印章无法解析）', en: 'Not checked (the seal cannot be read)' };
}

function checkMakerSignature(seal: SESeal): { check: SealCheck; signedContent?: SealVerification['signedContent']; deviation?: EncodingDeviation } {
  const cert = tryParseCertificate(seal.cert);
  if (!cert) {
    return { check: { id: 'maker-signature', status: 'failed', code: 'CERT_MALFORMED', zh: '制章者证书无法解析，无法验证印章签名', en: "The maker's certificate cannot be parsed, so the seal signature cannot be checked" } };
  }
  const value = readSignatureValue(seal.signedValue, seal.signAlgID, seal.version === 1 ? 'SES_SignInfo.signData' : 'SESeal.signedValue');
  if (!value.ok) {
    return { check: { id: 'maker-signature', status: 'failed', code: 'SEAL_SIGNATURE_INVALID', zh: `制章者签名值无法读取（${value.reason}）`, en: `The maker's signature value cannot be read (${value.reason})` } };
  }
  const candidates: [NonNullable<SealVerification['signedContent']>, Uint8Array][] = seal.version === 1 && seal.v1SignedContentDer
    ? [['SEQUENCE{SES_SealInfo,cert,alg}', seal.v1SignedContentDer], ['SES_SealInfo', seal.sealInfoDer]]
    : [['SES_SealInfo', seal.sealInfoDer]];
  let reason = '';
  for (const [name, data] of candidates) {
    const r = verifySignature({ algorithm: seal.signAlgID, publicKey: cert.publicKey, data, signature: value.der });
    if (r.ok) {
      return {
        check: { id: 'maker-signature', status: 'ok', zh: '制章者签名验证通过', en: "The maker's signature on the seal verifies" },
        signedContent: seal.version === 1 ? name : undefined,
        deviation: value.deviation,
      };
    }
    reason = r.reason;
  }
  return {
    check: { id: 'maker-signature', status: 'failed', code: 'SEAL_SIGNATURE_INVALID', zh: `制章者签名验证失败，印章可能被篡改（${reason}）`, en: `The maker's signature does not verify; the seal may have been altered (${reason})` },
  };
}

function chainCheck(chain: ChainResult, at: Date): SealCheck {
  const when = { zh: `（按制章时间 ${at.toISOString()} 判定）`, en: ` (judged at the seal's making time ${at.toISOString()})` };
  if (chain.ok) return { id: 'maker-chain', status: 'ok', zh: `制章者证书有效且可信${when.zh}`, en: `The maker's certificate is valid and trusted${when.en}`, problems: [] };
  // Only an unknown root: the seal may well be genuine, but its maker is not known here.
  const onlyUntrusted = chain.problems.every((p) => p.code === 'CHAIN_UNTRUSTED');
  const first = chain.problems[0];
  return {
    id: 'maker-chain',
    status: onlyUntrusted ? 'warning' : 'failed',
    code: first?.code,
    zh: (onlyUntrusted ? '制章者证书的根证书不在信任列表中' : `制章者证书无效：${chain.problems.map((p) => p.zh).join('；')}`) + when.zh,
    en: (onlyUntrusted ? "The maker certificate's root is not in the trust store" : `The maker's certificate is invalid: ${chain.problems.map((p) => p.en).join('; ')}`) + when.en,
    problems: chain.problems,
  };
}

/**
 * True when the seal lists this signer certificate: by DER when certListType is 1, by digest when 2
 * (the digest type is vendor-defined text, so "sm3"/"SHA-256"/OIDs are understood, and an unknown
 * type is matched against SM3, SHA-256 and SHA-1 of the right length).
 */
export function sealListsCertificate(seal: SESeal, certDer: Uint8Array): boolean {
  const p = seal.eSealInfo.property;
  if (p.certListType === 1) return p.certList.some((c) => bytesEqual(c, certDer));
  return p.certList.some((d) => {
    const named = digestAlgorithmByName(d.type);
    const algs: DigestAlgorithm[] = named ? [named] : d.value.length === 20 ? ['sha1'] : ['sm3', 'sha256'];
    return algs.some((a) => bytesEqual(digest(a, certDer), d.value));
  });
}

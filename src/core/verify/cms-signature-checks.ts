/**
 * The report's digest and signature checks of one PAdES / PKCS#7 signature, judged from the facts
 * verify-cms.ts found. Kept apart from verify-pdf.ts because the judgement has several rules of its
 * own, each of which must never turn into "content tampered" by accident:
 * - an algorithm SealDesk cannot check is "unsupported algorithm" (failed: nothing is proven), and
 *   the digest check still says whether the signed bytes match what the signer hashed;
 * - a SignerInfo without signed attributes is a valid PKCS#7 signature under adbe.pkcs7.detached,
 *   but under ETSI.CAdES.detached it does not conform to PAdES (ETSI EN 319 142-1 §6.3 requires
 *   signed attributes): a warning naming the conformance failure;
 * - weak algorithms are a warning naming the date after which they are refused, or failed after it
 *   (algorithm-policy.ts), judged at the trusted timestamp when there is one, else now.
 */
import type { BilingualText, CheckStatus } from '../../api/verification-report';
import { judgeWeakAlgorithms } from '../cms/algorithm-policy';
import type { CmsSignatureCheck } from '../cms/verify-cms';

export interface JudgedCheck {
  status: CheckStatus;
  message: BilingualText;
}

export interface CmsJudgementInput {
  sig: CmsSignatureCheck;
  subFilter?: string;
  /** The digest of the byte ranges could be computed (the range is sound and the digest known). */
  digestComputed: boolean;
  /** The ByteRange itself is usable. */
  rangeUsable: boolean;
  digestOid: string;
  /** The time the algorithm policy is applied at. */
  at: Date;
}

export function judgeCmsDigest(s: CmsJudgementInput): JudgedCheck {
  if (!s.rangeUsable) return { status: 'not_checked', message: { zh: '签名范围无效，未计算摘要', en: 'The signed range is invalid: no digest computed' } };
  if (!s.digestComputed) {
    return { status: 'failed', message: { zh: `不支持的算法：摘要算法 ${s.digestOid}，无法检查内容`, en: `Unsupported algorithm: digest ${s.digestOid}; the content cannot be checked` } };
  }
  if (s.sig.digestMatches) return { status: 'ok', message: { zh: '签名范围内的内容未被篡改', en: 'The signed bytes are unchanged' } };
  if (!s.sig.hasSignedAttributes) {
    // The signature is over the content itself: a mismatch cannot tell a changed document from a wrong signature.
    return s.sig.unsupportedAlgorithm
      ? { status: 'not_checked', message: { zh: '签名算法不受支持，无法检查内容', en: 'The signature algorithm is unsupported: the content cannot be checked' } }
      : { status: 'failed', message: { zh: '签名与签名范围内的内容不符（无签名属性：签名直接覆盖内容）', en: 'The signature does not match the signed bytes (no signed attributes: the signature covers the content directly)' } };
  }
  return { status: 'failed', message: { zh: '文档内容与签名时不一致（内容被篡改，或签名来自其他文档）', en: 'The signed bytes do not match the signature (content tampered, or a signature taken from another document)' } };
}

export function judgeCmsSignature(s: CmsJudgementInput): JudgedCheck {
  const sig = s.sig;
  if (!sig.signerCertificate) return { status: 'failed', message: { zh: '签名中没有签章人证书', en: 'The signer certificate is not in the signature' } };
  if (sig.unsupportedAlgorithm) {
    return { status: 'failed', message: { zh: `不支持的算法（${sig.unsupportedAlgorithm}）：无法检查签名，不能据此判断文档是否有改动`, en: `Unsupported algorithm (${sig.unsupportedAlgorithm}): the signature cannot be checked, which says nothing about whether the document changed` } };
  }
  // Problems of the signature itself (the digest comparison is the digest check's).
  const own = sig.problems.filter((p) => !/message-digest differs|content digest unknown|signature over the content/.test(p));
  if (!sig.signatureValid && !sig.hasSignedAttributes && own.length === 0) {
    return { status: 'failed', message: { zh: '签章人的签名与内容不符', en: "The signer's signature does not match the content" } };
  }
  if (!sig.signatureValid || sig.signingCertificateMatches === false || own.length > 0) {
    return { status: 'failed', message: { zh: '签章人的签名无效', en: `The signer's signature is invalid (${own.join('; ')})` } };
  }
  const notes: JudgedCheck[] = [];
  if (!sig.hasSignedAttributes && s.subFilter === 'ETSI.CAdES.detached') {
    notes.push({ status: 'warning', message: { zh: 'PAdES 不合规：ETSI.CAdES.detached 签名必须有签名属性（签名本身有效）', en: 'Not PAdES-conformant: an ETSI.CAdES.detached signature must have signed attributes (the signature itself is valid)' } });
  }
  const weak = judgeWeakAlgorithms(sig.weakAlgorithms, s.at);
  if (weak.status !== 'ok' && weak.message) notes.push({ status: weak.status, message: weak.message });
  if (notes.length === 0) return { status: 'ok', message: { zh: '签章人的签名有效', en: "The signer's signature is valid" } };
  return {
    status: notes.some((n) => n.status === 'failed') ? 'failed' : 'warning',
    message: { zh: `签章人的签名有效，但：${notes.map((n) => n.message.zh).join('；')}`, en: `The signer's signature verifies, but: ${notes.map((n) => n.message.en).join('; ')}` },
  };
}

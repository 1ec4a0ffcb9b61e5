import type { BilingualText, SignatureReport, SignerInfoSummary, Verdict } from '../../api/verification-report';
import type { ParsedCertificate } from '../crypto/certificate';

/** The report's one-line bottom line, the same for every container (PDF, OFD). */
export function summaryOf(verdict: Verdict, reports: SignatureReport[]): BilingualText {
  const n = reports.length;
  const bad = reports.filter((r) => r.verdict === 'invalid').length;
  if (n === 0) return { zh: '文件中没有电子签章', en: 'The file carries no electronic stamp' };
  if (verdict === 'valid') return { zh: `全部 ${n} 个签章有效`, en: `All ${n} stamp(s) are valid` };
  if (verdict === 'warning') return { zh: `${n} 个签章有效,但有警告`, en: `${n} stamp(s) valid with warnings` };
  return { zh: `${bad} 个签章无效:文档在签章后被修改或含有无效签章`, en: `${bad} of ${n} stamp(s) invalid: the document was modified or carries an invalid stamp` };
}

/** Who signed, as the report shows it. */
export function signerSummary(c: ParsedCertificate): SignerInfoSummary {
  const cn = /(?:^|,\s*)CN=([^,]+)/.exec(c.subject)?.[1] ?? c.subject;
  return { subject: c.subject, commonName: cn, issuer: c.issuer, serialNumber: c.serialHex, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() };
}

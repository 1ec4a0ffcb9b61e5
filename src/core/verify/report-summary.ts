import type { BilingualText, SignatureReport, SignerInfoSummary, Verdict } from '../../api/verification-report';
import type { ParsedCertificate } from '../crypto/certificate';

/** The report's one-line bottom line, the same for every container (PDF, OFD). */
export function summaryOf(verdict: Verdict, reports: SignatureReport[]): BilingualText {
  const n = reports.length;
  const bad = reports.filter((r) => r.verdict === 'invalid').length;
  if (n === 0) return { zh: '文件中没有电子签章', en: 'The file carries no electronic stamp' };
  // Document timestamps are counted apart: they are not stamps (no signer, no seal).
  const ts = reports.filter((r) => r.kind === 'document_timestamp').length;
  const zh = ts > 0 ? `${n - ts} 个签章和 ${ts} 个文档时间戳` : `${n} 个签章`;
  const en = ts > 0 ? `${n - ts} stamp(s) and ${ts} document timestamp(s)` : `${n} stamp(s)`;
  if (verdict === 'valid') return { zh: `全部 ${zh}有效`, en: `All ${en} are valid` };
  if (verdict === 'warning') return { zh: `${zh}有效，但有警告`, en: `${en} valid with warnings` };
  return { zh: `${bad} 个无效（共 ${zh}）：文档在签章后被修改或含有无效签章`, en: `${bad} of ${en} invalid: the document was modified or carries an invalid stamp` };
}

/** Who signed, as the report shows it. */
export function signerSummary(c: ParsedCertificate): SignerInfoSummary {
  const cn = /(?:^|,\s*)CN=([^,]+)/.exec(c.subject)?.[1] ?? c.subject;
  return { subject: c.subject, commonName: cn, issuer: c.issuer, serialNumber: c.serialHex, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() };
}

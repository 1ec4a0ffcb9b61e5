import type { CheckStatus, Verdict, VerificationReport } from '../../api/verification-report';

const VERDICT: Record<Verdict, { zh: string; en: string }> = {
  valid: { zh: '有效', en: 'valid' },
  warning: { zh: '有效但有警告', en: 'valid with warnings' },
  invalid: { zh: '无效', en: 'INVALID' },
};

const STATUS: Record<CheckStatus, string> = { ok: '✔', warning: '!', failed: '✘', not_checked: '–' };

const CHECK_NAMES: Record<string, { zh: string; en: string }> = {
  byte_range: { zh: '签名范围', en: 'signed range' },
  digest: { zh: '内容完整性', en: 'integrity' },
  signature: { zh: '签名值', en: 'signature' },
  signer_chain: { zh: '签章人证书', en: 'signer certificate' },
  seal: { zh: '电子印章', en: 'seal' },
  seal_signer: { zh: '印章与签章人', en: 'seal holder' },
  impression: { zh: '印模', en: 'impression' },
  timestamp: { zh: '时间戳', en: 'timestamp' },
  modifications: { zh: '签章后修改', en: 'later changes' },
  seal_status: { zh: '印章状态', en: 'seal status' },
};

/** The report as text for the CLI: Chinese first, English after, one block per stamp. */
export function renderReportText(report: VerificationReport): string {
  const lines: string[] = [];
  const v = VERDICT[report.verdict];
  lines.push(`验证结果 / Result: ${v.zh} / ${v.en}`);
  lines.push(`${report.summary.zh} / ${report.summary.en}`);
  if (report.file.name) lines.push(`文件 / File: ${report.file.name} (${report.file.size} bytes, ${report.file.revisions} revision(s))`);
  report.signatures.forEach((s, i) => {
    lines.push('');
    const sv = VERDICT[s.verdict];
    lines.push(`[${i + 1}] ${s.field} — ${sv.zh} / ${sv.en}`);
    if (s.seal) lines.push(`    印章 / Seal: ${s.seal.name} (${s.seal.esID})`);
    if (s.signer) lines.push(`    签章人 / Signer: ${s.signer.commonName}`);
    if (s.signingTime) {
      const src = s.timeSource === 'timestamp' ? '时间戳 / timestamp' : '签章人声明 / claimed by the signer';
      lines.push(`    签章时间 / Signed at: ${s.signingTime} (${src})`);
    }
    if (s.page !== null && s.rect) lines.push(`    位置 / Where: page ${s.page}, [${s.rect.map((n) => n.toFixed(1)).join(', ')}]`);
    for (const c of s.checks) {
      const name = CHECK_NAMES[c.id] ?? { zh: c.id, en: c.id };
      lines.push(`    ${STATUS[c.status]} ${name.zh} / ${name.en}: ${c.message.zh}`);
      lines.push(`      ${c.message.en}`);
    }
  });
  if (report.warnings.length > 0) {
    lines.push('');
    lines.push('警告 / Warnings:');
    for (const w of report.warnings) lines.push(`  ! ${w.message.zh}`, `    ${w.message.en}`);
  }
  return `${lines.join('\n')}\n`;
}

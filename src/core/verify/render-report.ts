import type { CheckStatus, Modification, SignatureReport, Verdict, VerificationReport } from '../../api/verification-report';
import { MODIFICATION_LEVELS, checkName } from '../../api/report-wording';

const VERDICT: Record<Verdict, { zh: string; en: string }> = {
  valid: { zh: '有效', en: 'valid' },
  warning: { zh: '有效但有警告', en: 'valid with warnings' },
  invalid: { zh: '无效', en: 'INVALID' },
};

const STATUS: Record<CheckStatus, string> = { ok: '✔', warning: '!', failed: '✘', not_checked: '–' };

/** "later-stamp ×2 (5 0, 7 0), form-filling ×1 (12 0)": which rule allowed which later changes. */
function rulesLine(mods: Modification[]): string | undefined {
  const byRule = new Map<string, string[]>();
  for (const m of mods) {
    if (m.kind !== 'allowed' || !m.rule) continue;
    const list = byRule.get(m.rule) ?? [];
    if (m.object && !list.includes(m.object)) list.push(m.object);
    byRule.set(m.rule, list);
  }
  if (byRule.size === 0) return undefined;
  return [...byRule].map(([rule, objs]) => `${rule}${objs.length > 0 ? ` (${objs.slice(0, 6).join(', ')}${objs.length > 6 ? ', …' : ''})` : ''}`).join('; ');
}

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
    if (s.kind === 'document_timestamp') lines.push('    文档时间戳 / Document timestamp (PAdES, ETSI.RFC3161)');
    if (s.seal) lines.push(`    印章 / Seal: ${s.seal.name} (${s.seal.esID})`);
    if (s.signer) lines.push(s.kind === 'document_timestamp' ? `    时间戳服务 / TSA: ${s.signer.commonName}` : `    签章人 / Signer: ${s.signer.commonName}`);
    if (s.signingTime) {
      const src = s.timeSource === 'timestamp' ? '时间戳 / timestamp' : '签章人声明 / claimed by the signer';
      lines.push(`    签章时间 / Signed at: ${s.signingTime} (${src})`);
    }
    if (s.impressions) lines.push(`    位置 / Where: pages ${s.impressions.map((i) => i.page).join(', ')} (${s.impressions.length} impressions)`);
    else if (s.page !== null && s.rect) lines.push(`    位置 / Where: page ${s.page}, [${s.rect.map((n) => n.toFixed(1)).join(', ')}]`);
    lines.push(...renderStampFacts(s));
    for (const c of s.checks) {
      const name = checkName(c.id);
      lines.push(`    ${STATUS[c.status]} ${name.zh} / ${name.en}: ${c.message.zh}`);
      lines.push(`      ${c.message.en}`);
    }
    if (s.modificationLevel) {
      const l = MODIFICATION_LEVELS[s.modificationLevel];
      lines.push(`    修改级别 / Modification level: ${l.zh} / ${l.en}`);
    }
    lines.push(...renderRevocation(s));
    const rules = rulesLine(s.modifications);
    if (rules) lines.push(`    允许修改的规则 / Allowed by rules: ${rules}`);
  });
  if (report.warnings.length > 0) {
    lines.push('');
    lines.push('警告 / Warnings:');
    for (const w of report.warnings) lines.push(`  ! ${w.message.zh}`, `    ${w.message.en}`);
  }
  return `${lines.join('\n')}\n`;
}

const REVOCATION_STATUS: Record<string, string> = {
  good: '未吊销 / good', revoked_before: '签章前已吊销 / revoked before signing', revoked_after: '签章后吊销 / revoked after signing',
  unknown: '未知 / unknown', not_checked: '未检查 / not checked',
};
const REVOCATION_SOURCE: Record<string, string> = { embedded: '文件内嵌 / embedded', fetched: '联网获取 / fetched', cache: '本地缓存 / cache' };

/** Per certificate: its status, how it was learnt and from where; and when the chain was proven valid. */
function renderRevocation(s: SignatureReport): string[] {
  const r = s.revocation;
  if (!r || r.certificates.length === 0) return [];
  const out = [`    吊销信息 / Revocation data${r.offline ? '(离线,仅用文件内嵌数据 / offline, embedded data only)' : ''}:`];
  for (const c of r.certificates) {
    const how = c.method ? ` ${c.method.toUpperCase()}${c.source ? `, ${REVOCATION_SOURCE[c.source]}` : ''}${c.statusTime ? `, ${c.statusTime}` : ''}` : '';
    out.push(`      ${c.role} ${c.subject}: ${REVOCATION_STATUS[c.status] ?? c.status}${how}`);
  }
  if (r.provenAt) out.push(`    证书链于 ${r.provenAt} 被证明有效 / Chain proven valid at ${r.provenAt}`);
  return out;
}

/** Format, algorithms, seal version, digests, time basis and accepted vendor encodings of one stamp. */
function renderStampFacts(s: SignatureReport): string[] {
  const out: string[] = [];
  if (s.format) out.push(`    格式 / Format: ${s.format.name}${s.format.ofdSignType ? ` (OFD Type=${s.format.ofdSignType})` : ''}`);
  if (s.algorithms) {
    out.push(`    算法 / Algorithms: ${s.algorithms.signature}, ${s.algorithms.digest}${s.algorithms.sealSignature ? `; 印章 / seal: ${s.algorithms.sealSignature}` : ''}`);
    for (const d of s.algorithms.digests ?? []) out.push(`      ${d.algorithm} ${d.name.zh} / ${d.name.en}: ${d.hex}`);
  }
  if (s.sealVersion !== undefined) out.push(`    印章版本 / Seal version: ${s.sealVersion}`);
  if (s.timeBasis) out.push(`    时间依据 / Time basis: ${s.timeBasis.message.zh}`, `      ${s.timeBasis.message.en}`);
  for (const d of s.encodingDeviations ?? []) out.push(`    ! ${d.zh}`, `      ${d.en}`);
  return out;
}

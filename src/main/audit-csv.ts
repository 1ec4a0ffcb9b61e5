/**
 * The audit log as CSV for export (oldest first), with the actions, outcomes and codes in words
 * (src/api/audit-words.ts) beside the raw values, and a BOM so spreadsheet programs read the Chinese.
 */
import type { AuditEntryView, Language } from '../api/contract';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, explainCode } from '../api/audit-words';
import { localTime } from '../api/report-wording';

const cell = (v: unknown): string => {
  const s = String(v ?? '');
  // Quoted always; a leading = + - @ is defused so a spreadsheet never runs a document name as a formula.
  return `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
};

export function auditCsv(entries: AuditEntryView[], lang: Language): string {
  const head = lang === 'zh'
    ? ['序号', '时间', '操作', '结果', '文档', '印章卡', '印章卡序列号', 'esID', '代码', '说明']
    : ['#', 'Time', 'Action', 'Outcome', 'Document', 'USB-Key', 'USB-Key serial', 'esID', 'Code', 'Explanation'];
  const rows = entries.map((e) => [
    e.seq, localTime(e.time), AUDIT_ACTIONS[e.action]?.[lang] ?? e.action, AUDIT_OUTCOMES[e.outcome]?.[lang] ?? e.outcome, e.document ?? '', e.tokenLabel ?? '', e.tokenSerial ?? '', e.esID ?? '', e.code ?? '', explainCode(e.code)?.[lang] ?? '',
  ]);
  return `\ufeff${[head, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

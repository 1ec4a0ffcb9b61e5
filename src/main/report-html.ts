/**
 * The verification report as a self-contained HTML file (export). Rendered from the typed report
 * core produced; nothing is judged here. All text is escaped: seal names and subjects come from
 * the document and must not become markup.
 */
import type { Language, VerificationReport } from '../api/contract';

const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const VERDICT: Record<string, { zh: string; en: string; color: string }> = {
  valid: { zh: '全部印章有效', en: 'All seals are valid', color: '#1a7f37' },
  warning: { zh: '印章有效,但有警告', en: 'Valid with warnings', color: '#9a6700' },
  invalid: { zh: '存在无效印章,文档可能被篡改', en: 'Invalid seal: the document may have been modified', color: '#cf222e' },
};

const STATUS: Record<string, { zh: string; en: string }> = {
  ok: { zh: '通过', en: 'OK' },
  warning: { zh: '警告', en: 'Warning' },
  failed: { zh: '失败', en: 'Failed' },
  not_checked: { zh: '未检查', en: 'Not checked' },
};

export function renderReportHtml(report: VerificationReport, documentName: string, lang: Language): string {
  const t = (m: { zh: string; en: string } | undefined) => esc(m ? m[lang] : '');
  const v = VERDICT[report.verdict] ?? VERDICT.invalid;
  const sigs = report.signatures
    .map((s, i) => {
      const checks = s.checks
        .map((c) => `<tr class="${esc(c.status)}"><td>${esc(c.id)}</td><td>${t(STATUS[c.status])}</td><td>${t(c.message)}</td></tr>`)
        .join('');
      const sv = VERDICT[s.verdict] ?? VERDICT.invalid;
      return `<section><h2>${lang === 'zh' ? '印章' : 'Seal'} ${i + 1}: ${esc(s.seal?.name ?? s.field)}</h2>
<p style="color:${sv.color}"><b>${t(sv)}</b></p>
<dl><dt>${lang === 'zh' ? '签章人' : 'Signer'}</dt><dd>${esc(s.signer?.subject ?? '')}</dd>
<dt>esID</dt><dd>${esc(s.seal?.esID ?? '')}</dd>
<dt>${lang === 'zh' ? '签章时间' : 'Signing time'}</dt><dd>${esc(s.signingTime ?? '')} (${s.timeSource === 'timestamp' ? (lang === 'zh' ? '时间戳服务' : 'timestamp authority') : lang === 'zh' ? '签章人声称' : 'claimed by signer'})</dd>
<dt>${lang === 'zh' ? '位置' : 'Position'}</dt><dd>${lang === 'zh' ? '第' : 'page '}${esc(s.page)}${lang === 'zh' ? '页' : ''}</dd></dl>
<table><thead><tr><th>${lang === 'zh' ? '检查项' : 'Check'}</th><th>${lang === 'zh' ? '状态' : 'Status'}</th><th>${lang === 'zh' ? '说明' : 'Reason'}</th></tr></thead><tbody>${checks}</tbody></table></section>`;
    })
    .join('\n');
  return `<!doctype html><html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<title>${lang === 'zh' ? '验证报告' : 'Verification report'} — ${esc(documentName)}</title>
<style>body{font-family:"Noto Sans CJK SC",sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}tr.failed td{color:#cf222e}tr.warning td{color:#9a6700}dt{font-weight:bold}</style>
</head><body><h1>${lang === 'zh' ? '验证报告' : 'Verification report'}: ${esc(documentName)}</h1>
<p style="color:${v.color};font-size:1.3em"><b>${t(v)}</b></p>
<p>${lang === 'zh' ? '印章数量' : 'Seals'}: ${report.signatures.length} · SHA-256 ${esc(report.file.sha256)}</p>
${report.warnings.map((w) => `<p class="warning">! ${t(w.message)}</p>`).join('\n')}
${sigs}
</body></html>\n`;
}

/**
 * How a verification report is worded for people: the one place the renderer (banner, seal list,
 * page marks) and the exported report (src/main/report-html.ts) take their words from, so the
 * screen, the print-out and the PDF never disagree. Nothing is judged here: every status comes from
 * core; this only chooses which of core's findings leads and how a seal's state is named.
 *
 * Pure functions over the report types; imported by renderer and main alike.
 */
import type { BilingualText, Check, CheckId, ModificationLevel, SignatureReport, VerificationReport } from './verification-report';

/**
 * What a seal is shown as. 'unknown_signer' is core's 'warning' verdict when the only reason is a
 * signer certificate that chains to no trusted root: like Acrobat, such a seal is not headlined as
 * valid — its identity is unknown until the person trusts the root.
 */
export type SealState = 'valid' | 'warning' | 'unknown_signer' | 'invalid';

const INTEGRITY: CheckId[] = ['byte_range', 'digest', 'signature'];

export const CHECK_NAMES: Record<CheckId, BilingualText> = {
  byte_range: { zh: '签名范围', en: 'Signed range' },
  digest: { zh: '内容完整性', en: 'Integrity' },
  signature: { zh: '签名值', en: 'Signature value' },
  signer_chain: { zh: '签章人证书', en: 'Signer certificate' },
  seal: { zh: '电子印章', en: 'Seal' },
  seal_signer: { zh: '印章与签章人', en: 'Seal and signer' },
  impression: { zh: '印模', en: 'Impression' },
  timestamp: { zh: '时间戳', en: 'Timestamp' },
  revocation: { zh: '证书吊销状态', en: 'Revocation status' },
  straddle: { zh: '骑缝校验', en: 'Straddle seal pages' },
  modifications: { zh: '签章后修改', en: 'Later changes' },
  seal_status: { zh: '印章状态', en: 'Seal status' },
};

export const checkName = (id: string): BilingualText => CHECK_NAMES[id as CheckId] ?? { zh: id, en: id };

/** How far the document changed after a stamp (the report's modificationLevel). */
export const MODIFICATION_LEVELS: Record<ModificationLevel, BilingualText> = {
  none: { zh: '无修改', en: 'none' },
  ltv: { zh: '仅验证数据与签章软件记录', en: 'LTV updates and signer bookkeeping' },
  form_filling: { zh: '填写表单或增加签章', en: 'form filling and further stamps' },
  annotations: { zh: '增加注释', en: 'annotations' },
  other: { zh: '其他修改（不允许）', en: 'other (not allowed)' },
};

/** One fact about what a stamp is made of, for the seal card and the exported report. */
export interface StampFact {
  key: 'kind' | 'format' | 'algorithms' | 'seal_algorithm' | 'seal_version' | 'digest' | 'time_basis' | 'modification_level' | 'encoding';
  label: BilingualText;
  value: BilingualText;
  /** Facts a person should notice (an accepted non-standard encoding, changes after stamping). */
  warn?: boolean;
}

const same = (s: string): BilingualText => ({ zh: s, en: s });

/**
 * What the stamp is made of, in the order a person reads it: a document timestamp says so first;
 * then format, algorithms, seal version, the digests a reader can recompute, the time basis, how
 * far the document changed after it, and every accepted vendor encoding (never silently).
 */
export function stampFacts(s: SignatureReport): StampFact[] {
  const out: StampFact[] = [];
  if (s.kind === 'document_timestamp') out.push({ key: 'kind', label: { zh: '类型', en: 'Kind' }, value: { zh: '文档时间戳（RFC 3161，签署者为时间戳服务）', en: 'Document timestamp (RFC 3161; the signer is the timestamp authority)' } });
  out.push({ key: 'format', label: { zh: '签名格式', en: 'Signature format' }, value: s.format ? { zh: `${s.format.name}${s.format.ofdSignType ? `（OFD 签名类型 ${s.format.ofdSignType}）` : ''}`, en: `${s.format.name}${s.format.ofdSignType ? ` (OFD Type=${s.format.ofdSignType})` : ''}` } : signatureFormat(s.subFilter) });
  if (s.algorithms) {
    out.push({ key: 'algorithms', label: { zh: '签名算法与摘要', en: 'Signature algorithm and digest' }, value: same(`${s.algorithms.signature} · ${s.algorithms.digest}`) });
    if (s.algorithms.sealSignature) out.push({ key: 'seal_algorithm', label: { zh: '制章签名算法', en: "Seal maker's algorithm" }, value: same(s.algorithms.sealSignature) });
    for (const d of s.algorithms.digests ?? []) out.push({ key: 'digest', label: { zh: `${d.algorithm} ${d.name.zh}`, en: `${d.algorithm} ${d.name.en}` }, value: same(d.hex) });
  }
  if (s.sealVersion !== undefined) out.push({ key: 'seal_version', label: { zh: '印章版本', en: 'Seal version' }, value: same(String(s.sealVersion)) });
  if (s.timeBasis) out.push({ key: 'time_basis', label: { zh: '时间依据', en: 'Time basis' }, value: s.timeBasis.message });
  if (s.modificationLevel) out.push({ key: 'modification_level', label: { zh: '签章后修改级别', en: 'Changes after stamping' }, value: MODIFICATION_LEVELS[s.modificationLevel], warn: s.modificationLevel !== 'none' });
  for (const d of s.encodingDeviations ?? []) out.push({ key: 'encoding', label: { zh: '非标准编码', en: 'Non-standard encoding' }, value: d, warn: true });
  return out;
}

export const STATE_WORDS: Record<SealState, BilingualText> = {
  valid: { zh: '有效', en: 'Valid' },
  warning: { zh: '有效，但有警告', en: 'Valid, with warnings' },
  unknown_signer: { zh: '签章人身份未知', en: 'Signer identity unknown' },
  invalid: { zh: '无效', en: 'Invalid' },
};

export function sealState(s: SignatureReport): SealState {
  if (s.verdict === 'invalid') return 'invalid';
  if (s.verdict === 'valid') return 'valid';
  const chain = s.checks.find((c) => c.id === 'signer_chain');
  return chain?.status === 'warning' ? 'unknown_signer' : 'warning';
}

/**
 * The checks as they should be shown. A "not modified after stamping" beside a failed integrity
 * check would contradict it (the bytes the signer signed are not the bytes here, so "unchanged"
 * says nothing): such a modifications check is shown as not judged, with that reason.
 */
export function shownChecks(s: SignatureReport): Check[] {
  const integrityFailed = s.checks.some((c) => INTEGRITY.includes(c.id) && c.status === 'failed');
  return s.checks.map((c) =>
    integrityFailed && c.id === 'modifications' && c.status === 'ok'
      ? { id: c.id, status: 'not_checked', message: { zh: '签名本身未通过完整性检查，无法据此判断签章后是否修改', en: 'The signature itself failed its integrity check, so whether the file changed after stamping cannot be judged from it' } }
      : c,
  );
}

/**
 * The one finding that leads for this seal: the first failed check of an invalid seal (so a stamp
 * that passes every check but one names that one), the first warning of a seal with warnings,
 * nothing for a valid seal.
 */
export function headlineCheck(s: SignatureReport): Check | undefined {
  const checks = shownChecks(s);
  if (s.verdict === 'invalid') return checks.find((c) => c.status === 'failed') ?? checks.find((c) => c.status === 'warning');
  if (s.verdict === 'warning') return checks.find((c) => c.id === 'signer_chain' && c.status === 'warning') ?? checks.find((c) => c.status === 'warning');
  return undefined;
}

/** One sentence for this seal: its state, and the leading finding when there is one. */
export function sealVerdictText(s: SignatureReport): BilingualText {
  const w = STATE_WORDS[sealState(s)];
  const h = headlineCheck(s);
  if (!h) return w;
  const name = checkName(h.id);
  return { zh: `${w.zh}：${name.zh}——${h.message.zh}`, en: `${w.en}: ${name.en} — ${h.message.en}` };
}

export type DocumentState = 'none' | 'valid' | 'warning' | 'unknown_signer' | 'copied' | 'invalid';

/** The document's headline: the worst seal state, and a copied seal picture never reads as normal. */
export function documentState(r: VerificationReport): DocumentState {
  const states = r.signatures.map(sealState);
  if (states.includes('invalid') || r.verdict === 'invalid') return 'invalid';
  if (r.warnings.some((w) => w.id === 'copied_seal_image')) return 'copied';
  if (states.includes('unknown_signer')) return 'unknown_signer';
  if (states.includes('warning') || (r.verdict === 'warning' && r.signatures.length > 0)) return 'warning';
  if (r.signatures.length === 0) return r.warnings.some((w) => w.id !== 'no_signatures') ? 'warning' : 'none';
  return 'valid';
}

export const DOCUMENT_WORDS: Record<DocumentState, BilingualText> = {
  none: { zh: '文档中没有电子印章', en: 'This document carries no electronic seal' },
  valid: { zh: '文档中的全部印章有效', en: 'All seals in this document are valid' },
  warning: { zh: '印章有效，但存在警告', en: 'Seals are valid, with warnings' },
  unknown_signer: { zh: '签章人身份未知：签章人证书不能链接到受信任的根证书', en: 'Signer identity unknown: the signer certificate does not chain to a trusted root' },
  copied: { zh: '文档中有疑似复制的印章图像（没有签名保护），不能作为有效印章', en: 'This document shows a seal picture that looks copied (no signature protects it); it is not a valid seal' },
  invalid: { zh: '文档包含无效印章，文档可能已被篡改', en: 'This document carries an invalid seal; it may have been modified' },
};

/** Local time with its zone, e.g. "2026-12-04 18:43:07 UTC+8". */
export function localTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset' }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const zone = get('timeZoneName').replace(/^GMT/, 'UTC').replace(/^UTC[+-]0$/, 'UTC') || 'UTC';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${zone}`;
}

/** GB/T 38540 seal type codes. */
const SEAL_TYPES: Record<number, BilingualText> = {
  1: { zh: '法定名称章', en: 'Official name seal' },
  2: { zh: '财务专用章', en: 'Finance seal' },
  3: { zh: '发票专用章', en: 'Invoice seal' },
  4: { zh: '合同专用章', en: 'Contract seal' },
  5: { zh: '名章', en: 'Personal name seal' },
  99: { zh: '其他', en: 'Other' },
};
export const sealTypeName = (type: number | undefined): BilingualText | undefined => (type === undefined ? undefined : SEAL_TYPES[type] ?? { zh: `类型 ${type}`, en: `type ${type}` });

/** The signature format a /SubFilter names. */
export function signatureFormat(subFilter: string | null): BilingualText {
  if (!subFilter) return { zh: '未知', en: 'unknown' };
  if (/GBT38540|SES/i.test(subFilter)) return { zh: 'GB/T 38540 电子签章（SES_Signature）', en: 'GB/T 38540 electronic seal (SES_Signature)' };
  if (subFilter === 'ETSI.CAdES.detached') return { zh: 'PAdES（CAdES 分离签名）', en: 'PAdES (CAdES detached)' };
  if (subFilter === 'adbe.pkcs7.detached') return { zh: 'PDF 签名（PKCS#7 分离签名）', en: 'PDF signature (PKCS#7 detached)' };
  if (subFilter === 'ETSI.RFC3161') return { zh: '文档时间戳（RFC 3161）', en: 'Document timestamp (RFC 3161)' };
  return { zh: subFilter, en: subFilter };
}

export const timeSourceWords = (s: SignatureReport): BilingualText =>
  s.timeSource === 'timestamp' ? { zh: '来自时间戳服务（可信时间）', en: 'from a timestamp authority (trusted time)' } : { zh: '签章人电脑时间（无时间戳，仅供参考）', en: "the signer's computer clock (no timestamp; for reference only)" };

/** A title that tells seals apart in a long list: name, page and time. */
export function sealTitle(s: SignatureReport, index: number, lang: 'zh' | 'en'): string {
  const name = s.seal?.name ?? s.signer?.commonName ?? s.field;
  const page = typeof s.page === 'number' ? (lang === 'zh' ? `第 ${s.page} 页` : `page ${s.page}`) : lang === 'zh' ? '不可见' : 'invisible';
  const time = s.signingTime ? localTime(s.signingTime).slice(0, 16) : '';
  return `${index + 1}. ${name} · ${page}${time ? ` · ${time}` : ''}`;
}

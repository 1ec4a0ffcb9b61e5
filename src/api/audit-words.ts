/**
 * The audit log in words: actions, outcomes and the error codes core records, in Chinese and
 * English. A code not listed here is shown as it is, marked as a code.
 */
import type { BilingualText } from './verification-report';

export const AUDIT_ACTIONS: Record<string, BilingualText> = {
  'seal.make': { zh: '制作印章', en: 'Make seal' },
  'seal.verify': { zh: '验证印章', en: 'Verify seal' },
  'token.login': { zh: '登录印章卡', en: 'USB-Key login' },
  'token.lock': { zh: '锁定印章卡', en: 'USB-Key locked' },
  'token.unlock': { zh: '解锁印章卡', en: 'USB-Key unlocked' },
  'token.change-pin': { zh: '修改密码', en: 'Change PIN' },
  stamp: { zh: '文档签章', en: 'Stamp document' },
  verify: { zh: '验证文档', en: 'Verify document' },
  'trust.add': { zh: '添加信任根证书', en: 'Trust a root' },
};

export const AUDIT_OUTCOMES: Record<string, BilingualText> = {
  ok: { zh: '成功', en: 'Succeeded' },
  failed: { zh: '失败', en: 'Failed' },
  refused: { zh: '已拒绝', en: 'Refused' },
};

const CODES: Record<string, BilingualText> = {
  PIN_INCORRECT: { zh: '密码错误', en: 'Wrong PIN' },
  PIN_LOCKED: { zh: '密码连续输错，印章卡已锁定', en: 'Too many wrong PINs: the USB-Key is locked' },
  PIN_EXPIRED: { zh: '密码已过期', en: 'The PIN has expired' },
  PIN_LEN_RANGE: { zh: '密码长度不符合要求', en: 'The PIN length is not allowed' },
  PIN_EMPTY: { zh: '未输入密码', en: 'No PIN entered' },
  CANCELLED: { zh: '签章人取消了签章', en: 'Cancelled by the person stamping' },
  STAMP_CANCELLED: { zh: '签章人取消了签章', en: 'Cancelled by the person stamping' },
  TOKEN_NOT_PRESENT: { zh: '未插入印章卡', en: 'No USB-Key inserted' },
  TOKEN_REMOVED: { zh: '签章过程中印章卡被拔出', en: 'The USB-Key was removed while stamping' },
  TOKEN_BUSY: { zh: '印章卡忙，请稍后再试', en: 'The USB-Key is busy' },
  TOKEN_DEVICE_ERROR: { zh: '印章卡设备错误', en: 'USB-Key device error' },
  SEAL_INVALID: { zh: '印章无效（已过期或制章签名无效）', en: 'The seal is invalid (expired, or its maker signature fails)' },
  SEAL_NOT_ON_TOKEN: { zh: '印章卡上没有此印章', en: 'The seal is not on this USB-Key' },
  SIGNER_NOT_IN_SEAL: { zh: '签章人证书不在印章的授权列表中', en: "The signer certificate is not listed in the seal" },
  KEEPER_CERT_EXPIRED: { zh: '签章人证书已过期', en: 'The signer certificate has expired' },
  KEEPER_CERT_MISSING: { zh: '印章卡上没有签章人证书', en: 'No signer certificate on the USB-Key' },
  FILE_UNREADABLE: { zh: '文件无法读取', en: 'The file cannot be read' },
  PDF_MALFORMED: { zh: 'PDF 文件结构损坏', en: 'The PDF structure is damaged' },
  PDF_ENCRYPTED: { zh: 'PDF 文件已加密', en: 'The PDF is encrypted' },
  CMS_MALFORMED: { zh: '签名数据格式错误', en: 'Malformed signature data' },
  SEAL_MALFORMED: { zh: '印章数据格式错误', en: 'Malformed seal data' },
  TRUST_FILE_INVALID: { zh: '所选文件不是有效的证书', en: 'The file chosen is not a valid certificate' },
};

export const explainCode = (code: string | undefined): BilingualText | undefined =>
  code ? CODES[code] ?? { zh: `错误代码 ${code}`, en: `error code ${code}` } : undefined;

/** The chain check's English reasons from core (audit-log.ts), in Chinese too. */
export function chainReason(reason: string | undefined): BilingualText | undefined {
  if (!reason) return undefined;
  const r = reason;
  let m: RegExpExecArray | null;
  if (r === 'not JSON') return { zh: '该行不是有效的记录', en: r };
  if (r.startsWith('chain broken')) return { zh: '哈希链断开：此行之前的记录被删除、插入或移动', en: r };
  if ((m = /^sequence jumps from (\d+) to (\d+)/.exec(r))) return { zh: `序号从 ${m[1]} 跳到 ${m[2]}`, en: r };
  if (r.startsWith('entry was edited')) return { zh: '该记录被修改过（哈希不符）', en: r };
  if ((m = /^log ends at entry (\d+) but (\d+) were written/.exec(r))) return { zh: `日志只到第 ${m[1]} 条，但曾写入 ${m[2]} 条：末尾的记录被截掉`, en: r };
  if (r.includes('head record')) return { zh: '日志头记录（audit.log.head）已损坏', en: r };
  if ((m = /^the log file is missing but (\d+) entries were written/.exec(r))) return { zh: `日志文件丢失，但曾写入 ${m[1]} 条`, en: r };
  return { zh: `日志校验失败：${r}`, en: r };
}

/**
 * Every refusal the platform gives, in one table: stable code, HTTP status, Chinese and English
 * message. Services throw `refuse(REFUSALS.X, details)`; the server answers {error:{code,zh,en}}
 * and logs the code. One rule, one entry.
 */
import { SealDeskError } from '../core/errors';

export interface Refusal { code: string; status: number; zh: string; en: string }

export const REFUSALS = {
  REQUEST_INVALID: { code: 'REQUEST_INVALID', status: 400, zh: '请求内容不正确', en: 'The request is invalid' },
  BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', status: 413, zh: '请求内容过大', en: 'The request body is too large' },
  NOT_FOUND: { code: 'NOT_FOUND', status: 404, zh: '未找到', en: 'Not found' },
  RATE_LIMITED: { code: 'RATE_LIMITED', status: 429, zh: '请求过于频繁,请稍后再试', en: 'Too many requests; try again later' },
  LOGIN_FAILED: { code: 'LOGIN_FAILED', status: 401, zh: '用户名或密码错误', en: 'Wrong user name or password' },
  ACCOUNT_LOCKED: { code: 'ACCOUNT_LOCKED', status: 423, zh: '密码错误次数过多,账号已暂时锁定', en: 'Too many wrong passwords; the account is locked for a while' },
  SESSION_REQUIRED: { code: 'SESSION_REQUIRED', status: 401, zh: '请先登录', en: 'Please log in first' },
  CSRF_FAILED: { code: 'CSRF_FAILED', status: 403, zh: '请求缺少有效的防伪令牌(CSRF)', en: 'The request lacks a valid CSRF token' },
  ROLE_REQUIRED: { code: 'ROLE_REQUIRED', status: 403, zh: '当前账号无权执行此操作', en: 'This account may not do that' },
  OTHER_UNIT: { code: 'OTHER_UNIT', status: 403, zh: '只能处理本单位的事项', en: 'Only matters of your own unit may be handled' },
  ACCOUNT_EXISTS: { code: 'ACCOUNT_EXISTS', status: 409, zh: '账号已存在', en: 'The account already exists' },
  UNIT_UNKNOWN: { code: 'UNIT_UNKNOWN', status: 404, zh: '单位不存在', en: 'No such unit' },
  IMPRESSION_INVALID: { code: 'IMPRESSION_INVALID', status: 400, zh: '印模图片不是有效的 PNG 图片', en: 'The impression image is not a valid PNG' },
  IMPRESSION_TOO_LARGE: { code: 'IMPRESSION_TOO_LARGE', status: 413, zh: '印模图片过大', en: 'The impression image is too large' },
  VALIDITY_INVALID: { code: 'VALIDITY_INVALID', status: 400, zh: '有效期不正确(起始须早于结束)', en: 'The validity is wrong (start must be before end)' },
  CERTIFICATE_INVALID: { code: 'CERTIFICATE_INVALID', status: 400, zh: '证书无法解析', en: 'The certificate cannot be parsed' },
  APPLICATION_UNKNOWN: { code: 'APPLICATION_UNKNOWN', status: 404, zh: '印章申请不存在', en: 'No such seal application' },
  APPLICATION_DECIDED: { code: 'APPLICATION_DECIDED', status: 409, zh: '该申请已审批过', en: 'This application has already been decided' },
  SELF_APPROVAL: { code: 'SELF_APPROVAL', status: 403, zh: '申请人不能审批自己提交的申请', en: 'An applicant cannot approve its own application' },
  APPLICATION_NOT_APPROVED: { code: 'APPLICATION_NOT_APPROVED', status: 409, zh: '印章申请未获批准,不能备案印章', en: 'The seal application is not approved; the seal cannot be registered' },
  APPLICATION_USED: { code: 'APPLICATION_USED', status: 409, zh: '该申请已备案过印章', en: 'A seal has already been registered for this application' },
  SEAL_MALFORMED: { code: 'SEAL_MALFORMED', status: 400, zh: '电子印章数据格式错误', en: 'The electronic seal (SESeal) is malformed' },
  SEAL_MISMATCH: { code: 'SEAL_MISMATCH', status: 409, zh: '电子印章与申请内容不符', en: 'The seal does not match its application' },
  SEAL_EXISTS: { code: 'SEAL_EXISTS', status: 409, zh: '该印章编码已备案', en: 'A seal with this esID is already registered' },
  SEAL_SIGNATURE_INVALID: { code: 'SEAL_SIGNATURE_INVALID', status: 400, zh: '电子印章的制章者签名无效', en: 'The maker signature of the seal is invalid' },
  KEEPER_CERT_BOUND: { code: 'KEEPER_CERT_BOUND', status: 409, zh: '该保管人证书已绑定一枚在用印章,不能再绑定第二枚', en: 'This keeper certificate is already bound to a seal in use; it cannot take a second one' },
  SEAL_UNKNOWN: { code: 'SEAL_UNKNOWN', status: 404, zh: '印章未在平台备案', en: 'The seal is not registered with the platform' },
  STATE_FINAL: { code: 'STATE_FINAL', status: 409, zh: '印章已挂失或注销,状态不能再变更', en: 'The seal is lost or cancelled; its state is final' },
  STATE_TRANSITION: { code: 'STATE_TRANSITION', status: 409, zh: '印章当前状态不允许此操作', en: 'The seal’s current state does not allow this change' },
  EFFECTIVE_IN_FUTURE: { code: 'EFFECTIVE_IN_FUTURE', status: 400, zh: '生效时间不能晚于当前时间', en: 'The effective time cannot be in the future' },
  EFFECTIVE_BEFORE_PREVIOUS: { code: 'EFFECTIVE_BEFORE_PREVIOUS', status: 409, zh: '生效时间早于该印章上一次状态变更', en: 'The effective time is before the seal’s previous state change' },
  SEAL_NOT_IN_USE: { code: 'SEAL_NOT_IN_USE', status: 409, zh: '印章不在启用状态,不能签章', en: 'The seal is not in use; it cannot stamp' },
  SEAL_EXPIRED: { code: 'SEAL_EXPIRED', status: 409, zh: '印章不在有效期内', en: 'The seal is outside its validity period' },
  SIGNED_REQUEST_MISSING: { code: 'SIGNED_REQUEST_MISSING', status: 401, zh: '请求未经印章卡签名', en: 'The request is not signed with the USB-Key' },
  SIGNED_REQUEST_BAD_SIGNATURE: { code: 'SIGNED_REQUEST_BAD_SIGNATURE', status: 401, zh: '请求签名无效', en: 'The request signature is invalid' },
  SIGNED_REQUEST_STALE: { code: 'SIGNED_REQUEST_STALE', status: 401, zh: '请求时间与平台时间相差过大', en: 'The request time is too far from the platform’s clock' },
  SIGNED_REQUEST_NONCE: { code: 'SIGNED_REQUEST_NONCE', status: 401, zh: '请求随机数无效、已过期或已被使用(疑似重放)', en: 'The request nonce is unknown, expired or already used (a replay?)' },
  CERT_NOT_IN_SEAL: { code: 'CERT_NOT_IN_SEAL', status: 403, zh: '签名证书不在该印章的保管人证书列表中', en: 'The signing certificate is not among the seal’s keeper certificates' },
  USE_APPROVAL_REQUIRED: { code: 'USE_APPROVAL_REQUIRED', status: 403, zh: '本单位用印需审批,该文档尚无有效的用印审批', en: 'This unit requires use approval (用印审批) and there is none for this document' },
  USE_APPROVAL_WINDOW: { code: 'USE_APPROVAL_WINDOW', status: 400, zh: '用印审批的时间窗口不正确', en: 'The use approval’s time window is wrong' },
  PERMIT_UNKNOWN: { code: 'PERMIT_UNKNOWN', status: 404, zh: '用印许可不存在', en: 'No such stamping permit' },
  PERMIT_MISMATCH: { code: 'PERMIT_MISMATCH', status: 409, zh: '签章记录与用印许可不符', en: 'The stamping record does not match its permit' },
  RECORD_EXISTS: { code: 'RECORD_EXISTS', status: 409, zh: '该许可的签章记录已存在', en: 'A stamping record for this permit already exists' },
  LOG_RANGE: { code: 'LOG_RANGE', status: 400, zh: '日志范围超出当前树大小', en: 'The log range is beyond the current tree size' },
  PLATFORM_BUSY: { code: 'PLATFORM_BUSY', status: 503, zh: '平台繁忙,请重试', en: 'The platform is busy; retry' },
  INTERNAL: { code: 'INTERNAL', status: 500, zh: '平台内部错误', en: 'Internal platform error' },
} as const satisfies Record<string, Refusal>;

export class PlatformError extends SealDeskError {
  constructor(readonly refusal: Refusal, details: Record<string, unknown> = {}, extra?: { zh?: string; en?: string; cause?: unknown }) {
    super(refusal.code, extra?.zh ? `${refusal.zh}:${extra.zh}` : refusal.zh, extra?.en ? `${refusal.en}: ${extra.en}` : refusal.en, { details, cause: extra?.cause });
    this.name = 'PlatformError';
  }
  get status(): number { return this.refusal.status; }
}

export function refuse(r: Refusal, details: Record<string, unknown> = {}, extra?: { zh?: string; en?: string; cause?: unknown }): PlatformError {
  return new PlatformError(r, details, extra);
}

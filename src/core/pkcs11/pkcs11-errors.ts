import { SealDeskError } from '../errors';

/**
 * One table from PKCS#11 return values (CKR_*) to SealDesk codes and messages a seal keeper
 * understands. Everything that talks to a token funnels native errors through mapPkcs11Error, so
 * the UI, the CLI and the audit log see the same stable codes whatever the vendor module.
 */
interface CkrMessage { code: string; zh: string; en: string }

const CKR_TABLE: Record<string, CkrMessage> = {
  CKR_PIN_INCORRECT: { code: 'PIN_INCORRECT', zh: '密码错误', en: 'Wrong PIN' },
  CKR_PIN_LOCKED: { code: 'PIN_LOCKED', zh: '密码错误,签章失败:印章卡已锁定,请联系管理员用 SO PIN 解锁', en: 'Wrong PIN, stamping failed: the USB-Key is locked; ask the administrator to unlock it with the SO PIN' },
  CKR_PIN_INVALID: { code: 'PIN_INVALID', zh: '密码含有印章卡不接受的字符', en: 'The PIN contains characters the USB-Key does not accept' },
  CKR_PIN_LEN_RANGE: { code: 'PIN_LEN_RANGE', zh: '密码长度不符合印章卡要求', en: 'The PIN is too short or too long for this USB-Key' },
  CKR_PIN_EXPIRED: { code: 'PIN_EXPIRED', zh: '密码已过期,请先修改密码', en: 'The PIN has expired; change it first' },
  CKR_TOKEN_NOT_PRESENT: { code: 'TOKEN_NOT_PRESENT', zh: '请插入电子印章卡', en: 'Please insert the seal USB-Key' },
  CKR_SLOT_ID_INVALID: { code: 'TOKEN_NOT_PRESENT', zh: '请插入电子印章卡', en: 'Please insert the seal USB-Key' },
  CKR_DEVICE_REMOVED: { code: 'TOKEN_REMOVED', zh: '电子印章卡已被拔出,请重新插入后再试', en: 'The seal USB-Key was removed; insert it again and retry' },
  CKR_TOKEN_NOT_RECOGNIZED: { code: 'TOKEN_NOT_RECOGNIZED', zh: '无法识别该印章卡', en: 'The USB-Key is not recognized' },
  CKR_DEVICE_ERROR: { code: 'TOKEN_DEVICE_ERROR', zh: '印章卡设备故障', en: 'The USB-Key reported a device error' },
  CKR_DEVICE_MEMORY: { code: 'TOKEN_MEMORY_FULL', zh: '印章卡存储空间不足', en: 'The USB-Key has no memory left' },
  CKR_USER_ALREADY_LOGGED_IN: { code: 'USER_ALREADY_LOGGED_IN', zh: '印章卡已被其他操作登录,请稍后再试', en: 'The USB-Key is already logged in by another operation; try again later' },
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN: { code: 'USER_ALREADY_LOGGED_IN', zh: '印章卡已被其他用户登录,请稍后再试', en: 'Another user is logged in to the USB-Key; try again later' },
  CKR_USER_NOT_LOGGED_IN: { code: 'USER_NOT_LOGGED_IN', zh: '需要先输入印章卡密码', en: 'The USB-Key PIN must be entered first' },
  CKR_USER_PIN_NOT_INITIALIZED: { code: 'USER_PIN_NOT_INITIALIZED', zh: '印章卡尚未设置用户密码', en: 'The USB-Key has no user PIN yet' },
  CKR_FUNCTION_CANCELED: { code: 'OPERATION_CANCELED', zh: '操作已取消', en: 'The operation was canceled' },
  CKR_SESSION_HANDLE_INVALID: { code: 'SESSION_CLOSED', zh: '与印章卡的会话已失效,请重试', en: 'The session with the USB-Key ended; retry' },
  CKR_SESSION_CLOSED: { code: 'SESSION_CLOSED', zh: '与印章卡的会话已失效,请重试', en: 'The session with the USB-Key ended; retry' },
  CKR_SESSION_COUNT: { code: 'TOKEN_BUSY', zh: '印章卡会话过多,请稍后再试', en: 'Too many sessions open on the USB-Key; try again later' },
  CKR_TOKEN_WRITE_PROTECTED: { code: 'TOKEN_WRITE_PROTECTED', zh: '印章卡处于写保护状态', en: 'The USB-Key is write-protected' },
  CKR_SESSION_READ_ONLY: { code: 'TOKEN_WRITE_PROTECTED', zh: '只读会话不能写入印章卡', en: 'A read-only session cannot write to the USB-Key' },
  CKR_MECHANISM_INVALID: { code: 'MECHANISM_NOT_SUPPORTED', zh: '印章卡不支持该签名算法', en: 'The USB-Key does not support this signature mechanism' },
  CKR_MECHANISM_PARAM_INVALID: { code: 'MECHANISM_NOT_SUPPORTED', zh: '印章卡不支持该签名算法参数', en: 'The USB-Key rejected the mechanism parameters' },
  CKR_KEY_TYPE_INCONSISTENT: { code: 'KEY_CANNOT_SIGN', zh: '该密钥不能用于此签名算法', en: 'This key cannot be used with this signature mechanism' },
  CKR_KEY_FUNCTION_NOT_PERMITTED: { code: 'KEY_CANNOT_SIGN', zh: '该密钥不允许签名', en: 'This key is not allowed to sign' },
  CKR_DATA_LEN_RANGE: { code: 'DATA_LEN_RANGE', zh: '待签数据长度不被印章卡接受', en: 'The USB-Key rejected the length of the data to sign' },
  CKR_CRYPTOKI_NOT_INITIALIZED: { code: 'MODULE_NOT_INITIALIZED', zh: 'PKCS#11 模块未初始化', en: 'The PKCS#11 module is not initialized' },
  CKR_GENERAL_ERROR: { code: 'PKCS11_GENERAL_ERROR', zh: '印章卡驱动发生一般性错误(印章卡可能已被拔出)', en: 'The USB-Key driver reported a general error (the key may have been removed)' },
};

/** The CKR_* name of a pkcs11js error, or undefined when it is not a PKCS#11 return value. */
export function ckrName(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const m = /\b(CKR_[A-Z0-9_]+)\b/.exec(e.message);
  return m ? m[1] : undefined;
}

/**
 * Turns anything a PKCS#11 call threw into a SealDeskError. `doing` names the operation for the
 * message ("opening a session"); it must never contain a PIN.
 */
export function mapPkcs11Error(e: unknown, doing: string, details: Record<string, unknown> = {}): SealDeskError {
  if (e instanceof SealDeskError) return e;
  const name = ckrName(e);
  const known = name ? CKR_TABLE[name] : undefined;
  if (known) return new SealDeskError(known.code, known.zh, known.en, { cause: e, details: { ...details, ckr: name, doing } });
  const what = name ?? (e instanceof Error ? e.message : String(e));
  return new SealDeskError('PKCS11_ERROR', `印章卡操作失败(${doing}):${what}`, `USB-Key operation failed (${doing}): ${what}`, {
    cause: e,
    details: { ...details, ckr: name, doing },
  });
}

/** Runs one synchronous PKCS#11 call and maps whatever it throws. */
export function p11<T>(doing: string, fn: () => T, details?: Record<string, unknown>): T {
  try {
    return fn();
  } catch (e) {
    throw mapPkcs11Error(e, doing, details);
  }
}

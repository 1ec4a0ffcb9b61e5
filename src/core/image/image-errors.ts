import { SealDeskError } from '../errors';

export function imageMalformed(reason: string, cause?: unknown): SealDeskError {
  return new SealDeskError('IMAGE_MALFORMED', `印章图片无法读取（${reason}）`, `The seal picture cannot be read (${reason})`, { cause, details: { reason } });
}

/** `zhReason`: the reason in Chinese, when the caller has one (the English one is the default). */
export function imageUnsupported(reason: string, zhReason?: string): SealDeskError {
  return new SealDeskError('IMAGE_UNSUPPORTED', `不支持的印章图片格式（${zhReason ?? reason}）`, `Unsupported seal picture format (${reason})`, { details: { reason, zhReason: zhReason ?? reason } });
}

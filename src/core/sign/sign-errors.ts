import { SealDeskError } from '../errors';

export const stampCancelled = (): SealDeskError =>
  new SealDeskError('STAMP_CANCELLED', '签章已取消', 'Stamping was cancelled');

export const keywordNotFound = (text: string, occurrence: number | 'all', found: number): SealDeskError =>
  new SealDeskError('KEYWORD_NOT_FOUND',
    found === 0 ? `文档中未找到关键字"${text}"，无法自动定位` : `关键字"${text}"只出现 ${found} 次，没有第 ${String(occurrence)} 处`,
    found === 0 ? `The keyword "${text}" does not occur in the document; the seal cannot be placed automatically` : `The keyword "${text}" occurs ${found} time(s); there is no occurrence ${String(occurrence)}`,
    { details: { text, occurrence, found } });

export const placementInvalid = (reasonZh: string, reasonEn: string, details: Record<string, unknown> = {}): SealDeskError =>
  new SealDeskError('PLACEMENT_INVALID', `盖章位置无效：${reasonZh}`, `Invalid seal placement: ${reasonEn}`, { details });

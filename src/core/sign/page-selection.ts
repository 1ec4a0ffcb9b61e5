import { parsePageSelection } from '../../api/page-selection';
import { placementInvalid } from './sign-errors';

/** The chosen pages (0-based, in order); a selection that cannot be read is PLACEMENT_INVALID with the reason. */
export function selectPages(selection: string, pageCount: number): number[] {
  const r = parsePageSelection(selection, pageCount);
  if ('error' in r) throw placementInvalid(r.error.zh, r.error.en, { selection, pageCount });
  return r.pages;
}

import type { BilingualText, Modification, ModificationLevel } from '../../../api/verification-report';
import { RULE_LEVEL, isRuleName, maxLevel } from './rule-names';

/**
 * What the report says about a stamp's later changes, from the changes themselves: the fields
 * filled in, the modification level, and the message of the "later changes" check.
 */

/** An allowed change that filled in a form field; the field's fully qualified name travels as data. */
export interface FormFillModification extends Modification {
  filledField: string;
}

export function isFormFill(m: Modification): m is FormFillModification {
  return m.kind === 'allowed' && typeof m.filledField === 'string';
}

/** The fields a list of changes filled in, each once, in the order they were first filled. */
export function filledFields(changes: Modification[]): string[] {
  return [...new Set(changes.filter(isFormFill).map((m) => m.filledField))];
}

/** The highest level among the changes: 'other' as soon as one is disallowed. */
export function modificationLevel(changes: Modification[]): ModificationLevel {
  let level: ModificationLevel = 'none';
  for (const m of changes) {
    if (m.kind === 'disallowed') return 'other';
    if (isRuleName(m.rule)) level = maxLevel(level, RULE_LEVEL[m.rule]);
  }
  return level;
}

/** The rules that allowed the changes, each once, in the order first used. */
export function rulesUsed(changes: Modification[]): string[] {
  return [...new Set(changes.filter((m) => m.kind === 'allowed' && m.rule).map((m) => m.rule!))];
}

/**
 * The "later changes" check message when every later change is allowed: says which form fields were
 * filled, whether further stamps or validation data were added, so a recipient sees what happened.
 */
export function allowedChangesMessage(changes: Modification[]): BilingualText {
  const level = modificationLevel(changes);
  if (changes.length === 0 || level === 'none') return { zh: '签章后文档未被修改', en: 'The document was not changed after this stamp' };
  const names = filledFields(changes);
  const stamps = changes.some((m) => m.kind === 'allowed' && (m.rule === 'later-stamp' || m.rule === 'sign-prepared-field'));
  if (names.length === 0) {
    if (stamps) return { zh: '签章后只增加了其他签章', en: 'Only further stamps were added after this stamp' };
    return { zh: '签章后只增加了验证数据或签章软件的记录（允许的修改）', en: 'Only validation data and signer bookkeeping were added after this stamp (allowed changes)' };
  }
  const quoted = (open: string, close: string): string => names.map((n) => `${open}${n}${close}`).join(open === '“' ? '、' : ', ');
  return {
    zh: `签章后填写了表单字段 ${quoted('“', '”')}${stamps ? '，并增加了其他签章' : ''}（允许的修改）`,
    en: `Form field${names.length > 1 ? 's' : ''} ${quoted('"', '"')} filled in after stamping${stamps ? ', and further stamps added' : ''} (allowed changes)`,
  };
}

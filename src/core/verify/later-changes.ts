import type { BilingualText, CheckStatus, Modification, ModificationLevel } from '../../api/verification-report';
import type { PdfDocument } from '../pdf/document';
import type { SignatureField } from '../pdf/signature-fields';
import { allowedChangesMessage, modificationLevel } from './revision-changes';
import { readDocumentSignatures } from './signature-dictionaries';

export interface LaterChangesJudgement {
  status: CheckStatus;
  message: BilingualText;
  modifications: Modification[];
  /** The highest level of the later changes (pyHanko's ModificationLevel); 'other' when any is disallowed. */
  level: ModificationLevel;
}

/**
 * The "what later revisions changed" check, one rule for every signature format: later stamps and
 * form filling, signer bookkeeping and validation data only ⇒ ok; anything else, or the stamp itself taken out of the form ⇒ modified after stamping.
 */
export function judgeLaterChanges(doc: PdfDocument, field: SignatureField, revision: number | undefined, changesByRevision: Modification[][]): LaterChangesJudgement {
  const ref = field.value?.ref.key;
  let orphan: boolean;
  try { orphan = !readDocumentSignatures(doc).fields.some((f) => f.value?.ref.key === ref); } catch { orphan = true; }
  const removed: BilingualText = { zh: '该签章已不在当前文档的表单中', en: "this stamp is no longer part of the document's form" };
  if (revision === undefined) {
    return orphan
      ? { status: 'failed', message: { zh: `文档在签章后被修改：${removed.zh}`, en: `Document modified after stamping: ${removed.en}` }, modifications: [], level: 'other' }
      : { status: 'not_checked', message: { zh: '签名范围无效，无法判断后续修改', en: 'The signed range is invalid: later changes cannot be judged' }, modifications: [], level: 'other' };
  }
  const later = changesByRevision.slice(revision + 1).flat();
  const bad = later.filter((m) => m.kind === 'disallowed');
  if (orphan) bad.unshift({ revision, kind: 'disallowed', description: removed });
  if (bad.length > 0) {
    const list = (k: 'zh' | 'en'): string => bad.slice(0, 5).map((m) => m.description[k]).join(k === 'zh' ? '；' : '; ') + (bad.length > 5 ? (k === 'zh' ? ` 等 ${bad.length} 处` : ` and ${bad.length - 5} more`) : '');
    return { status: 'failed', message: { zh: `文档在签章后被修改：${list('zh')}`, en: `Document modified after stamping: ${list('en')}` }, modifications: later, level: 'other' };
  }
  return { status: 'ok', message: allowedChangesMessage(later), modifications: later, level: modificationLevel(later) };
}

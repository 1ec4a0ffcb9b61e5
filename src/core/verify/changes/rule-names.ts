import type { ModificationLevel } from '../../../api/verification-report';

/**
 * The named rules that may explain a change after a stamp, and the modification level each one
 * stands for (pyHanko's ModificationLevel idea): bookkeeping that renders nothing is 'none',
 * validation data and the signer's own metadata are 'ltv', new stamps and filled-in fields are
 * 'form_filling'. The report lists, for every allowed change, the rule that allowed it.
 */
export const RULE_LEVEL = {
  /** A new signature field or widget with its signature and appearance (a later stamp). */
  'later-stamp': 'form_filling',
  /** A signature field prepared empty before the stamp, signed now. */
  'sign-prepared-field': 'form_filling',
  /** A document timestamp (/DocTimeStamp, ETSI.RFC3161) added as a new signature. */
  'document-timestamp': 'ltv',
  /** An existing form field's value and appearance filled in. */
  'form-filling': 'form_filling',
  /** /NeedAppearances, /DA, /DR updated to show values filled in the same revision. */
  'form-resources': 'form_filling',
  /** The catalog's /Extensions, /Version, /Metadata (XMP), /MarkInfo, written by signers. */
  'signer-bookkeeping': 'ltv',
  /** The document information dictionary (/Info: ModDate, Producer…). */
  'document-info': 'ltv',
  /** A direct /AcroForm moved into an object of its own with the same content. */
  'acroform-indirect': 'form_filling',
  /** The Document Security Store (/DSS: certificates, OCSP responses, CRLs, /VRI). */
  'dss': 'ltv',
  /** Cross-reference streams and object streams: containers that render nothing. */
  'xref-bookkeeping': 'none',
  /** A new object that is null: a reference to it reads the same as before. */
  'null-object': 'none',
  /** An object nothing refers to, neither in the stamped revision nor in the new one. */
  'unused-object': 'none',
} as const satisfies Record<string, ModificationLevel>;

export type RuleName = keyof typeof RULE_LEVEL;

const ORDER: ModificationLevel[] = ['none', 'ltv', 'form_filling', 'annotations', 'other'];

/** The highest of two levels. */
export function maxLevel(a: ModificationLevel, b: ModificationLevel): ModificationLevel {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

export function isRuleName(s: string | undefined): s is RuleName {
  return s !== undefined && Object.prototype.hasOwnProperty.call(RULE_LEVEL, s);
}

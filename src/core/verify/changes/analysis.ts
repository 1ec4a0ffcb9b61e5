import type { BilingualText, Modification } from '../../../api/verification-report';
import type { PdfDocument } from '../../pdf/document';
import { PdfDict, type PdfObject, type PdfRef } from '../../pdf/objects';
import { RevisionContext } from './context';
import { readForm, readPageUses, type FormState, type PageUses } from './old-state';
import type { RuleName } from './rule-names';

/** A new annotation or field that must turn out to be a widget or field of a new stamp. */
export interface Candidate {
  ref: PdfObject;
  role: 'annot' | 'field';
  page?: number;
  /** The allowed change that listed it (a page's /Annots, the AcroForm's /Fields growing). */
  listedBy?: Modification;
}

/**
 * The state one revision's rules share: the revision's changes (context), what the signed
 * revision's objects were used for, and what the rules found so far (new annotations and fields
 * still to be judged, fields filled in, AcroForm updates that only make sense with a fill).
 */
export class RevisionAnalysis {
  readonly ctx: RevisionContext;
  readonly old: PageUses;
  readonly candidates: Candidate[] = [];
  /** Fields filled in this revision. */
  readonly filled = new Set<string>();
  /** Object numbers of signature fields signed in this revision (new ones and prepared ones). */
  readonly signedNow = new Set<number>();
  /** AcroForm updates allowed only to show values filled in in the same revision. */
  readonly formSupport: Array<{ object: string; description: BilingualText }> = [];
  /** Catalog keys whose change a rule already judged. */
  readonly catalogKeysHandled = new Set<string>();
  /** New fields' /Kids: widget number → the field listing it (widgets need not point back with /Parent). */
  kidOwners: Map<number, { ref: PdfRef; dict: PdfDict }> | undefined;
  private formState: FormState | undefined;

  constructor(doc: PdfDocument, r: number) {
    this.ctx = new RevisionContext(doc, r);
    this.old = readPageUses(this.ctx);
  }

  get r(): number { return this.ctx.r; }
  get prev(): number { return this.ctx.prev; }

  form(): FormState {
    if (!this.formState) {
      try {
        this.formState = readForm(this.ctx);
      } catch {
        // An unreadable form gives no object a form role: changes to it stay disallowed.
        this.formState = { roles: new Map(), locks: [] };
      }
    }
    return this.formState;
  }

  resolve(o: PdfObject | undefined, revision: number): PdfObject | undefined {
    return this.ctx.resolve(o, revision);
  }

  resolveDict(o: PdfObject | undefined, revision: number): PdfDict | undefined {
    const d = this.ctx.resolve(o, revision);
    return d instanceof PdfDict ? d : undefined;
  }

  allow(object: string | undefined, rule: RuleName, description: BilingualText): void {
    this.ctx.allow(object, rule, description);
  }

  disallow(object: string | undefined, description: BilingualText): void {
    this.ctx.disallow(object, description);
  }

  /** /FT of a field or widget, inherited from its parents in the new revision. */
  fieldType(d: PdfDict): string | undefined {
    let cur: PdfDict | undefined = d;
    for (let i = 0; cur && i < 32; i++) {
      const ft = cur.getName('FT');
      if (ft) return ft;
      cur = this.resolveDict(cur.get('Parent'), this.r);
    }
    return undefined;
  }
}

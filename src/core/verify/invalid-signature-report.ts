import type { Check, SignatureReport } from '../../api/verification-report';
import type { SignatureField } from '../pdf/signature-fields';

/**
 * The report of one stamp before anything is proven: where its widget is, what its /ByteRange
 * covers, and the verdict invalid until the engine's checks say otherwise. One skeleton for every
 * engine (PAdES, GM, a broken signature dictionary), so a field added to the report is filled the
 * same way everywhere.
 */
export function invalidSignatureReport(
  field: SignatureField,
  o: { revision?: number | null; coversWholeFile?: boolean; subFilter?: string | null; checks?: Check[] } = {},
): SignatureReport {
  const widget = field.widgets[0];
  const onPage = widget !== undefined && widget.pageIndex >= 0;
  return {
    field: field.name,
    page: onPage ? widget.pageIndex + 1 : null,
    rect: onPage ? [...widget.rect] : null,
    revision: o.revision ?? null,
    coversWholeFile: o.coversWholeFile ?? false,
    subFilter: o.subFilter ?? null,
    signer: null,
    seal: null,
    signingTime: null,
    timeSource: null,
    claimedTime: null,
    timestampTime: null,
    verdict: 'invalid',
    checks: o.checks ?? [],
    modifications: [],
  };
}

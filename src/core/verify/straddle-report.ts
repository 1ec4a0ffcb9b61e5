import type { SignatureReport } from '../../api/verification-report';
import type { PdfDocument } from '../pdf/document';
import type { SignatureField } from '../pdf/signature-fields';
import type { ByteRangeOutcome } from './byte-range';
import { checkStraddlePages } from './straddle-pages';

/**
 * Adds to a stamp's report what only a stamp with several impressions has: every impression's
 * page and rectangle (the viewer greys out and crosses each), and for a straddle seal the
 * straddle check, which a failure makes the stamp invalid. The same for PAdES and GB/T 38540.
 */
export function withStraddleCheck(doc: PdfDocument, field: SignatureField, structure: ByteRangeOutcome, report: SignatureReport): SignatureReport {
  const placed = field.widgets.filter((w) => w.pageIndex >= 0);
  if (placed.length > 1) report.impressions = placed.map((w) => ({ page: w.pageIndex + 1, rect: [...w.rect] }));
  let check;
  try {
    check = checkStraddlePages(doc, field, structure);
  } catch {
    check = { id: 'straddle' as const, status: 'failed' as const, message: { zh: '骑缝章所连的页无法读取', en: 'The pages of the straddle seal cannot be read' } };
  }
  if (!check) return report;
  const at = report.checks.findIndex((c) => c.id === 'modifications');
  report.checks.splice(at < 0 ? report.checks.length : at, 0, check);
  if (check.status === 'failed') report.verdict = 'invalid';
  return report;
}

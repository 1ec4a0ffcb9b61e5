import type { Modification } from '../../api/verification-report';
import type { PdfDocument } from '../pdf/document';
import { revisionAnomalies } from '../pdf/revision-anomalies';
import { isSealDeskError } from '../errors';

/**
 * Adds the strict reading's findings (src/core/pdf/revision-anomalies.ts) to what each revision
 * changed: a finding in revision r is a disallowed modification for every stamp made before r,
 * whatever the change rules say of the objects (modification level "other"). Bytes after the last
 * %%EOF are listed under revision `doc.revisions.length`, after every stamp.
 */
export function withStructuralFindings(doc: PdfDocument, changesByRevision: Modification[][]): Modification[][] {
  const out = changesByRevision.map((c) => [...c]);
  let findings;
  try {
    findings = revisionAnomalies(doc);
  } catch (e) {
    if (isSealDeskError(e) && e.code === 'PDF_TOO_COMPLEX') throw e;
    const r = doc.revisions.length - 1;
    findings = [{ revision: r, object: undefined, message: { zh: `第 ${r + 1} 个版本的结构无法严格读取`, en: `the structure of revision ${r + 1} cannot be read strictly` } }];
  }
  for (const f of findings) {
    while (out.length <= f.revision) out.push([]);
    out[f.revision]!.push({ revision: f.revision, kind: 'disallowed', ...(f.object ? { object: f.object } : {}), description: f.message });
  }
  return out;
}

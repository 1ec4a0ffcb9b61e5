import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { asSealDeskError, SealDeskError } from '../errors';
import { verifyPdf } from '../verify/verify-pdf';
import { verifyOfd } from '../ofd/verify-ofd';
import { readSealCatalog, sealCatalogDir, type SealCatalogEntry } from '../verify/seal-catalog';
import type { VerificationReport } from '../../api/verification-report';
import type { AppContext } from './context';
import { FileSource } from '../pdf/byte-source';
import { sha256OfFile } from '../fs/file-hash';

/**
 * 验章 (domain.md flow 4): verifies a PDF or OFD file against the trust store (plus roots given for this
 * run, the offline trust of flow 4a) and logs the outcome.
 */
export function verifyDocument(ctx: AppContext, file: string, o: { extraRoots?: Uint8Array[]; now?: Date; sealCatalog?: SealCatalogEntry[] } = {}): VerificationReport {
  // A PDF is read through positioned reads (never whole, issue #13); an OFD package is a zip, read whole.
  const isOfd = /\.ofd$/i.test(file);
  let source: FileSource | undefined;
  let bytes: Buffer | undefined;
  try {
    if (isOfd) bytes = fs.readFileSync(file);
    else source = FileSource.open(file);
  } catch (e) {
    const err = new SealDeskError('FILE_UNREADABLE', `无法读取文件 ${file}`, `Cannot read the file ${file}`, { cause: e });
    ctx.audit.record({ action: 'verify', outcome: 'failed', document: file, code: err.code });
    throw err;
  }
  try {
    // OFD packages (GB/T 33190) carry their stamps in Signatures.xml; everything else is read as PDF.
    const common = { trustRoots: [...ctx.trust.roots(), ...(o.extraRoots ?? [])], now: o.now, fileName: path.basename(file) };
    // Known seals name copied seal pictures: the data dir's catalog plus what the caller knows (tokens, --seal).
    const report = bytes ? verifyOfd(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), common)
      : verifyPdf(source!, { ...common, sealCatalog: [...readSealCatalog(sealCatalogDir(ctx.home)), ...(o.sealCatalog ?? [])] });
    ctx.audit.record({
      action: 'verify', outcome: report.verdict === 'invalid' ? 'failed' : 'ok', document: file, documentHash: report.file.sha256,
      esID: report.signatures.map((s) => s.seal?.esID).filter(Boolean).join(',') || undefined,
      detail: `verdict ${report.verdict}, ${report.signatures.length} signature(s)`,
    });
    return report;
  } catch (e) {
    const err = asSealDeskError(e, 'PDF_MALFORMED', '无法作为 PDF 读取', 'Cannot be read as a PDF');
    let documentHash: string | undefined;
    try { documentHash = bytes ? crypto.createHash('sha256').update(bytes).digest('hex') : sha256OfFile(file); } catch { /* gone meanwhile */ }
    ctx.audit.record({ action: 'verify', outcome: 'failed', document: file, documentHash, code: err.code });
    throw err;
  } finally {
    source?.close();
  }
}

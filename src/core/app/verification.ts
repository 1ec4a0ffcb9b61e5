import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { asSealDeskError, SealDeskError } from '../errors';
import { verifyPdf } from '../verify/verify-pdf';
import { readSealCatalog, sealCatalogDir, type SealCatalogEntry } from '../verify/seal-catalog';
import type { VerificationReport } from '../../api/verification-report';
import type { AppContext } from './context';
import { FileSource } from '../pdf/byte-source';
import { sha256OfFile } from '../fs/file-hash';
import type { RevocationEvidence } from '../revocation/evidence';
import { fetchRevocationForPdf } from '../revocation/online-revocation';
import { loadRevocationConfig } from '../revocation/revocation-config';
import { addSealStatus } from '../platform-client/seal-status';

/** The OFD reader (an XML parser and its checks) loads for .ofd files only (issue 13: start-up). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const verifyOfd: typeof import('../ofd/verify-ofd').verifyOfd = (...a) => (require('../ofd/verify-ofd') as typeof import('../ofd/verify-ofd')).verifyOfd(...a);

export interface VerifyOptions { extraRoots?: Uint8Array[]; now?: Date; sealCatalog?: SealCatalogEntry[] }

/**
 * 验章 (domain.md flow 4): verifies a PDF or OFD file against the trust store (plus roots given for this
 * run, the offline trust of flow 4a) and logs the outcome. Offline: revocation is judged from what the
 * file carries (its /DSS) and evidence the caller fetched.
 */
export function verifyDocument(ctx: AppContext, file: string, o: VerifyOptions & { revocation?: RevocationEvidence } = {}): VerificationReport {
  return documentVerifier(ctx, o)(file, o.revocation);
}

/**
 * 验章 of many files in one process (`sealdesk verify FILE...`): the trust store and the known seals
 * are read once, then each call verifies and logs one file as verifyDocument does.
 */
export function documentVerifier(ctx: AppContext, o: VerifyOptions = {}): (file: string, revocation?: RevocationEvidence) => VerificationReport {
  const trustRoots = [...ctx.trust.roots(), ...(o.extraRoots ?? [])];
  let sealCatalog: SealCatalogEntry[] | undefined;
  const knownSeals = (): SealCatalogEntry[] => (sealCatalog ??= [...readSealCatalog(sealCatalogDir(ctx.home)), ...(o.sealCatalog ?? [])]);
  return (file, revocation) => verifyOne(ctx, file, { trustRoots, knownSeals, now: o.now, revocation });
}

/**
 * Online 验章: first the revocation data the file's stamps need and do not carry (OCSP, CRLs, the
 * cache; revocation/online-revocation.ts), then the offline verification over it. A file whose /DSS
 * proves everything asks nobody, and its report says it was verified offline.
 */
export function onlineDocumentVerifier(ctx: AppContext, o: VerifyOptions = {}): (file: string) => Promise<VerificationReport> {
  const verify = documentVerifier(ctx, o);
  const trustRoots = [...ctx.trust.roots(), ...(o.extraRoots ?? [])];
  return async (file) => withSealStatus(ctx, file, verify(file, await revocationFor(ctx, file, trustRoots, o.now)));
}

async function revocationFor(ctx: AppContext, file: string, trustRoots: Uint8Array[], now?: Date): Promise<RevocationEvidence | undefined> {
  if (/\.ofd$/i.test(file)) return undefined;
  let source: FileSource | undefined;
  try {
    source = FileSource.open(file);
    return await fetchRevocationForPdf(source, { trustRoots, config: loadRevocationConfig(ctx.home), now });
  } catch {
    return undefined; // unreadable: the verification reports it
  } finally {
    source?.close();
  }
}

function verifyOne(ctx: AppContext, file: string, o: { trustRoots: Uint8Array[]; knownSeals: () => SealCatalogEntry[]; now?: Date; revocation?: RevocationEvidence }): VerificationReport {
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
    const common = { trustRoots: o.trustRoots, now: o.now, fileName: path.basename(file) };
    // Known seals name copied seal pictures: the data dir's catalog plus what the caller knows (tokens, --seal).
    const report = bytes ? verifyOfd(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), common)
      : verifyPdf(source!, { ...common, sealCatalog: o.knownSeals(), revocation: o.revocation, revocationConfig: o.revocation ? loadRevocationConfig(ctx.home) : undefined });
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

/**
 * 验章 online with the seal status check (issue #9): the report of verifyDocument plus, for each stamp,
 * the seal's state at the signing time from the configured seal platform (or the embedded permit
 * offline, or the "no platform configured" note).
 */
export async function verifyDocumentWithStatus(ctx: AppContext, file: string, o: VerifyOptions = {}): Promise<VerificationReport> {
  return onlineDocumentVerifier(ctx, o)(file);
}

async function withSealStatus(ctx: AppContext, file: string, report: VerificationReport): Promise<VerificationReport> {
  if (/\.ofd$/i.test(file)) return addSealStatus(report, new Uint8Array(fs.readFileSync(file)), { config: ctx.config, home: ctx.home });
  const source = FileSource.open(file);
  try {
    return await addSealStatus(report, source, { config: ctx.config, home: ctx.home });
  } finally {
    source.close();
  }
}

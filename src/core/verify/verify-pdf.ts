import path from 'node:path';
import type {
  BilingualText, Check, CheckId, CheckStatus, FileWarning, Modification, SealSummary, SignatureReport,
  Verdict, VerificationReport,
} from '../../api/verification-report';
import { decodeSeal, type SESeal } from '../asn1/ses-seal';
import { parseCms, type ParsedCms } from '../cms/parse-cms';
import { verifyCmsSignature } from '../cms/verify-cms';
import { tryParseCertificate } from '../crypto/certificate';
import { SealDeskError, isSealDeskError } from '../errors';
import { openPdf, type PdfDocument } from '../pdf/document';
import { FileSource, sourceOf, type ByteSource } from '../pdf/byte-source';
import type { SignatureField } from '../pdf/signature-fields';
import { PdfDict, PdfRef } from '../pdf/objects';
import { brokenSignatureReport, readDocumentSignatures, signatureValueOf } from './signature-dictionaries';
import { sealListsCertificate, verifySeal } from '../seal/verify-seal';
import { verifyTimestampToken } from '../timestamp/verify-timestamp';
import { DOCUMENT_TIMESTAMP_SUBFILTER, judgeDocumentTimestamp, parseDocumentTimestamp, type ParsedDocumentTimestamp } from '../timestamp/document-timestamp';
import { checkByteRange, digestRangesAndFile, signedBytes, type ByteRangeOutcome } from './byte-range';
import { judgeCmsDigest, judgeCmsSignature } from './cms-signature-checks';
import { checkChain } from './chain';
import { findCopiedSeals, knownSealOf } from './copied-seals';
import type { SealCatalogEntry } from './seal-catalog';
import { checkFieldImpressions } from './field-impressions';
import { withStraddleCheck } from './straddle-report';
import { analyseRevisions } from './revision-changes';
import { withStructuralFindings } from './structural-changes';
import { signerSummary, summaryOf } from './report-summary';
import { judgeLaterChanges } from './later-changes';
import { parsePdfDate } from '../pdf/pdf-date';
import { isGmSignature, sealOfGmSignature, verifyGmSignature } from '../gm';
import { padesStampFacts, setStampFacts } from '../ses/stamp-facts';
import { readDss, dssEvidence } from '../ltv/dss';
import { mergeEvidence, type RevocationEvidence } from '../revocation/evidence';
import type { RevocationConfig } from '../revocation/revocation-config';
import { judgeStampRevocation } from '../revocation/stamp-revocation';

export interface VerifyPdfOptions {
  /** DER root certificates the recipient trusts (the trust store). */
  trustRoots: Uint8Array[];
  /** The time of verification (default: now). */
  now?: Date;
  /**
   * Seals known to the recipient, to recognise copied seal pictures in page content: DER SESeals
   * (the inserted tokens', the configured catalog) or bare pictures (the platform's registry).
   */
  sealCatalog?: SealCatalogEntry[];
  /** Shown in the report. */
  fileName?: string;
  /** Revocation data fetched beforehand (revocation/online-revocation.ts); the file's /DSS is always used. */
  revocation?: RevocationEvidence;
  /** Configured responders (so a certificate without pointers counts as checkable). */
  revocationConfig?: RevocationConfig;
}

/** The order of architecture.md "Verification, step by step" (the timestamp is evaluated earlier, reported here). */
const CHECK_ORDER: CheckId[] = ['byte_range', 'digest', 'signature', 'signer_chain', 'seal', 'seal_signer', 'impression', 'timestamp', 'revocation', 'straddle', 'modifications'];

const PADES_SUBFILTERS = new Set(['ETSI.CAdES.detached', 'adbe.pkcs7.detached']);

/**
 * Verifies every signature of a PDF, oldest first, following architecture.md "Verification, step by
 * step", and returns the report as data. A file that cannot be read as a PDF throws (PDF_MALFORMED,
 * PDF_ENCRYPTED, FILE_UNREADABLE); everything wrong inside a signature is a failed check instead.
 */
export function verifyPdf(input: Uint8Array | string | ByteSource, options: VerifyPdfOptions): VerificationReport {
  if (typeof input !== 'string') return verifySource(sourceOf(input), options);
  // A file is read by positioned reads (the xref, the objects needed, the ranges streamed through the hash).
  const source = openFile(input);
  try {
    return verifySource(source, { ...options, fileName: options.fileName ?? path.basename(input) });
  } finally {
    source.close();
  }
}

function verifySource(bytes: ByteSource, options: VerifyPdfOptions): VerificationReport {
  const fileName = options.fileName;
  const now = options.now ?? new Date();
  const doc = openPdf(bytes);
  const { fields, broken } = readDocumentSignatures(doc);
  // Signatures a later revision unhooked from the form (hide-and-replace) are verified too.
  const signed = [...fields.filter((f) => f.value !== null), ...orphanedSignatures(doc, fields)];
  const warnings: FileWarning[] = [];
  for (const f of fields) {
    if (f.value === null) {
      warnings.push({ id: 'empty_signature_field', message: { zh: `签名域“${f.name}”尚未签章`, en: `Signature field "${f.name}" is not signed` } });
    }
  }

  const structure = signed.map((f) => checkByteRange(doc, f.value!));
  const parsed = signed.map((f) => tryParse(f));
  // One pass over the file for all signatures' digests.
  const digestJobs: Array<{ index: number; range: [number, number, number, number]; algorithm: string }> = [];
  signed.forEach((_, i) => {
    const s = structure[i]!;
    const p = parsed[i]!;
    const algorithm = 'cms' in p ? p.cms.digestAlgorithm : 'docTimestamp' in p && 'token' in p.docTimestamp ? p.docTimestamp.token.imprintAlgorithm : undefined;
    if (s.range && algorithm) digestJobs.push({ index: i, range: s.range, algorithm });
    // A GB/T 38540 stamp's SM3 digest joins the same pass (its checks find it in the digest memo).
    else if (s.range && isGmSignature(signed[i]!.value!)) digestJobs.push({ index: -1, range: s.range, algorithm: 'sm3' });
  });
  const digests = new Map<number, Uint8Array>();
  const hashed = digestRangesAndFile(bytes, digestJobs);
  hashed.ranges.forEach((d, k) => { if (digestJobs[k]!.index >= 0) digests.set(digestJobs[k]!.index, d); });
  const changesByRevision = withStructuralFindings(doc, analyseRevisions(doc));
  const dss = readDss(doc);
  const revocation = mergeEvidence(dssEvidence(dss), options.revocation);
  revocation.certificates.push(...dss.certs);

  const reports = signed.map((field, i) => withStraddleCheck(doc, field, structure[i]!, verifySignature({
    doc, field, structure: structure[i]!, parsed: parsed[i]!, digest: digests.get(i), changesByRevision, options, now, revocation,
  })));
  reports.forEach((r, i) => { const br = structure[i]!.range; if (br && structure[i]!.revision !== undefined) r.signedLength = br[2] + br[3]; });
  reports.push(...broken.map(brokenSignatureReport));
  // Oldest first: the order the signatures were made in.
  reports.sort((a, b) => (a.revision ?? Infinity) - (b.revision ?? Infinity));

  const knownSeals: SESeal[] = [];
  for (const p of parsed) if ('seal' in p && p.seal) knownSeals.push(p.seal);
  for (const f of signed) {
    if (!isGmSignature(f.value!)) continue;
    const seal = sealOfGmSignature(f.value!.contents);
    if (seal) knownSeals.push(seal);
  }
  const known = knownSeals.map(knownSealOf);
  for (const entry of options.sealCatalog ?? []) {
    if (!(entry instanceof Uint8Array)) { known.push(entry); continue; }
    try { known.push(knownSealOf(decodeSeal(entry))); } catch { /* a broken catalog entry recognises nothing */ }
  }
  try {
    warnings.push(...findCopiedSeals(doc, { known, genuineWidgets: signed.flatMap((f) => f.widgets) }));
  } catch {
    // the scan is a courtesy: a page tree it cannot read changes no verdict of a signature
  }
  if (signed.length === 0 && broken.length === 0) warnings.push({ id: 'no_signatures', message: { zh: '文件中没有电子签章', en: 'The file carries no electronic stamp' } });

  const verdict: Verdict = reports.some((r) => r.verdict === 'invalid') ? 'invalid'
    : reports.some((r) => r.verdict === 'warning') || warnings.length > 0 || reports.length === 0 ? 'warning' : 'valid';
  return {
    verdict,
    verifiedAt: now.toISOString(),
    file: { name: fileName, size: bytes.length, sha256: hashed.fileSha256, revisions: doc.revisions.length },
    signatures: reports,
    warnings,
    summary: summaryOf(verdict, reports),
  };
}


/**
 * Signature dictionaries present in the file but not reachable from the current AcroForm. Found by
 * scanning for "/ByteRange" and parsing only the object that encloses each hit, at its revision.
 */
function orphanedSignatures(doc: PdfDocument, fields: SignatureField[]): SignatureField[] {
  const known = new Set(fields.flatMap((f) => (f.value ? [f.value.ref.key] : [])));
  const starts: Array<{ offset: number; num: number; gen: number; revision: number }> = [];
  doc.revisions.forEach((rev) => {
    for (const [num, e] of rev.entries) if (e.type === 'offset') starts.push({ offset: e.offset, num, gen: e.gen, revision: rev.index });
  });
  starts.sort((a, b) => a.offset - b.offset);
  const out: SignatureField[] = [];
  const seen = new Set<string>();
  for (let at = doc.source.indexOf('/ByteRange', 0); at >= 0 && out.length < 1000; at = doc.source.indexOf('/ByteRange', at + 10)) {
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]!.offset <= at) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (found < 0) continue;
    const st = starts[found]!;
    const ref = new PdfRef(st.num, st.gen);
    const key = `${ref.key}@${st.offset}`;
    if (known.has(ref.key) || seen.has(key)) continue;
    seen.add(key);
    try {
      const d = doc.getObject(ref, { revision: st.revision });
      if (!(d instanceof PdfDict)) continue;
      const value = signatureValueOf(ref, d, doc);
      // a signature a later revision took out of the form, found by scanning
      if (!('broken' in value)) out.push({ name: `(removed) ${ref.key}`, dict: d, type: 'Sig', widgets: [], value });
    } catch {
      // an unreadable object is not a signature we can report on
    }
  }
  return out;
}

function openFile(file: string): FileSource {
  try {
    return FileSource.open(file);
  } catch (e) {
    throw new SealDeskError('FILE_UNREADABLE', `无法读取文件 ${file}`, `Cannot read file ${file}`, { cause: e });
  }
}

type Parsed = { cms: ParsedCms; seal?: SESeal; sealError?: SealDeskError } | { error: SealDeskError } | { unsupported: string }
  | { docTimestamp: ParsedDocumentTimestamp };

function tryParse(field: SignatureField): Parsed {
  const v = field.value!;
  if (v.subFilter === DOCUMENT_TIMESTAMP_SUBFILTER) return { docTimestamp: parseDocumentTimestamp(v.contents) };
  if (!PADES_SUBFILTERS.has(v.subFilter ?? '')) return { unsupported: v.subFilter ?? '(none)' };
  let cms: ParsedCms;
  try {
    cms = parseCms(v.contents);
  } catch (e) {
    return { error: isSealDeskError(e) ? e : new SealDeskError('CMS_MALFORMED', '签名数据格式错误', 'Malformed signature data', { cause: e }) };
  }
  if (!cms.sealDer) return { cms };
  try {
    return { cms, seal: decodeSeal(cms.sealDer) };
  } catch (e) {
    return { cms, sealError: isSealDeskError(e) ? e : new SealDeskError('SEAL_MALFORMED', '印章数据格式错误', 'Malformed seal data', { cause: e }) };
  }
}

interface SignatureInput {
  doc: PdfDocument;
  field: SignatureField;
  structure: ByteRangeOutcome;
  parsed: Parsed;
  digest?: Uint8Array;
  changesByRevision: Modification[][];
  options: VerifyPdfOptions;
  now: Date;
  revocation: RevocationEvidence;
}

function verifySignature(s: SignatureInput): SignatureReport {
  // GB/T 38540 SES_Signature and GM/T 0010 SignedData have their own verification order (src/core/gm).
  if (isGmSignature(s.field.value!)) {
    return verifyGmSignature(s.doc, s.field, { trustRoots: s.options.trustRoots, now: s.now, structure: s.structure, changesByRevision: s.changesByRevision, revocation: s.revocation });
  }
  const v = s.field.value!;
  const widget = s.field.widgets[0];
  const checks: Check[] = [];
  const add = (id: CheckId, status: CheckStatus, message: BilingualText): void => { checks.push({ id, status, message }); };
  const claimed = parsePdfDate(v.signingTime);

  add('byte_range', s.structure.status, s.structure.message);

  const report: SignatureReport = {
    field: s.field.name,
    page: widget && widget.pageIndex >= 0 ? widget.pageIndex + 1 : null,
    rect: widget && widget.pageIndex >= 0 ? [...widget.rect] : null,
    revision: s.structure.revision ?? null,
    coversWholeFile: s.structure.coversWholeFile,
    subFilter: v.subFilter ?? null,
    signer: null,
    seal: null,
    signingTime: claimed?.toISOString() ?? null,
    timeSource: claimed ? 'claimed' : null,
    claimedTime: claimed?.toISOString() ?? null,
    timestampTime: null,
    verdict: 'invalid',
    checks,
    modifications: [],
  };

  const rest: CheckId[] = ['digest', 'signature', 'signer_chain', 'seal', 'seal_signer', 'impression', 'timestamp', 'revocation'];
  if ('docTimestamp' in s.parsed) {
    const judged = judgeDocumentTimestamp({ parsed: s.parsed.docTimestamp, digest: s.digest, rangeUsable: !!s.structure.range, trustRoots: s.options.trustRoots, now: s.now });
    checks.push(...judged.checks);
    report.kind = 'document_timestamp';
    const tsa = judged.tsaCertificate ? tryParseCertificate(judged.tsaCertificate) : undefined;
    if (tsa) report.signer = signerSummary(tsa);
    // The token's genTime is the only time a document timestamp has (its /M, if any, is no claim of a signer).
    const when = judged.genTime?.toISOString() ?? null;
    report.signingTime = when;
    report.timestampTime = when;
    report.timeSource = when ? 'timestamp' : null;
    report.claimedTime = null;
    const rev = judgeStampRevocation({
      tsa: judged.tsaCertificate, tsaAt: judged.genTime, intermediates: [...('token' in s.parsed.docTimestamp ? s.parsed.docTimestamp.token.cms.certificates : []), ...s.revocation.certificates],
      roots: s.options.trustRoots, at: judged.genTime ?? s.now, timeTrusted: !!judged.genTime, pool: s.revocation, config: s.options.revocationConfig,
    });
    add('revocation', rev.status, rev.message);
    report.revocation = rev.summary;
  } else if ('unsupported' in s.parsed) {
    const msg = { zh: `不支持的签名格式 ${s.parsed.unsupported}`, en: `Unsupported signature format ${s.parsed.unsupported}` };
    for (const id of rest) add(id, id === 'signature' ? 'failed' : 'not_checked', msg);
  } else if ('error' in s.parsed) {
    add('digest', 'not_checked', { zh: '签名数据无法解析', en: 'The signature data cannot be parsed' });
    add('signature', 'failed', { zh: s.parsed.error.zh, en: s.parsed.error.en });
    for (const id of rest.slice(2)) add(id, 'not_checked', { zh: '签名数据无法解析', en: 'The signature data cannot be parsed' });
  } else {
    verifyParsed(s, s.parsed, report, add);
  }

  // What later revisions changed.
  const later = judgeLaterChanges(s.doc, s.field, s.structure.revision, s.changesByRevision);
  report.modifications = later.modifications;
  report.modificationLevel = later.level;
  add('modifications', later.status, later.message);
  checks.sort((a, b) => CHECK_ORDER.indexOf(a.id) - CHECK_ORDER.indexOf(b.id));
  report.verdict = verdictOf(checks);
  setStampFacts(report, padesStampFacts(s.parsed, report, s.digest, s.now));
  return report;
}

function verifyParsed(s: SignatureInput, p: Extract<Parsed, { cms: ParsedCms }>, report: SignatureReport,
  add: (id: CheckId, status: CheckStatus, message: BilingualText) => void): void {
  const cms = p.cms;
  const range = s.structure.range;
  const sig = verifyCmsSignature(cms, {
    contentDigest: s.digest, contentDigestAlgorithm: cms.digestAlgorithm,
    signedContent: range ? () => signedBytes(s.doc.source, range) : undefined,
  });
  const cert = sig.signerCertificate;
  const parsedCert = cert ? tryParseCertificate(cert) : undefined;
  if (parsedCert) report.signer = signerSummary(parsedCert);

  // The timestamp first: when valid, its time is the signing time every other check is judged at.
  let at = report.claimedTime ? new Date(report.claimedTime) : s.now;
  let tsaCertificate: Uint8Array | undefined;
  let tsaCertificates: Uint8Array[] = [];
  if (!cms.timestampToken) {
    add('timestamp', 'not_checked', { zh: '没有时间戳，签章时间为签章人声明的时间', en: 'No timestamp: the signing time is the one the signer claims' });
  } else {
    try {
      const ts = verifyTimestampToken(cms.timestampToken, cms.signatureValue, { trustRoots: s.options.trustRoots });
      if (!ts.imprintMatches || !ts.signatureValid || !ts.genTime) {
        add('timestamp', 'failed', { zh: '时间戳无效（与签名不符或时间戳签名无效）', en: 'The timestamp is invalid (it does not match the signature, or its own signature fails)' });
      } else {
        at = ts.genTime;
        tsaCertificate = ts.tsaCertificate;
        tsaCertificates = ts.chain.chain ?? [];
        report.timestampTime = ts.genTime.toISOString();
        report.signingTime = report.timestampTime;
        report.timeSource = 'timestamp';
        const when = ts.genTime.toISOString();
        if (ts.chain.status === 'trusted' && ts.timestampingUsage) add('timestamp', 'ok', { zh: `可信时间戳：${when}`, en: `Trusted timestamp: ${when}` });
        else if (ts.chain.status === 'invalid' || !ts.timestampingUsage) add('timestamp', 'failed', { zh: `时间戳服务证书无效：${ts.problems.join('; ')}`, en: `The timestamp authority certificate is invalid: ${ts.problems.join('; ')}` });
        else add('timestamp', 'warning', { zh: `时间戳 ${when} 来自不受信任的时间戳服务`, en: `Timestamp ${when} comes from an untrusted timestamp authority` });
      }
    } catch (e) {
      const err = isSealDeskError(e) ? e : undefined;
      add('timestamp', 'failed', { zh: err?.zh ?? '时间戳无法解析', en: err?.en ?? 'The timestamp cannot be parsed' });
    }
  }

  const judged = { sig, subFilter: s.field.value!.subFilter, digestComputed: !!s.digest, rangeUsable: !!range, digestOid: cms.digestAlgorithmOid, at: report.timeSource === 'timestamp' ? at : s.now };
  const digestCheck = judgeCmsDigest(judged);
  add('digest', digestCheck.status, digestCheck.message);
  const signatureCheck = judgeCmsSignature(judged);
  add('signature', signatureCheck.status, signatureCheck.message);

  if (!cert) add('signer_chain', 'not_checked', { zh: '没有签章人证书', en: 'No signer certificate' });
  else {
    const chain = checkChain(cert, { intermediates: cms.certificates, roots: s.options.trustRoots, at });
    if (chain.status === 'trusted') add('signer_chain', 'ok', { zh: '签章人证书链接到受信任的根证书', en: 'The signer certificate chains to a trusted root' });
    else if (chain.status === 'untrusted') add('signer_chain', 'warning', { zh: `签章人身份未知：${chain.details.map((d) => d.zh).join('；')}`, en: `Unknown signer: ${chain.details.map((d) => d.en).join('; ')}` });
    else add('signer_chain', 'failed', { zh: `签章人证书无效：${chain.details.map((d) => d.zh).join('；')}`, en: `The signer certificate is invalid: ${chain.details.map((d) => d.en).join('; ')}` });
  }

  if (p.sealError) {
    add('seal', 'failed', { zh: p.sealError.zh, en: p.sealError.en });
    add('seal_signer', 'not_checked', { zh: '印章无法解析', en: 'The seal cannot be parsed' });
    add('impression', 'not_checked', { zh: '印章无法解析', en: 'The seal cannot be parsed' });
  } else if (!p.seal) {
    const msg = { zh: '签名中没有电子印章（普通电子签名）', en: 'The signature carries no electronic seal (a plain signature)' };
    add('seal', 'warning', msg);
    add('seal_signer', 'not_checked', msg);
    add('impression', 'not_checked', msg);
  } else {
    const seal = p.seal;
    const prop = seal.eSealInfo.property;
    report.seal = { esID: seal.eSealInfo.esID, name: prop.name, type: prop.type, validStart: prop.validStart.toISOString(), validEnd: prop.validEnd.toISOString() } satisfies SealSummary;
    const sv = verifySeal(seal, { trustRoots: s.options.trustRoots, intermediates: cms.certificates, at });
    const notOk = sv.checks.filter((c) => c.status !== 'ok');
    const detail = (k: 'zh' | 'en'): string => notOk.map((c) => c[k]).join(k === 'zh' ? '；' : '; ');
    if (sv.verdict === 'valid') add('seal', 'ok', { zh: '电子印章有效（制章者签名、制章者证书、有效期）', en: "The seal is valid (maker's signature, maker's certificate, validity period)" });
    else if (sv.verdict === 'warning') add('seal', 'warning', { zh: `电子印章：${detail('zh')}`, en: `Seal: ${detail('en')}` });
    else add('seal', 'failed', { zh: `电子印章无效：${detail('zh')}`, en: `The seal is invalid: ${detail('en')}` });
    if (!cert) add('seal_signer', 'not_checked', { zh: '没有签章人证书', en: 'No signer certificate' });
    else if (sealListsCertificate(seal, cert)) add('seal_signer', 'ok', { zh: '签章人证书列在印章中', en: 'The signer certificate is listed in the seal' });
    else add('seal_signer', 'failed', { zh: '签章人证书不在印章的证书列表中（印章被他人使用）', en: "The signer certificate is not listed in the seal (someone else used the seal)" });
    try {
      const imp = checkFieldImpressions(s.doc, s.field, seal.eSealInfo.picture);
      add('impression', imp.status, imp.message);
    } catch (e) {
      const err = isSealDeskError(e) ? e : undefined;
      add('impression', 'failed', { zh: `印模无法读取：${err?.zh ?? '格式错误'}`, en: `The impression cannot be read: ${err?.en ?? 'malformed'}` });
    }
  }

  const rev = judgeStampRevocation({
    signer: cert, maker: p.seal?.cert, makerAt: p.seal?.eSealInfo.property.createDate, tsa: tsaCertificate, tsaAt: report.timestampTime ? at : undefined,
    intermediates: [...cms.certificates, ...tsaCertificates, ...s.revocation.certificates], roots: s.options.trustRoots,
    at, timeTrusted: report.timeSource === 'timestamp', pool: s.revocation, config: s.options.revocationConfig,
  });
  add('revocation', rev.status, rev.message);
  report.revocation = rev.summary;
}

function verdictOf(checks: Check[]): Verdict {
  if (checks.some((c) => c.status === 'failed')) return 'invalid';
  if (checks.some((c) => c.status === 'warning')) return 'warning';
  return 'valid';
}




/**
 * Verifies one GM (国密) signature of a PDF and reports it in the shape and with the check ids of
 * the PAdES engine (src/core/verify/verify-pdf.ts), which hands GM signatures here (isGmSignature).
 *
 * Two kinds of /Contents are read:
 * - a GB/T 38540 SES_Signature (v4/v5; GM/T 0031-2014 v1 too), SealDesk's own GM stamps included;
 * - a GM/T 0010 SignedData (SM2 CMS under GM OIDs), as vendors write under adbe.pkcs7.detached.
 *
 * SES_Signature checks follow the GB/T 38540 order (domain.md, gm-formats.md §2.2) and are listed in
 * it: format → signature over TBS_Sign → signer listed in the seal → seal (maker signature, maker
 * chain, validity window contains the signing time) → signer certificate (chain, key usage, validity
 * at the signing time) → timestamp → dataHash against SM3 of the ByteRange. The ByteRange structure
 * comes first and the impression and later-revision checks last, as for PAdES. Every check runs and
 * is reported (a viewer shows all reasons at once); a failed one makes the signature invalid.
 * The timestamp, when valid, gives the signing time the seal and certificate checks use, so it is
 * evaluated before them although it is listed where the standard puts it.
 */
import type {
  BilingualText, Check, CheckId, CheckStatus, Modification, SignatureReport,
} from '../../api/verification-report';
import {
  OID_SHA1_WITH_RSA, OID_SHA256_WITH_RSA, OID_SM2_SIGN, OID_SM2_WITH_SM3,
} from '../asn1/oids';
import { decodeSeal, type SESeal } from '../asn1/ses-seal';
import type { EncodingDeviation } from '../asn1/der';
import { decodeSesSignature, type SESSignature } from '../asn1/ses-signature';
import { bytesEqual, derValueLength } from '../cms/der';
import { verifyCmsSignature } from '../cms/verify-cms';
import { tryParseCertificate } from '../crypto/certificate';
import { SealDeskError, isSealDeskError } from '../errors';
import type { PdfDocument } from '../pdf/document';
import type { SignatureField } from '../pdf/signature-fields';
import { sealListsCertificate, verifySeal } from '../seal/verify-seal';
import { checkByteRange, digestRanges, type ByteRangeOutcome } from '../verify/byte-range';
import { checkFieldImpressions } from '../verify/field-impressions';
import { analyseRevisions } from '../verify/revision-changes';
import { signerSummary } from '../verify/report-summary';
import { checkSesSignature, judgeSignerCertificate, judgeTimestampToken } from '../ses/ses-checks';
import { cmsAlgorithms, deviationTexts, setStampFacts, stampVerdict, timeBasis } from '../ses/stamp-facts';
import { readSignatureValue } from '../asn1/signature-value';
// verify-pdf.ts calls this module for GM signatures; only functions are used both ways, at call time.
import { parsePdfDate } from '../pdf/pdf-date';
import { invalidSignatureReport } from '../verify/invalid-signature-report';
import { judgeLaterChanges } from '../verify/later-changes';
import { parseGmSignedData, type GmSignedData } from './gm-signed-data';
import { byteRangeFromPropertyInfo, sniffGmContents } from './pdf-profile';
import type { RevocationEvidence } from '../revocation/evidence';
import { judgeStampRevocation } from '../revocation/stamp-revocation';

export interface GmVerifyContext {
  /** DER root certificates the recipient trusts. */
  trustRoots: Uint8Array[];
  /** Time of verification. */
  now: Date;
  /** The engine's ByteRange outcome for this signature (computed here when absent). */
  structure?: ByteRangeOutcome;
  /** The engine's analysis of later revisions (computed here when absent). */
  changesByRevision?: Modification[][];
  /** Revocation data: the file's /DSS and whatever was fetched (issue 15). */
  revocation?: RevocationEvidence;
}

type Add = (id: CheckId, status: CheckStatus, message: BilingualText) => void;

const SM2_SIGNATURE_OIDS = new Set([OID_SM2_WITH_SM3, OID_SM2_SIGN]);

/**
 * The seal a GM signature carries (SES_Signature's eseal, or the SESeal attribute of a GM/T 0010
 * SignedData), for the engine's copied-seal scan; undefined when there is none or it cannot be read.
 */
export function sealOfGmSignature(contents: Uint8Array): SESeal | undefined {
  try {
    if (sniffGmContents(contents) === 'gm-signed-data') {
      const der = parseGmSignedData(contents).sealDer;
      return der ? decodeSeal(der) : undefined;
    }
    return decodeSesSignature(trimmedContents(contents)).toSign.eseal;
  } catch {
    return undefined;
  }
}

export function verifyGmSignature(doc: PdfDocument, field: SignatureField, ctx: GmVerifyContext): SignatureReport {
  const v = field.value;
  if (!v) throw new SealDeskError('SIGNATURE_FIELD_EMPTY', `签名域“${field.name}”尚未签章`, `Signature field "${field.name}" is not signed`);
  const structure = ctx.structure ?? checkByteRange(doc, v);
  const checks: Check[] = [];
  const add: Add = (id, status, message) => { checks.push({ id, status, message }); };
  const report = invalidSignatureReport(field, { revision: structure.revision, coversWholeFile: structure.coversWholeFile, subFilter: v.subFilter, checks });
  add('byte_range', structure.status, structure.message);

  const kind = sniffGmContents(v.contents);
  const g: GmInput = { doc, field, ctx, structure, report, add };
  if (kind === 'gm-signed-data') verifySignedData(g);
  else verifySes(g);

  gmRevocation(g, kind === 'gm-signed-data');
  laterChanges(g);
  report.verdict = stampVerdict(report);
  return report;
}

interface GmInput {
  doc: PdfDocument;
  field: SignatureField;
  ctx: GmVerifyContext;
  structure: ByteRangeOutcome;
  report: SignatureReport;
  add: Add;
}

const UNREADABLE: BilingualText = { zh: '签章数据无法解析', en: 'The signature data cannot be parsed' };

/** The DER value at the start of /Contents; only zero padding may follow it. */
function trimmedContents(contents: Uint8Array): Uint8Array {
  let end: number;
  try {
    end = derValueLength(contents);
  } catch (e) {
    throw sesMalformed('not DER', e);
  }
  for (let i = end; i < contents.length; i++) if (contents[i] !== 0) throw sesMalformed('bytes after the signature');
  return contents.subarray(0, end);
}

function sesMalformed(detail: string, cause?: unknown): SealDeskError {
  return new SealDeskError('SIGNATURE_MALFORMED', '电子签章数据格式错误', `Malformed electronic signature data: ${detail}`, { cause, details: { detail } });
}

// ---- SES_Signature ---------------------------------------------------------------------------

function verifySes(g: GmInput): void {
  const { add, report } = g;
  let ses: SESSignature;
  try {
    ses = decodeSesSignature(trimmedContents(g.field.value!.contents));
  } catch (e) {
    // a. format: nothing else can be judged.
    const err = isSealDeskError(e) ? e : sesMalformed('decode error', e);
    add('signature', 'failed', { zh: `电子签章格式错误：${err.zh}`, en: `The electronic signature is malformed: ${err.en}` });
    for (const id of ['seal_signer', 'seal', 'signer_chain', 'timestamp', 'digest', 'impression'] as const) add(id, 'not_checked', UNREADABLE);
    return;
  }
  // b.–f. are the container-independent checks the OFD verifier uses too (signature, seal holder,
  // seal, signer certificate, timestamp, in the GB/T 38540 order). A PDF's original is two ranges
  // of the file, so the data hash is judged below (hashed in place, the range in propertyInfo compared).
  const outcome = checkSesSignature(ses, null, { trustRoots: g.ctx.trustRoots, now: g.ctx.now });
  report.checks.push(...outcome.checks);
  report.signer = outcome.signer;
  report.seal = outcome.seal;
  if (outcome.claimedTime) report.claimedTime = outcome.claimedTime.toISOString();
  if (outcome.timestampTime) report.timestampTime = outcome.timestampTime.toISOString();
  report.signingTime = report.timestampTime ?? report.claimedTime;
  report.timeSource = outcome.timestampTime ? 'timestamp' : outcome.claimedTime ? 'claimed' : null;
  setStampFacts(report, outcome.facts);

  // g. dataHash against the ByteRange bytes, and the range the signer named.
  const range = g.structure.range;
  if (!range) {
    add('digest', 'not_checked', { zh: '签名范围无效，未计算原文杂凑', en: 'The signed range is invalid: no data hash computed' });
  } else {
    const named = byteRangeFromPropertyInfo(ses.toSign.propertyInfo);
    const algorithm = dataHashAlgorithm(ses.signatureAlgID, ses.toSign.dataHash.length);
    const actual = digestRanges(g.doc.source, [{ range, algorithm }])[0]!;
    report.algorithms?.digests?.push({ name: { zh: '签名范围的杂凑值（重新计算）', en: 'digest of the signed byte range (recomputed)' }, algorithm: algorithm.toUpperCase(), hex: Buffer.from(actual).toString('hex') });
    if (named && named.some((n, i) => n !== range[i])) {
      add('digest', 'failed', { zh: `签章保护的范围（${ses.toSign.propertyInfo}）不是本签名的 /ByteRange`, en: `The range the stamp protects (${ses.toSign.propertyInfo}) is not this signature's /ByteRange` });
    } else if (bytesEqual(actual, ses.toSign.dataHash)) {
      add('digest', 'ok', named
        ? { zh: `原文杂凑值（${algorithm.toUpperCase()}）与签名范围内的内容一致`, en: `The data hash (${algorithm.toUpperCase()}) matches the signed bytes` }
        : { zh: `原文杂凑值与签名范围一致（原文属性“${ses.toSign.propertyInfo.slice(0, 80)}”）`, en: `The data hash matches the signed bytes (propertyInfo "${ses.toSign.propertyInfo.slice(0, 80)}")` });
    } else {
      add('digest', 'failed', { zh: '原文杂凑值与文档内容不一致（内容被篡改，或签章来自其他文档）', en: 'The data hash does not match the document (content tampered, or a stamp taken from another document)' });
    }
  }
  judgeImpression(g, ses.toSign.eseal);
}

/** dataHash is SM3 for SM2 stamps; RSA stamps of GM/T 0031 vendors use the signature's hash. */
function dataHashAlgorithm(signatureAlgID: string, length: number): 'sm3' | 'sha256' | 'sha1' {
  if (SM2_SIGNATURE_OIDS.has(signatureAlgID)) return 'sm3';
  if (signatureAlgID === OID_SHA1_WITH_RSA || length === 20) return 'sha1';
  if (signatureAlgID === OID_SHA256_WITH_RSA) return 'sha256';
  return 'sm3';
}

// ---- GM/T 0010 SignedData ----------------------------------------------------------------------

function verifySignedData(g: GmInput): void {
  const { add, report } = g;
  let cms: GmSignedData;
  try {
    cms = parseGmSignedData(g.field.value!.contents);
  } catch (e) {
    const err = isSealDeskError(e) ? e : sesMalformed('decode error', e);
    add('signature', 'failed', { zh: `GM/T 0010 签名数据格式错误：${err.zh}`, en: `The GM/T 0010 signature is malformed: ${err.en}` });
    for (const id of ['seal_signer', 'seal', 'signer_chain', 'timestamp', 'digest', 'impression'] as const) add(id, 'not_checked', UNREADABLE);
    return;
  }
  const certDer = cms.signerCertificate;
  const cert = certDer ? tryParseCertificate(certDer) : undefined;
  if (cert) report.signer = signerSummary(cert);
  const claimed = cms.signingTimeAttribute ?? parsePdfDate(g.field.value!.signingTime);
  if (claimed) {
    report.claimedTime = claimed.toISOString();
    report.signingTime = report.claimedTime;
    report.timeSource = 'claimed';
  }
  const range = g.structure.range;
  const digest = range ? digestRanges(g.doc.source, [{ range, algorithm: 'sm3' }])[0] : undefined;
  // Vendors store the SM2 value as raw r‖s too; the verifier takes DER (asn1/signature-value.ts).
  const value = readSignatureValue(cms.signatureValue, cms.signatureAlgorithm.algorithmId, 'SignerInfo.encryptedDigest');
  const sig = verifyCmsSignature(value.ok ? { ...cms, signatureValue: value.der } : cms, { contentDigest: digest, contentDigestAlgorithm: 'sm3' });

  if (!cert) add('signature', 'failed', { zh: '签名中没有签章者证书', en: 'The signer certificate is not in the signature' });
  else {
    const own = sig.problems.filter((p) => !/message-digest differs|content digest unknown/.test(p));
    if (sig.signatureValid && sig.signingCertificateMatches !== false && own.length === 0) add('signature', 'ok', { zh: '签章者的 SM2 签名（GM/T 0010）有效', en: "The signer's SM2 signature (GM/T 0010) is valid" });
    else add('signature', 'failed', { zh: '签章者的签名无效', en: `The signer's signature is invalid (${own.join('; ')})` });
  }

  let seal: SESeal | undefined;
  let sealError: SealDeskError | undefined;
  if (cms.sealDer) {
    try { seal = decodeSeal(cms.sealDer); } catch (e) { sealError = isSealDeskError(e) ? e : sesMalformed('seal', e); }
  }
  if (seal) {
    report.seal = {
      esID: seal.eSealInfo.esID, name: seal.eSealInfo.property.name, type: seal.eSealInfo.property.type,
      validStart: seal.eSealInfo.property.validStart.toISOString(), validEnd: seal.eSealInfo.property.validEnd.toISOString(),
    };
    judgeSealSigner(g, seal, certDer);
  } else {
    const msg = sealError ? { zh: sealError.zh, en: sealError.en } : { zh: '签名中没有电子印章（普通电子签名）', en: 'The signature carries no electronic seal (a plain signature)' };
    add('seal_signer', 'not_checked', msg);
  }
  // The timestamp's time, when valid, is the signing time the seal and certificate are judged at.
  const options = { trustRoots: g.ctx.trustRoots, now: g.ctx.now };
  const ts = judgeTimestampToken(cms.timestampToken, cms.signatureValue, options);
  if (ts.time) {
    report.timestampTime = ts.time.toISOString();
    report.signingTime = report.timestampTime;
    report.timeSource = 'timestamp';
  }
  const at = ts.time ?? claimed ?? g.ctx.now;
  const trustedTime = ts.time && ts.check.status === 'ok' ? ts.time : undefined;
  const sealDeviations = seal ? judgeSeal(g, seal, cms.certificates, at, trustedTime) : [];
  setStampFacts(report, {
    algorithms: cmsAlgorithms(cms, seal, digest),
    format: { name: 'GM/T 0010 SignedData' },
    sealVersion: seal?.version,
    encodingDeviations: deviationTexts([...cms.deviations, ...(value.ok && value.deviation ? [value.deviation] : []), ...sealDeviations]),
    timeBasis: timeBasis({ timestamp: ts.time ? { at: ts.time, trusted: trustedTime !== undefined } : undefined, claimed, sealCreated: seal?.eSealInfo.property.createDate, now: g.ctx.now }),
  });
  if (!seal) add('seal', sealError ? 'failed' : 'warning', sealError ? { zh: sealError.zh, en: sealError.en } : { zh: '签名中没有电子印章（普通电子签名）', en: 'The signature carries no electronic seal (a plain signature)' });
  add('signer_chain', ...judgeSignerCertificate(cert, cms.certificates, options, at));
  report.checks.push(ts.check);

  if (!digest) add('digest', 'not_checked', { zh: '签名范围无效，未计算摘要', en: 'The signed range is invalid: no digest computed' });
  else if (sig.digestMatches) add('digest', 'ok', { zh: '签名范围内的内容未被篡改（SM3）', en: 'The signed bytes are unchanged (SM3)' });
  else add('digest', 'failed', { zh: '文档内容与签名时不一致（内容被篡改，或签名来自其他文档）', en: 'The signed bytes do not match the signature (content tampered, or a signature taken from another document)' });
  if (seal) judgeImpression(g, seal);
  else g.add('impression', 'not_checked', { zh: '签名中没有印章，无法核对印模', en: 'No seal in the signature: the impression cannot be checked' });
}

// ---- the checks both kinds share -----------------------------------------------------------------

function judgeSealSigner(g: GmInput, seal: SESeal, certDer: Uint8Array | undefined): void {
  if (!certDer) g.add('seal_signer', 'not_checked', { zh: '没有签章者证书', en: 'No signer certificate' });
  else if (sealListsCertificate(seal, certDer)) g.add('seal_signer', 'ok', { zh: '签章者证书与电子印章匹配（列在印章的证书列表中）', en: "The signer's certificate matches the seal (it is in the seal's certificate list)" });
  else g.add('seal_signer', 'failed', { zh: '签章者证书不在印章的证书列表中（印章被他人使用）', en: "The signer's certificate is not listed in the seal (someone else used the seal)" });
}

function judgeSeal(g: GmInput, seal: SESeal, intermediates: Uint8Array[], at: Date, trustedTime?: Date): EncodingDeviation[] {
  const sv = verifySeal(seal, { trustRoots: g.ctx.trustRoots, intermediates, at, trustedTime });
  const notOk = sv.checks.filter((c) => c.status !== 'ok');
  const detail = (k: 'zh' | 'en'): string => notOk.map((c) => c[k]).join(k === 'zh' ? '；' : '; ');
  if (sv.verdict === 'valid') g.add('seal', 'ok', { zh: '电子印章有效（制章者签名、制章者证书、签章时在印章有效期内）', en: "The seal is valid (maker's signature, maker's certificate, within its validity at the signing time)" });
  else if (sv.verdict === 'warning') g.add('seal', 'warning', { zh: `电子印章：${detail('zh')}`, en: `Seal: ${detail('en')}` });
  else g.add('seal', 'failed', { zh: `电子印章无效：${detail('zh')}`, en: `The seal is invalid: ${detail('en')}` });
  return sv.deviations;
}

function judgeImpression(g: GmInput, seal: SESeal): void {
  try {
    const imp = checkFieldImpressions(g.doc, g.field, seal.eSealInfo.picture);
    g.add('impression', imp.status, imp.message);
  } catch (e) {
    const err = isSealDeskError(e) ? e : undefined;
    g.add('impression', 'failed', { zh: `印模无法读取：${err?.zh ?? '格式错误'}`, en: `The impression cannot be read: ${err?.en ?? 'malformed'}` });
  }
}

/**
 * The signer's and the seal maker's certificates' status at the signing time, from the same pool as
 * PAdES stamps (revocation/stamp-revocation.ts): a GM stamp is never silent about revocation.
 */
function gmRevocation(g: GmInput, signedData: boolean): void {
  let signer: Uint8Array | undefined;
  let seal: SESeal | undefined;
  let intermediates: Uint8Array[] = [];
  try {
    if (signedData) {
      const cms = parseGmSignedData(g.field.value!.contents);
      signer = cms.signerCertificate;
      intermediates = cms.certificates;
      seal = cms.sealDer ? decodeSeal(cms.sealDer) : undefined;
    } else {
      const ses = decodeSesSignature(trimmedContents(g.field.value!.contents));
      signer = ses.cert;
      seal = ses.toSign.eseal;
    }
  } catch {
    g.add('revocation', 'not_checked', UNREADABLE);
    return;
  }
  const pool = g.ctx.revocation ?? { ocsps: [], crls: [], certificates: [], failures: new Map(), online: false };
  const at = g.report.signingTime ? new Date(g.report.signingTime) : g.ctx.now;
  const rev = judgeStampRevocation({
    signer, maker: seal?.cert, makerAt: seal?.eSealInfo.property.createDate, intermediates: [...intermediates, ...pool.certificates],
    roots: g.ctx.trustRoots, at, timeTrusted: g.report.timeSource === 'timestamp', pool,
  });
  g.add('revocation', rev.status, rev.message);
  g.report.revocation = rev.summary;
}

/**
 * What revisions after this signature changed (later stamps are allowed, anything else is not), and
 * whether the signature is still part of the document's form (a stamp unhooked by a later revision
 * is a hide attack).
 */
function laterChanges(g: GmInput): void {
  let changes: Modification[][];
  try {
    changes = g.ctx.changesByRevision ?? analyseRevisions(g.doc);
  } catch {
    changes = [];
  }
  const later = judgeLaterChanges(g.doc, g.field, g.structure.revision, changes);
  g.report.modifications = later.modifications;
  g.report.modificationLevel = later.level;
  g.add('modifications', later.status, later.message);
}

/**
 * `sealdesk verify FILE.ofd`: verifies every stamp of an OFD package (GB/T 33190 §18, GB/T 38540)
 * and returns the same VerificationReport as for PDFs, so the CLI and the viewer show both alike.
 *
 * Per Signature of each DocBody's Signatures.xml (oldest first, as listed):
 *   byte_range    the protected scope: TBS_Sign.propertyInfo names this Signature.xml, and
 *                 Signature.xml itself is readable and names its SignedValue.dat;
 *   digest        TBS_Sign.dataHash = SM3 of the stored bytes of Signature.xml (which holds the
 *                 References, so every referenced file is protected through it);
 *   signature, signer_chain, seal, seal_signer, timestamp — the SES_Signature checks (ses-checks.ts);
 *   impression    OFD readers draw the stamp from the signed seal's picture at the StampAnnot's
 *                 Boundary; a Seal.esl beside the signature must be that very seal;
 *   modifications every Reference's CheckValue = base64(digest of the stored file), i.e. no
 *                 protected file changed after stamping.
 * `page` is the StampAnnot's PageRef resolved through Document.xml, `rect` its Boundary turned into
 * [x1, y1, x2, y2] — in millimetres, OFD page space with the origin at the top left (not PDF points).
 *
 * A package that cannot be read safely is refused with OFD_MALFORMED / OFD_UNSAFE (zip-archive.ts,
 * xml.ts, ofd-structure.ts); damage inside one signature's own files is a failed check of that
 * signature instead, so every altered byte of Signature.xml or of a referenced file reads "invalid".
 */
import { summaryOf } from '../verify/report-summary';
import crypto from 'node:crypto';
import type {
  BilingualText, Check, CheckId, CheckStatus, FileWarning, Modification, Rect, SignatureReport, Verdict, VerificationReport,
} from '../../api/verification-report';
import { bytesEqual } from '../asn1/der';
import { decodeSesSignature } from '../asn1/ses-signature';
import { digest, digestAlgorithmByName, type DigestAlgorithm } from '../crypto/digest';
import { SealDeskError, isSealDeskError } from '../errors';
import { ofdMalformed, shown } from './ofd-errors';
import { dirOf, locate, resolveLoc, type Located } from './ofd-locations';
import {
  readDocBodies, readPageNumbers, readSignatureList, readSignatureXml,
  type DocBody, type SignatureListing, type SignatureXml, type StampAnnot,
} from './ofd-structure';
import { checkSesSignature } from '../ses/ses-checks';
import { setStampFacts, stampVerdict } from '../ses/stamp-facts';
import { verifyIntegrityProtection } from './integrity';
import { verifySignType } from './sign-type';
import { DEFAULT_ZIP_LIMITS, ZipArchive, type ZipLimits } from './zip-archive';

export interface VerifyOfdOptions {
  /** DER root certificates the recipient trusts (the trust store). */
  trustRoots: Uint8Array[];
  /** The time of verification (default: now). */
  now?: Date;
  /** Shown in the report. */
  fileName?: string;
  zipLimits?: ZipLimits;
}

/** The PDF engine's order (verify-pdf.ts), so both kinds of report read the same. */
const CHECK_ORDER: CheckId[] = ['byte_range', 'digest', 'signature', 'signer_chain', 'seal', 'seal_signer', 'impression', 'timestamp', 'modifications'];

export function verifyOfd(bytes: Uint8Array, options: VerifyOfdOptions): VerificationReport {
  const now = options.now ?? new Date();
  const zip = ZipArchive.open(bytes, options.zipLimits ?? DEFAULT_ZIP_LIMITS);
  const bodies = readDocBodies(zip);
  const ctx: Context = { zip, options, now, digests: new Map(), protectedEntries: new Set(), signatureEntries: new Set() };

  const verified: Array<{ report: SignatureReport; protects: Set<string> }> = [];
  // A stamp whose own files are missing is invalid with that reason; the other stamps are still
  // verified. Only when no stamp at all can be read is the package refused (as before).
  const broken: SealDeskError[] = [];
  for (const body of bodies) {
    if (!body.signaturesEntry) continue;
    ctx.signatureEntries.add(body.signaturesEntry);
    const listing = readSignatureList(zip, body.signaturesEntry);
    const pages = readPageNumbers(zip, body.documentEntry);
    for (const sig of listing) {
      try {
        if (sig.error) throw sig.error;
        verified.push(verifyListedSignature(ctx, body, sig, pages, bodies.length > 1));
      } catch (e) {
        if (!isSealDeskError(e) || e.code !== 'OFD_MALFORMED') throw e;
        broken.push(e);
        verified.push({ report: brokenStamp(body, sig, e, bodies.length > 1), protects: new Set() });
      }
    }
  }
  if (broken.length > 0 && broken.length === verified.length) throw broken[0]!;
  // GM/T 0099 integrity protection (OFDEntries.xml): a signature over the package's file list.
  const integrity = verifyIntegrityProtection(zip, { trustRoots: options.trustRoots, now });
  if (integrity) {
    for (const e of integrity.entries) ctx.signatureEntries.add(e);
    verified.push({ report: integrity.report, protects: integrity.protects });
    for (const e of integrity.protects) ctx.protectedEntries.add(e);
  }
  // Known only once every stamp is read: the files of later stamps are not changes to this one.
  for (const v of verified) v.report.coversWholeFile = zip.names.every((n) => v.protects.has(n) || ctx.signatureEntries.has(n));
  const reports = verified.map((v) => v.report);

  const warnings: FileWarning[] = [];
  if (reports.length === 0) warnings.push({ id: 'no_signatures', message: { zh: '文件中没有电子签章', en: 'The file carries no electronic stamp' } });
  const unprotected = zip.names.filter((n) => !ctx.protectedEntries.has(n) && !ctx.signatureEntries.has(n));
  // Signatures.xml is not protected (later stamps must be able to add to it), so a stamp can be taken
  // off the list; its files stay behind and are named here.
  const unlisted = unprotected.filter((n) => /(^|\/)(Signature\.xml|SignedValue\.dat)$/.test(n));
  if (unlisted.length > 0) {
    const list = unlisted.slice(0, 5).map(shown).join(', ');
    warnings.push({ id: 'other', message: { zh: `文件中有未列入签名列表的签章文件（签章可能被从列表中移除）：${list}`, en: `Stamp files that no signature list names (a stamp taken off the list?): ${list}` } });
  }
  if (reports.length > 0 && unprotected.length > 0) {
    const list = unprotected.slice(0, 5).map(shown).join(', ') + (unprotected.length > 5 ? ` …(+${unprotected.length - 5})` : '');
    warnings.push({ id: 'unsigned_changes', message: { zh: `${unprotected.length} 个文件不受任何签章保护：${list}`, en: `${unprotected.length} file(s) are not protected by any stamp: ${list}` } });
  }
  const verdict: Verdict = reports.some((r) => r.verdict === 'invalid') ? 'invalid'
    : reports.some((r) => r.verdict === 'warning') || warnings.length > 0 ? 'warning' : 'valid';
  return {
    verdict,
    verifiedAt: now.toISOString(),
    file: { name: options.fileName, size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex'), revisions: 1 },
    signatures: reports,
    warnings,
    summary: summaryOf(verdict, reports),
  };
}

interface Context {
  zip: ZipArchive;
  options: VerifyOfdOptions;
  now: Date;
  /** "alg:entry" → digest: each file is hashed once however many stamps reference it. */
  digests: Map<string, Uint8Array>;
  /** Entries some stamp's References protect. */
  protectedEntries: Set<string>;
  /** Signatures.xml and each stamp's own files (Signature.xml, SignedValue.dat, Seal.esl). */
  signatureEntries: Set<string>;
}

type Add = (id: CheckId, status: CheckStatus, message: BilingualText) => void;

/** A listed stamp whose own files cannot be read: invalid, with the reason, beside the others. */
function brokenStamp(body: DocBody, sig: SignatureListing, error: SealDeskError, multiDoc: boolean): SignatureReport {
  const reason = { zh: `签章无法读取：${error.zh}`, en: `The stamp cannot be read: ${error.en}` };
  return {
    field: multiDoc ? `Doc ${body.index + 1} / ${sig.id}` : sig.id,
    page: null, rect: null, revision: null, coversWholeFile: false,
    subFilter: `OFD ${sig.type}`,
    signer: null, seal: null, signingTime: null, timeSource: null, claimedTime: null, timestampTime: null,
    verdict: 'invalid',
    checks: CHECK_ORDER.map((id) => (id === 'signature'
      ? { id, status: 'failed' as const, message: reason }
      : { id, status: 'not_checked' as const, message: { zh: '未检查：签章无法读取', en: 'Not checked: the stamp cannot be read' } })),
    modifications: [],
    format: { name: `OFD ${sig.type}`, ...(sig.type === 'Seal' || sig.type === 'Sign' ? { ofdSignType: sig.type } : {}) },
  };
}

function verifyListedSignature(ctx: Context, body: DocBody, sig: SignatureListing, pages: Map<string, number>, multiDoc: boolean): { report: SignatureReport; protects: Set<string> } {
  const { zip } = ctx;
  const checks: Check[] = [];
  const add: Add = (id, status, message) => { checks.push({ id, status, message }); };
  const report: SignatureReport = {
    field: multiDoc ? `Doc ${body.index + 1} / ${sig.id}` : sig.id,
    page: null, rect: null, revision: null, coversWholeFile: false,
    subFilter: `OFD ${sig.type}`,
    signer: null, seal: null, signingTime: null, timeSource: null, claimedTime: null, timestampTime: null,
    verdict: 'invalid', checks, modifications: [],
  };
  ctx.signatureEntries.add(sig.entry);
  const signatureXml = zip.read(sig.entry);
  const sigDir = dirOf(sig.entry);

  let xml: SignatureXml | undefined;
  let xmlError: SealDeskError | undefined;
  try {
    xml = readSignatureXml(signatureXml, sig.entry);
  } catch (e) {
    if (!isSealDeskError(e) || e.code !== 'OFD_MALFORMED') throw e;
    xmlError = e;
  }

  // SignedValue.dat: where Signature.xml says; when Signature.xml no longer says it (unreadable, or
  // its SignedValue names a missing file) the conventional sibling is used, to say exactly how the
  // stamp fails. With neither, a required part is missing and the package is refused.
  const has = (e: string): boolean => zip.has(e);
  const named = xml?.signedValueLoc ? locate(has, xml.signedValueLoc, sigDir) : undefined;
  let signedValueEntry = named?.entry;
  const scopeProblems: BilingualText[] = [];
  if (xmlError) scopeProblems.push({ zh: `签名描述文件 ${shown(sig.entry)} 无法读取：${xmlError.zh}`, en: `The signature file ${shown(sig.entry)} cannot be read: ${xmlError.en}` });
  else if (!xml?.signedValueLoc) scopeProblems.push({ zh: 'Signature.xml 没有指明签名值文件', en: 'Signature.xml names no SignedValue file' });
  else if (!signedValueEntry) scopeProblems.push(locationProblem(named!, '签名值文件', 'the signed value file'));
  if (!signedValueEntry) {
    const sibling = sigDir ? `${sigDir}/SignedValue.dat` : 'SignedValue.dat';
    if (!zip.has(sibling)) throw ofdMalformed(`签章 ${shown(sig.id)} 缺少签名值 ${shown(named?.wanted ?? sibling)}`, `stamp ${shown(sig.id)} has no signed value ${shown(named?.wanted ?? sibling)}`);
    signedValueEntry = sibling;
  }
  ctx.signatureEntries.add(signedValueEntry);
  const signedValue = zip.read(signedValueEntry);

  if (xml) placeStamp(report, xml.stampAnnots, pages);
  const claimedFromXml = parseOfdDateTime(xml?.signatureDateTime);

  if (sig.type === 'Sign') {
    const outcome = verifySignType(signedValue, signatureXml, { trustRoots: ctx.options.trustRoots, now: ctx.now, claimedTime: claimedFromXml });
    outcome.checks.forEach((c) => add(c.id, c.status, c.message));
    report.signer = outcome.signer;
    setStampFacts(report, { ...outcome.facts, format: { name: outcome.facts.format?.name ?? 'OFD Sign', ofdSignType: 'Sign' } });
    setTimes(report, outcome.claimedTime, outcome.timestampTime);
    add('byte_range', ...scopeCheck(scopeProblems, sig.entry, undefined));
    add('impression', 'not_checked', { zh: '电子签名（Type=Sign）不带印章，没有印模可核对', en: 'A digital signature (Type=Sign) carries no seal: there is no impression to check' });
  } else if (sig.type !== 'Seal') {
    add('byte_range', ...scopeCheck(scopeProblems, sig.entry, undefined));
    add('signature', 'failed', { zh: `不支持的签名类型 ${shown(sig.type)}`, en: `Unsupported signature type ${shown(sig.type)}` });
  } else {
    verifySealType(ctx, report, add, { signedValue, signatureXml, xml, sigEntry: sig.entry, scopeProblems, claimedFromXml });
  }

  const protects = checkReferences(ctx, report, add, xml, sigDir, body);
  for (const id of CHECK_ORDER) {
    if (!checks.some((c) => c.id === id)) add(id, 'not_checked', { zh: '签章数据无法解析，未检查', en: 'Not checked: the stamp data cannot be read' });
  }
  checks.sort((a, b) => CHECK_ORDER.indexOf(a.id) - CHECK_ORDER.indexOf(b.id));
  report.verdict = stampVerdict(report);
  return { report, protects };
}

interface SealTypeInput {
  signedValue: Uint8Array;
  signatureXml: Uint8Array;
  xml: SignatureXml | undefined;
  sigEntry: string;
  scopeProblems: BilingualText[];
  claimedFromXml: Date | undefined;
}

/** Type="Seal": SignedValue.dat is a GB/T 38540 SES_Signature over Signature.xml. */
function verifySealType(ctx: Context, report: SignatureReport, add: Add, s: SealTypeInput): void {
  let ses;
  try {
    ses = decodeSesSignature(s.signedValue);
  } catch (e) {
    const err = isSealDeskError(e) ? e : undefined;
    add('byte_range', ...scopeCheck(s.scopeProblems, s.sigEntry, undefined));
    add('signature', 'failed', { zh: `电子签章数据（SignedValue.dat）格式错误：${err?.zh ?? '无法解析'}`, en: `The stamp data (SignedValue.dat) is malformed: ${err?.en ?? 'cannot be decoded'}` });
    setTimes(report, s.claimedFromXml, undefined);
    return;
  }
  report.subFilter = `OFD Seal (SES_Signature v${ses.version})`;
  add('byte_range', ...scopeCheck(s.scopeProblems, s.sigEntry, ses.toSign.propertyInfo));
  const outcome = checkSesSignature(ses, s.signatureXml, { trustRoots: ctx.options.trustRoots, now: ctx.now });
  outcome.checks.forEach((c) => add(c.id, c.status, c.message));
  report.signer = outcome.signer;
  report.seal = outcome.seal;
  setStampFacts(report, { ...outcome.facts, format: { name: outcome.facts.format!.name, ofdSignType: 'Seal' } });
  setTimes(report, outcome.claimedTime ?? s.claimedFromXml, outcome.timestampTime);

  // The impression: readers draw the signed seal's picture; a Seal.esl copy must be that seal.
  const pic = ses.toSign.eseal.eSealInfo.picture;
  const where = report.page !== null && report.rect
    ? { zh: `，位于第 ${report.page} 页 [${report.rect.join(', ')}] 毫米（OFD 页面坐标，原点在左上角）`, en: ` on page ${report.page} at [${report.rect.join(', ')}] mm (OFD page space, origin top left)` }
    : { zh: '', en: '' };
  const sealLoc = s.xml?.sealLoc;
  if (sealLoc) {
    const found = locate((e) => ctx.zip.has(e), sealLoc, dirOf(s.sigEntry));
    if (!found.entry) {
      add('impression', 'failed', locationProblem(found, '印章文件 Seal.esl', 'the seal file Seal.esl'));
      return;
    }
    ctx.signatureEntries.add(found.entry);
    let copy: Uint8Array | undefined;
    try { copy = ctx.zip.read(found.entry); } catch (e) { if (!isSealDeskError(e) || e.code !== 'OFD_MALFORMED') throw e; }
    if (!copy || !bytesEqual(copy, ses.toSign.eseal.der)) {
      add('impression', 'failed', { zh: `印章文件 ${shown(found.entry)} 与签章数据中的印章不一致`, en: `The seal file ${shown(found.entry)} is not the seal inside the stamp data` });
      return;
    }
    add('impression', 'ok', { zh: `印章文件 ${shown(found.entry)} 与签章中的印章一致；印模取自已签名的印章图像（${pic.type}，${pic.width}×${pic.height} 毫米）${where.zh}`, en: `The seal file ${shown(found.entry)} is the seal inside the stamp; the impression is the signed seal's picture (${pic.type}, ${pic.width}×${pic.height} mm)${where.en}` });
    return;
  }
  if (s.xml && s.xml.stampAnnots.length === 0) {
    add('impression', 'not_checked', { zh: '签章没有外观（无 StampAnnot）', en: 'The stamp has no appearance (no StampAnnot)' });
    return;
  }
  add('impression', 'ok', { zh: `印模取自已签名的印章图像（${pic.type}，${pic.width}×${pic.height} 毫米）${where.zh}`, en: `The impression is the signed seal's picture (${pic.type}, ${pic.width}×${pic.height} mm)${where.en}` });
}

/** The protected scope: readable Signature.xml naming its SignedValue, and propertyInfo naming this Signature.xml. */
function scopeCheck(problems: BilingualText[], sigEntry: string, propertyInfo: string | undefined): [CheckStatus, BilingualText] {
  const all = [...problems];
  if (all.length === 0 && propertyInfo !== undefined && propertyInfo.trim() === '') {
    // JHSEC's GM/T 0031-2014 stamps leave 原文属性 blank: the scope is then bound by dataHash alone.
    return ['warning', { zh: `签章未写明保护范围（原文属性为空）；由原文杂凑值与 /${shown(sigEntry)} 绑定`, en: `The stamp does not name what it protects (propertyInfo is blank); only its data hash binds it to /${shown(sigEntry)}` }];
  }
  if (propertyInfo !== undefined && resolveLoc(propertyInfo, '') !== sigEntry) {
    all.push({
      zh: `签章保护的是 ${shown(propertyInfo)}，不是本签名的 /${shown(sigEntry)}（签章可能是从别处复制的）`,
      en: `The stamp protects ${shown(propertyInfo)}, not this signature's /${shown(sigEntry)} (a stamp copied from elsewhere?)`,
    });
  }
  if (all.length > 0) return ['failed', { zh: all.map((p) => p.zh).join('；'), en: all.map((p) => p.en).join('; ') }];
  return ['ok', { zh: `签章保护范围为 /${shown(sigEntry)} 及其引用的文件`, en: `The stamp protects /${shown(sigEntry)} and the files it references` }];
}

function locationProblem(found: Located, zh: string, en: string): BilingualText {
  if (found.ambiguous) return { zh: `${zh} ${shown(found.wanted)} 的位置有歧义（${found.ambiguous.map(shown).join('、')}）`, en: `the location of ${en} ${shown(found.wanted)} is ambiguous (${found.ambiguous.map(shown).join(', ')})` };
  return { zh: `${zh} ${shown(found.wanted)} 不存在`, en: `${en} ${shown(found.wanted)} is missing` };
}

/** References: every protected file's digest equals its CheckValue. Returns the entries found. */
function checkReferences(ctx: Context, report: SignatureReport, add: Add, xml: SignatureXml | undefined, sigDir: string, body: DocBody): Set<string> {
  const protects = new Set<string>();
  if (!xml) {
    add('modifications', 'not_checked', { zh: 'Signature.xml 无法读取，未检查受保护文件', en: 'Signature.xml cannot be read: the protected files were not checked' });
    return protects;
  }
  if (xml.references.length === 0) {
    add('modifications', 'failed', { zh: '签章没有保护任何文件（References 为空）', en: 'The stamp protects no file (References is empty)' });
    return protects;
  }
  const algorithm = checkMethodAlgorithm(xml.checkMethod);
  if (!algorithm) {
    add('modifications', 'failed', { zh: `不支持的杂凑方法 ${shown(xml.checkMethod ?? '')}，无法核对受保护的文件`, en: `Unsupported CheckMethod ${shown(xml.checkMethod ?? '')}: the protected files cannot be checked` });
    return protects;
  }
  const docDir = body.documentEntry ? dirOf(body.documentEntry) : '';
  const bad: Modification[] = [];
  const problem = (object: string, zh: string, en: string): void => { bad.push({ revision: 0, kind: 'disallowed', object, description: { zh, en } }); };
  for (const ref of xml.references) {
    const found = locate((e) => ctx.zip.has(e), ref.fileRef, sigDir, docDir);
    if (!found.entry) {
      const p = locationProblem(found, '受保护的文件', 'the protected file');
      problem(found.wanted, p.zh, p.en);
      continue;
    }
    ctx.protectedEntries.add(found.entry);
    protects.add(found.entry);
    let actual: Uint8Array;
    try {
      actual = digestOf(ctx, found.entry, algorithm);
    } catch (e) {
      if (!isSealDeskError(e) || e.code !== 'OFD_MALFORMED') throw e;
      problem(found.entry, `/${shown(found.entry)} 无法读取（${e.zh}）`, `/${shown(found.entry)} cannot be read (${e.en})`);
      continue;
    }
    const expected = Buffer.from(ref.checkValue, 'base64');
    if (!Buffer.from(actual).equals(expected)) problem(found.entry, `/${shown(found.entry)} 在签章后被修改`, `/${shown(found.entry)} was changed after stamping`);
  }
  report.modifications = bad;
  const n = xml.references.length;
  if (bad.length === 0) {
    add('modifications', 'ok', { zh: `受保护的 ${n} 个文件在签章后未被修改（${algorithm.toUpperCase()}）`, en: `The ${n} protected file(s) are unchanged since stamping (${algorithm.toUpperCase()})` });
    return protects;
  }
  const first = bad.slice(0, 5);
  const more = bad.length - first.length;
  add('modifications', 'failed', {
    zh: `文档在签章后被修改：${first.map((m) => m.description.zh).join('；')}${more > 0 ? ` 等 ${bad.length} 处` : ''}`,
    en: `Document modified after stamping: ${first.map((m) => m.description.en).join('; ')}${more > 0 ? ` and ${more} more` : ''}`,
  });
  return protects;
}

/** References/@CheckMethod: the SM3 OID or name (ofdrw writes "SM3"), SHA-256 when named; absent means SM3 in practice. */
function checkMethodAlgorithm(method: string | undefined): DigestAlgorithm | undefined {
  if (method === undefined || method.trim() === '') return 'sm3';
  const alg = digestAlgorithmByName(method);
  return alg === 'sm3' || alg === 'sha256' ? alg : undefined;
}

function digestOf(ctx: Context, entry: string, algorithm: DigestAlgorithm): Uint8Array {
  const key = `${algorithm}:${entry}`;
  let d = ctx.digests.get(key);
  if (!d) {
    d = digest(algorithm, ctx.zip.read(entry));
    ctx.digests.set(key, d);
  }
  return d;
}

/** The first StampAnnot: its page number (via Document.xml) and its Boundary as [x1, y1, x2, y2] in mm. */
function placeStamp(report: SignatureReport, annots: StampAnnot[], pages: Map<string, number>): void {
  const a = annots[0];
  if (!a) return;
  report.page = a.pageRef !== undefined ? pages.get(a.pageRef.trim()) ?? null : null;
  report.rect = boundaryRect(a.boundary);
}

/** ST_Box "x y w h" → [x, y, x + w, y + h]; anything else → null. */
export function boundaryRect(boundary: string | undefined): Rect | null {
  if (!boundary) return null;
  const parts = boundary.trim().split(/\s+/);
  if (parts.length !== 4) return null;
  const n = parts.map(Number);
  if (n.some((v) => !Number.isFinite(v)) || n[2]! < 0 || n[3]! < 0) return null;
  return [n[0]!, n[1]!, n[0]! + n[2]!, n[1]! + n[3]!];
}

function setTimes(report: SignatureReport, claimed: Date | undefined, timestamp: Date | undefined): void {
  report.claimedTime = claimed?.toISOString() ?? null;
  report.timestampTime = timestamp?.toISOString() ?? null;
  report.signingTime = report.timestampTime ?? report.claimedTime;
  report.timeSource = timestamp ? 'timestamp' : claimed ? 'claimed' : null;
}

/**
 * SignatureDateTime as vendors write it: "20201010151120", "2020-04-22 16:22:44",
 * "20201004072855.302Z", ISO 8601. Without a zone it is Beijing time (UTC+8), as the real files show
 * (v4signed.ofd: 20201010151120 beside a signed timeInfo of 07:11:20Z).
 */
export function parseOfdDateTime(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})[ T]?(\d{2}):?(\d{2}):?(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return undefined;
  const zone = m[8] === undefined ? '+08:00' : m[8] === 'Z' ? 'Z' : `${m[8].slice(0, 3)}:${m[8].slice(-2)}`;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}${zone}`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}


/**
 * `sealdesk seal inspect`: decodes one SESeal (GM/T 0031-2014 v1, GB/T 38540 v4, the v5 shape of
 * GM/T 0031-2025 that ofdrw writes) or one SES_Signature (.esl/.sel/.der/.dat/.gb38540) and lays out
 * every field, the picture (type, size, pixel dimensions), the certificates, the vendor encoding
 * habits read, and every check — as data (the CLI prints it or writes it as JSON).
 *
 * A standalone seal is checked as GM/T 0031 §6.1.2 says (maker signature, maker certificate at the
 * seal's createDate, validity window now). A standalone SES_Signature has no original beside it, so
 * its data hash is shown but not compared (the file it protects is not here).
 */
import crypto from 'node:crypto';
import type { BilingualText, Check, TimeBasis } from '../../api/verification-report';
import { decodeSeal, type SESeal } from '../asn1/ses-seal';
import { decodeSesSignature, type SESSignature } from '../asn1/ses-signature';
import type { CertificateFacts } from '../../api/contract';
import { tryParseCertificate } from '../crypto/certificate';
import { describeCertificate } from '../crypto/describe-certificate';
import { SealDeskError, isSealDeskError } from '../errors';
import { isPictureTypeImage, readSealImage } from '../seal/seal-image';
import { verifySeal } from '../seal/verify-seal';
import { checkSesSignature } from './ses-checks';
import { deviationTexts, sesFormatName, signatureAlgorithmName, stampVerdict } from './stamp-facts';

export interface CertificateInspection extends CertificateFacts {
  /** Set when the bytes are not a readable certificate (the other fields are then empty). */
  unreadable?: boolean;
  bytes: number;
}

export interface PictureInspection {
  type: string;
  bytes: number;
  widthMm: number;
  heightMm: number;
  /** Pixel size when the picture is a PNG, JPEG, GIF or BMP whose header can be read. */
  pixels?: { width: number; height: number; format: string };
  sha256: string;
}

export interface SealInspection {
  version: number;
  header: { ID: string; version: number; Vid: string };
  esID: string;
  type: number;
  name: string;
  certListType: number;
  certificates: CertificateInspection[];
  certDigests: Array<{ type: string; hex: string }>;
  certIds: string[];
  createDate: string;
  validStart: string;
  validEnd: string;
  picture: PictureInspection;
  extDatas: Array<{ extnID: string; critical: boolean; bytes: number; hex: string }>;
  maker: CertificateInspection;
  signAlgID: string;
  signAlgorithm: string;
  signedValueHex: string;
  hasTimeStamp: boolean;
}

export interface SignatureInspection {
  version: number;
  format: string;
  timeInfo: string | null;
  propertyInfo: string;
  dataHashHex: string;
  signer: CertificateInspection;
  signatureAlgID: string;
  signatureAlgorithm: string;
  signatureHex: string;
  hasTimeStamp: boolean;
  extDatas: Array<{ extnID: string; critical: boolean; bytes: number }>;
}

export interface InspectCheck {
  id: string;
  status: 'ok' | 'warning' | 'failed' | 'not_checked';
  message: BilingualText;
}

export interface Inspection {
  kind: 'SESeal' | 'SES_Signature';
  file: { name?: string; size: number; sha256: string };
  format: string;
  seal: SealInspection;
  signature?: SignatureInspection;
  checks: InspectCheck[];
  encodingDeviations: BilingualText[];
  timeBasis?: TimeBasis;
  verdict: 'valid' | 'warning' | 'invalid';
}

const hex = (b: Uint8Array, max = 4096): string => Buffer.from(b.subarray(0, max)).toString('hex') + (b.length > max ? '…' : '');
const sha256 = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

export function inspectSealFile(bytes: Uint8Array, options: { trustRoots: Uint8Array[]; now: Date; fileName?: string }): Inspection {
  const file = { name: options.fileName, size: bytes.length, sha256: sha256(bytes) };
  // Both shapes start SEQUENCE { SEQUENCE {…}: a TBS_Sign begins with its version INTEGER, an
  // SES_SealInfo with its SES_Header SEQUENCE. Try the one the bytes look like first.
  const looksLikeSignature = looksLikeTbsFirst(bytes);
  let ses: SESSignature | undefined;
  let seal: SESeal | undefined;
  let first: unknown;
  for (const attempt of looksLikeSignature ? ['signature', 'seal'] : ['seal', 'signature']) {
    try {
      if (attempt === 'signature') ses = decodeSesSignature(bytes);
      else seal = decodeSeal(bytes);
      break;
    } catch (e) {
      first ??= e;
    }
  }
  if (!ses && !seal) {
    const err = isSealDeskError(first) ? first : undefined;
    throw new SealDeskError('SEAL_FILE_UNREADABLE', `既不是电子印章也不是电子签章：${err?.zh ?? '无法解析'}`, `Neither an electronic seal nor an electronic stamp: ${err?.en ?? 'cannot be decoded'}`, { cause: first });
  }
  if (ses) return inspectSignature(ses, file, options);
  return inspectSeal(seal!, file, options);
}

function looksLikeTbsFirst(b: Uint8Array): boolean {
  const after = (at: number): number => {
    const l = b[at + 1];
    if (l === undefined) return -1;
    return l < 0x80 ? at + 2 : at + 2 + (l & 0x7f);
  };
  if (b[0] !== 0x30) return false;
  const inner = after(0);
  if (b[inner] !== 0x30) return false;
  return b[after(inner)] === 0x02;
}

function inspectSeal(seal: SESeal, file: Inspection['file'], options: { trustRoots: Uint8Array[]; now: Date }): Inspection {
  const v = verifySeal(seal, { trustRoots: options.trustRoots, at: options.now });
  const checks: InspectCheck[] = v.checks.map((c) => ({ id: `seal.${c.id}`, status: c.status === 'not-checked' ? 'not_checked' : c.status, message: { zh: c.zh, en: c.en } }));
  return {
    kind: 'SESeal',
    file,
    format: sealFormatName(seal.version),
    seal: sealFields(seal),
    checks,
    encodingDeviations: deviationTexts(v.deviations),
    timeBasis: sealTimeBasis(v.makerAt ?? seal.eSealInfo.property.createDate, options.now),
    verdict: v.verdict === 'valid' && v.deviations.length > 0 ? 'warning' : v.verdict,
  };
}

function inspectSignature(ses: SESSignature, file: Inspection['file'], options: { trustRoots: Uint8Array[]; now: Date }): Inspection {
  const outcome = checkSesSignature(ses, null, options);
  const checks: Check[] = outcome.checks.map((c: Check) => ({ id: c.id, status: c.status, message: c.message }));
  checks.push({ id: 'digest' as const, status: 'not_checked', message: { zh: '原文不在此文件中，原文杂凑值未比对', en: 'The protected original is not in this file: the data hash was not compared' } });
  const verdict = stampVerdict({ checks, encodingDeviations: outcome.facts.encodingDeviations });
  return {
    kind: 'SES_Signature',
    file,
    format: sesFormatName(ses.version),
    seal: sealFields(ses.toSign.eseal),
    signature: {
      version: ses.version,
      format: sesFormatName(ses.version),
      timeInfo: ses.toSign.timeInfo?.toISOString() ?? null,
      propertyInfo: ses.toSign.propertyInfo,
      dataHashHex: hex(ses.toSign.dataHash),
      signer: certificate(ses.cert),
      signatureAlgID: ses.signatureAlgID,
      signatureAlgorithm: signatureAlgorithmName(ses.signatureAlgID),
      signatureHex: hex(ses.signature),
      hasTimeStamp: ses.timeStamp !== undefined,
      extDatas: ses.toSign.extDatas.map((e) => ({ extnID: e.extnID, critical: e.critical, bytes: e.extnValue.length })),
    },
    checks,
    encodingDeviations: outcome.facts.encodingDeviations ?? [],
    timeBasis: outcome.timeBasis,
    verdict,
  };
}

/** A seal on its own: the maker certificate at the seal's making time, the validity window now. */
function sealTimeBasis(makerAt: Date, now: Date): TimeBasis {
  return {
    signerCertificateAt: now.toISOString(),
    makerCertificateAt: makerAt.toISOString(),
    times: [{ what: 'seal_created', at: makerAt.toISOString(), trusted: false }, { what: 'now', at: now.toISOString(), trusted: true }],
    message: {
      zh: `制章者证书按印章制作时间 ${makerAt.toISOString()} 判定（制章者声明，未经第三方证明）；印章有效期按当前时间 ${now.toISOString()} 判定`,
      en: `The maker certificate was judged at the seal's making time ${makerAt.toISOString()} (claimed by the maker, not attested); the validity window at the current time ${now.toISOString()}`,
    },
  };
}

function sealFormatName(version: number): string {
  if (version === 1) return 'GM/T 0031-2014 SESeal v1';
  if (version === 5) return 'GM/T 0031-2025 SESeal v5';
  return 'GB/T 38540 SESeal v4';
}

function sealFields(seal: SESeal): SealInspection {
  const i = seal.eSealInfo;
  const p = i.property;
  return {
    version: seal.version,
    header: i.header,
    esID: i.esID,
    type: p.type,
    name: p.name,
    certListType: p.certListType,
    certificates: p.certListType === 1 ? p.certList.map(certificate) : [],
    certDigests: p.certListType === 2 ? p.certList.map((d) => ({ type: d.type, hex: hex(d.value) })) : [],
    certIds: p.certListType === 1 ? p.certIds ?? [] : [],
    createDate: p.createDate.toISOString(),
    validStart: p.validStart.toISOString(),
    validEnd: p.validEnd.toISOString(),
    picture: picture(i.picture),
    extDatas: i.extDatas.map((e) => ({ extnID: e.extnID, critical: e.critical, bytes: e.extnValue.length, hex: hex(e.extnValue, 64) })),
    maker: certificate(seal.cert),
    signAlgID: seal.signAlgID,
    signAlgorithm: signatureAlgorithmName(seal.signAlgID),
    signedValueHex: hex(seal.signedValue),
    hasTimeStamp: seal.timeStamp !== undefined,
  };
}

function certificate(der: Uint8Array): CertificateInspection {
  const c = tryParseCertificate(der);
  if (!c) return { subject: '', issuer: '', serialNumber: '', notBefore: '', notAfter: '', keyAlgorithm: '', signatureAlgorithm: '', sha256: sha256(der), isCa: false, selfSigned: false, unreadable: true, bytes: der.length };
  return { ...describeCertificate(c), bytes: der.length };
}

function picture(pic: SESeal['eSealInfo']['picture']): PictureInspection {
  return { type: pic.type, bytes: pic.data.length, widthMm: pic.width, heightMm: pic.height, ...pixelSize(pic.type, pic.data), sha256: sha256(pic.data) };
}

/** Pixel size from the image header (PNG/JPEG through seal-image.ts; GIF and BMP headers here). */
function pixelSize(type: string, d: Uint8Array): { pixels?: PictureInspection['pixels'] } {
  if (isPictureTypeImage(type) || d[0] === 0x89 || (d[0] === 0xff && d[1] === 0xd8)) {
    try {
      const img = readSealImage(d);
      return { pixels: { width: img.widthPx, height: img.heightPx, format: img.type } };
    } catch {
      // not a readable PNG/JPEG after all; fall through
    }
  }
  const ascii = Buffer.from(d.subarray(0, 6)).toString('latin1');
  if ((ascii === 'GIF87a' || ascii === 'GIF89a') && d.length >= 10) return { pixels: { width: d[6]! | (d[7]! << 8), height: d[8]! | (d[9]! << 8), format: 'GIF' } };
  if (ascii.startsWith('BM') && d.length >= 26) {
    const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
    return { pixels: { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)), format: 'BMP' } };
  }
  return {};
}

/** The inspection as text: fields first, then the checks (Chinese, then English). */
export function renderInspection(x: Inspection): string {
  const l: string[] = [];
  const s = x.seal;
  const cert = (c: CertificateInspection): string => (c.unreadable ? `(无法解析 / unreadable, ${c.bytes} bytes)` : `${c.subject} — issuer ${c.issuer}, serial ${c.serialNumber}, ${c.notBefore} … ${c.notAfter}, ${c.keyAlgorithm}`);
  l.push(`类型 / Kind: ${x.kind} — ${x.format}`);
  if (x.file.name) l.push(`文件 / File: ${x.file.name} (${x.file.size} bytes, sha256 ${x.file.sha256})`);
  l.push('', '印章 / Seal:');
  l.push(`  header: ID=${s.header.ID} version=${s.header.version} Vid=${s.header.Vid}`);
  l.push(`  esID: ${s.esID}`, `  name: ${s.name}`, `  type: ${s.type}`, `  certListType: ${s.certListType}`);
  s.certificates.forEach((c, i) => l.push(`  certList[${i}]: ${cert(c)}`));
  s.certDigests.forEach((d, i) => l.push(`  certList[${i}]: ${d.type} ${d.hex}`));
  s.certIds.forEach((d, i) => l.push(`  certList id[${i}]: ${JSON.stringify(d)}`));
  l.push(`  createDate: ${s.createDate}`, `  validStart: ${s.validStart}`, `  validEnd: ${s.validEnd}`);
  const px = s.picture.pixels ? `, ${s.picture.pixels.width}×${s.picture.pixels.height} px (${s.picture.pixels.format})` : '';
  l.push(`  picture: ${s.picture.type}, ${s.picture.bytes} bytes, ${s.picture.widthMm}×${s.picture.heightMm} mm${px}`);
  s.extDatas.forEach((e) => l.push(`  extData: ${e.extnID}${e.critical ? ' (critical)' : ''}, ${e.bytes} bytes`));
  l.push(`  maker: ${cert(s.maker)}`, `  signAlgID: ${s.signAlgID} (${s.signAlgorithm})`, `  timeStamp: ${s.hasTimeStamp ? 'present' : 'none'}`);
  if (x.signature) {
    const g = x.signature;
    l.push('', '签章 / Stamp:');
    l.push(`  version: ${g.version}`, `  timeInfo: ${g.timeInfo ?? '(none)'}`, `  propertyInfo: ${g.propertyInfo}`, `  dataHash: ${g.dataHashHex}`);
    l.push(`  signer: ${cert(g.signer)}`, `  signatureAlgID: ${g.signatureAlgID} (${g.signatureAlgorithm})`, `  timeStamp: ${g.hasTimeStamp ? 'present' : 'none'}`);
    g.extDatas.forEach((e) => l.push(`  extData: ${e.extnID}, ${e.bytes} bytes`));
  }
  if (x.encodingDeviations.length > 0) {
    l.push('', '非标准编码 / Non-standard encodings:');
    for (const d of x.encodingDeviations) l.push(`  ! ${d.zh}`, `    ${d.en}`);
  }
  if (x.timeBasis) l.push('', `时间依据 / Time basis: ${x.timeBasis.message.zh}`, `  ${x.timeBasis.message.en}`);
  l.push('', '检查 / Checks:');
  const mark = { ok: '✔', warning: '!', failed: '✘', not_checked: '–' } as const;
  for (const c of x.checks) l.push(`  ${mark[c.status]} ${c.id}: ${c.message.zh}`, `    ${c.message.en}`);
  const verdict = { valid: '有效 / valid', warning: '有效但有警告 / valid with warnings', invalid: '无效 / INVALID' }[x.verdict];
  l.push('', `结果 / Result: ${verdict}`);
  return `${l.join('\n')}\n`;
}

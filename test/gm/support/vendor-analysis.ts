/**
 * Expected check results for the real vendor files, derived from an analysis that owes nothing to
 * SealDesk (independent-asn1.ts: openssl asn1parse for the structure, openssl pkeyutl with the
 * default SM2 ID for every signature over the exact bytes cut out of the file, openssl dgst -sm3
 * for every digest, openssl x509 for validity and key usage; fflate and regular expressions for the
 * OFD package). The rules turning facts into statuses are GB/T 38540's, written out here on their own;
 * the trust store is empty, so a sound certificate chain is at best "warning" (identity unknown).
 */
import { strFromU8 } from 'fflate';
import {
  asn1Time, asn1Tree, at, bitStringPayload, contentOf, opensslCertInfo, opensslSm2Verifies, opensslSm3, tlvOf, type Node,
} from './independent-asn1';

export type Status = 'ok' | 'warning' | 'failed' | 'not_checked';

export interface SealFacts {
  version: 1 | 4 | 5;
  makerSignatureVerifies: boolean;
  /** v1: which construction verified. */
  signedOver?: 'SEQUENCE{SealInfo,cert,alg}' | 'SealInfo';
  createDate: Date;
  validStart: Date;
  validEnd: Date;
  maker: { notBefore: Date; notAfter: Date };
  certList: Uint8Array[];
  certIds: string[];
  /** BIT STRINGs of this seal whose unused-bits byte is not zero. */
  unusedBits: string[];
  /** 64-byte raw r‖s maker signature. */
  rawSignature: boolean;
  picture: { type: string; widthMm: number; heightMm: number; bytes: number };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function derLen(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  if (n < 0x10000) return [0x82, n >> 8, n & 0xff];
  return [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
}

function sequenceOf(...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((n, p) => n + p.length, 0);
  return Uint8Array.from([0x30, ...derLen(len), ...parts.flatMap((p) => [...p])]);
}

/** The facts of the SESeal at `seal` inside `b`. */
export function sealFacts(b: Uint8Array, seal: Node): SealFacts {
  const info = at(seal, 0);
  const v1 = seal.children.length === 2;
  const certNode = v1 ? at(seal, 1, 0) : at(seal, 1);
  const algNode = v1 ? at(seal, 1, 1) : at(seal, 2);
  const sigNode = v1 ? at(seal, 1, 2) : at(seal, 3);
  const cert = contentOf(b, certNode);
  const sig = bitStringPayload(b, sigNode);
  let makerSignatureVerifies = false;
  let signedOver: SealFacts['signedOver'];
  if (v1) {
    const seq = sequenceOf(tlvOf(b, info), tlvOf(b, certNode), tlvOf(b, algNode));
    if (opensslSm2Verifies(cert, seq, sig.payload)) { makerSignatureVerifies = true; signedOver = 'SEQUENCE{SealInfo,cert,alg}'; }
    else if (opensslSm2Verifies(cert, tlvOf(b, info), sig.payload)) { makerSignatureVerifies = true; signedOver = 'SealInfo'; }
  } else {
    makerSignatureVerifies = opensslSm2Verifies(cert, tlvOf(b, info), sig.payload);
  }
  const header = at(info, 0);
  const prop = at(info, 2);
  const o = prop.children.length >= 7 ? 1 : 0;
  const list = at(prop, 2 + o);
  const pic = at(info, 3);
  const unusedBits: string[] = [];
  if (sig.unusedBits !== 0) unusedBits.push(v1 ? 'SES_SignInfo.signData' : 'SESeal.signedValue');
  const m = opensslCertInfo(cert);
  return {
    version: v1 ? 1 : seal.children.length === 5 || at(header, 1).value === '05' ? 5 : 4,
    makerSignatureVerifies,
    ...(signedOver ? { signedOver } : {}),
    createDate: asn1Time(at(prop, 3 + o).value),
    validStart: asn1Time(at(prop, 4 + o).value),
    validEnd: asn1Time(at(prop, 5 + o).value),
    maker: { notBefore: m.notBefore, notAfter: m.notAfter },
    certList: list.children.filter((c) => c.tag === 'OCTET STRING').map((c) => contentOf(b, c)),
    certIds: list.children.filter((c) => c.tag !== 'OCTET STRING').map((c) => c.value),
    unusedBits,
    rawSignature: sig.payload.length === 64,
    picture: { type: at(pic, 0).value, bytes: at(pic, 1).length, widthMm: parseInt(at(pic, 2).value, 16), heightMm: parseInt(at(pic, 3).value, 16) },
  };
}

export interface SesFacts {
  version: 1 | 4 | 5;
  seal: SealFacts;
  signatureVerifies: boolean;
  signer: { der: Uint8Array; notBefore: Date; notAfter: Date; keyUsage?: string[] };
  /** TBS_Sign.timeInfo, the signing time the signer claims. */
  signingTime: Date;
  dataHashHex: string;
  propertyInfo: string;
  unusedBits: string[];
  rawSignature: boolean;
  elements: number;
}

/** v1 timeInfo text: ISO with a zone, or "yyyy-MM-dd HH:mm:ss" in Beijing time. */
function v1TimeText(text: string): Date {
  if (/[TZ]/.test(text)) return new Date(text);
  return new Date(`${text.replace(' ', 'T')}+08:00`);
}

export function sesFacts(b: Uint8Array): SesFacts {
  const root = asn1Tree(b);
  const tbs = at(root, 0);
  const v1 = root.children.length === 2;
  const seal = sealFacts(b, at(tbs, 1));
  const certDer = contentOf(b, v1 ? at(tbs, 5) : at(root, 1));
  const sig = bitStringPayload(b, v1 ? at(root, 1) : at(root, 3));
  const unusedBits = [...seal.unusedBits];
  if (sig.unusedBits !== 0) unusedBits.push('SES_Signature.signature');
  let signingTime: Date;
  if (v1) {
    const t = bitStringPayload(b, at(tbs, 2));
    if (t.unusedBits !== 0) unusedBits.push('TBS_Sign.timeInfo');
    signingTime = v1TimeText(Buffer.from(t.payload).toString('latin1'));
  } else {
    signingTime = asn1Time(at(tbs, 2).value);
  }
  const info = opensslCertInfo(certDer);
  return {
    version: v1 ? 1 : seal.version === 5 || at(tbs, 0).value === '05' ? 5 : 4,
    seal,
    signatureVerifies: opensslSm2Verifies(certDer, tlvOf(b, tbs), sig.payload),
    signer: { der: certDer, ...info },
    signingTime,
    dataHashHex: Buffer.from(bitStringPayload(b, at(tbs, 3)).payload).toString('hex'),
    propertyInfo: at(tbs, 4).value,
    unusedBits,
    rawSignature: sig.payload.length === 64,
    elements: root.children.length,
  };
}

const within = (t: Date, from: Date, to: Date): boolean => t.getTime() >= from.getTime() && t.getTime() <= to.getTime();

/**
 * The maker certificate is judged at the seal's createDate; when createDate precedes the
 * certificate (the signature cannot predate it) at the certificate's start, if the seal was in use
 * by `by`. With an empty trust store a sound maker certificate is a warning.
 */
export function makerCertificateSound(s: SealFacts, by: Date): boolean {
  if (within(s.createDate, s.maker.notBefore, s.maker.notAfter)) return true;
  return s.createDate < s.maker.notBefore && s.maker.notBefore <= by;
}

/** GB/T 38540 statuses of the SES checks, for an empty trust store. */
export function expectedSesStatuses(f: SesFacts): Record<'signature' | 'seal_signer' | 'seal' | 'signer_chain' | 'timestamp', Status> {
  const inList = f.seal.certList.some((c) => bytesEqual(c, f.signer.der));
  const ku = f.signer.keyUsage;
  const usageOk = !ku || ku.includes('Digital Signature') || ku.includes('Non Repudiation');
  const sealOk = f.seal.makerSignatureVerifies && within(f.signingTime, f.seal.validStart, f.seal.validEnd) && makerCertificateSound(f.seal, f.signingTime);
  return {
    signature: f.signatureVerifies ? 'ok' : 'failed',
    seal_signer: inList ? 'ok' : f.seal.certList.length === 0 && f.seal.certIds.length > 0 ? 'warning' : 'failed',
    seal: sealOk ? 'warning' : 'failed',
    signer_chain: usageOk && within(f.signingTime, f.signer.notBefore, f.signer.notAfter) ? 'warning' : 'failed',
    timestamp: 'not_checked',
  };
}

/** A seal file on its own, judged now: maker signature, maker certificate, validity window. */
export function expectedSealStatuses(s: SealFacts, now: Date): Record<'seal.maker-signature' | 'seal.maker-chain' | 'seal.validity', Status> {
  return {
    'seal.maker-signature': s.makerSignatureVerifies ? 'ok' : 'failed',
    'seal.maker-chain': makerCertificateSound(s, now) ? 'warning' : 'failed',
    'seal.validity': within(now, s.validStart, s.validEnd) ? 'ok' : 'failed',
  };
}

// ---- OFD, read with fflate and regular expressions ----------------------------------------------

export interface OfdStampFacts {
  id: string;
  type: string;
  /** Entry of Signature.xml ('' when the list names a missing one). */
  entry: string;
  signedValue?: Uint8Array;
  signatureXml?: Uint8Array;
  /** SM3 of Signature.xml as stored. */
  signatureXmlSm3?: string;
  /** Every Reference: does base64(SM3(file)) equal its CheckValue? */
  references: Array<{ file: string; matches: boolean }>;
  sealEsl?: Uint8Array;
  boundary?: string;
  signatureDateTime?: string;
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];

function resolveEntry(files: Record<string, Uint8Array>, loc: string, ...dirs: string[]): string | undefined {
  const clean = loc.trim().replace(/^\/+/, '');
  if (loc.trim().startsWith('/')) return files[clean] ? clean : undefined;
  for (const d of dirs) {
    const candidate = d ? `${d}/${clean}` : clean;
    if (files[candidate]) return candidate;
  }
  return files[clean] ? clean : undefined;
}

export function ofdStamps(files: Record<string, Uint8Array>): OfdStampFacts[] {
  const ofd = strFromU8(files['OFD.xml']!);
  const out: OfdStampFacts[] = [];
  for (const sigsLoc of [...ofd.matchAll(/<ofd:Signatures>([^<]*)<\/ofd:Signatures>/g)].map((m) => m[1]!)) {
    const listEntry = resolveEntry(files, sigsLoc, '')!;
    const listDir = listEntry.split('/').slice(0, -1).join('/');
    const list = strFromU8(files[listEntry]!);
    for (const tag of list.match(/<ofd:Signature\b[^>]*>/g) ?? []) {
      const entry = resolveEntry(files, attr(tag, 'BaseLoc') ?? '', listDir) ?? '';
      const stamp: OfdStampFacts = { id: attr(tag, 'ID') ?? '', type: attr(tag, 'Type') ?? 'Seal', entry, references: [] };
      out.push(stamp);
      if (!entry) continue;
      const xmlBytes = files[entry]!;
      const xml = strFromU8(xmlBytes);
      const dir = entry.split('/').slice(0, -1).join('/');
      stamp.signatureXml = xmlBytes;
      stamp.signatureXmlSm3 = opensslSm3(xmlBytes);
      const sv = /<ofd:SignedValue>([^<]*)<\/ofd:SignedValue>/.exec(xml)?.[1];
      const svEntry = sv ? resolveEntry(files, sv, dir) : undefined;
      if (svEntry) stamp.signedValue = files[svEntry];
      const seal = /<ofd:Seal>\s*<ofd:BaseLoc>([^<]*)<\/ofd:BaseLoc>/.exec(xml)?.[1];
      const sealEntry = seal ? resolveEntry(files, seal, dir) : undefined;
      if (sealEntry) stamp.sealEsl = files[sealEntry];
      stamp.boundary = /<ofd:StampAnnot\b[^>]*Boundary="([^"]*)"/.exec(xml)?.[1];
      stamp.signatureDateTime = /<ofd:SignatureDateTime>([^<]*)</.exec(xml)?.[1];
      for (const m of xml.matchAll(/<ofd:Reference\b[^>]*FileRef="([^"]*)"[^>]*>\s*<ofd:CheckValue>([^<]*)<\/ofd:CheckValue>/g)) {
        const file = resolveEntry(files, m[1]!, dir, 'Doc_0');
        const actual = file ? Buffer.from(opensslSm3(files[file]!), 'hex').toString('base64') : undefined;
        stamp.references.push({ file: file ?? m[1]!, matches: actual === m[2]!.trim() });
      }
    }
  }
  return out;
}

/** The scope check: propertyInfo must name this Signature.xml; blank names nothing (warning). */
export function expectedScope(propertyInfo: string, entry: string): Status {
  if (propertyInfo.trim() === '') return 'warning';
  return propertyInfo.trim().replace(/^\/+/, '') === entry ? 'ok' : 'failed';
}

// ---- GM/T 0010 SignedData ----------------------------------------------------------------------

export interface SignedDataFacts {
  signatureVerifies: boolean;
  /** messageDigest attribute, or the encapsulated content, equals SM3 of the signed file. */
  digestMatches: boolean;
  signer: { notBefore: Date; notAfter: Date };
  signingTime?: Date;
}

/** ContentInfo{1.2.156.10197.6.1.4.2.2, SignedData} over `signedFile` (Signature.xml, OFDEntries.xml). */
export function signedDataFacts(b: Uint8Array, signedFile: Uint8Array): SignedDataFacts {
  const root = asn1Tree(b);
  const sd = at(root, 1, 0);
  const certs = sd.children.find((c) => c.tag === 'cont [ 0 ]' && c.constructed && c !== sd.children[2]);
  const cert = tlvOf(b, at(certs!, 0));
  const si = at(sd.children[sd.children.length - 1]!, 0);
  const attrs = si.children.find((c) => c.tag === 'cont [ 0 ]');
  const sig = si.children.find((c, i) => c.tag === 'OCTET STRING' && i > 2)!;
  const fileSm3 = opensslSm3(signedFile);
  let signatureVerifies: boolean;
  let digestMatches: boolean;
  let signingTime: Date | undefined;
  if (attrs) {
    const der = new Uint8Array(tlvOf(b, attrs));
    der[0] = 0x31;
    signatureVerifies = opensslSm2Verifies(cert, der, contentOf(b, sig));
    const md = attrs.children.find((a) => a.children[0]?.value === 'messageDigest');
    digestMatches = md !== undefined && Buffer.from(contentOf(b, at(md, 1, 0))).toString('hex') === fileSm3;
    const st = attrs.children.find((a) => a.children[0]?.value === 'signingTime');
    if (st) signingTime = asn1Time(at(st, 1, 0).value);
  } else {
    const eci = at(sd, 2);
    const econtent = eci.children[1] ? contentOf(b, at(eci, 1, 0)) : undefined;
    signatureVerifies = opensslSm2Verifies(cert, econtent ?? signedFile, contentOf(b, sig));
    digestMatches = econtent === undefined || Buffer.from(econtent).toString('hex') === fileSm3;
  }
  const info = opensslCertInfo(cert);
  return { signatureVerifies, digestMatches, signer: { notBefore: info.notBefore, notAfter: info.notAfter }, ...(signingTime ? { signingTime } : {}) };
}

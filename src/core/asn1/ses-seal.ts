/**
 * SESeal: the electronic seal of GB/T 38540-2020 (v4, read and write), GM/T 0031-2014 (v1, read)
 * and GM/T 0031-2025 (v5, read). Field names follow the standards (gm-formats.md §1).
 *
 * Decoding keeps the received bytes: `der` is the whole seal, `sealInfoDer` the exact SES_SealInfo
 * the maker signed in v4/v5, `v1SignedContentDer` the SEQUENCE{SealInfo, cert, alg} a v1 maker signed.
 */
import * as asn1js from 'asn1js';
import {
  DerFields, decodeDer, type EncodingDeviation, derBitString, derBoolean, derExplicit, derGeneralizedTime, derIa5, derInteger,
  derOctetString, derOf, derOid, derPrintable, derSequence, derUtf8,
} from './der';

export type SealVersion = 1 | 4 | 5;

export interface SESHeader {
  /** Always "ES". */
  ID: string;
  version: number;
  /** Vendor id (厂商标识). */
  Vid: string;
}

export interface ExtData {
  extnID: string;
  critical: boolean;
  extnValue: Uint8Array;
}

export interface CertDigestObj {
  /** ObjType, vendor-defined (e.g. "sm3"). */
  type: string;
  value: Uint8Array;
}

interface PropertyCommon {
  /** 印章类型: business-defined (v1: 1 unit, 2 personal; registries 1..5, 99). */
  type: number;
  name: string;
  createDate: Date;
  validStart: Date;
  validEnd: Date;
}

/**
 * certListType 1: DER certificates of the keepers; 2: digests of them (v1 seals always carry
 * certificates — or, from some v1 vendors (dms360), text ids in `certIds` instead).
 */
export type SESESPropertyInfo =
  | (PropertyCommon & { certListType: 1; certList: Uint8Array[]; certIds?: string[] })
  | (PropertyCommon & { certListType: 2; certList: CertDigestObj[] });

export interface SESESPictureInfo {
  /** "PNG", "JPG", "GIF", "BMP", "SVG", "ofd", ... as written by the maker. */
  type: string;
  data: Uint8Array;
  /** millimetres */
  width: number;
  height: number;
}

export interface SESSealInfo {
  header: SESHeader;
  esID: string;
  property: SESESPropertyInfo;
  picture: SESESPictureInfo;
  extDatas: ExtData[];
}

export interface SESeal {
  version: SealVersion;
  eSealInfo: SESSealInfo;
  /** 制章者证书, DER. */
  cert: Uint8Array;
  signAlgID: string;
  /** Signature value without the BIT STRING unused-bits byte (DER SEQUENCE{r,s} for SM2/ECDSA). */
  signedValue: Uint8Array;
  /** v5: timestamp token over signedValue. */
  timeStamp?: Uint8Array;
  /** The whole seal as received (or as encoded). */
  der: Uint8Array;
  /** Exact DER of SES_SealInfo: what a v4/v5 maker signs. */
  sealInfoDer: Uint8Array;
  /** v1 only: exact DER of SEQUENCE{SES_SealInfo, cert, signatureAlgorithm}, what the 2014 text says is signed. */
  v1SignedContentDer?: Uint8Array;
  /** The vendor encoding habits read in this seal (each reported; empty for a strict DER seal). */
  deviations: EncodingDeviation[];
}

/** Decodes a DER SESeal of any supported version; malformed input ⇒ SealDeskError SEAL_MALFORMED. */
export function decodeSeal(der: Uint8Array): SESeal {
  const f = new DerFields('seal');
  const root = decodeDer(der, 'seal', f);
  const seal = decodeSealBlock(root, f);
  const items = f.sequence(root, 'SESeal');
  f.judgeLongLengths([{ name: 'SES_SealInfo', block: items[0]! }, ...(items.length === 2 ? [{ name: 'SES_SignInfo', block: items[1]! }] : [])]);
  return { ...seal, deviations: [...f.deviations] };
}

/** Decodes a seal that is part of a larger structure (e.g. TBS_Sign.eseal); errors use `f`'s code. */
export function decodeSealBlock(block: asn1js.AsnType, f: DerFields): SESeal {
  const before = f.deviations.length;
  const seal = decodeSealShape(block, f);
  return { ...seal, deviations: f.deviations.slice(before) };
}

function decodeSealShape(block: asn1js.AsnType, f: DerFields): Omit<SESeal, 'deviations'> {
  const items = f.sequence(block, 'SESeal', 2);
  const der = derOf(block);
  if (items.length === 2) return decodeV1(items, der, f);
  if (items.length < 4 || items.length > 5) f.fail(`SESeal has ${items.length} elements`);
  const eSealInfo = decodeSealInfo(items[0], f, 4);
  const cert = f.octets(items[1], 'SESeal.cert');
  const signAlgID = f.oid(items[2], 'SESeal.signAlgID');
  const signedValue = f.bits(items[3], 'SESeal.signedValue');
  let timeStamp: Uint8Array | undefined;
  if (items.length === 5) timeStamp = optionalTaggedBits(items[4]!, f, 'SESeal.timeStamp');
  // ofdrw VersionParser: 5 elements ⇒ v5; 4 elements ⇒ v4 unless the header says 5.
  const version: SealVersion = items.length === 5 || eSealInfo.header.version === 5 ? 5 : 4;
  return { version, eSealInfo, cert, signAlgID, signedValue, timeStamp, der, sealInfoDer: derOf(items[0]!) };
}

function decodeV1(items: asn1js.AsnType[], der: Uint8Array, f: DerFields): Omit<SESeal, 'deviations'> {
  const eSealInfo = decodeSealInfo(items[0], f, 1);
  const signInfo = f.sequence(items[1], 'SES_SignInfo', 3);
  const cert = f.octets(signInfo[0], 'SES_SignInfo.cert');
  const signAlgID = f.oid(signInfo[1], 'SES_SignInfo.signatureAlgorithm');
  const signedValue = f.bits(signInfo[2], 'SES_SignInfo.signData');
  const sealInfoDer = derOf(items[0]!);
  const v1SignedContentDer = derSequence(sealInfoDer, derOf(signInfo[0]!), derOf(signInfo[1]!));
  return { version: 1, eSealInfo, cert, signAlgID, signedValue, der, sealInfoDer, v1SignedContentDer };
}

function decodeSealInfo(block: asn1js.AsnType | undefined, f: DerFields, shape: 1 | 4): SESSealInfo {
  const items = f.sequence(block, 'SES_SealInfo', 4);
  const h = f.sequence(items[0], 'SES_Header', 3);
  const header: SESHeader = { ID: f.text(h[0], 'SES_Header.ID'), version: f.integer(h[1], 'SES_Header.version'), Vid: f.text(h[2], 'SES_Header.Vid') };
  if (header.ID !== 'ES') f.fail(`SES_Header.ID is "${header.ID.slice(0, 16)}", not "ES"`);
  const esID = f.text(items[1], 'SES_SealInfo.esID');
  const property = decodeProperty(items[2], f, shape);
  const picture = decodePicture(items[3], f);
  let extDatas: ExtData[] = [];
  if (items.length > 4) {
    // Untagged in practice; GM/T 0031-2014 prints "EXPLICIT" without a number, so accept [0] too.
    const ext = items[4]!;
    const list = f.isContext(ext, 0) ? f.children(ext, 'extDatas')[0] : ext;
    extDatas = list === undefined ? [] : decodeExtDatas(list, f, 'SES_SealInfo.extDatas');
  }
  return { header, esID, property, picture, extDatas };
}

function decodeProperty(block: asn1js.AsnType | undefined, f: DerFields, shape: 1 | 4): SESESPropertyInfo {
  const items = f.sequence(block, 'SES_ESPropertyInfo', 6);
  const type = f.integer(items[0], 'property.type');
  const name = f.utf8(items[1], 'property.name');
  // v1 has no certListType (6 elements); v4/v5 have 7. Sniff by count, not by header version,
  // because v1-era vendors wrote header versions 1..3 inconsistently.
  const hasListType = items.length >= 7 && !f.isSequence(items[2]);
  if (shape === 4 && !hasListType) f.fail('property.certListType is missing');
  const o = hasListType ? 1 : 0;
  const certListType = hasListType ? f.integer(items[2], 'property.certListType') : 1;
  const listItems = f.sequence(items[2 + o], 'property.certList');
  const time = (i: number, what: string): Date => {
    const block = items[i + o];
    // asn1js's GeneralizedTime extends UTCTime: test for the tag.
    if (shape === 4 && block?.idBlock.tagClass === 1 && block.idBlock.tagNumber === 23) {
      f.deviate('UTCTIME_FOR_GENERALIZEDTIME', what, { zh: '是 UTCTime 而不是 GeneralizedTime', en: 'is a UTCTime, not a GeneralizedTime' }, { zh: '同一时间', en: 'the same time' });
    }
    return f.time(block, what);
  };
  const createDate = time(3, 'property.createDate');
  const validStart = time(4, 'property.validStart');
  const validEnd = time(5, 'property.validEnd');
  const common = { type, name, createDate, validStart, validEnd };
  if (certListType === 1) {
    const certList: Uint8Array[] = [];
    const certIds: string[] = [];
    listItems.forEach((c, i) => {
      const what = `property.certList[${i}]`;
      const text = f.anyString(c);
      if (text === undefined) {
        certList.push(f.octets(c, what));
        return;
      }
      // GM/T 0031-2014 also prints "certID ::= IA5String" (a typo some v1 makers followed): such an
      // entry names a keeper but cannot be matched to a certificate. GB/T 38540 leaves no such room.
      if (shape === 4) f.fail(`${what} is a string, not the DER certificate GB/T 38540 requires`);
      f.deviate('CERTLIST_STRING', what, { zh: '是字符串而不是 OCTET STRING（证书）', en: 'is a string where an OCTET STRING (a certificate) is due' }, { zh: 'GM/T 0031-2014 的证书标识文本（无法与证书比对）', en: 'a GM/T 0031-2014 certificate id text (cannot be matched to a certificate)' });
      certIds.push(text);
    });
    return { ...common, certListType: 1, certList, ...(certIds.length > 0 ? { certIds } : {}) };
  }
  if (certListType === 2) {
    const certList = listItems.map((c, i) => {
      const d = f.sequence(c, `property.certList[${i}]`, 2);
      return { type: f.text(d[0], `property.certList[${i}].type`), value: f.octets(d[1], `property.certList[${i}].value`) };
    });
    return { ...common, certListType: 2, certList };
  }
  return f.fail(`property.certListType ${certListType} is neither 1 (certificates) nor 2 (digests)`);
}

function decodePicture(block: asn1js.AsnType | undefined, f: DerFields): SESESPictureInfo {
  const items = f.sequence(block, 'SES_ESPictureInfo', 4);
  return {
    type: f.text(items[0], 'picture.type'),
    data: f.octets(items[1], 'picture.data'),
    width: f.integer(items[2], 'picture.width'),
    height: f.integer(items[3], 'picture.height'),
  };
}

export function decodeExtDatas(block: asn1js.AsnType, f: DerFields, what: string): ExtData[] {
  return f.sequence(block, what).map((e, i) => decodeExtData(e, f, `${what}[${i}]`));
}

export function decodeExtData(block: asn1js.AsnType, f: DerFields, what: string): ExtData {
  const items = f.sequence(block, what, 2);
  const extnID = f.oid(items[0], `${what}.extnID`);
  // critical is DEFAULT FALSE, so it may be absent.
  const hasCritical = items.length >= 3;
  return {
    extnID,
    critical: hasCritical ? f.boolean(items[1], `${what}.critical`) : false,
    extnValue: f.octets(items[hasCritical ? 2 : 1], `${what}.extnValue`),
  };
}

/**
 * A trailing optional BIT STRING that implementations tag differently (gm-formats.md §1.2):
 * [0] EXPLICIT (A0 03 ..), [0] IMPLICIT (80 ..) or untagged (03 ..).
 */
export function optionalTaggedBits(block: asn1js.AsnType, f: DerFields, what: string): Uint8Array {
  if (f.isContext(block, 0)) {
    if (block.idBlock.isConstructed) {
      const inner = f.children(block, what);
      if (inner.length !== 1) f.fail(`${what} is not a single BIT STRING`);
      return f.bits(inner[0], what);
    }
    return f.implicitBits(block, what);
  }
  return f.bits(block, what);
}

// ---- encoding (v4) -------------------------------------------------------------------------

export interface SealInfoInput {
  header: SESHeader;
  esID: string;
  property: SESESPropertyInfo;
  picture: SESESPictureInfo;
  extDatas?: ExtData[];
}

/** DER(SES_SealInfo) in the GB/T 38540 layout: the bytes the maker signs. */
export function encodeSealInfo(info: SealInfoInput): Uint8Array {
  const p = info.property;
  const certList = p.certListType === 1
    ? derSequence(...p.certList.map(derOctetString))
    : derSequence(...p.certList.map((d) => derSequence(derPrintable(d.type), derOctetString(d.value))));
  const parts = [
    derSequence(derIa5(info.header.ID), derInteger(info.header.version), derIa5(info.header.Vid)),
    derIa5(info.esID),
    derSequence(derInteger(p.type), derUtf8(p.name), derInteger(p.certListType), certList,
      derGeneralizedTime(p.createDate), derGeneralizedTime(p.validStart), derGeneralizedTime(p.validEnd)),
    derSequence(derIa5(info.picture.type), derOctetString(info.picture.data), derInteger(info.picture.width), derInteger(info.picture.height)),
  ];
  if (info.extDatas && info.extDatas.length > 0) parts.push(encodeExtDatas(info.extDatas));
  return derSequence(...parts);
}

export function encodeExtDatas(list: readonly ExtData[]): Uint8Array {
  return derSequence(...list.map((e) => derSequence(
    derOid(e.extnID), ...(e.critical ? [derBoolean(true)] : []), derOctetString(e.extnValue),
  )));
}

/**
 * DER(SESeal) v4 around an already encoded SES_SealInfo (kept byte for byte, so the signature made
 * over it stays valid). With a timeStamp the seal is v5 (GM/T 0031-2025), written [0] EXPLICIT.
 */
export function encodeSeal(parts: { sealInfoDer: Uint8Array; cert: Uint8Array; signAlgID: string; signedValue: Uint8Array; timeStamp?: Uint8Array }): Uint8Array {
  const fields = [parts.sealInfoDer, derOctetString(parts.cert), derOid(parts.signAlgID), derBitString(parts.signedValue)];
  if (parts.timeStamp) fields.push(derExplicit(0, derBitString(parts.timeStamp)));
  return derSequence(...fields);
}

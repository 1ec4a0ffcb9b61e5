/**
 * SES_Signature: the electronic signature (电子签章) of GB/T 38540-2020 (v4, read and write),
 * GM/T 0031-2014 (v1, read) and GM/T 0031-2025 (v5, read). gm-formats.md §1.
 *
 * The decoded value keeps `der` and `tbsSignDer` (the exact received TBS_Sign, which is what the
 * signer signed) and the embedded seal with its own exact slices.
 */
import * as asn1js from 'asn1js';
import {
  DerFields, decodeDer, type EncodingDeviation, derBitString, derExplicit, derGeneralizedTime, derIa5, derInteger,
  derOctetString, derOf, derOid, derSequence, scanDer,
} from './der';
import {
  decodeExtData, decodeExtDatas, decodeSealBlock, encodeExtDatas, optionalTaggedBits,
  type ExtData, type SESeal, type SealVersion,
} from './ses-seal';

export interface TBSSign {
  version: number;
  eseal: SESeal;
  /** 签章时间 when it can be read (v4: GeneralizedTime; v1: UTCTime/text in a BIT STRING). */
  timeInfo: Date | undefined;
  /** v1 only: a timestamp token found in timeInfo instead of a time. */
  timeInfoToken?: Uint8Array;
  /** 原文杂凑值 (e.g. SM3 of the protected bytes). */
  dataHash: Uint8Array;
  /** 原文属性: at least the protected range (OFD: the path of Signature.xml). */
  propertyInfo: string;
  extDatas: ExtData[];
}

export interface SESSignature {
  version: SealVersion;
  toSign: TBSSign;
  /** 签章者证书 (DER); in v1 it sits inside TBS_Sign, here it is lifted out for every version. */
  cert: Uint8Array;
  signatureAlgID: string;
  /** Signature value without the unused-bits byte (DER SEQUENCE{r,s} for SM2/ECDSA). */
  signature: Uint8Array;
  /** RFC 3161 TimeStampToken over `signature`, when present. */
  timeStamp?: Uint8Array;
  der: Uint8Array;
  /** Exact DER of TBS_Sign as received: what the signer signed. */
  tbsSignDer: Uint8Array;
  /** Every vendor encoding habit read in the stamp, its embedded seal's included (each reported). */
  deviations: EncodingDeviation[];
}

/** Decodes a DER SES_Signature of any supported version; malformed ⇒ SealDeskError SIGNATURE_MALFORMED. */
export function decodeSesSignature(der: Uint8Array): SESSignature {
  const f = new DerFields('signature');
  const root = decodeDer(der, 'signature', f);
  const items = f.sequence(root, 'SES_Signature', 2);
  const decoded = items.length === 2 ? decodeV1(items, derOf(root), f) : decodeV4(items, root, f);
  f.judgeLongLengths([{ name: 'TBS_Sign', block: items[0]! }]);
  return { ...decoded, deviations: [...f.deviations] };
}

function decodeV4(items: asn1js.AsnType[], root: asn1js.AsnType, f: DerFields): Omit<SESSignature, 'deviations'> {
  if (items.length < 4 || items.length > 5) f.fail(`SES_Signature has ${items.length} elements`);
  const tbs = f.sequence(items[0], 'TBS_Sign', 5);
  const eseal = decodeSealBlock(tbs[1]!, f);
  const toSign: TBSSign = {
    version: f.integer(tbs[0], 'TBS_Sign.version'),
    eseal,
    timeInfo: f.time(tbs[2], 'TBS_Sign.timeInfo'),
    dataHash: f.bits(tbs[3], 'TBS_Sign.dataHash'),
    propertyInfo: f.text(tbs[4], 'TBS_Sign.propertyInfo'),
    extDatas: tbs.length > 5 ? decodeTbsExtDatas(tbs[5]!, f) : [],
  };
  if (tbs.length > 6) f.fail(`TBS_Sign has ${tbs.length} elements`);
  const version: SealVersion = toSign.version === 5 || eseal.version === 5 ? 5 : 4;
  return {
    version,
    toSign,
    cert: f.octets(items[1], 'SES_Signature.cert'),
    signatureAlgID: f.oid(items[2], 'SES_Signature.signatureAlgID'),
    signature: f.bits(items[3], 'SES_Signature.signature'),
    timeStamp: items.length === 5 ? optionalTaggedBits(items[4]!, f, 'SES_Signature.timeStamp') : undefined,
    der: derOf(root),
    tbsSignDer: derOf(items[0]!),
  };
}

function decodeV1(items: asn1js.AsnType[], der: Uint8Array, f: DerFields): Omit<SESSignature, 'deviations'> {
  const tbs = f.sequence(items[0], 'TBS_Sign', 7);
  const time = v1Time(tbs[2]!, f);
  const toSign: TBSSign = {
    version: f.integer(tbs[0], 'TBS_Sign.version'),
    eseal: decodeSealBlock(tbs[1]!, f),
    timeInfo: time.date,
    timeInfoToken: time.token,
    dataHash: f.bits(tbs[3], 'TBS_Sign.dataHash'),
    propertyInfo: f.text(tbs[4], 'TBS_Sign.propertyInfo'),
    extDatas: [],
  };
  return {
    version: 1,
    toSign,
    cert: f.octets(tbs[5], 'TBS_Sign.cert'),
    signatureAlgID: f.oid(tbs[6], 'TBS_Sign.signatureAlgorithm'),
    signature: f.bits(items[1], 'SES_Signature.signature'),
    der,
    tbsSignDer: derOf(items[0]!),
  };
}

/**
 * v1 timeInfo is a BIT STRING holding a UTCTime, a GeneralizedTime, the text "yyyy-MM-dd HH:mm:ss"
 * (ofdrw) or a timestamp token; some vendors write the time directly (gm-formats.md §1.1).
 */
function v1Time(block: asn1js.AsnType, f: DerFields): { date?: Date; token?: Uint8Array } {
  if (block instanceof asn1js.UTCTime || block instanceof asn1js.GeneralizedTime) return { date: f.time(block, 'TBS_Sign.timeInfo') };
  const content = f.bits(block, 'TBS_Sign.timeInfo');
  const tag = content[0];
  if (tag === 0x17 || tag === 0x18) {
    try {
      scanDer(content, 'signature');
      const parsed = asn1js.fromBER(content);
      return { date: f.time(parsed.result, 'TBS_Sign.timeInfo') };
    } catch {
      return {};
    }
  }
  if (tag === 0x30) return { token: content };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(content).trim();
  // ofdrw: "yyyy-MM-dd HH:mm:ss"; iOFD (dms360): ISO 8601 with milliseconds and Z.
  const m = /^(\d{4})-?(\d{2})-?(\d{2})[ T]?(\d{2}):?(\d{2}):?(\d{2})(\.\d{1,3})?(Z?)$/.exec(text);
  if (!m) return {};
  // Text without a zone is written by Chinese vendors in Beijing time (UTC+8).
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}${m[8] ? 'Z' : '+08:00'}`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? {} : { date };
}

/**
 * TBS_Sign.extDatas: [0] EXPLICIT (ofdrw: A0 { 30 { ExtData… } }), [0] IMPLICIT (A0 { ExtData… })
 * or untagged (30 { ExtData… }) — gm-formats.md §1.2.
 */
function decodeTbsExtDatas(block: asn1js.AsnType, f: DerFields): ExtData[] {
  const what = 'TBS_Sign.extDatas';
  if (!f.isContext(block, 0)) return decodeExtDatas(block, f, what);
  const inner = f.children(block, what);
  if (inner.length === 0) return [];
  const firstOfFirst = f.isSequence(inner[0]) ? (inner[0] as asn1js.Sequence).valueBlock.value[0] : undefined;
  const explicit = inner.length === 1 && (firstOfFirst === undefined || f.isSequence(firstOfFirst));
  if (explicit) return decodeExtDatas(inner[0]!, f, what);
  return inner.map((e, i) => decodeExtData(e, f, `${what}[${i}]`));
}

// ---- encoding (v4) -------------------------------------------------------------------------

export interface TbsSignInput {
  /** 4 for GB/T 38540. */
  version?: number;
  /** DER of the seal, embedded byte for byte. */
  esealDer: Uint8Array;
  timeInfo: Date;
  dataHash: Uint8Array;
  propertyInfo: string;
  extDatas?: ExtData[];
}

/** DER(TBS_Sign) v4: what the signer signs. extDatas are written [0] EXPLICIT (ofdrw's form). */
export function encodeTbsSign(input: TbsSignInput): Uint8Array {
  const parts = [
    derInteger(input.version ?? 4),
    input.esealDer,
    derGeneralizedTime(input.timeInfo),
    derBitString(input.dataHash),
    derIa5(input.propertyInfo),
  ];
  if (input.extDatas && input.extDatas.length > 0) parts.push(derExplicit(0, encodeExtDatas(input.extDatas)));
  return derSequence(...parts);
}

/** DER(SES_Signature) v4 around the exact TBS_Sign that was signed; timeStamp written [0] EXPLICIT. */
export function encodeSesSignature(parts: { tbsSignDer: Uint8Array; cert: Uint8Array; signatureAlgID: string; signature: Uint8Array; timeStamp?: Uint8Array }): Uint8Array {
  const fields = [parts.tbsSignDer, derOctetString(parts.cert), derOid(parts.signatureAlgID), derBitString(parts.signature)];
  if (parts.timeStamp) fields.push(derExplicit(0, derBitString(parts.timeStamp)));
  return derSequence(...fields);
}

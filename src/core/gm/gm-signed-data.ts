/**
 * GM/T 0010-2012 (GB/T 35275) SM2 SignedData, as many Chinese PDF signers write it under
 * /adbe.pkcs7.detached (gm-formats.md §1.4, §6): the structure of PKCS#7 SignedData, but the
 * ContentInfo types are 1.2.156.10197.6.1.4.2.2 (signedData) and .2.1 (data), the digest SM3 and
 * the signature algorithm SM2-1 (1.2.156.10197.1.301.1) or SM2-with-SM3.
 *
 * The SignedData inside is field for field the one src/core/cms parses, so it is handed to that
 * parser under the PKCS#7 content type instead of being parsed a second time here: only the outer
 * OID is swapped, the SignedData bytes (signed attributes, certificates, signature) stay exactly as
 * received, and every check still runs over them.
 */
import * as asn1js from 'asn1js';
import { OID_SM3 } from '../asn1/oids';
import { derOid, derSequence } from '../asn1/der';
import { encodingDeviation, scanDer, type EncodingDeviation } from '../asn1/der';
import { cmsMalformed, cmsValueLength, decodeDer } from '../cms/der';
import { OID_DATA, OID_SIGNED_DATA } from '../cms/oids';
import { parseCms, type ParsedCms } from '../cms/parse-cms';
import { SealDeskError } from '../errors';
import { OID_GM_DATA, OID_GM_SIGNED_DATA } from './pdf-profile';

/** A GM/T 0010 SignedData as read, with the vendor encoding habits met on the way. */
export type GmSignedData = ParsedCms & { deviations: EncodingDeviation[] };

/**
 * Reads a GM/T 0010 ContentInfo(SignedData). BouncyCastle-based vendor signers write it as BER
 * with indefinite lengths (ContentInfo, the [0] content, SignedData, the certificate set): read,
 * and named as a deviation. Inside the signed attributes — the bytes the signer signed — an
 * indefinite length is refused with that reason (the signer signed DER; received BER there means
 * two readers would check different bytes).
 */
export function parseGmSignedData(contents: Uint8Array): GmSignedData {
  let der: Uint8Array;
  let indefinite: number[];
  try {
    der = contents.subarray(0, cmsValueLength(contents));
    indefinite = scanDer(der, 'signature').filter((l) => l.indefinite).map((l) => l.offset);
  } catch (e) {
    throw gmCmsMalformed('ContentInfo', e);
  }
  const root = decodeDer(der, 'ContentInfo');
  const items = root instanceof asn1js.Sequence ? root.valueBlock.value : [];
  const type = items[0];
  const content = items[1];
  if (!(type instanceof asn1js.ObjectIdentifier) || type.getValue() !== OID_GM_SIGNED_DATA) throw gmCmsMalformed('the content type is not GM/T 0010 signedData');
  if (!content || content.idBlock.tagClass !== 3 || content.idBlock.tagNumber !== 0 || items.length !== 2) throw gmCmsMalformed('no [0] content');
  const rewrapped = derSequence(derOid(OID_SIGNED_DATA), new Uint8Array(content.valueBeforeDecodeView));
  const parsed = parseCms(rewrapped);
  if (parsed.eContentType !== OID_GM_DATA && parsed.eContentType !== OID_DATA) throw gmCmsMalformed(`unexpected content type ${parsed.eContentType}`);
  if (parsed.digestAlgorithmOid !== OID_SM3) throw gmCmsMalformed(`digest ${parsed.digestAlgorithmOid} is not SM3`);
  if (parsed.signedAttributesDer && scanDer(parsed.signedAttributesDer, 'signature').some((l) => l.indefinite)) {
    throw gmCmsMalformed('SignerInfo.authenticatedAttributes has an indefinite length (BER): the signed bytes are not DER, refused because readers that re-encode them would check different bytes');
  }
  const deviations = indefinite.length === 0 ? [] : [encodingDeviation('BER_INDEFINITE_LENGTH', `ContentInfo (offset ${indefinite.slice(0, 3).join(', ')})`,
    { zh: '使用不定长度编码（BER，以 00 00 结束）', en: 'uses indefinite lengths (BER, closed by 00 00)' },
    { zh: 'BER 不定长度（不在签名数据内，BouncyCastle 等流式写法）', en: 'BER indefinite lengths outside the signed bytes (as BouncyCastle streaming writers emit)' })];
  // The report keeps the received bytes, not the rewrapped ones.
  return { ...parsed, der: new Uint8Array(der), deviations };
}

function gmCmsMalformed(what: string, cause?: unknown): SealDeskError {
  const inner = cause instanceof SealDeskError ? cause : undefined;
  return inner ?? cmsMalformed(`GM/T 0010: ${what}`, cause);
}

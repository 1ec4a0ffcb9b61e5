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
import { cmsMalformed, decodeDer, derValueLength } from '../cms/der';
import { OID_DATA, OID_SIGNED_DATA } from '../cms/oids';
import { parseCms, type ParsedCms } from '../cms/parse-cms';
import { SealDeskError } from '../errors';
import { OID_GM_DATA, OID_GM_SIGNED_DATA } from './pdf-profile';

export function parseGmSignedData(contents: Uint8Array): ParsedCms {
  let der: Uint8Array;
  try {
    der = contents.subarray(0, derValueLength(contents));
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
  // The report keeps the received bytes, not the rewrapped ones.
  return { ...parsed, der: new Uint8Array(der) };
}

function gmCmsMalformed(what: string, cause?: unknown): SealDeskError {
  const inner = cause instanceof SealDeskError ? cause : undefined;
  return inner ?? cmsMalformed(`GM/T 0010: ${what}`, cause);
}

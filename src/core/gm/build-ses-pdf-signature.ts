/**
 * Builds the GB/T 38540 SES_Signature (v4) that SealDesk writes into a PDF's /Contents for an SM2
 * stamp (gm-formats.md §1.2): TBS_Sign { 4, the seal as it is on the token, timeInfo, dataHash =
 * SM3 over the ByteRange bytes, propertyInfo "ByteRange=[…]" }, then the keeper's certificate,
 * SM2-with-SM3, the token's SM2 signature over DER(TBS_Sign) and, with a TSA, an RFC 3161 token
 * over the signature value in [0].
 */
import { OID_SM2_WITH_SM3 } from '../asn1/oids';
import { encodeSesSignature, encodeTbsSign } from '../asn1/ses-signature';
import { OID_ATTR_PLATFORM_PERMIT } from '../cms/oids';
import { SealDeskError } from '../errors';
import type { Signer } from '../signer';
import { requestTimestamp } from '../timestamp/tsa-client';
import { byteRangePropertyInfo, type ByteRange } from './pdf-profile';

export interface SesPdfSignatureInput {
  /** DER SESeal, embedded byte for byte (its maker signature covers its exact SES_SealInfo). */
  sealDer: Uint8Array;
  /** The keeper's SM2 key (its certificate goes into the signature). */
  signer: Signer;
  /** SM3 over the two ByteRange ranges. */
  dataHash: Uint8Array;
  byteRange: ByteRange;
  signingTime: Date;
  tsa?: { url: string; timeoutMs?: number };
  /** The seal platform's permit envelope (UTF-8 JSON), carried in TBS_Sign.extDatas under OID_ATTR_PLATFORM_PERMIT. */
  permit?: Uint8Array;
}

export async function buildSesPdfSignature(input: SesPdfSignatureInput): Promise<Uint8Array> {
  if (input.signer.keyAlgorithm !== 'SM2') {
    throw new SealDeskError('GM_KEY_REQUIRED', 'GB/T 38540 电子签章需要 SM2 密钥', 'A GB/T 38540 stamp needs an SM2 key', { details: { keyAlgorithm: input.signer.keyAlgorithm } });
  }
  if (input.dataHash.length !== 32) {
    throw new SealDeskError('GM_BAD_INPUT', '原文杂凑值长度不是 32 字节（SM3）', 'The data hash is not 32 bytes long (SM3)');
  }
  const tbsSignDer = encodeTbsSign({
    version: 4,
    esealDer: input.sealDer,
    timeInfo: input.signingTime,
    dataHash: input.dataHash,
    propertyInfo: byteRangePropertyInfo(input.byteRange),
    // Signed with the rest of TBS_Sign, so the permit is bound to this stamp (the PAdES signed attribute's twin).
    extDatas: input.permit ? [{ extnID: OID_ATTR_PLATFORM_PERMIT, critical: false, extnValue: input.permit }] : undefined,
  });
  const signature = await input.signer.sign(tbsSignDer, 'sm2-sm3');
  // GB/T 38540: the timestamp stamps the signature value; SM3 keeps the whole stamp in the GM family.
  const timeStamp = input.tsa ? await requestTimestamp(signature, { url: input.tsa.url, timeoutMs: input.tsa.timeoutMs, digestAlgorithm: 'sm3' }) : undefined;
  return encodeSesSignature({ tbsSignDer, cert: input.signer.certificate, signatureAlgID: OID_SM2_WITH_SM3, signature, timeStamp });
}

import * as asn1js from 'asn1js';
import { DIGEST_OIDS, type DigestAlgorithm } from '../crypto/digest';

/**
 * Object identifiers used by SealDesk's CMS (CAdES / PAdES) signatures and RFC 3161 timestamps.
 *
 * The SESeal signed attribute: GB/T 38540 fixes no OID for carrying a seal inside a CMS signature, so
 * SealDesk uses an arc under 2.25 (ITU-T X.667: an OID derived from a UUID, which needs no
 * registration): UUID 02299959-0afd-448d-b6c4-fb77ce2fa56f as an integer, arc .1 = "SESeal (DER) as
 * a signed attribute". The attribute value is an OCTET STRING holding the DER SESeal, so any CMS
 * reader carries it opaquely and the signer's signature binds the seal to the document.
 */
export const OID_SEALDESK_ARC = '2.25.2874450426146614219335903324603917679';
export const OID_ATTR_SESEAL = `${OID_SEALDESK_ARC}.1`;
/**
 * Arc .2 = "the seal platform's stamping permit" (issue #9): a signed attribute whose value is an
 * OCTET STRING holding the UTF-8 JSON of the platform's signed permit envelope ({payload, signature},
 * src/platform/api/contract.ts). The signer's signature binds the permit to the stamp, so anyone can
 * see offline that the platform said "in use" for this seal and document at the permit's time.
 */
export const OID_ATTR_PLATFORM_PERMIT = `${OID_SEALDESK_ARC}.2`;

export const OID_DATA = '1.2.840.113549.1.7.1';
export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const OID_ATTR_CONTENT_TYPE = '1.2.840.113549.1.9.3';
export const OID_ATTR_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
export const OID_ATTR_SIGNING_TIME = '1.2.840.113549.1.9.5';
export const OID_ATTR_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
export const OID_ATTR_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
/** id-aa-signatureTimeStampToken (RFC 3161 appendix A / CAdES): unsigned attribute of a SignerInfo. */
export const OID_ATTR_SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';
export const OID_CT_TSTINFO = '1.2.840.113549.1.9.16.1.4';

// Digest and signature algorithm OIDs are shared with the seal formats: one list, in asn1/oids.ts.
export {
  OID_SHA1, OID_SHA256, OID_SHA384, OID_SHA512, OID_SM3, OID_RSA_ENCRYPTION, OID_SHA256_WITH_RSA, OID_RSASSA_PSS, OID_MGF1,
  OID_ECDSA_SHA256, OID_SM2_WITH_SM3 as OID_SM2_SM3,
} from '../asn1/oids';
export const OID_KP_TIMESTAMPING = '1.3.6.1.5.5.7.3.8';

/** Digest algorithm OID → node:crypto hash name (node ≥ 20 with OpenSSL 3 knows 'sm3'). */
export const DIGEST_BY_OID: Readonly<Record<string, DigestAlgorithm>> = Object.fromEntries(
  Object.entries(DIGEST_OIDS).map(([name, oid]) => [oid, name as DigestAlgorithm]));

export const OID_BY_DIGEST: Readonly<Record<DigestAlgorithm, string>> = DIGEST_OIDS;

/**
 * asn1js renders arcs above 2^53 (such as our 2.25 UUID arc) as "{hex}" when decoding, so a decoded
 * attribute type must be compared with the same rendering of the OID, computed once here.
 */
function asDecoded(oid: string): string {
  const encoded = new asn1js.ObjectIdentifier({ value: oid }).toBER(false);
  const decoded = asn1js.fromBER(encoded).result as asn1js.ObjectIdentifier;
  return decoded.valueBlock.toString();
}
export const OID_ATTR_SESEAL_AS_DECODED: string = asDecoded(OID_ATTR_SESEAL);
export const OID_ATTR_PLATFORM_PERMIT_AS_DECODED: string = asDecoded(OID_ATTR_PLATFORM_PERMIT);

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SealDeskError } from '../errors';
import { cmsMalformed, decodeDer, derValueLength } from './der';
import {
  DIGEST_BY_OID, OID_ATTR_CONTENT_TYPE, OID_ATTR_MESSAGE_DIGEST, OID_ATTR_SESEAL, OID_ATTR_SESEAL_AS_DECODED, OID_ATTR_PLATFORM_PERMIT, OID_ATTR_PLATFORM_PERMIT_AS_DECODED, OID_ATTR_SIGNATURE_TIMESTAMP,
  OID_ATTR_SIGNING_CERTIFICATE_V2, OID_ATTR_SIGNING_TIME, OID_SIGNED_DATA, OID_SHA256,
} from './oids';

/** One ESSCertIDv2 of a signing-certificate-v2 attribute. */
export interface EssCertId {
  hashAlgorithmOid: string;
  certHash: Uint8Array;
}

/** What a CMS SignedData (with one signer) says, taken from the received bytes. */
export interface ParsedCms {
  /** The exact DER of the ContentInfo (zero padding after it removed). */
  der: Uint8Array;
  eContentType: string;
  /** Encapsulated content, when not detached (timestamp tokens carry their TSTInfo here). */
  eContent?: Uint8Array;
  /** Every certificate embedded in the SignedData, as DER. */
  certificates: Uint8Array[];
  /** The certificate the SignerInfo's sid names, when it is embedded. */
  signerCertificate?: Uint8Array;
  digestAlgorithmOid: string;
  /** node:crypto name of the digest ('sha256', 'sm3', …), undefined when unknown. */
  digestAlgorithm?: string;
  signatureAlgorithm: pkijs.AlgorithmIdentifier;
  signatureValue: Uint8Array;
  /** DER SET OF signed attributes exactly as received (tag rewritten to SET): what the signer signed. */
  signedAttributesDer?: Uint8Array;
  signedAttributeTypes: string[];
  contentType?: string;
  messageDigest?: Uint8Array;
  signingCertificateV2?: EssCertId[];
  /** A signing-time attribute, if one is present (PAdES forbids it; others write it). */
  signingTimeAttribute?: Date;
  /** The SESeal carried as a signed attribute (OID_ATTR_SESEAL). */
  sealDer?: Uint8Array;
  /** The seal platform's permit envelope (UTF-8 JSON) carried as OID_ATTR_PLATFORM_PERMIT. */
  permit?: Uint8Array;
  /** RFC 3161 token from the unsigned attribute id-aa-signatureTimeStampToken (ContentInfo DER). */
  timestampToken?: Uint8Array;
  signedData: pkijs.SignedData;
  signerInfo: pkijs.SignerInfo;
}

/**
 * Parses a DER ContentInfo holding SignedData. Trailing zero bytes (a PDF placeholder's padding) are
 * ignored. Anything else that is wrong is a SealDeskError CMS_MALFORMED, never a crash.
 */
export function parseCms(input: Uint8Array): ParsedCms {
  try {
    return parseCmsUnchecked(input);
  } catch (e) {
    if (e instanceof SealDeskError) throw e;
    throw cmsMalformed((e as Error)?.message ?? String(e), e);
  }
}

function parseCmsUnchecked(input: Uint8Array): ParsedCms {
  const der = input.subarray(0, derValueLength(input));
  const asn = decodeDer(input, 'ContentInfo');
  const contentInfo = new pkijs.ContentInfo({ schema: asn });
  if (contentInfo.contentType !== OID_SIGNED_DATA) throw cmsMalformed(`content type ${contentInfo.contentType} is not SignedData`);
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  if (signedData.signerInfos.length !== 1) throw cmsMalformed(`expected one signer, found ${signedData.signerInfos.length}`);
  const signerInfo = signedData.signerInfos[0]!;

  // Certificates as received: pkijs re-encodes parsed certificates, which can normalise altered bytes away.
  const rawCerts = rawCertificateSet(contentInfo.content);
  const certificates: Uint8Array[] = [];
  const parsedCerts: pkijs.Certificate[] = [];
  (signedData.certificates ?? []).forEach((item, i) => {
    if (item instanceof pkijs.Certificate && rawCerts[i]) {
      parsedCerts.push(item);
      certificates.push(rawCerts[i]!);
    }
  });
  const signerIndex = parsedCerts.findIndex((c) => matchesSid(c, signerInfo.sid));

  const digestAlgorithmOid = signerInfo.digestAlgorithm.algorithmId;
  const result: ParsedCms = {
    der: new Uint8Array(der),
    eContentType: signedData.encapContentInfo.eContentType,
    certificates,
    signerCertificate: signerIndex >= 0 ? certificates[signerIndex] : undefined,
    digestAlgorithmOid,
    digestAlgorithm: DIGEST_BY_OID[digestAlgorithmOid],
    signatureAlgorithm: signerInfo.signatureAlgorithm,
    signatureValue: new Uint8Array(signerInfo.signature.valueBlock.valueHexView),
    signedAttributeTypes: [],
    signedData,
    signerInfo,
  };
  const econtent = signedData.encapContentInfo.eContent;
  if (econtent) result.eContent = octetStringContent(econtent);

  if (signerInfo.signedAttrs) {
    result.signedAttributesDer = new Uint8Array(signerInfo.signedAttrs.encodedValue);
    for (const attr of signerInfo.signedAttrs.attributes) {
      const type = attr.type === OID_ATTR_SESEAL_AS_DECODED ? OID_ATTR_SESEAL : attr.type === OID_ATTR_PLATFORM_PERMIT_AS_DECODED ? OID_ATTR_PLATFORM_PERMIT : attr.type;
      result.signedAttributeTypes.push(type);
      const value = attr.values[0];
      if (!value) continue;
      switch (type) {
        case OID_ATTR_CONTENT_TYPE:
          if (value instanceof asn1js.ObjectIdentifier) result.contentType = value.valueBlock.toString();
          break;
        case OID_ATTR_MESSAGE_DIGEST:
          if (value instanceof asn1js.OctetString) result.messageDigest = new Uint8Array(value.valueBlock.valueHexView);
          break;
        case OID_ATTR_SIGNING_CERTIFICATE_V2:
          result.signingCertificateV2 = parseSigningCertificateV2(value);
          break;
        case OID_ATTR_SIGNING_TIME:
          if (value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime) result.signingTimeAttribute = value.toDate();
          break;
        case OID_ATTR_SESEAL:
          if (value instanceof asn1js.OctetString) result.sealDer = octetStringContent(value);
          break;
        case OID_ATTR_PLATFORM_PERMIT:
          if (value instanceof asn1js.OctetString) result.permit = octetStringContent(value);
          break;
      }
    }
  }
  for (const attr of signerInfo.unsignedAttrs?.attributes ?? []) {
    if (attr.type === OID_ATTR_SIGNATURE_TIMESTAMP && attr.values[0]) {
      result.timestampToken = new Uint8Array(attr.values[0].toBER(false));
    }
  }
  return result;
}

/** The exact bytes of each entry of SignedData.certificates ([0] IMPLICIT SET OF CertificateChoices). */
function rawCertificateSet(signedDataAsn: asn1js.AsnType): Uint8Array[] {
  if (!(signedDataAsn instanceof asn1js.Constructed)) return [];
  const set = signedDataAsn.valueBlock.value.find((v) => v.idBlock.tagClass === 3 && v.idBlock.tagNumber === 0);
  if (!(set instanceof asn1js.Constructed)) return [];
  return set.valueBlock.value.map((c) => new Uint8Array(c.valueBeforeDecodeView));
}

/** OCTET STRING content, also when it was encoded constructed (BER), as some writers do. */
function octetStringContent(value: asn1js.OctetString): Uint8Array {
  if (value.idBlock.isConstructed) {
    return new Uint8Array(Buffer.concat(value.valueBlock.value.map((v) => Buffer.from((v as asn1js.OctetString).valueBlock.valueHexView))));
  }
  return new Uint8Array(value.valueBlock.valueHexView);
}

function matchesSid(cert: pkijs.Certificate, sid: unknown): boolean {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return cert.issuer.isEqual(sid.issuer) && cert.serialNumber.isEqual(sid.serialNumber);
  }
  // subjectKeyIdentifier [0]: compare with the certificate's SKI extension.
  if (sid instanceof asn1js.Primitive) {
    const want = Buffer.from(sid.valueBlock.valueHexView);
    const ski = cert.extensions?.find((e) => e.extnID === '2.5.29.14');
    if (!ski) return false;
    const parsed = ski.parsedValue as asn1js.OctetString | undefined;
    return !!parsed && Buffer.compare(Buffer.from(parsed.valueBlock.valueHexView), want) === 0;
  }
  return false;
}

function parseSigningCertificateV2(value: asn1js.AsnType): EssCertId[] {
  const out: EssCertId[] = [];
  if (!(value instanceof asn1js.Sequence)) throw cmsMalformed('signing-certificate-v2 is not a SEQUENCE');
  const certs = value.valueBlock.value[0];
  if (!(certs instanceof asn1js.Sequence)) throw cmsMalformed('signing-certificate-v2 has no certs');
  for (const id of certs.valueBlock.value) {
    if (!(id instanceof asn1js.Sequence)) throw cmsMalformed('bad ESSCertIDv2');
    let i = 0;
    let hashAlgorithmOid = OID_SHA256;
    const first = id.valueBlock.value[0];
    if (first instanceof asn1js.Sequence) {
      hashAlgorithmOid = new pkijs.AlgorithmIdentifier({ schema: first }).algorithmId;
      i = 1;
    }
    const hash = id.valueBlock.value[i];
    if (!(hash instanceof asn1js.OctetString)) throw cmsMalformed('ESSCertIDv2 without certHash');
    out.push({ hashAlgorithmOid, certHash: new Uint8Array(hash.valueBlock.valueHexView) });
  }
  return out;
}


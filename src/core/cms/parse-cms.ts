import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SealDeskError } from '../errors';
import { cmsMalformed, cmsValueLength, decodeDer } from './der';
import {
  DIGEST_BY_OID, OID_ATTR_CONTENT_TYPE, OID_ATTR_MESSAGE_DIGEST, OID_ATTR_SESEAL, OID_ATTR_SESEAL_AS_DECODED, OID_ATTR_PLATFORM_PERMIT, OID_ATTR_PLATFORM_PERMIT_AS_DECODED, OID_ATTR_SIGNATURE_TIMESTAMP,
  OID_ATTR_SIGNING_CERTIFICATE, OID_ATTR_SIGNING_CERTIFICATE_V2, OID_ATTR_SIGNING_TIME, OID_SIGNED_DATA, OID_SHA1, OID_SHA256,
} from './oids';

/** One ESSCertID (v1: SHA-1, RFC 2634) or ESSCertIDv2 (RFC 5035) of a signing-certificate attribute. */
export interface EssCertId {
  hashAlgorithmOid: string;
  certHash: Uint8Array;
  /** IssuerSerial, when the writer included it: the directory names of GeneralNames and the serial. */
  issuerSerial?: { issuers: pkijs.RelativeDistinguishedNames[]; serialNumber: asn1js.Integer };
}

/** ESS signing-certificate (v1) or signing-certificate-v2: the first ESSCertID names the signer's certificate. */
export interface SigningCertificateAttribute {
  version: 1 | 2;
  certs: EssCertId[];
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
  signingCertificate?: SigningCertificateAttribute;
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
  const der = input.subarray(0, cmsValueLength(input));
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
          if (value instanceof asn1js.OctetString) result.messageDigest = octetStringContent(value);
          break;
        case OID_ATTR_SIGNING_CERTIFICATE_V2:
          result.signingCertificate = { version: 2, certs: parseSigningCertificate(value, 2) };
          break;
        case OID_ATTR_SIGNING_CERTIFICATE:
          // v2 wins when a writer put both (CAdES allows v1 only for SHA-1 certificate hashes).
          if (!result.signingCertificate) result.signingCertificate = { version: 1, certs: parseSigningCertificate(value, 1) };
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

/** OCTET STRING content, also when it was encoded constructed (BER, in chunks, possibly nested), as streaming writers do. */
function octetStringContent(value: asn1js.OctetString, depth = 0): Uint8Array {
  if (value.idBlock.isConstructed) {
    if (depth > 8) throw cmsMalformed('constructed OCTET STRING nested too deeply');
    return new Uint8Array(Buffer.concat(value.valueBlock.value.map((v) => {
      if (!(v instanceof asn1js.OctetString)) throw cmsMalformed('a constructed OCTET STRING holds something else');
      return Buffer.from(octetStringContent(v, depth + 1));
    })));
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

/**
 * SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies OPTIONAL } (RFC 2634), with
 * ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial IssuerSerial OPTIONAL };
 * v2 (RFC 5035): ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial OPTIONAL }.
 */
function parseSigningCertificate(value: asn1js.AsnType, version: 1 | 2): EssCertId[] {
  const out: EssCertId[] = [];
  const name = version === 1 ? 'signing-certificate' : 'signing-certificate-v2';
  if (!(value instanceof asn1js.Sequence)) throw cmsMalformed(`${name} is not a SEQUENCE`);
  const certs = value.valueBlock.value[0];
  if (!(certs instanceof asn1js.Sequence)) throw cmsMalformed(`${name} has no certs`);
  for (const id of certs.valueBlock.value) {
    if (!(id instanceof asn1js.Sequence)) throw cmsMalformed(`bad ESSCertID in ${name}`);
    const items = id.valueBlock.value;
    let i = 0;
    let hashAlgorithmOid = version === 1 ? OID_SHA1 : OID_SHA256;
    if (version === 2 && items[0] instanceof asn1js.Sequence) {
      hashAlgorithmOid = new pkijs.AlgorithmIdentifier({ schema: items[0] }).algorithmId;
      i = 1;
    }
    const hash = items[i];
    if (!(hash instanceof asn1js.OctetString)) throw cmsMalformed(`ESSCertID without certHash in ${name}`);
    const entry: EssCertId = { hashAlgorithmOid, certHash: new Uint8Array(hash.valueBlock.valueHexView) };
    const issuerSerial = items[i + 1];
    if (issuerSerial !== undefined) entry.issuerSerial = parseIssuerSerial(issuerSerial);
    out.push(entry);
  }
  return out;
}

/** IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber INTEGER }; only directoryName [4] entries can name an issuer. */
function parseIssuerSerial(value: asn1js.AsnType): NonNullable<EssCertId['issuerSerial']> {
  if (!(value instanceof asn1js.Sequence)) throw cmsMalformed('IssuerSerial is not a SEQUENCE');
  const [names, serial] = value.valueBlock.value;
  if (!(names instanceof asn1js.Sequence) || !(serial instanceof asn1js.Integer)) throw cmsMalformed('bad IssuerSerial');
  const issuers: pkijs.RelativeDistinguishedNames[] = [];
  for (const gn of names.valueBlock.value) {
    if (gn.idBlock.tagClass !== 3 || gn.idBlock.tagNumber !== 4 || !(gn instanceof asn1js.Constructed)) continue;
    const inner = gn.valueBlock.value[0];
    if (inner instanceof asn1js.Sequence) issuers.push(new pkijs.RelativeDistinguishedNames({ schema: inner }));
  }
  return { issuers, serialNumber: serial };
}

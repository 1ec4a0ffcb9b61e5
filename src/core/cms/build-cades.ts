import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SealDeskError } from '../errors';
import type { Signer } from '../signer';
import { requestTimestamp } from '../timestamp/tsa-client';
import { cmsMalformed, toArrayBuffer } from './der';
import {
  OID_ATTR_CONTENT_TYPE, OID_ATTR_MESSAGE_DIGEST, OID_ATTR_SESEAL, OID_ATTR_PLATFORM_PERMIT, OID_ATTR_SIGNATURE_TIMESTAMP,
  OID_ATTR_SIGNING_CERTIFICATE_V2, OID_BY_DIGEST, OID_DATA, OID_SIGNED_DATA,
} from './oids';
import { signatureAlgorithmFor } from './signature-algorithms';

export interface CadesBuildInput {
  /** Digest of the signed content (for a PDF: the two /ByteRange ranges). */
  digest: Uint8Array;
  digestAlgorithm: 'sha256' | 'sm3';
  signer: Signer;
  /** Further certificates to embed (intermediates); the signer's own is always embedded first. */
  certificates?: Uint8Array[];
  /** DER SESeal, carried as the signed attribute OID_ATTR_SESEAL. */
  sealDer?: Uint8Array;
  /** The seal platform's permit envelope (UTF-8 JSON), carried as the signed attribute OID_ATTR_PLATFORM_PERMIT. */
  permit?: Uint8Array;
  /**
   * The signing time claimed by the signer. PAdES forbids the CMS signing-time attribute (the PDF's
   * /M carries it), so it is not written into the CMS; it is accepted here to keep one call shape.
   */
  signingTime: Date;
  /** With a TSA the result is PAdES B-T: an RFC 3161 token over the signature value. */
  tsa?: { url: string; timeoutMs?: number };
}

const DIGEST_LENGTH = { sha256: 32, sm3: 32 } as const;

/**
 * Builds a detached CMS SignedData for PAdES B-B / B-T (ETSI EN 319 142-1): signed attributes
 * content-type (id-data), message-digest, signing-certificate-v2 and, when given, the SESeal; the
 * signer signs DER(SET OF signed attributes).
 */
export async function buildCadesSignedData(input: CadesBuildInput): Promise<Uint8Array> {
  if (input.digest.length !== DIGEST_LENGTH[input.digestAlgorithm]) {
    throw new SealDeskError('CMS_BAD_INPUT', '摘要长度与算法不符', `Digest length does not match ${input.digestAlgorithm}`);
  }
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(toArrayBuffer(input.signer.certificate));
  } catch (e) {
    throw new SealDeskError('SIGNER_CERT_INVALID', '签章人证书无法解析', 'The signer certificate cannot be parsed', { cause: e });
  }
  const digestAlg = new pkijs.AlgorithmIdentifier({ algorithmId: OID_BY_DIGEST[input.digestAlgorithm]! });

  const attributes = [
    new pkijs.Attribute({ type: OID_ATTR_CONTENT_TYPE, values: [new asn1js.ObjectIdentifier({ value: OID_DATA })] }),
    new pkijs.Attribute({ type: OID_ATTR_MESSAGE_DIGEST, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(input.digest) })] }),
    new pkijs.Attribute({ type: OID_ATTR_SIGNING_CERTIFICATE_V2, values: [signingCertificateV2(cert, input.signer.certificate)] }),
  ];
  if (input.sealDer) {
    attributes.push(new pkijs.Attribute({ type: OID_ATTR_SESEAL, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(input.sealDer) })] }));
  }
  if (input.permit) {
    attributes.push(new pkijs.Attribute({ type: OID_ATTR_PLATFORM_PERMIT, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(input.permit) })] }));
  }
  // DER: a SET OF is sorted by the encodings of its elements. Verifiers such as OpenSSL re-encode the
  // signed attributes before checking, so an unsorted SET would not verify there.
  const sorted = sortForDerSet(attributes);
  const signedAttrsSet = derSetOf(sorted.map((a) => a.der));

  const scheme = input.signer.defaultScheme;
  const signature = await input.signer.sign(signedAttrsSet, scheme);

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: digestAlg,
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sorted.map((a) => a.attribute) }),
    signatureAlgorithm: signatureAlgorithmFor(scheme),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });

  if (input.tsa) {
    const token = await requestTimestamp(signature, { url: input.tsa.url, timeoutMs: input.tsa.timeoutMs, digestAlgorithm: 'sha256' });
    const tokenAsn = asn1js.fromBER(toArrayBuffer(token));
    if (tokenAsn.offset === -1) throw cmsMalformed('timestamp token');
    signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [new pkijs.Attribute({ type: OID_ATTR_SIGNATURE_TIMESTAMP, values: [tokenAsn.result] })],
    });
  }

  const certificates = [input.signer.certificate, ...(input.certificates ?? [])]
    .map((der) => pkijs.Certificate.fromBER(toArrayBuffer(der)));
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [digestAlg],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID_DATA }),
    certificates,
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID_SIGNED_DATA, content: signedData.toSchema(true) });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } with one ESSCertIDv2 (SHA-256, the DEFAULT, so omitted). */
function signingCertificateV2(cert: pkijs.Certificate, certDer: Uint8Array): asn1js.Sequence {
  const hash = crypto.createHash('sha256').update(certDer).digest();
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })] }),
      cert.serialNumber,
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(new Uint8Array(hash)) }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

function sortForDerSet(attributes: pkijs.Attribute[]): Array<{ attribute: pkijs.Attribute; der: Uint8Array }> {
  return attributes
    .map((attribute) => ({ attribute, der: new Uint8Array(attribute.toSchema().toBER(false)) }))
    .sort((a, b) => compareDer(a.der, b.der));
}

/** X.690 11.6: compare as octet strings, the shorter padded at its end with zeros. */
function compareDer(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

function derSetOf(items: Uint8Array[]): Uint8Array {
  const content = Buffer.concat(items.map((i) => Buffer.from(i)));
  return new Uint8Array(Buffer.concat([Buffer.from([0x31]), derLength(content.length), content]));
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

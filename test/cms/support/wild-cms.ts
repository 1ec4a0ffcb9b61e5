import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * Builds detached CMS SignedData the way other signers write it, for the "CMS in the wild" tests:
 * with or without signed attributes, ESS signing-certificate v1 or v2 (with or without issuerSerial,
 * naming the signer or another certificate), a subjectKeyIdentifier signer id, and any OID written
 * as signatureAlgorithm. Made with pkijs and signed with node:crypto keys, because no single tool
 * writes all of these variants; openssl cms and the real peers (pdfsig/NSS, iText) are used where
 * they do write one (see the tests).
 */
export interface WildCmsOptions {
  key: crypto.KeyObject;
  certificate: Uint8Array;
  /** Further certificates to embed. */
  extraCertificates?: Uint8Array[];
  content: Uint8Array;
  digest?: 'sha1' | 'sha256' | 'sha512';
  /** false: the signature is over the content itself (PKCS#7 style). */
  signedAttributes?: boolean;
  /** The ESS attribute, naming `names` (default: the signer certificate). */
  signingCertificate?: { version: 1 | 2; issuerSerial: boolean; names?: Uint8Array; hashAlgorithmOid?: string };
  sid?: 'issuerAndSerial' | 'subjectKeyIdentifier';
  /** Write the message-digest value as a BER constructed OCTET STRING in two chunks (as streaming writers may). */
  chunkedMessageDigest?: boolean;
  /** What to write as SignerInfo.signatureAlgorithm (default: the usual OID for the key). */
  signatureAlgorithm?: { oid: string; params?: asn1js.AsnType };
}

const DIGEST_OID = { sha1: '1.3.14.3.2.26', sha256: '2.16.840.1.101.3.4.2.1', sha512: '2.16.840.1.101.3.4.2.3' } as const;
const ab = (u: Uint8Array): ArrayBuffer => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

export function buildWildCms(o: WildCmsOptions): Uint8Array {
  const digest = o.digest ?? 'sha256';
  const cert = pkijs.Certificate.fromBER(ab(o.certificate));
  const keyType = o.key.asymmetricKeyType;
  const attrs: pkijs.Attribute[] = [
    new pkijs.Attribute({ type: '1.2.840.113549.1.9.3', values: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })] }),
    new pkijs.Attribute({ type: '1.2.840.113549.1.9.4', values: [messageDigestValue(new Uint8Array(crypto.createHash(digest).update(o.content).digest()), !!o.chunkedMessageDigest)] }),
  ];
  if (o.signingCertificate) attrs.push(essAttribute(o.signingCertificate, o.signingCertificate.names ?? o.certificate));

  let signedAttrs: pkijs.SignedAndUnsignedAttributes | undefined;
  let toSign: Uint8Array = o.content;
  if (o.signedAttributes !== false) {
    signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: attrs });
    // Sign DER(SET OF attributes): encode [0] and re-tag as SET.
    const der = new Uint8Array(signedAttrs.toSchema().toBER(false));
    der[0] = 0x31;
    toSign = der;
  }
  const signature = keyType === 'ed25519' || keyType === 'ed448'
    ? crypto.sign(null, toSign, o.key)
    : crypto.sign(digest, toSign, o.key);

  const defaultAlg = keyType === 'rsa' ? '1.2.840.113549.1.1.1'
    : keyType === 'ec' ? { sha1: '1.2.840.10045.4.1', sha256: '1.2.840.10045.4.3.2', sha512: '1.2.840.10045.4.3.4' }[digest]
      : keyType === 'ed25519' ? '1.3.101.112' : '1.3.101.113';
  const algOid = o.signatureAlgorithm?.oid ?? defaultAlg;
  const algParams = o.signatureAlgorithm ? o.signatureAlgorithm.params : keyType === 'rsa' ? new asn1js.Null() : undefined;

  let sid: pkijs.IssuerAndSerialNumber | asn1js.Constructed;
  if (o.sid === 'subjectKeyIdentifier') {
    const ski = cert.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue as asn1js.OctetString;
    sid = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: ski.valueBlock.valueHexView.slice().buffer }) as unknown as asn1js.Constructed;
  } else {
    sid = new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber });
  }
  const signerInfo = new pkijs.SignerInfo({
    version: o.sid === 'subjectKeyIdentifier' ? 3 : 1,
    sid,
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OID[digest] }),
    ...(signedAttrs ? { signedAttrs } : {}),
    signatureAlgorithm: new pkijs.AlgorithmIdentifier(algParams ? { algorithmId: algOid, algorithmParams: algParams } : { algorithmId: algOid }),
    signature: new asn1js.OctetString({ valueHex: ab(new Uint8Array(signature)) }),
  });
  const signedData = new pkijs.SignedData({
    version: o.sid === 'subjectKeyIdentifier' ? 3 : 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OID[digest] })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.7.1' }),
    certificates: [o.certificate, ...(o.extraCertificates ?? [])].map((c) => pkijs.Certificate.fromBER(ab(c))),
    signerInfos: [signerInfo],
  });
  const ci = new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: signedData.toSchema(true) });
  return new Uint8Array(ci.toSchema().toBER(false));
}

function messageDigestValue(d: Uint8Array, chunked: boolean): asn1js.OctetString {
  if (!chunked) return new asn1js.OctetString({ valueHex: ab(d) });
  return new asn1js.OctetString({ isConstructed: true, value: [d.subarray(0, 10), d.subarray(10)].map((c) => new asn1js.OctetString({ valueHex: ab(c) })) });
}

/** signing-certificate (v1, SHA-1 ESSCertID) or signing-certificate-v2 (SHA-256, the default, so omitted). */
function essAttribute(o: { version: 1 | 2; issuerSerial: boolean; hashAlgorithmOid?: string }, named: Uint8Array): pkijs.Attribute {
  const cert = pkijs.Certificate.fromBER(ab(named));
  const hash = crypto.createHash(o.version === 1 ? 'sha1' : 'sha256').update(named).digest();
  const items: asn1js.AsnType[] = [new asn1js.OctetString({ valueHex: ab(new Uint8Array(hash)) })];
  if (o.hashAlgorithmOid) items.unshift(new pkijs.AlgorithmIdentifier({ algorithmId: o.hashAlgorithmOid }).toSchema());
  if (o.issuerSerial) {
    items.push(new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })] }),
        cert.serialNumber,
      ],
    }));
  }
  const value = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: items })] })] });
  return new pkijs.Attribute({ type: o.version === 1 ? '1.2.840.113549.1.9.16.2.12' : '1.2.840.113549.1.9.16.2.47', values: [value] });
}

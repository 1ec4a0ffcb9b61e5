/**
 * A small SM2 certificate authority for demos and tests (the GM counterpart of
 * certificate-authority.ts): a self-signed SM2 root and SM2 leaf certificates for public keys read
 * from tokens. Certificates are signed SM2-with-SM3 (1.2.156.10197.1.501, no parameters) with the GM
 * default user ID "1234567812345678" (gm-formats.md §4, §9), so `openssl verify -vfyopt
 * distid:1234567812345678` and SealDesk's verifyChain accept them. The TBSCertificate is built with
 * pkijs, signed through sm-crypto (crypto/sm2.ts): node:crypto and @peculiar/x509 would sign SM2 with
 * an empty ID. Real keepers get certificates from a real GM CA.
 */
import 'reflect-metadata'; // @peculiar/x509 needs it loaded first
import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import * as x509 from '@peculiar/x509';
import { derBitString, derOctetString, derOid, derSequence, toArrayBuffer } from '../asn1/der';
import { OID_EC_PUBLIC_KEY, OID_SM2, OID_SM2_WITH_SM3 } from '../asn1/oids';
import { sm2GenerateKeyPair, sm2PublicPointFromPrivate, sm2Sign } from '../crypto/sm2';
import { SealDeskError } from '../errors';
import { sm2Spki } from '../pkcs11/key-encoding';
import { toPem } from './certificate-authority';

export interface Sm2Ca {
  certificate: Uint8Array;
  certificatePem: string;
  /** The CA's private scalar (64 hex digits); a demo keeps it in its world dir. */
  privateKeyHex: string;
  subject: string;
}

export type Sm2CertificateUsage = 'signing' | 'ca';

export interface Sm2IssueOptions {
  /** SubjectPublicKeyInfo DER of the SM2 key being certified (e.g. from a token). */
  publicKeySpki: Uint8Array;
  /** RFC 4514 text, e.g. "CN=张三,O=示例单位,C=CN". */
  subject: string;
  notBefore?: Date;
  notAfter?: Date;
  usage?: Sm2CertificateUsage;
  /** Where the CA publishes its CRL (CRL distribution point); SM2 chains are served by CRLs (docs/ltv.md). */
  crlUrl?: string;
}

const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const OID_KEY_USAGE = '2.5.29.15';
const OID_SUBJECT_KEY_ID = '2.5.29.14';
const OID_AUTHORITY_KEY_ID = '2.5.29.35';
const DAY = 86_400_000;

/** A new self-signed SM2 root: basicConstraints cA (critical), keyUsage keyCertSign + cRLSign (critical). */
export function createSm2RootCa(subject: string, o: { validDays?: number; notBefore?: Date } = {}): Sm2Ca {
  const { privateKeyHex, publicPoint } = sm2GenerateKeyPair();
  const spki = sm2Spki(Buffer.from(publicPoint));
  const notBefore = o.notBefore ?? new Date(Date.now() - 3600_000);
  const der = signCertificate({
    issuer: subject, issuerSpki: spki, signingKeyHex: privateKeyHex,
    subject, spki, notBefore, notAfter: new Date(notBefore.getTime() + (o.validDays ?? 3650) * DAY), usage: 'ca',
  });
  return { certificate: der, certificatePem: toPem(der), privateKeyHex, subject };
}

/** The CA again from its certificate and private scalar (as a demo world stores them). */
export function loadSm2Ca(certificateDer: Uint8Array, privateKeyHex: string): Sm2Ca {
  const cert = new x509.X509Certificate(new Uint8Array(certificateDer));
  const point = Buffer.from(sm2PublicPointFromPrivate(privateKeyHex));
  if (!Buffer.from(sm2Spki(point)).equals(Buffer.from(cert.publicKey.rawData))) {
    throw new SealDeskError('CA_KEY_MISMATCH', 'CA 私钥与 CA 证书不匹配', 'The CA private key does not belong to the CA certificate');
  }
  return { certificate: new Uint8Array(certificateDer), certificatePem: toPem(certificateDer), privateKeyHex, subject: cert.subject };
}

/** Issues a certificate for an SM2 public key; signing certificates carry digitalSignature + nonRepudiation. */
export function issueSm2Certificate(ca: Sm2Ca, o: Sm2IssueOptions): Uint8Array {
  const notBefore = o.notBefore ?? new Date(Date.now() - 3600_000);
  const caCert = new x509.X509Certificate(new Uint8Array(ca.certificate));
  return signCertificate({
    issuer: caCert.subject, issuerSpki: new Uint8Array(caCert.publicKey.rawData), signingKeyHex: ca.privateKeyHex,
    subject: o.subject, spki: o.publicKeySpki, notBefore, notAfter: o.notAfter ?? new Date(notBefore.getTime() + 2 * 365 * DAY), usage: o.usage ?? 'signing', crlUrl: o.crlUrl,
  });
}

/** PKCS#8 DER of an SM2 private key (what `openssl genpkey -algorithm SM2` writes), for files a demo keeps. */
export function sm2PrivateKeyPkcs8(privateKeyHex: string): Uint8Array {
  const point = sm2PublicPointFromPrivate(privateKeyHex);
  const ecPrivateKey = derSequence(
    Uint8Array.of(0x02, 0x01, 0x01),
    derOctetString(Buffer.from(privateKeyHex, 'hex')),
    tagged(0xa1, derBitString(point)),
  );
  return derSequence(Uint8Array.of(0x02, 0x01, 0x00), derSequence(derOid(OID_EC_PUBLIC_KEY), derOid(OID_SM2)), derOctetString(ecPrivateKey));
}

function tagged(tag: number, inner: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from([tag, inner.length]), Buffer.from(inner)]));
}

interface ToSign {
  issuer: string;
  issuerSpki: Uint8Array;
  signingKeyHex: string;
  subject: string;
  spki: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  usage: Sm2CertificateUsage;
  crlUrl?: string;
}

function signCertificate(t: ToSign): Uint8Array {
  let spki: pkijs.PublicKeyInfo;
  try {
    spki = pkijs.PublicKeyInfo.fromBER(toArrayBuffer(t.spki));
  } catch (e) {
    throw new SealDeskError('SPKI_INVALID', '公钥格式错误', 'The public key is malformed', { cause: e });
  }
  const param = spki.algorithm.algorithmParams;
  if (spki.algorithm.algorithmId !== OID_EC_PUBLIC_KEY || !(param instanceof asn1js.ObjectIdentifier) || param.getValue() !== OID_SM2) {
    throw new SealDeskError('SPKI_NOT_SM2', '公钥不是 SM2 公钥', 'The public key is not an SM2 key');
  }
  const sigAlg = new pkijs.AlgorithmIdentifier({ algorithmId: OID_SM2_WITH_SM3 });
  const serial = crypto.randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, no leading zero byte
  const cert = new pkijs.Certificate({
    version: 2,
    serialNumber: new asn1js.Integer({ valueHex: toArrayBuffer(serial) }),
    signature: sigAlg,
    issuer: distinguishedName(t.issuer),
    subject: distinguishedName(t.subject),
    notBefore: certificateTime(t.notBefore),
    notAfter: certificateTime(t.notAfter),
    subjectPublicKeyInfo: spki,
    extensions: extensions(t),
  });
  const tbs = new Uint8Array(cert.encodeTBS().toBER(false));
  const signature = sm2Sign(tbs, t.signingKeyHex);
  return derSequence(tbs, new Uint8Array(sigAlg.toSchema().toBER(false)), derBitString(signature));
}

function extensions(t: ToSign): pkijs.Extension[] {
  const ca = t.usage === 'ca';
  // keyUsage bits (RFC 5280): digitalSignature 0, nonRepudiation 1, keyCertSign 5, cRLSign 6.
  const usageByte = ca ? 0x06 : 0xc0;
  const unused = ca ? 1 : 6;
  const ext = (extnID: string, critical: boolean, value: asn1js.AsnType): pkijs.Extension =>
    new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
  return [
    ext(OID_BASIC_CONSTRAINTS, true, new asn1js.Sequence({ value: ca ? [new asn1js.Boolean({ value: true })] : [] })),
    ext(OID_KEY_USAGE, true, new asn1js.BitString({ valueHex: toArrayBuffer(Uint8Array.of(usageByte)), unusedBits: unused })),
    ext(OID_SUBJECT_KEY_ID, false, new asn1js.OctetString({ valueHex: toArrayBuffer(keyId(t.spki)) })),
    ext(OID_AUTHORITY_KEY_ID, false, new asn1js.Sequence({
      value: [new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: toArrayBuffer(keyId(t.issuerSpki)) })],
    })),
    ...(t.crlUrl ? [ext(OID_CRL_DISTRIBUTION_POINTS, false, new pkijs.CRLDistributionPoints({
      distributionPoints: [new pkijs.DistributionPoint({ distributionPoint: [new pkijs.GeneralName({ type: 6, value: t.crlUrl })] })],
    }).toSchema())] : []),
  ];
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (an identifier, not a security function). */
function keyId(spkiDer: Uint8Array): Uint8Array {
  const spki = pkijs.PublicKeyInfo.fromBER(toArrayBuffer(spkiDer));
  return new Uint8Array(crypto.createHash('sha1').update(spki.subjectPublicKey.valueBlock.valueHexView).digest());
}

function distinguishedName(text: string): pkijs.RelativeDistinguishedNames {
  let der: ArrayBuffer;
  try {
    der = new x509.Name(text).toArrayBuffer();
  } catch (e) {
    throw new SealDeskError('SUBJECT_INVALID', `证书主题格式错误:${text.slice(0, 80)}`, `Malformed certificate subject: ${text.slice(0, 80)}`, { cause: e });
  }
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(der).result });
}

/** UTCTime up to 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function certificateTime(d: Date): pkijs.Time {
  const seconds = new Date(Math.floor(d.getTime() / 1000) * 1000);
  return new pkijs.Time({ type: seconds.getUTCFullYear() < 2050 ? 0 : 1, value: seconds });
}

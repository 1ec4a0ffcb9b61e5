/**
 * OCSP (RFC 6960): the request for one certificate, with a nonce (RFC 8954), and the judgement of a
 * response: status successful, an id-pkix-ocsp-basic body, a SingleResponse whose CertID matches the
 * certificate and its issuer, a signature over the exact tbsResponseData bytes received, made by an
 * authorised responder (the CA itself, or a certificate the CA issued with id-kp-OCSPSigning, valid
 * when the response was produced), the echoed nonce, and thisUpdate/nextUpdate. pkijs reads and
 * writes the structures (@peculiar/asn1-ocsp is not installed); signatures are checked with
 * crypto/verify-signature.ts, which also knows SM2 (pkijs' WebCrypto path does not).
 */
import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual, scanDer, toArrayBuffer } from '../asn1/der';
import { OID_SHA1 } from '../asn1/oids';
import { tryParseCertificate, type ParsedCertificate } from '../crypto/certificate';
import { verifySignature } from '../crypto/verify-signature';
import { DIGEST_BY_OID } from '../cms/oids';
import { allowsOcspSigning } from './certificate-pointers';
import { CRL_REASONS, fail, type Judged } from './status-finding';

const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
const OID_INVALIDITY_DATE = '2.5.29.24';
const OID_REASON_CODE = '2.5.29.21';
/** Clocks of responders and verifiers differ; five minutes, as most validators allow. */
export const CLOCK_SKEW_MS = 5 * 60_000;

const STATUS_WORDS: Record<number, [string, string]> = {
  1: ['请求格式错误', 'malformedRequest'], 2: ['服务内部错误', 'internalError'], 3: ['服务繁忙,请稍后再试', 'tryLater'],
  5: ['请求需要签名', 'sigRequired'], 6: ['请求未被授权', 'unauthorized'],
};

export interface OcspRequest {
  der: Uint8Array;
  /** The nonce extension's extnValue as sent: the response must echo it. */
  nonce: Uint8Array;
}

function certIdFor(cert: ParsedCertificate, issuer: ParsedCertificate, digest = 'sha1', digestOid = OID_SHA1): pkijs.CertID {
  const h = (b: Uint8Array): ArrayBuffer => toArrayBuffer(crypto.createHash(digest).update(b).digest());
  return new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: digestOid, algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: h(issuer.subjectDer) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: h(issuer.publicKey.keyBits) }),
    serialNumber: new asn1js.Integer({ valueHex: toArrayBuffer(Buffer.from(cert.serialHex, 'hex')) }),
  });
}

/** A DER OCSPRequest for `cert` with a fresh 16-byte nonce. */
export function buildOcspRequest(cert: ParsedCertificate, issuer: ParsedCertificate): OcspRequest {
  const nonce = new Uint8Array(new asn1js.OctetString({ valueHex: toArrayBuffer(crypto.randomBytes(16)) }).toBER(false));
  const req = new pkijs.OCSPRequest();
  req.tbsRequest.requestList = [new pkijs.Request({ reqCert: certIdFor(cert, issuer) })];
  req.tbsRequest.requestExtensions = [new pkijs.Extension({ extnID: OID_OCSP_NONCE, extnValue: toArrayBuffer(nonce) })];
  return { der: new Uint8Array(req.toSchema(true).toBER(false)), nonce };
}

export interface OcspJudgeOptions {
  cert: ParsedCertificate;
  issuer: ParsedCertificate;
  /** The nonce sent, when the response answers our own request now. */
  nonce?: Uint8Array;
  /** When the response must be current (a fresh answer): thisUpdate not in the future, nextUpdate not past. */
  currentAt?: Date;
}

function parseBasic(der: Uint8Array): pkijs.BasicOCSPResponse | { problem: Judged } {
  try {
    scanDer(der, 'signature');
  } catch {
    return { problem: fail('OCSP 应答不是有效的 DER 数据', 'the OCSP response is not valid DER') };
  }
  let resp: pkijs.OCSPResponse;
  try {
    resp = pkijs.OCSPResponse.fromBER(toArrayBuffer(der));
  } catch {
    return { problem: fail('OCSP 应答格式错误', 'the OCSP response is malformed') };
  }
  const status = resp.responseStatus.valueBlock.valueDec;
  if (status !== 0) {
    const [zh, en] = STATUS_WORDS[status] ?? [`状态 ${status}`, `status ${status}`];
    return { problem: fail(`OCSP 服务拒绝应答:${zh}`, `the OCSP responder refused: ${en}`) };
  }
  if (!resp.responseBytes || resp.responseBytes.responseType !== OID_OCSP_BASIC) {
    return { problem: fail('OCSP 应答不是 basic 类型', 'the OCSP response is not of type id-pkix-ocsp-basic') };
  }
  try {
    return pkijs.BasicOCSPResponse.fromBER(toArrayBuffer(resp.responseBytes.response.valueBlock.valueHexView));
  } catch {
    return { problem: fail('OCSP 应答内容格式错误', 'the OCSP basic response is malformed') };
  }
}

function sameCertId(id: pkijs.CertID, cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  const digest = DIGEST_BY_OID[id.hashAlgorithm.algorithmId];
  // SHA-1 usually; SHA-256 and SM3 CertIDs exist too (node:crypto knows all three)
  if (!digest) return false;
  const want = certIdFor(cert, issuer, digest, id.hashAlgorithm.algorithmId);
  return bytesEqual(id.issuerNameHash.valueBlock.valueHexView, want.issuerNameHash.valueBlock.valueHexView)
    && bytesEqual(id.issuerKeyHash.valueBlock.valueHexView, want.issuerKeyHash.valueBlock.valueHexView)
    && bytesEqual(stripSign(id.serialNumber.valueBlock.valueHexView), stripSign(want.serialNumber.valueBlock.valueHexView));
}

function stripSign(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** Who signed: the certificate that matches the responderID (byName or byKey), among the issuer and the response's certs. */
function responderOf(basic: pkijs.BasicOCSPResponse, candidates: ParsedCertificate[]): ParsedCertificate | undefined {
  const rid = basic.tbsResponseData.responderID as unknown;
  if (rid instanceof asn1js.OctetString) {
    const keyHash = rid.valueBlock.valueHexView;
    return candidates.find((c) => bytesEqual(crypto.createHash('sha1').update(c.publicKey.keyBits).digest(), keyHash));
  }
  if (rid instanceof pkijs.RelativeDistinguishedNames) {
    const raw = new Uint8Array(rid.valueBeforeDecode);
    return candidates.find((c) => bytesEqual(c.subjectDer, raw)) ?? candidates.find((c) => rid.isEqual(pkijs.RelativeDistinguishedNames.fromBER(toArrayBuffer(c.subjectDer))));
  }
  return undefined;
}

function extensionValue(exts: pkijs.Extension[] | undefined, oid: string): Uint8Array | undefined {
  const e = exts?.find((x) => x.extnID === oid);
  return e ? new Uint8Array(e.extnValue.valueBlock.valueHexView) : undefined;
}

function generalizedTime(der: Uint8Array | undefined): Date | undefined {
  if (!der) return undefined;
  const p = asn1js.fromBER(toArrayBuffer(der));
  return p.result instanceof asn1js.GeneralizedTime ? p.result.toDate() : undefined;
}

export function judgeOcspResponse(der: Uint8Array, o: OcspJudgeOptions): Judged {
  const basic = parseBasic(der);
  if ('problem' in basic) return basic.problem;
  const data = basic.tbsResponseData;
  const single = data.responses.find((r) => sameCertId(r.certID, o.cert, o.issuer));
  if (!single) return fail('OCSP 应答不是关于这张证书的(CertID 不符)', 'the OCSP response is not about this certificate (CertID mismatch)');

  const included = (basic.certs ?? []).map((c) => tryParseCertificate(new Uint8Array(c.toSchema().toBER(false)))).filter((c): c is ParsedCertificate => !!c);
  const signer = responderOf(basic, [o.issuer, ...included]);
  if (!signer) return fail('找不到 OCSP 应答的签名者证书', "the OCSP response's signer certificate is not known");
  const producedAt = data.producedAt;
  const delegated = !bytesEqual(signer.der, o.issuer.der) && !(bytesEqual(signer.subjectDer, o.issuer.subjectDer) && bytesEqual(signer.publicKey.keyBits, o.issuer.publicKey.keyBits));
  if (delegated) {
    // RFC 6960 §4.2.2.2: issued directly by the CA, with id-kp-OCSPSigning, valid when it signed.
    const issuedByCa = bytesEqual(signer.issuerDer, o.issuer.subjectDer)
      && verifySignature({ algorithm: signer.signatureAlgorithm, publicKey: o.issuer.publicKey, data: signer.tbsDer, signature: signer.signatureValue }).ok;
    if (!issuedByCa) return fail(`OCSP 应答的签名者“${signer.subject}”不是由该 CA 签发的`, `the OCSP signer "${signer.subject}" was not issued by the certificate's CA`);
    if (!allowsOcspSigning(signer.der)) return fail(`OCSP 应答的签名者“${signer.subject}”没有 OCSP 签名用途(id-kp-OCSPSigning)`, `the OCSP signer "${signer.subject}" lacks id-kp-OCSPSigning`);
    if (producedAt < signer.notBefore || producedAt > signer.notAfter) return fail(`OCSP 签名者证书在应答生成时不在有效期内`, 'the OCSP signer certificate was not valid when the response was produced');
  }
  const sigAlg = basic.signatureAlgorithm;
  const sig = verifySignature({
    algorithm: { oid: sigAlg.algorithmId, params: sigAlg.algorithmParams ? new Uint8Array(sigAlg.algorithmParams.toBER(false)) : undefined },
    publicKey: signer.publicKey,
    data: new Uint8Array(data.tbsView),
    signature: new Uint8Array(basic.signature.valueBlock.valueHexView),
  });
  if (!sig.ok) return fail('OCSP 应答的签名无效', `the OCSP response's signature is invalid (${sig.reason})`);

  if (o.nonce) {
    const echoed = extensionValue(data.responseExtensions, OID_OCSP_NONCE);
    if (echoed && !bytesEqual(echoed, o.nonce)) return fail('OCSP 应答的随机数与请求不符(可能是重放)', 'the OCSP nonce does not match the request (possible replay)');
  }
  const thisUpdate = single.thisUpdate;
  const nextUpdate = single.nextUpdate;
  if (nextUpdate && nextUpdate < thisUpdate) return fail('OCSP 应答的 nextUpdate 早于 thisUpdate', 'the OCSP response has nextUpdate before thisUpdate');
  if (o.currentAt) {
    const t = o.currentAt.getTime();
    if (thisUpdate.getTime() > t + CLOCK_SKEW_MS) return fail('OCSP 应答的 thisUpdate 在未来', 'the OCSP response has thisUpdate in the future');
    if (nextUpdate && nextUpdate.getTime() < t - CLOCK_SKEW_MS) return fail(`OCSP 应答已过期(nextUpdate ${nextUpdate.toISOString()})`, `the OCSP response is stale (nextUpdate ${nextUpdate.toISOString()})`);
  }

  const base = { method: 'ocsp' as const, thisUpdate, nextUpdate, producedAt, signedBy: signer.subject, extraCertificates: delegated ? [signer.der] : [] };
  const cs = single.certStatus as asn1js.BaseBlock;
  const tag = cs.idBlock.tagClass === 3 ? cs.idBlock.tagNumber : -1;
  if (tag === 0) return { ok: true, finding: { ...base, status: 'good' } };
  if (tag === 2) return { ok: true, finding: { ...base, status: 'unknown' } };
  if (tag !== 1 || !(cs instanceof asn1js.Constructed)) return fail('OCSP 应答的证书状态无法识别', 'the OCSP certificate status is not recognised');
  const [timeBlock, reasonBlock] = cs.valueBlock.value;
  if (!(timeBlock instanceof asn1js.GeneralizedTime)) return fail('OCSP 应答的吊销时间格式错误', 'the OCSP revocation time is malformed');
  const reasonValue = reasonBlock instanceof asn1js.Constructed && reasonBlock.valueBlock.value[0] instanceof asn1js.Enumerated
    ? reasonBlock.valueBlock.value[0].valueBlock.valueDec : undefined;
  const reasonExt = extensionValue(single.singleExtensions, OID_REASON_CODE);
  const reasonCode = reasonValue ?? (reasonExt ? (asn1js.fromBER(toArrayBuffer(reasonExt)).result as asn1js.Enumerated).valueBlock?.valueDec : undefined);
  return {
    ok: true,
    finding: {
      ...base, status: 'revoked', revokedAt: timeBlock.toDate(),
      reason: reasonCode === undefined ? undefined : CRL_REASONS[reasonCode] ?? `reason ${reasonCode}`,
      invalidityDate: generalizedTime(extensionValue(single.singleExtensions, OID_INVALIDITY_DATE)),
    },
  };
}

/** Certificates carried in a response (a delegated responder's), for the DSS and path building. */
export function ocspResponseCertificates(der: Uint8Array): Uint8Array[] {
  const basic = parseBasic(der);
  if ('problem' in basic) return [];
  return (basic.certs ?? []).map((c) => new Uint8Array(c.toSchema().toBER(false)));
}

/** producedAt of a response, for ordering several. */
export function ocspProducedAt(der: Uint8Array): Date | undefined {
  const basic = parseBasic(der);
  return 'problem' in basic ? undefined : basic.tbsResponseData.producedAt;
}

/**
 * CRLs (RFC 5280 §5, §6.3): a CRL speaks for a certificate only when it is issued by the
 * certificate's issuer (same name; signed with the issuer's key — indirect CRLs are not accepted),
 * its signature verifies over the exact TBSCertList bytes, it is not a delta CRL where a full CRL is
 * wanted, and (for an answer wanted now) now lies between thisUpdate and nextUpdate. A delta CRL
 * (deltaCRLIndicator) applies on top of a base whose cRLNumber is at least its BaseCRLNumber; its
 * removeFromCRL entries take a certificate off hold. Entries carry reason codes and invalidity dates.
 * pkijs reads the structure; the signature is checked with crypto/verify-signature.ts (SM2 too).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual, scanDer, toArrayBuffer } from '../asn1/der';
import type { ParsedCertificate } from '../crypto/certificate';
import { verifySignature } from '../crypto/verify-signature';
import { CLOCK_SKEW_MS } from './ocsp';
import { CRL_REASONS, fail, type Judged, type StatusFinding } from './status-finding';

const OID_CRL_NUMBER = '2.5.29.20';
const OID_DELTA_CRL_INDICATOR = '2.5.29.27';
const OID_REASON_CODE = '2.5.29.21';
const OID_INVALIDITY_DATE = '2.5.29.24';
const OID_ISSUING_DISTRIBUTION_POINT = '2.5.29.28';

export interface ParsedCrl {
  der: Uint8Array;
  crl: pkijs.CertificateRevocationList;
  issuerDer: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  crlNumber?: bigint;
  /** For a delta CRL: the BaseCRLNumber it applies to. */
  deltaBase?: bigint;
}

function integerOf(ext: pkijs.Extension | undefined): bigint | undefined {
  if (!ext) return undefined;
  const p = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView);
  if (!(p.result instanceof asn1js.Integer)) return undefined;
  return BigInt(`0x${Buffer.from(p.result.valueBlock.valueHexView).toString('hex') || '0'}`);
}

/** Reads a DER CRL; undefined for anything that is not one (never throws). */
export function parseCrl(der: Uint8Array): ParsedCrl | undefined {
  try {
    scanDer(der, 'certificate');
    const crl = pkijs.CertificateRevocationList.fromBER(toArrayBuffer(der));
    const exts = crl.crlExtensions?.extensions ?? [];
    return {
      der, crl,
      issuerDer: new Uint8Array(crl.issuer.valueBeforeDecode),
      thisUpdate: crl.thisUpdate.value,
      nextUpdate: crl.nextUpdate?.value,
      crlNumber: integerOf(exts.find((e) => e.extnID === OID_CRL_NUMBER)),
      deltaBase: integerOf(exts.find((e) => e.extnID === OID_DELTA_CRL_INDICATOR)),
    };
  } catch {
    return undefined;
  }
}

function serialOf(b: Uint8Array): string {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return Buffer.from(b.subarray(i)).toString('hex');
}

/** Checks that `crl` is the issuer's and current enough; undefined when it is, else the problem. */
function crlProblem(c: ParsedCrl, issuer: ParsedCertificate, currentAt?: Date): Judged | undefined {
  if (!bytesEqual(c.issuerDer, issuer.subjectDer)) return fail('吊销列表不是该证书的签发者发布的', "the CRL is not published by the certificate's issuer");
  if (issuer.keyUsage && !issuer.keyUsage.has('cRLSign')) return fail('签发者证书没有 cRLSign 用途', 'the issuer certificate lacks the cRLSign key usage');
  const alg = c.crl.signatureAlgorithm;
  const sig = verifySignature({
    algorithm: { oid: alg.algorithmId, params: alg.algorithmParams ? new Uint8Array(alg.algorithmParams.toBER(false)) : undefined },
    publicKey: issuer.publicKey,
    data: new Uint8Array(c.crl.tbsView),
    signature: new Uint8Array(c.crl.signatureValue.valueBlock.valueHexView),
  });
  if (!sig.ok) return fail('吊销列表的签名无效', `the CRL's signature is invalid (${sig.reason})`);
  if (c.crl.crlExtensions?.extensions.some((e) => e.critical && e.extnID === OID_ISSUING_DISTRIBUTION_POINT)) {
    // an IDP narrows the scope (only CA certs, only some reasons, indirect): not honoured here, so not used
    return fail('吊销列表限定了适用范围(IssuingDistributionPoint),不予采用', 'the CRL is scoped by an IssuingDistributionPoint and is not used');
  }
  if (c.nextUpdate && c.nextUpdate < c.thisUpdate) return fail('吊销列表的 nextUpdate 早于 thisUpdate', 'the CRL has nextUpdate before thisUpdate');
  if (currentAt) {
    const t = currentAt.getTime();
    if (c.thisUpdate.getTime() > t + CLOCK_SKEW_MS) return fail('吊销列表的 thisUpdate 在未来', 'the CRL has thisUpdate in the future');
    if (c.nextUpdate && c.nextUpdate.getTime() < t - CLOCK_SKEW_MS) {
      return fail(`吊销列表已过期(nextUpdate ${c.nextUpdate.toISOString()})`, `the CRL has expired (nextUpdate ${c.nextUpdate.toISOString()})`);
    }
  }
  return undefined;
}

interface Entry { revokedAt: Date; reason?: string; invalidityDate?: Date }

function entryFor(c: ParsedCrl, serial: string): Entry | undefined {
  const e = (c.crl.revokedCertificates ?? []).find((r) => serialOf(r.userCertificate.valueBlock.valueHexView) === serial);
  if (!e) return undefined;
  const exts = e.crlEntryExtensions?.extensions ?? [];
  const reasonExt = exts.find((x) => x.extnID === OID_REASON_CODE);
  const reasonBlock = reasonExt ? asn1js.fromBER(reasonExt.extnValue.valueBlock.valueHexView).result : undefined;
  const code = reasonBlock instanceof asn1js.Enumerated ? reasonBlock.valueBlock.valueDec : undefined;
  const invExt = exts.find((x) => x.extnID === OID_INVALIDITY_DATE);
  const invBlock = invExt ? asn1js.fromBER(invExt.extnValue.valueBlock.valueHexView).result : undefined;
  return {
    revokedAt: e.revocationDate.value,
    reason: code === undefined ? undefined : CRL_REASONS[code] ?? `reason ${code}`,
    invalidityDate: invBlock instanceof asn1js.GeneralizedTime ? invBlock.toDate() : undefined,
  };
}

export interface CrlJudgeOptions {
  cert: ParsedCertificate;
  issuer: ParsedCertificate;
  /** Delta CRLs that may apply on top of the base. */
  deltas?: ParsedCrl[];
  currentAt?: Date;
}

/** Judges a full CRL (and applicable deltas) for one certificate. */
export function judgeCrl(base: ParsedCrl, o: CrlJudgeOptions): Judged {
  if (base.deltaBase !== undefined) return fail('这是增量吊销列表,缺少它所依据的完整列表', 'this is a delta CRL; the full CRL it builds on is missing');
  const problem = crlProblem(base, o.issuer, o.currentAt);
  if (problem) return problem;
  const serial = serialOf(Buffer.from(o.cert.serialHex, 'hex'));
  let entry = entryFor(base, serial);
  let newest = base;
  // The newest delta that builds on this base and checks out (RFC 5280 §5.2.4).
  const usable = (o.deltas ?? []).filter((d) => d.deltaBase !== undefined && base.crlNumber !== undefined && d.deltaBase <= base.crlNumber
    && (d.crlNumber === undefined || d.crlNumber > base.crlNumber) && !crlProblem(d, o.issuer, o.currentAt));
  usable.sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime());
  const delta = usable[0];
  if (delta) {
    newest = delta;
    const d = entryFor(delta, serial);
    if (d) entry = d.reason === 'removeFromCRL' ? undefined : d;
  }
  const finding: StatusFinding = {
    method: 'crl', status: entry ? 'revoked' : 'good', thisUpdate: newest.thisUpdate, nextUpdate: newest.nextUpdate,
    signedBy: o.issuer.subject, extraCertificates: [],
    ...(entry ? { revokedAt: entry.revokedAt, reason: entry.reason, invalidityDate: entry.invalidityDate } : {}),
  };
  if (entry?.reason === 'removeFromCRL') finding.status = 'good';
  return { ok: true, finding };
}

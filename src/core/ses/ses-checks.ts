/**
 * The checks of one GB/T 38540 SES_Signature (v4/v5; GM/T 0031-2014 v1 too) over a protected
 * original, independent of the container: the PDF GM profile (src/core/gm) and OFD (src/core/ofd)
 * both call this one place; nothing in it knows about PDF objects, ZIP or XML.
 *
 * Order of GB/T 38540 (domain.md, gm-formats.md §2.2): format → signer's signature over the exact
 * TBS_Sign received (v4: the outer cert and algorithm; v1: the ones inside TBS_Sign, which the
 * decoder lifts out) → signer listed in the seal → seal (maker signature, maker chain, validity
 * window contains the signing time) → signer certificate (key usage, chain at the signing time;
 * an unknown root is a warning "identity unknown", not a failure) → timestamp → dataHash.
 * The timestamp is judged first because its time, when valid, is the signing time the seal and the
 * certificates are judged at. Every check runs and is reported, so a viewer can show all reasons.
 */
import { signerSummary } from '../verify/report-summary';
import type {
  BilingualText, Check, CheckId, CheckStatus, SealSummary, SignatureReport, SignerInfoSummary, TimeBasis,
} from '../../api/verification-report';
import { bytesEqual, type EncodingDeviation } from '../asn1/der';
import { readSignatureValue } from '../asn1/signature-value';
import { OID_ECDSA_SHA256, OID_SHA1_WITH_RSA, OID_SHA256_WITH_RSA } from '../asn1/oids';
import type { SESSignature } from '../asn1/ses-signature';
import { tryParseCertificate, type ParsedCertificate } from '../crypto/certificate';
import { digest, type DigestAlgorithm } from '../crypto/digest';
import { verifySignature } from '../crypto/verify-signature';
import { isSealDeskError } from '../errors';
import { sealListsCertificate, verifySeal } from '../seal/verify-seal';
import { verifyTimestampToken } from '../timestamp/verify-timestamp';
import { checkChain } from '../verify/chain';
import { deviationTexts, sesAlgorithms, sesFormatName, timeBasis } from './stamp-facts';

export interface SesCheckOptions {
  trustRoots: Uint8Array[];
  now: Date;
}

export interface SesCheckOutcome {
  /** signature, seal_signer, seal, signer_chain, timestamp, digest — in that order. */
  checks: Check[];
  signer: SignerInfoSummary | null;
  seal: SealSummary;
  /** TBS_Sign.timeInfo: the time the signer claims (signed, but not attested by a third party). */
  claimedTime?: Date;
  /** The genTime of a valid timestamp token over the signature value. */
  timestampTime?: Date;
  /** What the seal and certificates were judged at: timestamp, else claimed time, else now. */
  signingTime: Date;
  /** Vendor encoding habits read (the stamp's, its seal's, and its signature values'). */
  deviations: EncodingDeviation[];
  timeBasis: TimeBasis;
  /** The report's stamp facts (algorithms, format, seal version, deviations, time basis). */
  facts: Pick<SignatureReport, 'algorithms' | 'format' | 'sealVersion' | 'encodingDeviations' | 'timeBasis'>;
}

/**
 * Runs the SES_Signature checks; `original` is the protected content (OFD: the bytes of
 * Signature.xml) whose digest must equal TBS_Sign.dataHash. A container whose original is not one
 * buffer (PDF: two byte ranges of the file, hashed in place) passes null and checks the hash itself.
 */
export function checkSesSignature(ses: SESSignature, original: Uint8Array | null, options: SesCheckOptions): SesCheckOutcome {
  const checks: Check[] = [];
  const add = (id: CheckId, status: CheckStatus, message: BilingualText): void => { checks.push({ id, status, message }); };
  const seal = ses.toSign.eseal;
  const cert = tryParseCertificate(ses.cert);
  const deviations: EncodingDeviation[] = [...ses.deviations];

  // The signer's signature over the exact TBS_Sign bytes received.
  const value = readSignatureValue(ses.signature, ses.signatureAlgID, 'SES_Signature.signature');
  if (value.ok && value.deviation) deviations.push(value.deviation);
  if (!cert) {
    add('signature', 'failed', { zh: '签章者证书无法解析', en: "The signer's certificate cannot be parsed" });
  } else if (!value.ok) {
    add('signature', 'failed', { zh: `签章者的签名值无法读取（${value.reason}）`, en: `The signer's signature value cannot be read (${value.reason})` });
  } else {
    const r = verifySignature({ algorithm: ses.signatureAlgID, publicKey: cert.publicKey, data: ses.tbsSignDer, signature: value.der });
    if (r.ok) add('signature', 'ok', { zh: `签章者对签章信息（TBS_Sign）的签名有效（电子签章 v${ses.version}）`, en: `The signer's signature over TBS_Sign is valid (SES_Signature v${ses.version})` });
    else add('signature', 'failed', { zh: '签章者的签名无效，签章数据可能被篡改', en: `The signer's signature is invalid; the stamp data may have been altered (${r.reason})` });
  }

  add('seal_signer', ...judgeSealSigner(seal, ses.cert));

  const claimedTime = ses.toSign.timeInfo;
  const ts = ses.timeStamp || !ses.toSign.timeInfoToken
    ? judgeTimestampToken(ses.timeStamp, ses.signature, options)
    : { check: { id: 'timestamp' as const, status: 'not_checked' as const, message: { zh: '签章时间信息是时间戳令牌（GM/T 0031-2014），未核验；签章时间按签章者声明处理', en: 'The signing time is a timestamp token inside timeInfo (GM/T 0031-2014), not checked; the time is treated as claimed' } } };
  const signingTime = ts.time ?? claimedTime ?? options.now;
  const trustedTime = ts.time && ts.check.status === 'ok' ? ts.time : undefined;

  const sv = verifySeal(seal, { trustRoots: options.trustRoots, at: signingTime, trustedTime });
  for (const d of sv.deviations) if (!deviations.some((x) => x.en === d.en)) deviations.push(d);
  const notOk = sv.checks.filter((c) => c.status !== 'ok');
  const detail = (k: 'zh' | 'en'): string => notOk.map((c) => c[k]).join(k === 'zh' ? '；' : '; ');
  if (sv.verdict === 'valid') add('seal', 'ok', { zh: '电子印章有效（制章者签名、制章者证书、签章时在印章有效期内）', en: "The seal is valid (maker's signature, maker's certificate, within its validity at the signing time)" });
  else if (sv.verdict === 'warning') add('seal', 'warning', { zh: `电子印章的制章者签名有效，签章时在有效期内；${detail('zh')}`, en: `The seal's maker signature verifies and the seal was within its validity at the signing time; ${detail('en')}` });
  else add('seal', 'failed', { zh: `电子印章无效：${detail('zh')}`, en: `The seal is invalid: ${detail('en')}` });

  add('signer_chain', ...judgeSignerCertificate(cert, [], options, signingTime));
  checks.push(ts.check);

  const algorithm = dataHashAlgorithm(ses.signatureAlgID);
  if (original === null) {
    // the caller judges the data hash
  } else if (bytesEqual(digest(algorithm, original), ses.toSign.dataHash)) {
    add('digest', 'ok', { zh: `原文杂凑值（${algorithm.toUpperCase()}）与受保护的内容一致`, en: `The data hash (${algorithm.toUpperCase()}) matches the protected content` });
  } else {
    add('digest', 'failed', { zh: '原文杂凑值与受保护的内容不一致（内容被篡改，或签章来自其他文档）', en: 'The data hash does not match the protected content (tampered, or a stamp taken from another document)' });
  }

  const p = seal.eSealInfo.property;
  const basis = timeBasis({ timestamp: ts.time ? { at: ts.time, trusted: trustedTime !== undefined } : undefined, claimed: claimedTime, sealCreated: p.createDate, makerAt: sv.makerAt, now: options.now });
  return {
    checks,
    signer: cert ? signerSummary(cert) : null,
    seal: { esID: seal.eSealInfo.esID, name: p.name, type: p.type, validStart: p.validStart.toISOString(), validEnd: p.validEnd.toISOString() },
    claimedTime,
    timestampTime: ts.time,
    signingTime,
    deviations,
    timeBasis: basis,
    facts: {
      algorithms: sesAlgorithms(ses, algorithm, original ? [{ name: { zh: '受保护内容的杂凑值（重新计算）', en: 'digest of the protected content (recomputed)' }, algorithm: algorithm.toUpperCase(), hex: Buffer.from(digest(algorithm, original)).toString('hex') }] : []),
      format: { name: sesFormatName(ses.version) },
      sealVersion: seal.version,
      encodingDeviations: deviationTexts(deviations),
      timeBasis: basis,
    },
  };
}

/**
 * 验证签章者证书与电子印章的匹配性: the signer's certificate (or its digest) is in the seal's list.
 * A v1 seal that names its keepers by id text (certID, see asn1/ses-seal.ts) cannot be matched:
 * a warning that says so, not a pass.
 */
export function judgeSealSigner(seal: SESSignature['toSign']['eseal'], certDer: Uint8Array): [CheckStatus, BilingualText] {
  if (sealListsCertificate(seal, certDer)) return ['ok', { zh: '签章者证书列在电子印章的证书列表中', en: "The signer's certificate is listed in the seal" }];
  const p = seal.eSealInfo.property;
  if (p.certListType === 1 && p.certList.length === 0 && p.certIds && p.certIds.length > 0) {
    const ids = p.certIds.map((t) => JSON.stringify(t.slice(0, 40))).join(', ');
    return ['warning', { zh: `印章的证书列表只有证书标识 ${ids}，没有证书，无法核对签章者`, en: `The seal lists only certificate ids ${ids}, no certificates: the signer cannot be matched to the seal` }];
  }
  return ['failed', { zh: '签章者证书不在电子印章的证书列表中（印章被他人使用）', en: "The signer's certificate is not listed in the seal (someone else used the seal)" }];
}

/** dataHash is SM3 for SM2 stamps; RSA/ECDSA stamps of GM/T 0031 vendors use the signature's hash. */
export function dataHashAlgorithm(signatureAlgID: string): DigestAlgorithm {
  if (signatureAlgID === OID_SHA1_WITH_RSA) return 'sha1';
  if (signatureAlgID === OID_SHA256_WITH_RSA || signatureAlgID === OID_ECDSA_SHA256) return 'sha256';
  return 'sm3';
}

/** Key usage that allows signing, and the chain to the trust store at the signing time (unknown root ⇒ warning). */
export function judgeSignerCertificate(cert: ParsedCertificate | undefined, intermediates: Uint8Array[], options: SesCheckOptions, at: Date): [CheckStatus, BilingualText] {
  if (!cert) return ['not_checked', { zh: '签章者证书无法解析', en: "The signer's certificate cannot be parsed" }];
  const usage = cert.keyUsage;
  if (usage && !usage.has('digitalSignature') && !usage.has('nonRepudiation')) {
    return ['failed', { zh: '签章者证书的密钥用法不允许数字签名', en: "The key usage of the signer's certificate does not allow signing" }];
  }
  const chain = checkChain(cert.der, { intermediates, roots: options.trustRoots, at });
  const zh = chain.details.map((d) => d.zh).join('；');
  const en = chain.details.map((d) => d.en).join('; ');
  if (chain.status === 'trusted') return ['ok', { zh: '签章者证书在签章时有效，并链接到受信任的根证书', en: "The signer's certificate was valid at the signing time and chains to a trusted root" }];
  if (chain.status === 'untrusted') return ['warning', { zh: `签章者身份未知（证书在签章时有效，但根证书不受信任）：${zh}`, en: `Identity unknown (the certificate was valid at the signing time, but its root is not trusted): ${en}` }];
  return ['failed', { zh: `签章者证书无效：${zh}`, en: `The signer's certificate is invalid: ${en}` }];
}

/** An RFC 3161 token over a signature value, when there is one; `time` is its genTime when usable. */
export function judgeTimestampToken(token: Uint8Array | undefined, signatureValue: Uint8Array, options: SesCheckOptions): { check: Check; time?: Date } {
  const check = (status: CheckStatus, message: BilingualText): Check => ({ id: 'timestamp', status, message });
  if (!token) return { check: check('not_checked', { zh: '没有时间戳，签章时间为签章者声明的时间', en: 'No timestamp: the signing time is the one the signer claims' }) };
  try {
    const ts = verifyTimestampToken(token, signatureValue, { trustRoots: options.trustRoots });
    if (!ts.imprintMatches || !ts.signatureValid || !ts.genTime) {
      return { check: check('failed', { zh: '时间戳无效（与签名值不符或时间戳签名无效）', en: 'The timestamp is invalid (it does not stamp this signature value, or its own signature fails)' }) };
    }
    const when = ts.genTime.toISOString();
    if (ts.chain.status === 'trusted' && ts.timestampingUsage) return { check: check('ok', { zh: `可信时间戳：${when}`, en: `Trusted timestamp: ${when}` }), time: ts.genTime };
    if (ts.chain.status === 'invalid' || !ts.timestampingUsage) {
      return { check: check('failed', { zh: `时间戳服务证书无效：${ts.problems.join('; ')}`, en: `The timestamp authority certificate is invalid: ${ts.problems.join('; ')}` }) };
    }
    return { check: check('warning', { zh: `时间戳 ${when} 来自不受信任的时间戳服务`, en: `Timestamp ${when} comes from an untrusted timestamp authority` }), time: ts.genTime };
  } catch (e) {
    const err = isSealDeskError(e) ? e : undefined;
    return { check: check('failed', { zh: err?.zh ?? '时间戳无法解析', en: err?.en ?? 'The timestamp cannot be parsed' }) };
  }
}

// One signer summary for every container: verify/report-summary.
export { signerSummary } from '../verify/report-summary';

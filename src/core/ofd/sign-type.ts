/**
 * OFD signatures of Type="Sign" (电子签名, no seal): SignedValue.dat signs Signature.xml with one of
 * - a GM/T 0010 (GB/T 35275) SignedData, in a ContentInfo or bare (GM/T 0099 §7.2.2 b). Three
 *   shapes are met: signed attributes with a messageDigest of Signature.xml (CMS style); the
 *   SM3 digest of Signature.xml as encapsulated content, signed directly (ofdrw's
 *   GBT35275DSContainer); or detached with the signature over Signature.xml itself;
 * - a bare SM2 signature value (ofdrw's DigitalSignContainer). It names no certificate, so nobody
 *   can tell who made it: reported as a failed signature check with that reason, never as valid.
 */
import * as asn1js from 'asn1js';
import type { BilingualText, Check, CheckId, CheckStatus, SignatureReport, SignerInfoSummary } from '../../api/verification-report';
import { readSignatureValue } from '../asn1/signature-value';
import { OID_SM2_WITH_SM3 } from '../asn1/oids';
import { cmsAlgorithms, deviationTexts, signatureAlgorithmName, timeBasis } from '../ses/stamp-facts';
import { decodeDer, derExplicit, derOid, derSequence, bytesEqual } from '../asn1/der';
import type { ParsedCms } from '../cms/parse-cms';
import { verifyCmsSignature } from '../cms/verify-cms';
import { tryParseCertificate } from '../crypto/certificate';
import { sm3 } from '../crypto/digest';
import { verifySignature } from '../crypto/verify-signature';
import { isSealDeskError } from '../errors';
import { parseGmSignedData } from '../gm/gm-signed-data';
import { OID_GM_SIGNED_DATA } from '../gm/pdf-profile';
import { judgeSignerCertificate, judgeTimestampToken, signerSummary } from '../ses/ses-checks';

export interface SignTypeOptions {
  trustRoots: Uint8Array[];
  now: Date;
  /** SignatureDateTime of Signature.xml. */
  claimedTime?: Date;
}

export interface SignTypeOutcome {
  /** digest, signature, signer_chain, seal, seal_signer, timestamp. */
  checks: Check[];
  signer: SignerInfoSummary | null;
  claimedTime?: Date;
  timestampTime?: Date;
  /** The report's stamp facts (algorithms, format, deviations, time basis). */
  facts: Pick<SignatureReport, 'algorithms' | 'format' | 'encodingDeviations' | 'timeBasis'>;
}

type Shape = 'content-info' | 'signed-data' | 'raw' | 'unknown';

export function verifySignType(signedValue: Uint8Array, signatureXml: Uint8Array, options: SignTypeOptions): SignTypeOutcome {
  const checks: Check[] = [];
  const add = (id: CheckId, status: CheckStatus, message: BilingualText): void => { checks.push({ id, status, message }); };
  const noSeal = { zh: '电子签名（Type=Sign）不带电子印章', en: 'A digital signature (Type=Sign) carries no seal' };
  add('seal', 'not_checked', noSeal);
  add('seal_signer', 'not_checked', noSeal);

  const shape = shapeOf(signedValue);
  const basis = (claimed?: Date, ts?: { at: Date; trusted: boolean }): SignTypeOutcome['facts']['timeBasis'] => timeBasis({ claimed, timestamp: ts, now: options.now });
  if (shape === 'raw') {
    add('signature', 'failed', { zh: '签名值是裸 SM2 签名，不含签名者证书，无法确认签名者，不能验证', en: "The signed value is a bare SM2 signature without the signer's certificate: the signer cannot be identified, so it cannot be verified" });
    return { checks, signer: null, claimedTime: options.claimedTime, facts: { format: { name: 'bare SM2 signature value' }, algorithms: { signature: signatureAlgorithmName(OID_SM2_WITH_SM3), digest: 'SM3' }, timeBasis: basis(options.claimedTime) } };
  }
  let cms: ParsedCms;
  try {
    if (shape === 'unknown') throw new Error('not a SignedData');
    cms = parseGmSignedData(shape === 'content-info' ? signedValue : derSequence(derOid(OID_GM_SIGNED_DATA), derExplicit(0, signedValue)));
  } catch (e) {
    const err = isSealDeskError(e) ? e : undefined;
    add('signature', 'failed', { zh: `签名值既不是 GM/T 0010 签名数据也不是 SM2 签名：${err?.zh ?? '无法解析'}`, en: `The signed value is neither a GM/T 0010 SignedData nor an SM2 signature: ${err?.en ?? 'cannot be decoded'}` });
    return { checks, signer: null, claimedTime: options.claimedTime, facts: { format: { name: 'unreadable' }, timeBasis: basis(options.claimedTime) } };
  }
  // Vendors store the SM2 value as raw r‖s too; the verifiers take DER (asn1/signature-value.ts).
  const value = readSignatureValue(cms.signatureValue, cms.signatureAlgorithm.algorithmId, 'SignerInfo.encryptedDigest');
  const received = cms;
  if (value.ok) cms = { ...cms, signatureValue: value.der };

  const cert = cms.signerCertificate ? tryParseCertificate(cms.signerCertificate) : undefined;
  const claimedTime = cms.signingTimeAttribute ?? options.claimedTime;
  const ts = judgeTimestampToken(received.timestampToken, received.signatureValue, options);
  const at = ts.time ?? claimedTime ?? options.now;
  const xmlDigest = sm3(signatureXml);

  let digestOk: boolean;
  let signatureOk = false;
  let reason = 'the signer certificate is not embedded';
  if (cms.signedAttributesDer) {
    const r = verifyCmsSignature(cms, { contentDigest: xmlDigest, contentDigestAlgorithm: 'sm3' });
    digestOk = r.digestMatches;
    signatureOk = r.signatureValid && r.signingCertificateMatches !== false;
    reason = r.problems.join('; ');
  } else {
    // Without signed attributes the signature covers the content itself: ofdrw puts SM3(Signature.xml)
    // there; a detached one signs Signature.xml directly.
    const content = cms.eContent ?? signatureXml;
    digestOk = cms.eContent === undefined || bytesEqual(cms.eContent, xmlDigest);
    if (cert) {
      const r = verifySignature({ algorithm: cms.signatureAlgorithm.algorithmId, publicKey: cert.publicKey, data: content, signature: cms.signatureValue });
      signatureOk = r.ok;
      reason = r.ok ? '' : r.reason;
    }
  }
  if (digestOk) add('digest', 'ok', { zh: '签名数据中的杂凑值与 Signature.xml 一致（SM3）', en: 'The digest in the signature matches Signature.xml (SM3)' });
  else add('digest', 'failed', { zh: 'Signature.xml 与签名时不一致（被篡改，或签名来自其他文档）', en: 'Signature.xml does not match the signature (tampered, or a signature taken from another document)' });
  if (signatureOk) add('signature', 'ok', { zh: '签名者的 SM2 签名（GM/T 0010）有效', en: "The signer's SM2 signature (GM/T 0010) is valid" });
  else add('signature', 'failed', { zh: '签名者的签名无效', en: `The signer's signature is invalid (${reason})` });
  add('signer_chain', ...judgeSignerCertificate(cert, cms.certificates, options, at));
  checks.push(ts.check);
  const facts: SignTypeOutcome['facts'] = {
    algorithms: cmsAlgorithms(received, undefined, xmlDigest),
    format: { name: shape === 'content-info' ? 'GM/T 0010 SignedData' : 'GM/T 0010 SignedData (bare, no ContentInfo)' },
    encodingDeviations: deviationTexts(value.ok && value.deviation ? [value.deviation] : []),
    timeBasis: basis(claimedTime, ts.time ? { at: ts.time, trusted: ts.check.status === 'ok' } : undefined),
  };
  return { checks, signer: cert ? signerSummary(cert) : null, claimedTime, timestampTime: ts.time, facts };
}

/** ContentInfo starts with an OID; SignedData with its version and a SET of digest algorithms; an SM2 value is SEQUENCE{r, s}. */
function shapeOf(der: Uint8Array): Shape {
  let root: asn1js.AsnType;
  try {
    root = decodeDer(der, 'signature');
  } catch {
    return 'unknown';
  }
  if (!(root instanceof asn1js.Sequence)) return 'unknown';
  const items = root.valueBlock.value;
  if (items[0] instanceof asn1js.ObjectIdentifier) return 'content-info';
  if (items.length === 2 && items[0] instanceof asn1js.Integer && items[1] instanceof asn1js.Integer) return 'raw';
  if (items[0] instanceof asn1js.Integer && items[1] instanceof asn1js.Set) return 'signed-data';
  return 'unknown';
}

import crypto from 'node:crypto';
import * as pkijs from 'pkijs';
import { SealDeskError } from '../errors';
import { bytesEqual, toArrayBuffer } from '../cms/der';
import { DIGEST_BY_OID, OID_CT_TSTINFO, OID_KP_TIMESTAMPING } from '../cms/oids';
import { parseCms, type ParsedCms } from '../cms/parse-cms';
import { verifyCmsSignature, type CmsSignatureCheck } from '../cms/verify-cms';
import { checkChain, NOT_CHECKED, type ChainOutcome } from '../verify/chain';

/** The facts of one RFC 3161 token checked against the data it claims to stamp. */
export interface TimestampVerification {
  genTime?: Date;
  policy?: string;
  serialNumber?: string;
  /** The token's messageImprint equals the digest of the stamped data. */
  imprintMatches: boolean;
  /** The TSA's CMS signature over the TSTInfo verifies. */
  signatureValid: boolean;
  /** The facts of the TSA's CMS signature (algorithm support, weak algorithms). */
  signature: CmsSignatureCheck;
  tsaCertificate?: Uint8Array;
  /** The TSA certificate carries extendedKeyUsage timeStamping, critical (RFC 3161 §2.3). */
  timestampingUsage: boolean;
  /** The TSA certificate chains to the trust roots ('untrusted' when no root matches; 'not_checked' without roots). */
  chain: ChainOutcome;
  problems: string[];
}

export interface TimestampVerifyOptions {
  trustRoots?: Uint8Array[];
}

/** A TimeStampToken taken apart: its CMS, its TSTInfo and what the messageImprint says. */
export interface ParsedTimestampToken {
  cms: ParsedCms;
  tst: pkijs.TSTInfo;
  /** node:crypto name of the imprint's hash, undefined when SealDesk does not compute it. */
  imprintAlgorithm?: string;
  imprintAlgorithmOid: string;
  imprint: Uint8Array;
}

/** Parses a TimeStampToken (ContentInfo DER); malformed tokens throw CMS_MALFORMED / TIMESTAMP_MALFORMED. */
export function parseTimestampToken(tokenDer: Uint8Array): ParsedTimestampToken {
  const cms = parseCms(tokenDer);
  if (cms.eContentType !== OID_CT_TSTINFO || !cms.eContent) {
    throw new SealDeskError('TIMESTAMP_MALFORMED', '时间戳令牌不含 TSTInfo', 'The timestamp token carries no TSTInfo');
  }
  let tst: pkijs.TSTInfo;
  try {
    tst = pkijs.TSTInfo.fromBER(toArrayBuffer(cms.eContent));
  } catch (e) {
    throw new SealDeskError('TIMESTAMP_MALFORMED', '时间戳信息(TSTInfo)无法解析', 'The TSTInfo cannot be parsed', { cause: e });
  }
  const imprintAlgorithmOid = tst.messageImprint.hashAlgorithm.algorithmId;
  return { cms, tst, imprintAlgorithm: DIGEST_BY_OID[imprintAlgorithmOid], imprintAlgorithmOid, imprint: new Uint8Array(tst.messageImprint.hashedMessage.valueBlock.valueHexView) };
}

/**
 * Verifies a TimeStampToken over `stamped` (for a signature timestamp: the signer's signature value)
 * or over data whose digest the caller computed with the imprint's algorithm (for a document
 * timestamp: the ByteRange, hashed in the one pass over the file).
 */
export function verifyTimestampToken(token: Uint8Array | ParsedTimestampToken, stamped: Uint8Array | { digest: Uint8Array }, options: TimestampVerifyOptions = {}): TimestampVerification {
  const { cms: parsed, tst, imprintAlgorithm, imprintAlgorithmOid, imprint } = token instanceof Uint8Array ? parseTimestampToken(token) : token;
  const problems: string[] = [];
  let imprintMatches = false;
  if (!imprintAlgorithm) problems.push(`unsupported imprint digest ${imprintAlgorithmOid}`);
  else {
    const want = stamped instanceof Uint8Array ? new Uint8Array(crypto.createHash(imprintAlgorithm).update(stamped).digest()) : stamped.digest;
    imprintMatches = bytesEqual(want, imprint);
    if (!imprintMatches) problems.push('the token stamps other data');
  }
  const sig = verifyCmsSignature(parsed, { content: parsed.eContent });
  const signatureValid = sig.signatureValid && sig.digestMatches;
  problems.push(...sig.problems);

  const tsaCert = parsed.signerCertificate;
  const timestampingUsage = !!tsaCert && hasCriticalTimestampingEku(tsaCert);
  if (tsaCert && !timestampingUsage) problems.push('the TSA certificate lacks critical extendedKeyUsage timeStamping');

  let chain: ChainOutcome = NOT_CHECKED;
  if (tsaCert && options.trustRoots && options.trustRoots.length > 0) {
    chain = checkChain(tsaCert, { intermediates: parsed.certificates, roots: options.trustRoots, at: tst.genTime });
    problems.push(...chain.problems);
  }
  return {
    genTime: tst.genTime,
    policy: tst.policy,
    serialNumber: Buffer.from(tst.serialNumber.valueBlock.valueHexView).toString('hex'),
    imprintMatches,
    signatureValid,
    signature: sig,
    tsaCertificate: tsaCert,
    timestampingUsage,
    chain,
    problems,
  };
}

function hasCriticalTimestampingEku(certDer: Uint8Array): boolean {
  try {
    const cert = pkijs.Certificate.fromBER(toArrayBuffer(certDer));
    const eku = cert.extensions?.find((e) => e.extnID === '2.5.29.37');
    if (!eku || !eku.critical) return false;
    const parsed = eku.parsedValue as pkijs.ExtKeyUsage | undefined;
    return !!parsed && parsed.keyPurposes.includes(OID_KP_TIMESTAMPING);
  } catch {
    return false;
  }
}

import crypto from 'node:crypto';
import * as pkijs from 'pkijs';
import { SealDeskError } from '../errors';
import { bytesEqual, toArrayBuffer } from '../cms/der';
import { DIGEST_BY_OID, OID_CT_TSTINFO, OID_KP_TIMESTAMPING } from '../cms/oids';
import { parseCms } from '../cms/parse-cms';
import { verifyCmsSignature } from '../cms/verify-cms';
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

/**
 * Verifies a TimeStampToken (ContentInfo DER) over `stamped` (for a signature timestamp: the signer's
 * signature value). Malformed tokens throw CMS_MALFORMED / TIMESTAMP_MALFORMED.
 */
export function verifyTimestampToken(tokenDer: Uint8Array, stamped: Uint8Array, options: TimestampVerifyOptions = {}): TimestampVerification {
  const parsed = parseCms(tokenDer);
  if (parsed.eContentType !== OID_CT_TSTINFO || !parsed.eContent) {
    throw new SealDeskError('TIMESTAMP_MALFORMED', '时间戳令牌不含 TSTInfo', 'The timestamp token carries no TSTInfo');
  }
  let tst: pkijs.TSTInfo;
  try {
    tst = pkijs.TSTInfo.fromBER(toArrayBuffer(parsed.eContent));
  } catch (e) {
    throw new SealDeskError('TIMESTAMP_MALFORMED', '时间戳信息(TSTInfo)无法解析', 'The TSTInfo cannot be parsed', { cause: e });
  }
  const problems: string[] = [];
  const hashName = DIGEST_BY_OID[tst.messageImprint.hashAlgorithm.algorithmId];
  let imprintMatches = false;
  if (!hashName) problems.push(`unsupported imprint digest ${tst.messageImprint.hashAlgorithm.algorithmId}`);
  else {
    const want = new Uint8Array(crypto.createHash(hashName).update(stamped).digest());
    imprintMatches = bytesEqual(want, new Uint8Array(tst.messageImprint.hashedMessage.valueBlock.valueHexView));
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

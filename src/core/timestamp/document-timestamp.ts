/**
 * A document timestamp (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161: PAdES B-LTA, ETSI EN 319
 * 142-1 §5.4) verified as what it is: a TSA's RFC 3161 token whose messageImprint is the digest of
 * the /ByteRange, signed by the TSA, whose certificate chains to a trusted root and carries the
 * critical timeStamping key purpose. It has no signer and no seal, so it is reported as a document
 * timestamp — never as a stamp lacking its seal — with the report's usual check ids: digest (the
 * imprint), signature (the TSA's), signer_chain (the TSA's certificate), timestamp (its time).
 */
import type { BilingualText, CheckId, CheckStatus } from '../../api/verification-report';
import { judgeWeakAlgorithms } from '../cms/algorithm-policy';
import { isSealDeskError } from '../errors';
import { parseTimestampToken, verifyTimestampToken, type ParsedTimestampToken } from './verify-timestamp';

export const DOCUMENT_TIMESTAMP_SUBFILTER = 'ETSI.RFC3161';

export type ParsedDocumentTimestamp = { token: ParsedTimestampToken } | { error: BilingualText };

/** Reads the token in /Contents; a token that cannot be read is a failed check later, never a throw. */
export function parseDocumentTimestamp(contents: Uint8Array): ParsedDocumentTimestamp {
  try {
    return { token: parseTimestampToken(contents) };
  } catch (e) {
    const err = isSealDeskError(e) ? e : undefined;
    return { error: { zh: err?.zh ?? '时间戳令牌无法解析', en: err?.en ?? 'The timestamp token cannot be parsed' } };
  }
}

export interface DocumentTimestampJudgement {
  checks: Array<{ id: CheckId; status: CheckStatus; message: BilingualText }>;
  genTime?: Date;
  tsaCertificate?: Uint8Array;
}

export interface DocumentTimestampInput {
  parsed: ParsedDocumentTimestamp;
  /** Digest of the /ByteRange with the imprint's algorithm; undefined when the range is unusable or the algorithm unknown. */
  digest?: Uint8Array;
  rangeUsable: boolean;
  trustRoots: Uint8Array[];
  now: Date;
}

const NO_SEAL: BilingualText = { zh: '文档时间戳不含印章（它不是签章）', en: 'A document timestamp carries no seal (it is not a stamp)' };

export function judgeDocumentTimestamp(input: DocumentTimestampInput): DocumentTimestampJudgement {
  const checks: DocumentTimestampJudgement['checks'] = [];
  const add = (id: CheckId, status: CheckStatus, message: BilingualText): void => { checks.push({ id, status, message }); };
  for (const id of ['seal', 'seal_signer', 'impression'] as const) add(id, 'not_checked', NO_SEAL);
  if ('error' in input.parsed) {
    const unread = { zh: '时间戳令牌无法解析', en: 'The timestamp token cannot be parsed' };
    add('digest', 'not_checked', unread);
    add('signature', 'failed', input.parsed.error);
    add('signer_chain', 'not_checked', unread);
    add('timestamp', 'failed', input.parsed.error);
    return { checks };
  }
  const token = input.parsed.token;
  const ts = verifyTimestampToken(token, { digest: input.digest ?? new Uint8Array(0) }, { trustRoots: input.trustRoots });
  const when = ts.genTime?.toISOString() ?? '?';

  if (!input.rangeUsable) add('digest', 'not_checked', { zh: '签名范围无效，未计算摘要', en: 'The signed range is invalid: no digest computed' });
  else if (!token.imprintAlgorithm) add('digest', 'failed', { zh: `不支持的算法：时间戳摘要算法 ${token.imprintAlgorithmOid}`, en: `Unsupported algorithm: timestamp imprint digest ${token.imprintAlgorithmOid}` });
  else if (ts.imprintMatches) add('digest', 'ok', { zh: '时间戳覆盖的文档内容未被篡改', en: 'The bytes the document timestamp covers are unchanged' });
  else add('digest', 'failed', { zh: '文档内容与时间戳不符（内容被篡改）', en: 'The covered bytes do not match the document timestamp (content changed)' });

  const sig = ts.signature;
  if (sig.unsupportedAlgorithm) {
    add('signature', 'failed', { zh: `不支持的算法（${sig.unsupportedAlgorithm}）：无法检查时间戳服务的签名`, en: `Unsupported algorithm (${sig.unsupportedAlgorithm}): the timestamp authority's signature cannot be checked` });
  } else if (!ts.signatureValid) {
    add('signature', 'failed', { zh: '时间戳服务的签名无效', en: `The timestamp authority's signature is invalid (${sig.problems.join('; ')})` });
  } else {
    const weak = judgeWeakAlgorithms(sig.weakAlgorithms, input.now);
    if (weak.status === 'ok') add('signature', 'ok', { zh: '时间戳服务的签名有效', en: "The timestamp authority's signature is valid" });
    else add('signature', weak.status, weak.message!);
  }

  if (!ts.tsaCertificate) add('signer_chain', 'failed', { zh: '时间戳中没有时间戳服务证书', en: 'The timestamp carries no TSA certificate' });
  else if (!ts.timestampingUsage) add('signer_chain', 'failed', { zh: '时间戳服务证书没有关键的时间戳用途（timeStamping）', en: 'The TSA certificate lacks the critical timeStamping key purpose' });
  else if (ts.chain.status === 'trusted') add('signer_chain', 'ok', { zh: '时间戳服务证书链接到受信任的根证书', en: 'The TSA certificate chains to a trusted root' });
  else if (ts.chain.status === 'invalid') add('signer_chain', 'failed', { zh: `时间戳服务证书无效：${ts.chain.details.map((d) => d.zh).join('；')}`, en: `The TSA certificate is invalid: ${ts.chain.problems.join('; ')}` });
  else add('signer_chain', 'warning', { zh: '时间戳服务不受信任（未知的根证书）', en: 'Untrusted timestamp authority (unknown root)' });

  if (ts.imprintMatches && ts.signatureValid && ts.genTime) add('timestamp', 'ok', { zh: `文档时间戳：${when}`, en: `Document timestamp: ${when}` });
  else add('timestamp', 'failed', { zh: '文档时间戳无效', en: 'The document timestamp is invalid' });
  return { checks, genTime: ts.genTime, tsaCertificate: ts.tsaCertificate };
}

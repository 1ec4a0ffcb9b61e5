import crypto from 'node:crypto';
import type { BilingualText, CheckStatus } from '../../api/verification-report';
import type { PdfDocument } from '../pdf/document';
import type { SignatureValue } from '../pdf/signature-fields';

export interface ByteRangeOutcome {
  status: CheckStatus;
  message: BilingualText;
  /** The revision the signature covers (its range ends at that revision's %%EOF). */
  revision?: number;
  coversWholeFile: boolean;
  range?: [number, number, number, number];
}

/**
 * Structure and coverage of /ByteRange: four integers, starting at 0, the gap exactly this
 * dictionary's /Contents string, ending at a revision's %%EOF, and the signature dictionary itself
 * inside the signed bytes. Anything else is signature wrapping or a broken file: failed.
 */
export function checkByteRange(doc: PdfDocument, sig: SignatureValue): ByteRangeOutcome {
  const fail = (zh: string, en: string): ByteRangeOutcome => ({ status: 'failed', message: { zh: `签名范围（ByteRange）无效：${zh}`, en: `Invalid /ByteRange: ${en}` }, coversWholeFile: false });
  const br = sig.byteRange;
  const size = doc.bytes.length;
  if (br.length !== 4 || br.some((n) => !Number.isSafeInteger(n) || n < 0)) return fail('不是四个非负整数', 'not four non-negative integers');
  const [a, b, c, d] = br as [number, number, number, number];
  if (a !== 0) return fail('不是从文件开头开始', 'it does not start at the beginning of the file');
  if (sig.compressed || !Number.isFinite(sig.contentsSpan.start)) return fail('签名字典位于对象流中，无法定位', 'the signature dictionary sits in an object stream and cannot be located');
  if (b !== sig.contentsSpan.start || c !== sig.contentsSpan.end) {
    return fail('未签名的间隙不是本签名的 /Contents（签名包装攻击）', 'the unsigned gap is not exactly this signature\'s /Contents (signature wrapping)');
  }
  if (!sig.contentsIsHex) return fail('/Contents 不是十六进制字符串', '/Contents is not a hex string');
  const end = c + d;
  if (end > size) return fail('超出文件末尾', 'it extends beyond the end of the file');
  const revision = doc.revisions.findIndex((r) => r.end === end || r.eofEnd === end);
  if (revision < 0) return fail('没有在某个版本的 %%EOF 处结束', 'it does not end at the %%EOF of a revision');
  const dictSpan = sig.dict.span;
  if (!(dictSpan.start >= 0 && dictSpan.start < b && dictSpan.end <= end)) {
    return fail('签名字典不在签名覆盖的范围内', 'the signature dictionary lies outside the signed bytes');
  }
  const last = doc.revisions.length - 1;
  const coversWholeFile = revision === last && (end === size || doc.revisions[last]!.end === size);
  const unsigned = revision === last ? unsignedTail(doc.bytes, doc.revisions[last]!.end) : 0;
  if (unsigned > 0) {
    // Bytes after the last %%EOF that are not whitespace: readers that rebuild the file may show them,
    // so the stamp does not cover what they show (issue #12: invalid, reported as unsigned data).
    return {
      status: 'failed',
      message: { zh: `签名覆盖最后一个版本，但其 %%EOF 之后还有 ${unsigned} 字节未签名的数据`, en: `The signature covers the last revision, but ${unsigned} bytes of unsigned data follow its %%EOF` },
      revision, coversWholeFile: false, range: [a, b, c, d],
    };
  }
  return {
    status: 'ok',
    message: coversWholeFile
      ? { zh: '签名覆盖整个文件（除签名值外）', en: 'The signature covers the whole file except the signature value' }
      : { zh: `签名覆盖到第 ${revision + 1} 个版本；其后还有 ${last - revision} 次增量更新`, en: `The signature covers revision ${revision + 1}; ${last - revision} incremental update(s) follow` },
    revision,
    coversWholeFile,
    range: [a, b, c, d],
  };
}

/**
 * Digests of several signatures' byte ranges in one pass over the file: signatures are sorted by the
 * start of their gap and the running hash of the common prefix is forked (hash.copy()) at each gap,
 * so the shared part of the file is hashed once, not once per signature.
 */
export function digestRanges(bytes: Uint8Array, requests: Array<{ range: [number, number, number, number]; algorithm: string }>): Uint8Array[] {
  return digestRangesAndFile(bytes, requests, false).ranges;
}

/**
 * digestRanges plus the SHA-256 of the whole file for the report, in the same pass: the SHA-256
 * prefix hash, once past the last gap, only has to read the rest of the file.
 */
export function digestRangesAndFile(bytes: Uint8Array, requests: Array<{ range: [number, number, number, number]; algorithm: string }>, wholeFile = true): { ranges: Uint8Array[]; fileSha256: string } {
  const results: Uint8Array[] = new Array(requests.length);
  const byAlg = new Map<string, number[]>();
  requests.forEach((r, i) => byAlg.set(r.algorithm, [...(byAlg.get(r.algorithm) ?? []), i]));
  if (wholeFile && !byAlg.has('sha256')) byAlg.set('sha256', []);
  let fileSha256 = '';
  for (const [alg, indexes] of byAlg) {
    const order = [...indexes].sort((x, y) => requests[x]!.range[1] - requests[y]!.range[1]);
    const prefix = crypto.createHash(alg);
    let pos = 0;
    for (const i of order) {
      const [, gapStart, gapEnd, tail] = requests[i]!.range;
      prefix.update(bytes.subarray(pos, gapStart));
      pos = gapStart;
      const fork = prefix.copy();
      fork.update(bytes.subarray(gapEnd, gapEnd + tail));
      results[i] = new Uint8Array(fork.digest());
    }
    if (wholeFile && alg === 'sha256') fileSha256 = prefix.update(bytes.subarray(pos)).digest('hex');
  }
  return { ranges: results, fileSha256 };
}

/** The bytes a ByteRange signs, as one buffer (for a PKCS#7 signature without signed attributes, which signs them directly). */
export function signedBytes(bytes: Uint8Array, range: [number, number, number, number]): Uint8Array {
  const [a, b, c, d] = range;
  return new Uint8Array(Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]));
}

/** How many bytes after `from` are not PDF whitespace (NUL, TAB, LF, FF, CR, space) — 0 when only padding follows. */
function unsignedTail(bytes: Uint8Array, from: number): number {
  let first = -1;
  for (let i = from; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0 && b !== 9 && b !== 10 && b !== 12 && b !== 13 && b !== 32) { first = i; break; }
  }
  return first < 0 ? 0 : bytes.length - from;
}

import crypto from 'node:crypto';
import type { BilingualText, CheckStatus } from '../../api/verification-report';
import type { PdfDocument } from '../pdf/document';
import type { SignatureValue } from '../pdf/signature-fields';
import { sourceOf, type ByteSource } from '../pdf/byte-source';

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
  const size = doc.source.length;
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
  const unsigned = revision === last ? unsignedTail(doc.source, doc.revisions[last]!.end) : 0;
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

type RangeRequest = { range: [number, number, number, number]; algorithm: string };

/**
 * Digests of several signatures' byte ranges in one pass over the file: signatures are sorted by the
 * start of their gap and the running hash of the common prefix is forked (hash.copy()) at each gap,
 * so the shared part of the file is hashed once, not once per signature. The file is read in
 * chunks (byte-source.ts), each chunk feeding every hash that covers it.
 */
export function digestRanges(bytes: Uint8Array | ByteSource, requests: RangeRequest[]): Uint8Array[] {
  const known = bytes instanceof Uint8Array ? undefined : memo.get(bytes);
  const hits = requests.map((r) => known?.get(memoKey(bytes.length, r)));
  if (hits.every((h) => h !== undefined)) return hits;
  return digestRangesAndFile(bytes, requests, false).ranges;
}

/**
 * Digests already computed over a source, so that the verifier's one pass serves the checks that
 * ask again (the GB/T 38540 checks): keyed by the source's length too, a file that grew is new.
 */
const memo = new WeakMap<ByteSource, Map<string, Uint8Array>>();
const memoKey = (length: number, r: RangeRequest): string => `${length}:${r.algorithm}:${r.range.join(',')}`;

/**
 * digestRanges plus the SHA-256 of the whole file for the report, in the same pass: the SHA-256
 * prefix hash, once past the last gap, only has to read the rest of the file.
 */
export function digestRangesAndFile(bytes: Uint8Array | ByteSource, requests: RangeRequest[], wholeFile = true): { ranges: Uint8Array[]; fileSha256: string } {
  const source = sourceOf(bytes);
  const size = source.length;
  const results: Uint8Array[] = new Array(requests.length);
  const clip = (n: number): number => Math.max(0, Math.min(n, size));
  // A range whose second part starts before its gap does is no signature's: hashed on its own.
  const odd = requests.map((r, i) => [r, i] as const).filter(([r]) => r.range[2] < r.range[1]);
  for (const [r, i] of odd) {
    const h = crypto.createHash(r.algorithm);
    const [a, la, c, lc] = r.range;
    source.forEachChunk(clip(a), clip(a + la), (chunk) => { h.update(chunk); });
    source.forEachChunk(clip(c), clip(c + lc), (chunk) => { h.update(chunk); });
    results[i] = new Uint8Array(h.digest());
  }
  interface Fork { index: number; at: number; from: number; to: number; hash?: crypto.Hash }
  interface Prefix { hash: crypto.Hash; upTo: number; limit: number; forks: Fork[]; next: number; whole: boolean }
  const prefixes: Prefix[] = [];
  const byAlg = new Map<string, number[]>();
  requests.forEach((r, i) => { if (!(r.range[2] < r.range[1])) byAlg.set(r.algorithm, [...(byAlg.get(r.algorithm) ?? []), i]); });
  if (wholeFile && !byAlg.has('sha256')) byAlg.set('sha256', []);
  for (const [alg, indexes] of byAlg) {
    const order = [...indexes].sort((x, y) => requests[x]!.range[1] - requests[y]!.range[1]);
    const forks = order.map((i): Fork => { const [, g, c, t] = requests[i]!.range; return { index: i, at: clip(g), from: clip(c), to: clip(c + t) }; });
    const whole = wholeFile && alg === 'sha256';
    const limit = whole ? size : Math.max(0, ...forks.map((f) => f.at));
    prefixes.push({ hash: crypto.createHash(alg), upTo: 0, limit, forks, next: 0, whole });
  }
  const end = Math.max(0, ...prefixes.map((p) => Math.max(p.limit, ...p.forks.map((f) => f.to))));
  source.forEachChunk(0, end, (chunk, at) => {
    const chunkEnd = at + chunk.length;
    for (const p of prefixes) {
      const forks = p.forks;
      // The prefix up to each gap in this chunk, forked there.
      while (p.next < forks.length && forks[p.next]!.at <= chunkEnd) {
        const f = forks[p.next++]!;
        if (f.at > p.upTo) { p.hash.update(chunk.subarray(p.upTo - at, f.at - at)); p.upTo = f.at; }
        f.hash = p.hash.copy();
      }
      const stop = Math.min(p.limit, chunkEnd);
      if (stop > p.upTo) { p.hash.update(chunk.subarray(p.upTo - at, stop - at)); p.upTo = stop; }
      for (const f of forks) {
        if (!f.hash) continue;
        const s = Math.max(f.from, at);
        const e = Math.min(f.to, chunkEnd);
        if (e > s) f.hash.update(chunk.subarray(s - at, e - at));
      }
    }
  });
  let fileSha256 = '';
  for (const p of prefixes) {
    // Forks at the very end of the file (a gap at `end`) were never reached by a chunk.
    for (const f of p.forks) results[f.index] = new Uint8Array((f.hash ?? p.hash.copy()).digest());
    if (p.whole) fileSha256 = p.hash.digest('hex');
  }
  if (!(bytes instanceof Uint8Array)) {
    const known = memo.get(bytes) ?? new Map<string, Uint8Array>();
    requests.forEach((r, i) => known.set(memoKey(size, r), results[i]!));
    memo.set(bytes, known);
  }
  return { ranges: results, fileSha256 };
}

/** The bytes a ByteRange signs, as one buffer (for a PKCS#7 signature without signed attributes, which signs them directly). */
export function signedBytes(bytes: Uint8Array | ByteSource, range: [number, number, number, number]): Uint8Array {
  const source = sourceOf(bytes);
  const [a, b, c, d] = range;
  return new Uint8Array(Buffer.concat([source.read(a, b), source.read(c, d)]));
}

/** How many bytes after `from` are not PDF whitespace (NUL, TAB, LF, FF, CR, space) — 0 when only padding follows. */
function unsignedTail(source: ByteSource, from: number): number {
  let found = false;
  source.forEachChunk(from, source.length, (chunk) => {
    for (const b of chunk) {
      if (b !== 0 && b !== 9 && b !== 10 && b !== 12 && b !== 13 && b !== 32) { found = true; return false; }
    }
    return true;
  });
  return found ? source.length - from : 0;
}

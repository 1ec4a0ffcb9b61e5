import { SealDeskError } from '../errors';

/**
 * The two ways the PDF layer refuses a file. Every parse problem becomes PDF_MALFORMED with a
 * short reason (English detail kept in `details.reason`) so that the CLI can map it to exit code 2.
 */
export function pdfMalformed(reason: string, details: Record<string, unknown> = {}, cause?: unknown): SealDeskError {
  return new SealDeskError(
    'PDF_MALFORMED',
    '文件不是有效的 PDF 或已损坏',
    `The file is not a valid PDF or is damaged (${reason})`,
    { cause, details: { reason, ...details } },
  );
}

export function pdfEncrypted(): SealDeskError {
  return new SealDeskError(
    'PDF_ENCRYPTED',
    'PDF 文件已加密，无法签章或验证，请先解除加密',
    'The PDF is encrypted; it cannot be stamped or verified until the encryption is removed',
  );
}

/** A file beyond the safe processing limits (work-budget.ts): refused, not called damaged. */
export function pdfTooComplex(limit: 'work' | 'time' | 'decoded' | 'stream' | 'pages' | 'string' | 'object', details: Record<string, unknown> = {}): SealDeskError {
  const what = {
    work: ['解析工作量超出文件大小所允许的上限', 'parsing needs more work than the file size allows'],
    time: ['解析超时', 'parsing took too long'],
    decoded: ['解压后的数据总量超出上限（疑似压缩炸弹）', 'its streams decompress to more data than allowed (a decompression bomb?)'],
    stream: ['某个数据流解压后超出上限（疑似压缩炸弹）', 'one stream decompresses to more data than allowed (a decompression bomb?)'],
    pages: ['页数超出上限', 'it has more pages than allowed'],
    string: ['字符串过长', 'a string in it is too long'],
    object: ['某个对象过大', 'one object in it is too large'],
  }[limit];
  return new SealDeskError('PDF_TOO_COMPLEX', `文件超出安全处理限额，已拒绝处理：${what[0]}`, `The file exceeds the safe processing limits and was refused: ${what[1]}`, { details: { reason: what[1], limit, ...details } });
}

import { SealDeskError } from '../errors';

/**
 * The two ways the PDF layer refuses a file. Every parse problem becomes PDF_MALFORMED with a
 * short reason (English detail kept in `details.reason`) so that the CLI can map it to exit code 2.
 */
export function pdfMalformed(reason: string, details: Record<string, unknown> = {}, cause?: unknown): SealDeskError {
  return new SealDeskError(
    'PDF_MALFORMED',
    `文件不是有效的 PDF 或已损坏（${reason}）`,
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

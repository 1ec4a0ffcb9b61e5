import type { SealDeskError } from '../errors';
import { pdfTooComplex } from './pdf-errors';

/**
 * Bounds the work and the memory spent on one document so that hostile input cannot hang the
 * process or take gigabytes: a count of parse steps proportional to the file size, a wall-clock
 * deadline checked every few thousand steps, and the decoded bytes of its streams (deflate and
 * object-stream bombs), per stream and in total. Stamping, verification and the keyword search
 * each keep one budget per document, however often they re-read it. Exceeding any bound is a
 * PDF_TOO_COMPLEX refusal that names the bound: not a damaged file, a file we will not process.
 */
export interface WorkBudgetOptions {
  maxMillis?: number;
  maxSteps?: number;
  /** Total decoded stream bytes for the document (default 256 MB + 4 × the file size, at most 1 GB). */
  maxDecodedBytes?: number;
  /** Decoded bytes of any one stream (default 64 MB: a 4000 × 5000 RGB page image; inflating takes twice that). */
  maxStreamBytes?: number;
}

export const DEFAULT_MAX_STREAM_BYTES = 64 * 1024 * 1024;

export class WorkBudget {
  private steps = 0;
  private decodedBytes = 0;
  private readonly maxSteps: number;
  private readonly deadline: number;
  readonly maxDecodedBytes: number;
  readonly maxStreamBytes: number;

  constructor(fileSize: number, opts: WorkBudgetOptions = {}) {
    this.maxSteps = opts.maxSteps ?? 5_000_000 + fileSize * 50;
    this.deadline = Date.now() + (opts.maxMillis ?? 30_000);
    this.maxDecodedBytes = opts.maxDecodedBytes ?? Math.min(1024 ** 3, 256 * 1024 * 1024 + 4 * fileSize);
    this.maxStreamBytes = opts.maxStreamBytes ?? DEFAULT_MAX_STREAM_BYTES;
  }

  tick(n = 1): void {
    this.steps += n;
    if (this.steps > this.maxSteps) throw pdfTooComplex('work', { steps: this.maxSteps });
    if ((this.steps & 0xfff) < n && Date.now() > this.deadline) throw pdfTooComplex('time');
  }

  /** The most the next decoded stream may produce: the per-stream cap or what is left in total. */
  streamAllowance(): number {
    return Math.max(0, Math.min(this.maxStreamBytes, this.maxDecodedBytes - this.decodedBytes));
  }

  /** Counts decoded bytes; refuses when the document's total is spent. */
  chargeDecoded(n: number): void {
    this.decodedBytes += n;
    if (this.decodedBytes > this.maxDecodedBytes) throw pdfTooComplex('decoded', { limit: this.maxDecodedBytes });
  }

  /** Thrown by a decoder that hit streamAllowance(): which of the two bounds it was. */
  overAllowance(): SealDeskError {
    return this.maxDecodedBytes - this.decodedBytes < this.maxStreamBytes
      ? pdfTooComplex('decoded', { limit: this.maxDecodedBytes })
      : pdfTooComplex('stream', { limit: this.maxStreamBytes });
  }
}

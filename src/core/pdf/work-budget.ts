import { pdfMalformed } from './pdf-errors';

/**
 * Bounds the work spent on one file so that hostile input cannot hang the process: a count of
 * parse steps proportional to the file size, plus a wall-clock deadline checked every few
 * thousand steps. Exceeding either is reported as a malformed file.
 */
export class WorkBudget {
  private steps = 0;
  private readonly maxSteps: number;
  private readonly deadline: number;

  constructor(fileSize: number, opts: { maxMillis?: number; maxSteps?: number } = {}) {
    this.maxSteps = opts.maxSteps ?? 5_000_000 + fileSize * 50;
    this.deadline = Date.now() + (opts.maxMillis ?? 30_000);
  }

  tick(n = 1): void {
    this.steps += n;
    if (this.steps > this.maxSteps) throw pdfMalformed('too much work for the file size');
    if ((this.steps & 0xfff) < n && Date.now() > this.deadline) throw pdfMalformed('parsing took too long');
  }
}

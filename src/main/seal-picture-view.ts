/**
 * The desktop's seal-picture maker over core's one use case (src/core/seal/seal-picture.ts): the
 * API's request shape in, the picture and what was done out. Runs in the token host (the scan
 * cleaner takes a second or two), never on the window's thread.
 */
import type { SealPictureView } from '../api/contract';
import { sealPicture, type SealPictureRequest } from '../core/seal/seal-picture';
import type { SealPictureJob } from './core-gateway';

export function sealPictureRequest(job: SealPictureJob): SealPictureRequest {
  if (job.from === 'scan') return { from: 'scan', file: job.file, size: { widthMm: job.widthMm, heightMm: job.heightMm } };
  const layout = job.layout === 'round' ? { kind: 'round' as const, name: job.name, purpose: job.purpose, code: job.code, star: job.star }
    : job.layout === 'oval' ? { kind: 'oval' as const, name: job.name, taxNumber: job.taxNumber ?? '', purpose: job.purpose }
      : { kind: 'square' as const, name: job.name };
  return { from: 'text', layout };
}

export function sealPictureView(job: SealPictureJob): SealPictureView {
  const r = sealPicture(sealPictureRequest(job));
  // A plain Uint8Array (not a Buffer): it crosses IPC and the test shim as bytes.
  return { png: new Uint8Array(r.png), widthMm: r.widthMm, heightMm: r.heightMm, steps: r.steps, warnings: r.warnings };
}

/**
 * The binding to the lead's use cases in src/core/app (listTokens, stampDocument, verifyDocument):
 * the only place that knows their exact signatures, converting to and from the API's view types.
 */
import fs from 'node:fs';
import type { KeywordHit, TokenView, VerificationReport } from '../api/contract';
import { SealDeskError } from '../core/errors';
import { findKeyword } from '../core/sign/keyword-locator';
import type { StampHooks, StampJob } from './core-gateway';

export interface CoreApp {
  listTokens(modulePaths: string[]): Promise<TokenView[]>;
  stamp(job: StampJob & { modulePaths: string[]; tsaUrl?: string }, hooks: StampHooks): Promise<{ output: string; fields: string[] }>;
  verify(file: string, trustRoots: Uint8Array[]): Promise<VerificationReport>;
  findKeyword(file: string, text: string): Promise<KeywordHit[]>;
}

const notReady = (what: string) =>
  new SealDeskError('CORE_NOT_READY', `此功能尚未就绪:${what}`, `Not available yet: ${what}`);

export function realCoreApp(): CoreApp {
  return {
    listTokens: async () => {
      throw notReady('listTokens');
    },
    stamp: async () => {
      throw notReady('stampDocument');
    },
    verify: async () => {
      throw notReady('verifyDocument');
    },
    // The same locator the stamping pipeline uses, so the preview shows where the seals will land.
    findKeyword: async (file, text) => (await findKeyword(new Uint8Array(await fs.promises.readFile(file)), text)).map((h) => ({ page: h.pageIndex + 1, x: h.x, y: h.y })),
  };
}

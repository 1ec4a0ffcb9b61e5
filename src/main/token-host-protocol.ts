/** Messages between main and the token host (utilityProcess). Plain structured-clone data. */
import type { BatchResultView } from '../api/contract';
import type { CoreGateway } from './core-gateway';

export type HostMethod = Exclude<keyof CoreGateway, 'close'>;

export type HostRequest =
  | { id: number; method: HostMethod; args: unknown[] }
  | { id: number; abort: true };

export type HostReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { code: string; zh: string; en: string; details?: Record<string, unknown> } }
  | { id: number; progress: { stage: string; fraction: number; file?: BatchResultView } };

export const HOST_METHODS: readonly HostMethod[] = [
  'listTokens', 'stamp', 'verify', 'signatureDetails', 'findKeyword', 'trustAdd', 'trustList', 'auditList', 'auditVerify', 'settingsGet', 'settingsSet',
  'sealStates', 'platformGet', 'platformUse', 'platformRemove',
  'stampBatch', 'sealPicture',
];

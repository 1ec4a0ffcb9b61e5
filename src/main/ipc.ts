/**
 * ipcMain handlers generated from the contract: one per operation. Each checks that the message
 * comes from our own app:// page, then validates and dispatches through the handler table.
 * Written against a minimal ipcMain shape so the security tests can drive it without Electron.
 */
import { DROPPED_FILE_CHANNEL, OPERATION_NAMES, channelOf } from '../api/contract';
import type { ApiResult, DocumentRef } from '../api/contract';
import { RequestInvalid, invalidRequestError, validateDroppedPath } from '../api/validate';
import { invokeOperation, toApiError, type HandlerTable } from './api-handlers';
import type { DocumentRegistry } from './document-registry';
import { isTrustedSenderUrl } from './security';

export interface InvokeEventLike {
  senderFrame?: { url: string; parent?: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
}

export const SENDER_REFUSED = { code: 'SENDER_REFUSED', zh: '请求来源不可信，已拒绝', en: 'Request from an untrusted page refused' } as const;

/** Only the top frame of our own page may call: no subframes, nothing from another origin. */
export function senderIsTrusted(event: InvokeEventLike): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (frame.parent) return false;
  return isTrustedSenderUrl(frame.url);
}

export function registerIpcHandlers(ipc: IpcMainLike, table: HandlerTable, documents: DocumentRegistry): string[] {
  const channels: string[] = [];
  for (const op of OPERATION_NAMES) {
    const channel = channelOf(op);
    ipc.handle(channel, async (event, req) => {
      if (!senderIsTrusted(event)) return { ok: false, error: { ...SENDER_REFUSED } } satisfies ApiResult<never>;
      return invokeOperation(table, op, req);
    });
    channels.push(channel);
  }
  ipc.handle(DROPPED_FILE_CHANNEL, async (event, req): Promise<ApiResult<DocumentRef>> => {
    if (!senderIsTrusted(event)) return { ok: false, error: { ...SENDER_REFUSED } };
    try {
      return { ok: true, value: documents.add(validateDroppedPath(req)) };
    } catch (e) {
      if (e instanceof RequestInvalid) return { ok: false, error: invalidRequestError('openDroppedFile', e) };
      return { ok: false, error: toApiError(e) };
    }
  });
  channels.push(DROPPED_FILE_CHANNEL);
  return channels;
}

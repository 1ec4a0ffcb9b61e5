/**
 * The preload: puts one named function per contract operation on window.sealdesk (plus the
 * dropped-file helper and one event subscription). ipcRenderer itself never reaches page script.
 * Sandboxed preloads may require only 'electron'; this file is bundled to one script by esbuild.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { DROPPED_FILE_CHANNEL, EVENT_CHANNEL, OPERATION_NAMES, channelOf } from '../api/contract';
import type { ApiEvent, SealdeskApi } from '../api/contract';

export function buildApi(ipc: Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>, pathForFile: (f: File) => string): SealdeskApi {
  const api: Record<string, unknown> = {};
  for (const op of OPERATION_NAMES) {
    // Exactly one argument is forwarded: page script cannot smuggle extra IPC arguments.
    api[op] = (req: unknown) => ipc.invoke(channelOf(op), req ?? {});
  }
  api.openDroppedFile = async (file: File) => {
    // A path exists only for a real file the person dropped; a File made in script has none.
    const p = file instanceof File ? pathForFile(file) : '';
    if (!p) return { ok: false, error: { code: 'DROP_NOT_A_FILE', zh: '只能打开拖入的本地 PDF 文件', en: 'Only a local PDF file dropped on the window can be opened' } };
    return ipc.invoke(DROPPED_FILE_CHANNEL, { path: p });
  };
  api.onEvent = (listener: (e: ApiEvent) => void) => {
    const wrapped = (_e: unknown, event: ApiEvent) => listener(event);
    ipc.on(EVENT_CHANNEL, wrapped);
    return () => ipc.removeListener(EVENT_CHANNEL, wrapped);
  };
  return Object.freeze(api) as SealdeskApi;
}

contextBridge.exposeInMainWorld('sealdesk', buildApi(ipcRenderer, (f) => webUtils.getPathForFile(f)));

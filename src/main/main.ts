/**
 * The Electron main process: one secure window on app://, menus, dialogs, documents from argv and
 * drops, and the IPC handlers over the handler table. Token work runs in the token host.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BrowserWindow, Menu, app, dialog, ipcMain, protocol, session, utilityProcess } from 'electron';
import { EVENT_CHANNEL, type ApiEvent, type Language } from '../api/contract';
import { createApiHandlers, type Dialogs } from './api-handlers';
import { electronHtmlToPdf } from './report-pdf-electron';
import { RecentFiles } from './recent-files';
import { DocumentRegistry } from './document-registry';
import { documentBodyStream, documentIdOf, documentResponse } from './document-ranges';
import { registerIpcHandlers } from './ipc';
import { menuTemplate } from './menu';
import { APP_ENTRY, APP_HOST, APP_SCHEME, assetHeaders, isAllowedNavigation, resolveAppAsset, secureWebPreferences } from './security';
import { createTokenHostClient, type HostProcessLike } from './token-host-client';

const distDir = path.join(__dirname, '..');
const rendererDir = path.join(distDir, 'renderer');

// stream: document data is answered as a stream of byte ranges (document-ranges.ts).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

const documents = new DocumentRegistry();
let win: BrowserWindow | null = null;
let language: Language = 'zh';

function pdfArgs(argv: string[]): string[] {
  return argv.filter((a) => /\.pdf$/i.test(a) && !a.startsWith('-') && fs.existsSync(a)).map((a) => path.resolve(a));
}

function send(event: ApiEvent): void {
  win?.webContents.send(EVENT_CHANNEL, event);
}

function openFromMain(file: string): void {
  try {
    documents.addWaiting(file);
    send({ kind: 'documentsWaiting' });
  } catch {
    // An unreadable argv path is reported by the renderer when it tries to read; nothing to do here.
  }
}

const dialogs: Dialogs = {
  async chooseOpenPdf() {
    const r = await dialog.showOpenDialog(win!, { properties: ['openFile'], filters: [{ name: 'PDF', extensions: ['pdf'] }] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  async chooseSavePdf(defaultPath) {
    const r = await dialog.showSaveDialog(win!, { defaultPath, filters: [{ name: 'PDF', extensions: ['pdf'] }] });
    return r.canceled ? null : (r.filePath ?? null);
  },
  async chooseTrustRoot() {
    const r = await dialog.showOpenDialog(win!, { properties: ['openFile'], filters: [{ name: 'Certificate', extensions: ['pem', 'crt', 'cer', 'der'] }] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  async choosePlatformRoot() {
    const r = await dialog.showOpenDialog(win!, { properties: ['openFile'], filters: [{ name: 'Root CA certificate', extensions: ['pem', 'crt', 'cer'] }] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  async chooseSaveCsv(defaultPath) {
    const r = await dialog.showSaveDialog(win!, { defaultPath, filters: [{ name: 'CSV', extensions: ['csv'] }] });
    return r.canceled ? null : (r.filePath ?? null);
  },
  async chooseOpenPdfs() {
    const r = await dialog.showOpenDialog(win!, { properties: ['openFile', 'multiSelections'], filters: [{ name: 'PDF', extensions: ['pdf'] }] });
    return r.canceled ? [] : r.filePaths;
  },
  async chooseDirectory() {
    const r = await dialog.showOpenDialog(win!, { properties: ['openDirectory', 'createDirectory'] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  async chooseSealScan() {
    const r = await dialog.showOpenDialog(win!, { properties: ['openFile'], filters: [{ name: 'Image', extensions: ['png', 'jpg', 'jpeg'] }] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  async chooseSavePng(defaultPath) {
    const r = await dialog.showSaveDialog(win!, { defaultPath, filters: [{ name: 'PNG', extensions: ['png'] }] });
    return r.canceled ? null : (r.filePath ?? null);
  },
  async chooseSaveReport(defaultPath) {
    const r = await dialog.showSaveDialog(win!, { defaultPath, filters: [{ name: 'PDF', extensions: ['pdf'] }] });
    return r.canceled ? null : (r.filePath ?? null);
  },
};

function spawnTokenHost(): HostProcessLike {
  const child = utilityProcess.fork(path.join(__dirname, 'token-host.js'), [], { serviceName: 'SealDesk token host', stdio: 'inherit' });
  return child as unknown as HostProcessLike;
}

function installMenu(): void {
  const template = menuTemplate(language, {
    open: async () => {
      const p = await dialogs.chooseOpenPdf();
      if (p) openFromMain(p);
    },
    send,
    setLanguage: (l) => {
      language = l;
      installMenu();
      send({ kind: 'language', language: l });
    },
  }, !app.isPackaged);
  Menu.setApplicationMenu(Menu.buildFromTemplate(template as Electron.MenuItemConstructorOptions[]));
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'SealDesk 电子印章',
    webPreferences: secureWebPreferences(path.join(distDir, 'preload', 'preload.js')),
  });
  void win.loadURL(APP_ENTRY);
  win.on('closed', () => {
    win = null;
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_e, argv) => {
    pdfArgs(argv.slice(1)).forEach(openFromMain);
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  // Every web contents, present or future: no navigation away, no new windows, no <webview>.
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e, url) => {
      if (!isAllowedNavigation(url)) e.preventDefault();
    });
    contents.on('will-redirect', (e, url) => {
      if (!isAllowedNavigation(url)) e.preventDefault();
    });
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });

  void app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);

    protocol.handle(APP_SCHEME, async (request) => {
      const url = new URL(request.url);
      // Document data: byte ranges of a file a person opened, for pdf.js (document-ranges.ts).
      if (url.host === APP_HOST && documentIdOf(url.pathname)) {
        if (request.method !== 'GET') return new Response('method not allowed', { status: 405 });
        const r = await documentResponse(documents, url.pathname, request.headers.get('range'));
        const body = r.body ? (Readable.toWeb(documentBodyStream(r.body)) as ReadableStream<Uint8Array>) : null;
        return new Response(body, { status: r.status, headers: r.headers });
      }
      const rel = resolveAppAsset(request.url);
      if (!rel || new URL(request.url).host !== APP_HOST) return new Response('not found', { status: 404 });
      const file = path.join(rendererDir, rel);
      try {
        const body = await fs.promises.readFile(file);
        return new Response(body, { status: 200, headers: assetHeaders(file) });
      } catch {
        return new Response('not found', { status: 404 });
      }
    });

    const core = createTokenHostClient(spawnTokenHost);
    const table = createApiHandlers({ core, dialogs, documents, htmlToPdf: electronHtmlToPdf, recent: new RecentFiles(path.join(app.getPath('userData'), 'recent-files.json')) });
    registerIpcHandlers(ipcMain, table, documents);
    void core.settingsGet().then((s) => {
      language = s.language;
      installMenu();
    }, () => installMenu());

    pdfArgs(process.argv.slice(app.isPackaged ? 1 : 2)).forEach((p) => documents.addWaiting(p));
    createWindow();
    app.on('before-quit', () => core.close?.());
  });

  app.on('window-all-closed', () => app.quit());
}

/**
 * The e2e test server: serves the BUILT renderer (dist/renderer, with the app's CSP headers) and the
 * typed API on 127.0.0.1:0, calling the same handler table as Electron's IPC layer over the real core
 * and SoftHSM2 tokens. Dialogs are scripted by the test (what a person would pick in them).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { createApiHandlers, invokeOperation, toApiError, type Dialogs } from '../../../src/main/api-handlers';
import type { CoreGateway } from '../../../src/main/core-gateway';
import { DocumentRegistry } from '../../../src/main/document-registry';
import { assetHeaders, resolveAppAsset } from '../../../src/main/security';
import { bodyLength, documentBodyStream, documentIdOf, documentResponse } from '../../../src/main/document-ranges';
import { decodeWire, encodeWire } from './wire';
import { chromiumHtmlToPdf, closeReportPrinter } from './report-pdf-chromium';

const root = path.resolve(__dirname, '..', '..', '..');
/** This test process's own build of the renderer (parallel test files must not share dist/). */
export const rendererDir = path.join(os.tmpdir(), `sealdesk-renderer-${process.pid}`);

/** What the test says the person picks in the next dialogs. An empty queue means "cancel". */
export class ScriptedDialogs implements Dialogs {
  open: string[] = [];
  save: string[] = [];
  trust: string[] = [];
  /** Where the verification report (PDF) is saved. */
  report: string[] = [];
  lastSaveDefault: string | null = null;
  async chooseOpenPdf() {
    return this.open.shift() ?? null;
  }
  async chooseSavePdf(defaultPath: string) {
    this.lastSaveDefault = defaultPath;
    return this.save.shift() ?? null;
  }
  async chooseTrustRoot() {
    return this.trust.shift() ?? null;
  }
  /** Where the audit log (CSV) is exported. */
  csv: string[] = [];
  async chooseSaveCsv() {
    return this.csv.shift() ?? null;
  }
  async chooseSaveReport() {
    return this.report.shift() ?? null;
  }
  /** The seal platform's root CA file chosen in the settings. */
  platformRoot: string[] = [];
  async choosePlatformRoot() {
    return this.platformRoot.shift() ?? null;
  }
  /** What the multi-file open dialog returns (批量签章), one list per call. */
  openMany: string[][] = [];
  async chooseOpenPdfs() {
    return this.openMany.shift() ?? [];
  }
  dirs: string[] = [];
  async chooseDirectory() {
    return this.dirs.shift() ?? null;
  }
  scans: string[] = [];
  async chooseSealScan() {
    return this.scans.shift() ?? null;
  }
  png: string[] = [];
  async chooseSavePng() {
    return this.png.shift() ?? null;
  }
}

export interface DocumentRequest { docId: string; range: string | null; status: number; bytes: number; at: number; path: string }

export interface ApiServer {
  url: string;
  dialogs: ScriptedDialogs;
  documents: DocumentRegistry;
  /** Every operation name called, in order (for assertions like "no stamp was attempted"). */
  calls: string[];
  /** Every GET of document data, in order: which document, the Range header, the bytes answered, when (ms). */
  documentRequests: DocumentRequest[];
  close(): Promise<void>;
}

let built = false;
/** Builds the renderer with scripts/build.mjs, once per test process, into rendererDir. */
export async function ensureRendererBuilt(): Promise<void> {
  if (built) return;
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--renderer-only', '--out', rendererDir], { stdio: 'pipe' });
  process.once('exit', () => fs.rmSync(rendererDir, { recursive: true, force: true }));
  built = true;
}

/** The page shim as one script for addInitScript. */
export async function shimScript(): Promise<string> {
  const r = await build({ entryPoints: [path.join(__dirname, 'http-shim.ts')], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome120' });
  return r.outputFiles[0].text;
}

export async function startApiServer(core: CoreGateway): Promise<ApiServer> {
  const dialogs = new ScriptedDialogs();
  const documents = new DocumentRegistry();
  const table = createApiHandlers({ core, dialogs, documents, htmlToPdf: chromiumHtmlToPdf });
  const calls: string[] = [];
  const documentRequests: DocumentRequest[] = [];
  const dropDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-drop-'));
  let origin = '';

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', origin);
      if (req.method === 'POST') {
        // Like the IPC sender check: only our own page may call.
        if (req.headers.origin !== origin) {
          res.writeHead(403).end();
          return;
        }
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const body = decodeWire(Buffer.concat(chunks).toString('utf8'));
        let result: unknown;
        if (url.pathname.startsWith('/api/')) {
          const op = url.pathname.slice('/api/'.length);
          calls.push(op);
          result = await invokeOperation(table, op, body);
        } else if (url.pathname === '/test/drop') {
          const { name, bytes } = body as { name: string; bytes: Uint8Array };
          const file = path.join(dropDir, path.basename(name));
          fs.writeFileSync(file, bytes);
          try {
            result = { ok: true, value: documents.add(file) };
          } catch (e) {
            result = { ok: false, error: toApiError(e) };
          }
        } else {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(encodeWire(result));
        return;
      }
      // Document data: byte ranges, answered by the same function as the app:// protocol handler.
      const docId = documentIdOf(url.pathname);
      if (docId) {
        const r = await documentResponse(documents, url.pathname, req.headers.range);
        documentRequests.push({ docId, range: req.headers.range ?? null, status: r.status, bytes: r.body ? bodyLength(r.body) : 0, path: url.pathname, at: Date.now() });
        res.writeHead(r.status, r.headers);
        if (r.body) documentBodyStream(r.body).pipe(res);
        else res.end();
        return;
      }
      // Static: the built renderer, resolved exactly as the app:// protocol handler does.
      const rel = resolveAppAsset(`app://sealdesk${url.pathname}`);
      const file = rel ? path.join(rendererDir, rel) : null;
      if (!file || !fs.existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, assetHeaders(file)).end(fs.readFileSync(file));
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as { port: number };
  origin = `http://127.0.0.1:${addr.port}`;
  return {
    url: `${origin}/index.html`,
    dialogs,
    documents,
    calls,
    documentRequests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(dropDir, { recursive: true, force: true });
      await closeReportPrinter();
    },
  };
}

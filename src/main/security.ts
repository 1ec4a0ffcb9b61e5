/**
 * The Electron rules of architecture.md in one place, as plain data and functions so that the
 * security tests can check them without the Electron binary.
 */

/** The renderer's origin: a custom protocol, never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'sealdesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/**
 * Strict CSP: everything from our own origin only. pdf.js needs blob: for its worker-side images
 * and data: for some inline fonts/images it creates; style-src allows inline styles because React
 * sets style attributes (no inline <script> is ever allowed).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src 'self'`,
  `worker-src 'self'`,
  `style-src 'self' 'unsafe-inline'`,
  `img-src 'self' blob: data:`,
  `font-src 'self' data:`,
  `connect-src 'self'`,
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
].join('; ');

/** webPreferences for every window; the preload path is filled in by main. */
export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
  } as const;
}

/**
 * An IPC message is answered only when it comes from our own top-level page: a frame whose URL is
 * on the app:// origin. Anything else (a navigated-away frame, an injected iframe, a file:// page)
 * gets nothing.
 */
export function isTrustedSenderUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

/** Navigation is denied everywhere except reloading our own entry page. */
export function isAllowedNavigation(url: string): boolean {
  return isTrustedSenderUrl(url);
}

/** Maps an app:// request path onto a file name under the renderer dir, or null when it escapes it. */
export function resolveAppAsset(requestUrl: string): string | null {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let p: string;
  try {
    p = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (p === '/' || p === '') p = '/index.html';
  if (p.includes('\0') || p.includes('\\')) return null;
  const parts = p.split('/').filter(Boolean);
  if (parts.some((s) => s === '..' || s === '.')) return null;
  if (!/^[A-Za-z0-9._/-]+$/.test(parts.join('/'))) return null;
  return parts.join('/');
}

const MIME: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  png: 'image/png',
  svg: 'image/svg+xml',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  bcmap: 'application/octet-stream',
  pfb: 'application/octet-stream',
  json: 'application/json',
};

export function mimeOf(file: string): string {
  const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  return MIME[ext] ?? 'application/octet-stream';
}

/** Headers sent with every asset from app://. */
export function assetHeaders(file: string): Record<string, string> {
  return {
    'Content-Type': mimeOf(file),
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}

/**
 * A CA's revocation service run by OpenSSL, for the demo world and the tests: the CA's issued
 * certificates in an `openssl ca` index file, CRLs made by `openssl ca -gencrl` (reason codes,
 * invalidity dates from -crl_compromise, chosen lastUpdate/nextUpdate, delta CRLs with a
 * deltaCRLIndicator over a second index), served over http on 127.0.0.1, and a real
 * `openssl ocsp -index … -port` responder signing with the CA key, reached through the same
 * loopback server (OpenSSL 3.0's responder binds every interface and has no host option; its port
 * is an implementation detail). Needs the openssl binary; nothing in verification
 * depends on it.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseCertificate } from '../crypto/certificate';
import { toPem } from '../crypto/pem';

export interface RevocationAuthorityOptions {
  dir: string;
  caCertificate: Uint8Array;
  /** PKCS#8 DER of the CA key (EC P-256 / RSA / SM2 as OpenSSL reads it). */
  caKeyPkcs8: Uint8Array;
  /** Digest for CRL and OCSP signatures (sha256; sm3 for SM2 CAs). */
  digest?: string;
}

export type RevocationReason = 'unspecified' | 'keyCompromise' | 'CACompromise' | 'affiliationChanged' | 'superseded' | 'cessationOfOperation' | 'certificateHold';

/** deltaCRLIndicator has no config syntax in OpenSSL 3.0: written as raw DER (INTEGER BaseCRLNumber). */
function derInteger(n: number): string {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  const bytes = hex.match(/../g)!;
  return ['02', bytes.length.toString(16).padStart(2, '0'), ...bytes].join(':');
}

const utc = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
const generalized = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

export class OpensslRevocationAuthority {
  readonly dir: string;
  private ocsp?: ChildProcess;
  private crlServer?: http.Server;
  ocspUrl = '';
  crlUrl = '';
  deltaCrlUrl = '';
  private readonly digest: string;

  constructor(o: RevocationAuthorityOptions) {
    this.dir = o.dir;
    this.digest = o.digest ?? 'sha256';
    fs.mkdirSync(o.dir, { recursive: true });
    fs.writeFileSync(this.file('ca.pem'), toPem(o.caCertificate));
    fs.writeFileSync(this.file('ca.key'), toPem(o.caKeyPkcs8, 'PRIVATE KEY'), { mode: 0o600 });
    for (const db of ['index.txt', 'delta-index.txt']) {
      if (!fs.existsSync(this.file(db))) fs.writeFileSync(this.file(db), '');
      fs.writeFileSync(this.file(`${db}.attr`), 'unique_subject = no\n');
    }
    if (!fs.existsSync(this.file('crlnumber'))) fs.writeFileSync(this.file('crlnumber'), '1000\n');
    this.writeConfig('ca.cnf', 'index.txt');
  }

  private file(n: string): string { return path.join(this.dir, n); }

  /** An `openssl ca` configuration over `db`; with `deltaOf`, CRLs made from it are delta CRLs over that base number. */
  private writeConfig(name: string, db: string, deltaOf?: number): void {
    fs.writeFileSync(this.file(name), [
      '[ ca ]', 'default_ca = CA_default', '[ CA_default ]', `dir = ${this.dir}`, `database = $dir/${db}`, 'crlnumber = $dir/crlnumber',
      'certificate = $dir/ca.pem', 'private_key = $dir/ca.key', `default_md = ${this.digest}`, 'default_crl_days = 7', 'crl_extensions = crl_ext',
      '[ crl_ext ]', 'authorityKeyIdentifier = keyid:always', ...(deltaOf === undefined ? [] : [`2.5.29.27 = critical,DER:${derInteger(deltaOf)}`]), '',
    ].join('\n'));
  }

  /** Lists a certificate the CA issued as valid (OCSP answers "unknown" for serials it has never heard of). */
  register(certDer: Uint8Array): void {
    const c = parseCertificate(certDer);
    const serial = c.serialHex.toUpperCase().replace(/^(00)+(?=.)/, '');
    const rows = this.rows('index.txt').filter((r) => r[3] !== serial);
    rows.push(['V', utc(c.notAfter), '', serial, 'unknown', `/CN=serial-${serial}`]);
    this.write('index.txt', rows);
  }

  /** Marks a certificate revoked at `at` (default now); keyCompromise with `compromisedAt` gives an invalidity date. */
  revoke(certDer: Uint8Array, o: { at?: Date; reason?: RevocationReason; compromisedAt?: Date; delta?: boolean } = {}): void {
    const c = parseCertificate(certDer);
    const serial = c.serialHex.toUpperCase().replace(/^(00)+(?=.)/, '');
    let rev = utc(o.at ?? new Date());
    if (o.compromisedAt) rev += `,${o.reason === 'CACompromise' ? 'CAkeyTime' : 'keyTime'},${generalized(o.compromisedAt)}`; // openssl ca's index words for a compromise time
    else if (o.reason) rev += `,${o.reason}`;
    // delta: a revocation since the last full CRL, listed by the next delta CRL only
    for (const db of o.delta ? ['delta-index.txt'] : ['index.txt']) {
      const rows = this.rows(db).filter((r) => r[3] !== serial);
      rows.push(['R', utc(c.notAfter), rev, serial, 'unknown', `/CN=serial-${serial}`]);
      this.write(db, rows);
    }
  }

  private rows(db: string): string[][] {
    return fs.readFileSync(this.file(db), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
  }

  private write(db: string, rows: string[][]): void {
    fs.writeFileSync(this.file(db), rows.map((r) => r.join('\t')).join('\n') + (rows.length ? '\n' : ''));
  }

  /** Makes the CRL served at crlUrl (and, with `delta`, the delta CRL at deltaCrlUrl) now. */
  publishCrl(o: { lastUpdate?: Date; nextUpdate?: Date; delta?: boolean } = {}): Uint8Array {
    const args = (cnf: string, out: string): string[] => [
      'ca', '-gencrl', '-config', this.file(cnf), '-out', this.file(out), '-batch',
      // SM2: signed with the GM default ID (without it OpenSSL 3.0 signs with the empty ID, which GM verifiers refuse)
      ...(this.digest === 'sm3' ? ['-sigopt', 'distid:1234567812345678'] : []),
      ...(o.lastUpdate ? ['-crl_lastupdate', generalized(o.lastUpdate)] : []),
      ...(o.nextUpdate ? ['-crl_nextupdate', generalized(o.nextUpdate)] : []),
    ];
    const base = Number.parseInt(fs.readFileSync(this.file('crlnumber'), 'utf8'), 16);
    execFileSync('openssl', args('ca.cnf', 'ca.crl.pem'), { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('openssl', ['crl', '-in', this.file('ca.crl.pem'), '-outform', 'DER', '-out', this.file('ca.crl')], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (o.delta) {
      this.writeConfig('delta.cnf', 'delta-index.txt', base);
      execFileSync('openssl', args('delta.cnf', 'delta.crl.pem'), { stdio: ['ignore', 'ignore', 'pipe'] });
      execFileSync('openssl', ['crl', '-in', this.file('delta.crl.pem'), '-outform', 'DER', '-out', this.file('delta.crl')], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    return new Uint8Array(fs.readFileSync(this.file('ca.crl')));
  }

  /**
   * Starts the service: one http server on 127.0.0.1 serves the CRLs (/ca.crl, /delta.crl) and
   * passes OCSP requests (POST /ocsp) to the `openssl ocsp` responder behind it. OpenSSL 3.0's
   * responder reads its index once, so it is restarted whenever the index changed (a registration,
   * a revocation) before the next request is passed on.
   */
  async start(o: { ocspMinutes?: number; port?: number } = {}): Promise<void> {
    if (!fs.existsSync(this.file('ca.crl'))) this.publishCrl();
    this.ocspMinutes = o.ocspMinutes ?? 10;
    if (o.port !== undefined) this.port = o.port;
    this.crlServer = http.createServer((req, res) => {
      if (req.url === '/ocsp' || req.url?.startsWith('/ocsp/')) { void this.forward(req, res); return; }
      const name = req.url === '/delta.crl' ? 'delta.crl' : req.url === '/ca.crl' ? 'ca.crl' : undefined;
      if (!name || !fs.existsSync(this.file(name))) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'Content-Type': 'application/pkix-crl' }).end(fs.readFileSync(this.file(name)));
    });
    // a restart keeps its port: the certificates it issued point there
    await new Promise<void>((resolve, reject) => { this.crlServer!.once('error', reject); this.crlServer!.listen(this.port, '127.0.0.1', resolve); });
    const port = (this.crlServer.address() as AddressInfo).port;
    this.port = port;
    this.crlUrl = `http://127.0.0.1:${port}/ca.crl`;
    this.deltaCrlUrl = `http://127.0.0.1:${port}/delta.crl`;
    this.ocspUrl = `http://127.0.0.1:${port}/ocsp`;
    await this.ensureResponder();
  }

  private ocspMinutes = 10;
  private port = 0;
  private ocspPort = 0;
  private indexStamp = '';
  private starting?: Promise<void>;

  private indexState(): string {
    return fs.readFileSync(this.file('index.txt'), 'utf8');
  }

  /** (Re)starts `openssl ocsp` when it is not running or the index changed since it started. */
  private ensureResponder(): Promise<void> {
    this.starting = (this.starting ?? Promise.resolve()).then(async () => {
      const state = this.indexState();
      if (this.ocsp && this.ocsp.exitCode === null && state === this.indexStamp) return;
      await this.stopResponder();
      const child = spawn('openssl', ['ocsp', '-index', this.file('index.txt'), '-port', '0', '-rsigner', this.file('ca.pem'), '-rkey', this.file('ca.key'),
        '-CA', this.file('ca.pem'), '-nmin', String(this.ocspMinutes), '-rmd', this.digest], { stdio: ['ignore', 'pipe', 'pipe'] });
      this.ocsp = child;
      this.indexStamp = state;
      this.ocspPort = await new Promise<number>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`openssl ocsp did not start: ${text}`)), 10_000);
        const read = (b: Buffer): void => {
          text += b.toString();
          const m = /ACCEPT .*:(\d+)/.exec(text);
          if (m) { clearTimeout(timer); resolve(Number(m[1])); }
        };
        // OpenSSL prints the port it bound ("ACCEPT [::]:PORT") on stdout or stderr depending on the version
        child.stdout!.on('data', read);
        child.stderr!.on('data', read);
        child.on('exit', () => { clearTimeout(timer); reject(new Error(`openssl ocsp exited: ${text}`)); });
      });
    });
    return this.starting;
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      await this.ensureResponder();
    } catch {
      res.writeHead(503).end();
      return;
    }
    const body = Buffer.concat(chunks);
    const out = http.request({ host: '127.0.0.1', port: this.ocspPort, method: 'POST', path: '/', headers: { 'Content-Type': 'application/ocsp-request', 'Content-Length': body.length } }, (r) => {
      res.writeHead(r.statusCode ?? 502, { 'Content-Type': 'application/ocsp-response' });
      r.pipe(res);
    });
    out.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
    out.end(body);
  }

  private async stopResponder(): Promise<void> {
    const child = this.ocsp;
    this.ocsp = undefined;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); });
    }
  }

  /** Signals the responder to end, synchronously (for a process that is about to exit). */
  killResponder(): void {
    if (this.ocsp && this.ocsp.exitCode === null) this.ocsp.kill('SIGTERM');
  }

  /** Stops the responder and the http server (the URLs then refuse connections). */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.stopResponder();
    const server = this.crlServer;
    this.crlServer = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

/** Runs `openssl` once and returns stdout (for tests that cross-check with OpenSSL). */
export function openssl(args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => execFile('openssl', args, { cwd }, (err, out, errText) => (err ? reject(new Error(`${err.message}\n${errText}`)) : resolve(out))));
}

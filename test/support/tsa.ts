import { execFileSync, execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

/**
 * A real RFC 3161 timestamp authority on loopback for tests: `openssl ts -reply` signs every query
 * with a TSA key whose certificate (extendedKeyUsage critical timeStamping) is issued by its own test
 * root. A tiny node:http server on 127.0.0.1:0 pipes each request through openssl, one at a time
 * (openssl's serial file is not safe for concurrent writers).
 *
 * `behaviour` lets a test turn the TSA into a bad one: 'reject' answers with status rejection,
 * 'garbage' with bytes that are no TimeStampResp, 'slow' never answers, 'huge' streams megabytes.
 */
export type TsaBehaviour = 'ok' | 'reject' | 'garbage' | 'slow' | 'huge' | 'http500';

export interface TestTsa {
  url: string;
  dir: string;
  /** DER of the TSA's root certificate (trust it to get a fully verified timestamp). */
  rootDer: Uint8Array;
  rootPem: string;
  tsaCertDer: Uint8Array;
  /** How many queries were answered. */
  readonly requests: number;
  behaviour: TsaBehaviour;
  close(): Promise<void>;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export async function startTestTsa(options: { behaviour?: TsaBehaviour; name?: string } = {}): Promise<TestTsa> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-tsa-'));
  const name = options.name ?? 'SealDesk Test TSA';
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'root.key'], dir);
  openssl(['req', '-new', '-x509', '-key', 'root.key', '-sha256', '-days', '3650', '-subj', `/CN=${name} Root`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.pem'], dir);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'tsa.key'], dir);
  openssl(['req', '-new', '-key', 'tsa.key', '-subj', `/CN=${name}`, '-out', 'tsa.csr'], dir);
  fs.writeFileSync(path.join(dir, 'tsa.ext'),
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  openssl(['x509', '-req', '-in', 'tsa.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', '2', '-days', '1825',
    '-sha256', '-extfile', 'tsa.ext', '-out', 'tsa.pem'], dir);
  fs.writeFileSync(path.join(dir, 'tsaserial'), '01\n');
  fs.writeFileSync(path.join(dir, 'ts.cnf'), [
    '[ tsa ]', 'default_tsa = tsa_config', '', '[ tsa_config ]',
    `dir = ${dir}`, 'serial = $dir/tsaserial', 'crypto_device = builtin', 'signer_cert = $dir/tsa.pem',
    'certs = $dir/root.pem', 'signer_key = $dir/tsa.key', 'signer_digest = sha256', 'default_policy = 1.2.3.4.1',
    'other_policies = 1.2.3.4.5.6', 'digests = sha256, sha384, sha512, sm3', 'accuracy = secs:1', 'ordering = yes',
    'tsa_name = yes', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'ts-reject.cnf'),
    fs.readFileSync(path.join(dir, 'ts.cnf'), 'utf8').replace(/^digests = .*$/m, 'digests = md5'));
  const rootPem = fs.readFileSync(path.join(dir, 'root.pem'), 'utf8');
  const rootDer = pemToDer(rootPem);
  const tsaCertDer = pemToDer(fs.readFileSync(path.join(dir, 'tsa.pem'), 'utf8'));

  let queue = Promise.resolve();
  let counter = 0;
  const state = { behaviour: options.behaviour ?? 'ok' as TsaBehaviour, requests: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      const behaviour = state.behaviour;
      if (behaviour === 'slow') return; // never answers; the client's timeout must fire
      if (behaviour === 'http500') { res.writeHead(500).end('no'); return; }
      if (behaviour === 'garbage') { res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(Buffer.from('not a timestamp reply')); return; }
      if (behaviour === 'huge') {
        res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' });
        const block = Buffer.alloc(64 * 1024, 0x30);
        let sent = 0;
        const pump = (): void => {
          while (sent < 64 && res.write(block)) sent++;
          if (sent >= 64) res.end(); else res.once('drain', pump);
        };
        res.on('error', () => undefined);
        pump();
        return;
      }
      queue = queue.then(() => new Promise<void>((done) => {
        const n = ++counter;
        const q = path.join(dir, `q${n}.tsq`);
        const r = path.join(dir, `r${n}.tsr`);
        fs.writeFileSync(q, Buffer.concat(chunks));
        const args = behaviour === 'reject'
          // a TSA that accepts no digest SealDesk sends answers with status "rejection" (badAlg)
          ? ['ts', '-reply', '-config', 'ts-reject.cnf', '-queryfile', q, '-out', r]
          : ['ts', '-reply', '-config', 'ts.cnf', '-queryfile', q, '-out', r];
        execFile('openssl', args, { cwd: dir }, (err) => {
          if (err && !fs.existsSync(r)) res.writeHead(500).end(String(err));
          else res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(fs.readFileSync(r));
          done();
        });
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    dir,
    rootDer,
    rootPem,
    tsaCertDer,
    get requests() { return state.requests; },
    get behaviour() { return state.behaviour; },
    set behaviour(b: TsaBehaviour) { state.behaviour = b; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        resolve();
      });
    }),
  };
}

export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new Error('no certificate in PEM');
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

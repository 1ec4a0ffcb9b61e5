import fs from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import { loadPlatformConfig } from '../../src/platform/config';
import type { PlatformWorld } from '../platform/support/platform-world';

/**
 * A man in the middle for the client's tests: a real HTTPS server with the platform's own TLS
 * certificate (so the pinned root accepts it, as it would a stolen key or a compromised proxy) that
 * forwards every request to the real platform, unless `decide` answers it itself: cut the
 * connection (the network fails at that moment) or send other bytes (a replayed or forged answer).
 * `seen` keeps every answer that passed, so a test can replay one later.
 */
export type ProxyDecision = 'forward' | 'cut' | { status: number; body: string };
export interface ProxyRequest { method: string; url: string; body: string }

export interface PlatformProxy {
  url: string;
  seen: { req: ProxyRequest; status: number; body: string }[];
  decide: (r: ProxyRequest) => ProxyDecision;
  close(): Promise<void>;
}

export async function startPlatformProxy(w: PlatformWorld): Promise<PlatformProxy> {
  const c = loadPlatformConfig(w.dir);
  const sockets = new Set<net.Socket>();
  const agent = new https.Agent({ ca: w.rootPem, keepAlive: false });
  const proxy: PlatformProxy = { url: '', seen: [], decide: () => 'forward', close: async () => undefined };
  const server = https.createServer({ key: fs.readFileSync(path.join(w.dir, c.tls.key)), cert: fs.readFileSync(path.join(w.dir, c.tls.cert)) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const r: ProxyRequest = { method: req.method ?? 'GET', url: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') };
      const d = proxy.decide(r);
      if (d === 'cut') { req.socket.destroy(); return; }
      if (d !== 'forward') { res.writeHead(d.status, { 'content-type': 'application/json' }).end(d.body); return; }
      const headers = { ...req.headers, host: new URL(w.running.url).host };
      const up = https.request(new URL(r.url, w.running.url), { method: r.method, headers, agent, timeout: 5000 }, (ur) => {
        const back: Buffer[] = [];
        ur.on('data', (x: Buffer) => back.push(x));
        ur.on('end', () => {
          const body = Buffer.concat(back);
          proxy.seen.push({ req: r, status: ur.statusCode ?? 0, body: body.toString('utf8') });
          res.writeHead(ur.statusCode ?? 502, ur.headers).end(body);
        });
      });
      up.on('timeout', () => up.destroy(new Error('upstream timeout')));
      up.on('error', () => { res.writeHead(502).end(); });
      up.end(r.body);
    });
  });
  server.on('connection', (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    agent.destroy();
    await new Promise((r) => server.close(r));
  };
  return proxy;
}

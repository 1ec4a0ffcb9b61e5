/**
 * Running a platform from its directory: open the database, log in to the token, build the
 * context and the HTTPS server, listen, write the pid file; stop cleanly on SIGTERM / SIGINT.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { databaseTarget, loadPlatformConfig, platformPaths, type PlatformConfig } from './config';
import { makeContext, type PlatformContext } from './context';
import { openDatabase, type PlatformDatabase } from './db/database';
import { buildServer, REDACT_PATHS, type ServerOptions } from './server';
import { openPlatformSigner } from './signing/platform-signer';

export interface RunningPlatform {
  app: FastifyInstance;
  ctx: PlatformContext;
  url: string;
  close(): Promise<void>;
}

export function platformLogger(dest: string | NodeJS.WritableStream): Logger {
  const stream = typeof dest === 'string' ? pino.destination({ dest, sync: true, mkdir: true }) : dest;
  return pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
}

/** A server pid that still serves: alive, and not a zombie its parent has yet to reap (Linux /proc). */
export function serverProcessAlive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  try { return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return true; }
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  if (!m) throw new Error(`bad --listen ${listen}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export async function startPlatform(dir: string, o: { listen?: string; log?: Logger; server?: ServerOptions; now?: () => Date; poolSize?: number } = {}): Promise<RunningPlatform> {
  const config: PlatformConfig = loadPlatformConfig(dir);
  const paths = platformPaths(dir);
  const log = o.log ?? platformLogger(paths.logFile);
  const database: PlatformDatabase = openDatabase(databaseTarget(dir, config), { poolSize: o.poolSize });
  const signer = await openPlatformSigner(dir, config, paths.home);
  const read = (rel: string) => fs.readFileSync(path.resolve(dir, rel), 'utf8');
  const ctx = makeContext(database, {
    signer, config, log, now: o.now ?? (() => new Date()), acceptedRoots: config.acceptedRoots.map(read), tlsRootPem: read(config.tls.root),
  });
  const app = await buildServer(ctx, { https: { key: read(config.tls.key), cert: read(config.tls.cert) }, ...o.server });
  const { host, port } = parseListen(o.listen ?? config.listen);
  await app.listen({ host, port });
  const addr = app.server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  log.info({ event: 'started', url, dialect: database.dialect }, 'platform started');
  let closed = false;
  return {
    app, ctx, url,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await signer.close();
      await database.close();
    },
  };
}

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A real PostgreSQL 15 (Debian's) for one test file: initdb as the `postgres` user in a fresh temp
 * data directory that user owns, listening on 127.0.0.1 only, on a free port; trust auth for the
 * superuser over loopback (the test machine only), password auth for every other role so the
 * platform's app role logs in like it would in production. `stop('immediate')` is
 * pg_ctl stop -m immediate: no checkpoint, recovery from WAL at the next start.
 */
export const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  dir: string;
  port: number;
  /** Superuser URL of the test database `sealdesk`. */
  url: string;
  /** A URL for another fresh database in the same cluster. */
  newDatabase(name: string): string;
  start(): void;
  stop(mode?: 'fast' | 'immediate'): void;
  cleanup(): void;
}

export function postgresAvailable(): boolean {
  return fs.existsSync(path.join(PG_BIN, 'pg_ctl'));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const asPostgres = (cmd: string, args: string[]): string =>
  execFileSync('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, cmd), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

export async function startPostgres(): Promise<TestPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-pg-'));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-instructions']);
  // Loopback: the superuser without password (tests only), every other role with its password.
  fs.writeFileSync(path.join(data, 'pg_hba.conf'), 'local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n');
  execFileSync('chown', ['postgres:postgres', path.join(data, 'pg_hba.conf')]);
  const port = await freePort();
  const start = (): void => {
    asPostgres('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=on -c max_connections=200`, 'start']);
  };
  start();
  const psql = (sqlText: string): void => {
    execFileSync('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, 'psql'), '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sqlText], { stdio: 'pipe' });
  };
  const newDatabase = (name: string): string => {
    psql(`CREATE DATABASE ${name}`);
    return `postgres://postgres@127.0.0.1:${port}/${name}`;
  };
  const url = newDatabase('sealdesk');
  let running = true;
  const stop = (mode: 'fast' | 'immediate' = 'fast'): void => {
    if (!running) return;
    asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
    running = false;
  };
  return {
    dir, port, url, newDatabase, stop,
    start() { if (!running) { start(); running = true; } },
    cleanup() {
      try { stop('immediate'); } catch { /* already down */ }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The desktop client beside a real seal platform, for the e2e tests of issue #9: the platform world
 * of test/platform (SQLite, its key and the maker's card and keepers' USB-Keys on SoftHSM2, HTTPS on
 * loopback, serving the built web console), keepers' keys with seals filed, approved, made and
 * registered (test/platform-client/support.ts), a SealDesk data dir with no platform configured yet,
 * and the built renderer in Debian's Chromium over the real core.
 *
 * Between the client and the platform sits a loopback TCP relay (the network): it passes the TLS
 * bytes through untouched, can hold each answer for a while (a slow line, so the progress of each
 * online step stays on screen long enough to be seen), and can be cut (the platform unreachable)
 * while the platform itself, and the console the approver uses, keep running.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { saveConfig } from '../../../src/core/config/config';
import { homePaths } from '../../../src/core/config/paths';
import { TrustStore } from '../../../src/core/config/trust-store';
import { loadPlatformConfig, databaseTarget } from '../../../src/platform/config';
import { SOFTHSM_MODULE } from '../../support/softhsm';
import { buildConsole } from '../../platform/support/console-browser';
import { createPlatformWorld, type PlatformWorld } from '../../platform/support/platform-world';
import { keeperWithSeal } from '../../platform-client/support';
import type { TestToken } from '../../support/tokens';
import { repoRoot } from './world';
import type { Ui } from './ui';

export interface Relay {
  /** https://127.0.0.1:PORT — what the client is configured with. */
  url: string;
  /** Each chunk from the platform is held this long before it goes on. */
  delayMs: number;
  /** Points the relay at the platform's port (it changes when the platform restarts). */
  retarget(url: string): void;
  /** The line is cut: open connections are dropped and new ones refused. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

const portOf = (url: string) => Number(new URL(url).port);

export async function startRelay(platformUrl: string): Promise<Relay> {
  let target = portOf(platformUrl);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('data', (d) => upstream.write(d));
    // Chunks keep their order: each waits the same time, and timers of equal delay run in order.
    upstream.on('data', (d) => (relay.delayMs > 0 ? setTimeout(() => client.write(d), relay.delayMs) : client.write(d)));
    client.on('end', () => upstream.end());
    upstream.on('end', () => setTimeout(() => client.end(), relay.delayMs));
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const stop = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
  const relay: Relay = {
    url: `https://127.0.0.1:${port}`,
    delayMs: 0,
    retarget: (url) => { target = portOf(url); },
    cut: stop,
    restore: () => (server.listening ? Promise.resolve() : listen(port)),
    close: stop,
  };
  return relay;
}

export interface Keeper { token: TestToken; esID: string }

export interface DeskWorld {
  w: PlatformWorld;
  relay: Relay;
  /** The client's data dir (config.json without a platform at first, the test CA trusted). */
  home: string;
  /** The platform's TLS root, the file a person picks in the settings. */
  rootFile: string;
  keeperA: Keeper;
  keeperB: Keeper;
  /** A seal made by the maker's card and written to the key, but never registered on the platform. */
  keeperC: Keeper;
  /** A registered seal whose validity window ended yesterday. */
  keeperD: Keeper;
  /** Copies the platform's database aside (the server is stopped for it and started again). */
  backUpDatabase(): Promise<void>;
  /** Restores the copy: the platform's log goes back to what it was then (an old backup restored). */
  restoreDatabase(): Promise<void>;
  close(): Promise<void>;
}

async function restartWith(w: PlatformWorld, relay: Relay, between: () => void): Promise<void> {
  await w.running.close();
  between();
  await w.restart();
  relay.retarget(w.running.url);
}

export async function createDeskWorld(): Promise<DeskWorld> {
  const w = await createPlatformWorld('sqlite', { consoleDir: buildConsole() });
  const relay = await startRelay(w.running.url);
  const keeperA = await keeperWithSeal(w, 'KEEPER-A');
  const keeperB = await keeperWithSeal(w, 'KEEPER-B');
  const keeperC = await keeperWithSeal(w, 'KEEPER-C', { register: false });
  const day = 86400_000;
  const keeperD = await keeperWithSeal(w, 'KEEPER-D', { validStart: new Date(Date.now() - 3 * day), validEnd: new Date(Date.now() - day) });
  const home = path.join(w.hsm.dir, 'desk-home');
  fs.mkdirSync(home, { recursive: true });
  saveConfig({ modules: [SOFTHSM_MODULE], language: 'zh' }, homePaths(home).configFile);
  new TrustStore(homePaths(home).trustDir).add(path.join(w.hsm.dir, 'ca.pem'));
  const db = databaseTarget(w.dir, loadPlatformConfig(w.dir));
  const backup = path.join(w.hsm.dir, 'platform-db-backup');
  const files = () => [db, `${db}-wal`, `${db}-shm`];
  return {
    w, relay, home, keeperA, keeperB, keeperC, keeperD, rootFile: path.join(w.dir, 'tls', 'root.pem'),
    backUpDatabase: () => restartWith(w, relay, () => {
      fs.mkdirSync(backup, { recursive: true });
      for (const f of files()) if (fs.existsSync(f)) fs.copyFileSync(f, path.join(backup, path.basename(f)));
    }),
    restoreDatabase: () => restartWith(w, relay, () => {
      for (const f of files()) {
        fs.rmSync(f, { force: true });
        const kept = path.join(backup, path.basename(f));
        if (fs.existsSync(kept)) fs.copyFileSync(kept, f);
      }
    }),
    async close() {
      await relay.close();
      await w.close();
    },
  };
}

/** Places a seal by its esID on the page in view (the token panel's keyboard placement). */
export async function placeSeal(ui: Ui, esID: string): Promise<void> {
  await ui.page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 60_000 });
  await ui.page.locator(`.seal-sample[data-esid="${esID}"] [data-testid=place-here]`).click();
  await ui.page.locator('[data-testid=placed-sample]').waitFor();
}

/** 文档签章 with the placed seal: the save dialog picks `output`, the PIN dialog gets `pin`. */
export async function stampPlaced(ui: Ui, output: string, pin: string): Promise<void> {
  ui.server.dialogs.save.push(output);
  await ui.page.click('[data-testid=stamp-button]');
  await ui.page.locator('[data-testid=pin-dialog]').waitFor({ timeout: 30_000 });
  await ui.page.fill('[data-testid=pin-input]', pin);
  await ui.page.click('[data-testid=pin-ok]');
}

/** The token panel's registry badge of a seal (in that state, when one is named). */
export const registryBadge = (ui: Ui, esID: string, state?: string) =>
  ui.page.locator(`.seal-sample[data-esid="${esID}"] [data-testid=seal-registry]${state ? `[data-state="${state}"]` : ''}`);

/** The check of one id in the card of the (single) seal shown. */
export const checkInCard = (ui: Ui, id: string) => ui.page.locator(`.seal-item .check[data-check="${id}"]`).first();

/** Screenshots go to docs/screenshots only when asked for (SEALDESK_SCREENSHOTS=1), never from a plain test run. */
export const screenshotDir = (): string | undefined => (process.env.SEALDESK_SCREENSHOTS === '1' ? path.join(repoRoot, 'docs', 'screenshots') : undefined);

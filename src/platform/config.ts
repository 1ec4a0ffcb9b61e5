/**
 * A platform's directory: DIR/platform.json says where its database, token key, TLS files and
 * trust roots are; the files live beside it. Written once by `platform init`, read by `serve`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SealDeskError } from '../core/errors';
import { writeFileAtomic } from '../core/fs/atomic-write';

export interface PlatformConfig {
  version: 1;
  name: string;
  /** Origin line of the log's checkpoints (signed notes). */
  logOrigin: string;
  /** SQLite file (relative to DIR) or postgres:// URL of the app role. */
  database: string;
  token: {
    module: string;
    label: string;
    ckaId: string;
    /** File (relative to DIR, mode 0600) holding the token user PIN for the unattended server. */
    pinFile: string;
    /** SOFTHSM2_CONF for SoftHSM2 tokens kept beside the platform (demo, tests). */
    softhsmConf?: string;
  };
  /** PEM files relative to DIR. */
  tls: { root: string; cert: string; key: string };
  listen: string;
  /** Roots accepted for maker and keeper certificates (PEM files relative to DIR). */
  acceptedRoots: string[];
  platformKey: { keyId: string; alg: 'ecdsa-p256-sha256'; spki: string; certificate: string };
}

export const CONFIG_FILE = 'platform.json';

export function platformPaths(dir: string) {
  return {
    config: path.join(dir, CONFIG_FILE),
    pidFile: path.join(dir, 'server.pid'),
    logFile: path.join(dir, 'server.log'),
    home: path.join(dir, 'home'),
  };
}

export function loadPlatformConfig(dir: string): PlatformConfig {
  const file = platformPaths(dir).config;
  if (!fs.existsSync(file)) {
    throw new SealDeskError('PLATFORM_NOT_INITIALIZED', `${dir} 不是平台目录(先运行 sealdesk platform init)`, `${dir} is not a platform directory (run sealdesk platform init first)`);
  }
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as PlatformConfig;
    if (c.version !== 1) throw new Error(`version ${String(c.version)}`);
    return c;
  } catch (e) {
    throw new SealDeskError('PLATFORM_CONFIG_INVALID', `平台配置文件损坏: ${file}`, `The platform configuration is damaged: ${file}`, { cause: e });
  }
}

export function savePlatformConfig(dir: string, c: PlatformConfig): void {
  writeFileAtomic(platformPaths(dir).config, Buffer.from(JSON.stringify(c, null, 2) + '\n'), 0o600);
}

export function databaseTarget(dir: string, c: PlatformConfig): string {
  return /^postgres(ql)?:\/\//.test(c.database) ? c.database : path.resolve(dir, c.database);
}

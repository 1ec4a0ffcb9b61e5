/**
 * The seal platform a data dir is configured for (issue #9): its URL, the pinned TLS root (the only
 * CA its HTTPS certificate may chain to) and the signing keys and log origin taken from its signed
 * trust bundle when `sealdesk platform use` ran. Kept in config.json under "platform"; a value that
 * is not well formed is treated as damaged configuration, never as "no platform".
 */
import type { PlatformKey } from '../../platform/api/contract';
import { SealDeskError } from '../errors';

export interface PlatformSettings {
  url: string;
  platformName: string;
  /** PEM of the pinned TLS root. */
  tlsRootPem: string;
  logOrigin: string;
  keys: PlatformKey[];
  /** Per-call timeout, milliseconds. */
  timeoutMs: number;
  configuredAt: string;
}

export const DEFAULT_PLATFORM_TIMEOUT_MS = 10_000;

const damaged = (what: string) => new SealDeskError('CONFIG_INVALID', `配置文件中的电子印章管理平台设置损坏(${what})`, `The seal platform settings in the configuration are damaged (${what})`);

/** undefined → no platform; anything else must be complete. */
export function parsePlatformSettings(raw: unknown): PlatformSettings | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') throw damaged('not an object');
  const r = raw as Record<string, unknown>;
  for (const k of ['url', 'platformName', 'tlsRootPem', 'logOrigin', 'configuredAt'] as const) {
    if (typeof r[k] !== 'string') throw damaged(k);
  }
  if (!Array.isArray(r.keys) || r.keys.length === 0) throw damaged('keys');
  const keys = r.keys.map((k: unknown) => {
    const o = k as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || typeof o.keyId !== 'string' || typeof o.spki !== 'string' || typeof o.alg !== 'string') throw damaged('keys');
    return { keyId: o.keyId, spki: o.spki, alg: o.alg as PlatformKey['alg'] };
  });
  const timeoutMs = typeof r.timeoutMs === 'number' && r.timeoutMs > 0 ? r.timeoutMs : DEFAULT_PLATFORM_TIMEOUT_MS;
  return { url: r.url as string, platformName: r.platformName as string, tlsRootPem: r.tlsRootPem as string, logOrigin: r.logOrigin as string, keys, timeoutMs, configuredAt: r.configuredAt as string };
}

export const NO_PLATFORM_NOTE = {
  zh: '未配置电子印章管理平台,未核验印章状态',
  en: 'no seal platform configured; seal status not checked',
} as const;

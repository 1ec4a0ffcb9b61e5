import fs from 'node:fs';
import path from 'node:path';
import { SealDeskError } from '../errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { homePaths } from './paths';
import { parsePlatformSettings, type PlatformSettings } from '../platform-client/platform-settings';

/** Settings kept in the data dir's config.json (the UI's settings page writes the same file). */
export interface SealDeskConfig {
  /** PKCS#11 module paths (vendor USB-Key libraries); the first is the default. */
  modules: string[];
  /** Vendor profile name or JSON path, for SM2 mechanism numbers. */
  vendorProfile?: string;
  /** RFC 3161 timestamp authority URL used when stamping. */
  tsaUrl?: string;
  language: 'zh' | 'en';
  /** The seal platform (issue #9), set by `sealdesk platform use`; absent → offline as before. */
  platform?: PlatformSettings;
}

const DEFAULTS: SealDeskConfig = { modules: [], language: 'zh' };

export function loadConfig(file: string = homePaths().configFile): SealDeskConfig {
  if (!fs.existsSync(file)) return { ...DEFAULTS };
  try {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SealDeskConfig>;
    return {
      modules: Array.isArray(raw.modules) ? raw.modules.filter((m): m is string => typeof m === 'string') : [],
      vendorProfile: typeof raw.vendorProfile === 'string' ? raw.vendorProfile : undefined,
      tsaUrl: typeof raw.tsaUrl === 'string' ? raw.tsaUrl : undefined,
      language: raw.language === 'en' ? 'en' : 'zh',
      platform: parsePlatformSettings(raw.platform),
    };
  } catch (e) {
    if (e instanceof SealDeskError) throw e;
    throw new SealDeskError('CONFIG_INVALID', `配置文件损坏: ${file}`, `Configuration file is damaged: ${file}`, { cause: e });
  }
}

export function saveConfig(config: SealDeskConfig, file: string = homePaths().configFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, Buffer.from(JSON.stringify(config, null, 2) + '\n'));
}

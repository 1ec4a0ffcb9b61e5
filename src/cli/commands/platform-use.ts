import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, saveConfig } from '../../core/config/config';
import { homePaths } from '../../core/config/paths';
import { SealDeskError } from '../../core/errors';
import { fetchPlatformSettings } from '../../core/platform-client/trust-bundle';
import { checkpointFile } from '../../core/platform-client/log-watch';
import { queuedRecords } from '../../core/platform-client/stamping-records';
import { syncSealCatalog } from '../../core/platform-client/seal-catalog-sync';
import { sealCatalogDir } from '../../core/verify/seal-catalog';
import { appContext } from '../context';
import { passwordSource } from './platform-client-options';
import { usageError } from '../output';

const USAGE = usageError('用法: sealdesk platform use 地址 --ca 根证书.pem [--timeout 毫秒] | show | off | seals --user 账号',
  'usage: sealdesk platform use URL --ca ROOT.pem [--timeout MS] | show | off | seals --user ACCOUNT');

/** `sealdesk platform use|show|off`: the data dir's seal platform (issue #9). */
export async function platformUseCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ca: { type: 'string' }, timeout: { type: 'string' }, user: { type: 'string' }, 'password-stdin': { type: 'boolean' } } });
  const [sub, url] = positionals;
  const ctx = appContext({});
  const file = homePaths(ctx.home).configFile;
  if (sub === 'use') {
    if (!url || !values.ca || positionals.length !== 2) throw USAGE;
    if (values.timeout !== undefined && !/^[1-9]\d{2,5}$/.test(values.timeout)) throw usageError('--timeout 必须是 100 到 999999 之间的毫秒数', '--timeout must be 100..999999 milliseconds');
    let rootPem: string;
    try { rootPem = fs.readFileSync(values.ca, 'utf8'); } catch (e) {
      throw new SealDeskError('TRUST_FILE_UNREADABLE', `无法读取证书文件 ${values.ca}`, `Cannot read certificate file ${values.ca}`, { cause: e });
    }
    const settings = await fetchPlatformSettings(url, rootPem, { timeoutMs: values.timeout ? Number(values.timeout) : undefined });
    const before = loadConfig(file).platform;
    const samePlatform = before && before.logOrigin === settings.logOrigin && before.keys.every((k) => settings.keys.some((n) => n.keyId === k.keyId));
    // The largest checkpoint seen belongs to one log: another platform starts from its own.
    if (!samePlatform) fs.rmSync(checkpointFile(ctx.home), { force: true });
    saveConfig({ ...loadConfig(file), platform: settings }, file);
    ctx.audit.record({ action: 'platform.use', outcome: 'ok', detail: `${settings.url} (${settings.platformName}), ${settings.keys.length} key(s)` });
    process.stdout.write(`已配置电子印章管理平台 / seal platform configured: ${settings.platformName} ${settings.url}\n`);
    for (const k of settings.keys) process.stdout.write(`  平台密钥 / platform key ${k.keyId} (${k.alg})\n`);
    return 0;
  }
  if (sub === 'show' && positionals.length === 1) {
    const p = ctx.config.platform;
    if (!p) { process.stdout.write('未配置电子印章管理平台 / no seal platform configured\n'); return 0; }
    process.stdout.write(`${p.platformName} ${p.url}\n  配置于 / configured ${p.configuredAt}; timeout ${p.timeoutMs} ms; log ${p.logOrigin}\n`);
    const q = queuedRecords(ctx.home);
    process.stdout.write(`  待发送的用印记录 / records waiting to be sent: ${q.length}\n`);
    return 0;
  }
  if (sub === 'seals' && positionals.length === 1) {
    if (!values.user) throw usageError('需要 --user 指定平台控制台账号', 'needs --user NAME (a console account of the platform)');
    const passwords = passwordSource(values);
    try {
      const password = await passwords.read(`${values.user} 的密码 / password of ${values.user}`);
      const r = await syncSealCatalog(ctx, { user: values.user, password });
      process.stdout.write(`已从平台取得 ${r.written.length} 枚备案印章到印章目录 / ${r.written.length} registered seal(s) fetched into the seal catalog (${sealCatalogDir(ctx.home)})\n`);
      for (const x of r.refused) process.stdout.write(`  未采用 / not taken: ${x.esID}: ${x.reason}\n`);
      return r.refused.length > 0 ? 3 : 0;
    } finally {
      passwords.dispose();
    }
  }
  if (sub === 'off' && positionals.length === 1) {
    const { platform: _dropped, ...rest } = loadConfig(file);
    saveConfig(rest, file);
    ctx.audit.record({ action: 'platform.use', outcome: 'ok', detail: 'platform removed' });
    process.stdout.write('已取消电子印章管理平台配置 / seal platform removed\n');
    return 0;
  }
  throw USAGE;
}

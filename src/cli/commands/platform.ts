/**
 * `sealdesk platform …`: the seal platform from the command line. init / serve / stop work on a
 * platform directory; every other subcommand is a console action over HTTPS (pinned to the
 * platform's root) as a console account (--user, password without echo or --password-stdin);
 * --json prints the platform's answer exactly as sent (signed answers stay verifiable).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SealDeskError } from '../../core/errors';
import { ROLES, SEAL_ACTIONS, type ApplicationView, type CheckpointView, type Role, type SealView, type StatusPayload, type TrustBundlePayload, type UnitView } from '../../platform/api/contract';
import { verifyEnvelope } from '../../platform/client-verify';
import { loadPlatformConfig, platformPaths } from '../../platform/config';
import { initPlatform } from '../../platform/init';
import { serverProcessAlive, startPlatform } from '../../platform/runtime';
import { usageError } from '../output';
import { platformUseCommand } from './platform-use';
import { SOFTHSM_DEFAULT_MODULE, platformLogVerify } from './platform-log';
import { clientOptions, expectOk, loggedIn, passwordSource, platformClient, serverUrlFile, type ClientValues } from './platform-client-options';
import { stopDemoRevocationBeside } from '../../core/revocation/demo-revocation-service';

const USAGE = `sealdesk platform — 印章管理平台 / seal platform

  platform init --dir DIR [--db postgres://…] [--module PKCS11.so] [--token LABEL --pin-file F | --new-token]
                [--admin USER] [--password-stdin] [--trust-root CA.pem]… [--listen 127.0.0.1:PORT]
  platform serve --dir DIR [--listen 127.0.0.1:PORT]      platform stop --dir DIR
  platform unit add NAME [--use-approval]                 platform account add NAME --role R[,R] [--unit NAME]
  platform apply --seal-name N --kind 01..99 --keeper-name N [--keeper-cert F] --image F.png --valid-from T --valid-to T
  platform approve|reject ID --reason TEXT                platform seal register --application ID --seal F.der
  platform seal status ESID [--at TIME] [--json]          platform seal suspend|resume|lost|cancel ESID [--effective TIME] --reason TEXT
  platform log checkpoint [--json]                        platform log verify
  platform use URL --ca ROOT.pem [--timeout MS] | show | off   this data dir's platform (the client side)
  platform seals --user NAME                              the registered seals into this data dir's seal catalog
  (console actions: --dir DIR or --url URL --root ROOT.pem; --user NAME [--password-stdin])
`;

function out(v: ClientValues, raw: unknown, text: string): void {
  process.stdout.write(v.json ? `${JSON.stringify(raw)}\n` : `${text}\n`);
}

async function init(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    dir: { type: 'string' }, db: { type: 'string' }, module: { type: 'string' }, token: { type: 'string' }, 'new-token': { type: 'boolean' },
    'pin-file': { type: 'string' }, 'softhsm-conf': { type: 'string' }, admin: { type: 'string' }, 'password-stdin': { type: 'boolean' },
    'trust-root': { type: 'string', multiple: true }, listen: { type: 'string' }, name: { type: 'string' },
  } });
  if (!values.dir) throw usageError('需要 --dir', 'needs --dir DIR');
  const passwords = passwordSource(values);
  const admin = values.admin ?? 'admin';
  const password = await passwords.read(`新账号 ${admin} 的密码 / password for the new account ${admin}`);
  if (password.length < 10) throw new SealDeskError('PASSWORD_TOO_SHORT', '密码至少 10 个字符', 'The password needs at least 10 characters');
  const c = await initPlatform({
    dir: values.dir, db: values.db, module: values.module ?? SOFTHSM_DEFAULT_MODULE, tokenLabel: values.token, newToken: values['new-token'],
    pinFile: values['pin-file'], softhsmConf: values['softhsm-conf'] ?? (values['new-token'] ? process.env.SOFTHSM2_CONF : undefined),
    listen: values.listen, trustRoots: values['trust-root'], name: values.name, admin: { user: admin, password },
  });
  passwords.dispose();
  process.stdout.write(`平台已创建 / platform created: ${path.resolve(values.dir)} (${c.name}, log ${c.logOrigin})\n`);
  return 0;
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { dir: { type: 'string' }, listen: { type: 'string' } } });
  if (!values.dir) throw usageError('需要 --dir', 'needs --dir DIR');
  const dir = path.resolve(values.dir);
  const p = platformPaths(dir);
  const running = await startPlatform(dir, { listen: values.listen });
  fs.writeFileSync(serverUrlFile(dir), `${running.url}\n`);
  fs.writeFileSync(p.pidFile, `${process.pid}\n`);
  const cleanup = () => {
    try { if (fs.readFileSync(p.pidFile, 'utf8').trim() === String(process.pid)) fs.rmSync(p.pidFile); } catch { /* gone */ }
  };
  // Stop on SIGTERM / SIGINT: the pid file goes first (synchronously, in case another handler exits
  // the process), then the server closes its connections, the token session and the database.
  for (const s of ['SIGTERM', 'SIGINT'] as const) {
    process.prependListener(s, () => {
      cleanup();
      // Every committed write is already durable; closing is a courtesy that may not outlast 3 s.
      setTimeout(() => process.exit(0), 3000).unref();
      void running.close().finally(() => process.exit(0));
    });
  }
  process.stdout.write(`平台服务已启动 / platform serving at ${running.url} (pid ${process.pid})\n`);
  await new Promise<void>(() => undefined);
  return 0;
}

async function stop(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { dir: { type: 'string' } } });
  if (!values.dir) throw usageError('需要 --dir', 'needs --dir DIR');
  await stopDemoRevocationBeside(values.dir);
  const pidFile = platformPaths(values.dir).pidFile;
  if (!fs.existsSync(pidFile)) { process.stdout.write('平台未在运行 / platform not running\n'); return 0; }
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  try { process.kill(pid, 'SIGTERM'); } catch { fs.rmSync(pidFile, { force: true }); return 0; }
  // Gone, or a zombie its parent has not reaped yet: either way it serves no more.
  const alive = (): boolean => serverProcessAlive(pid);
  for (let i = 0; i < 100; i++) {
    if (!alive()) { fs.rmSync(pidFile, { force: true }); process.stdout.write(`平台已停止 / platform stopped (pid ${pid})\n`); return 0; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new SealDeskError('PLATFORM_STOP_FAILED', `平台进程 ${pid} 未退出`, `Platform process ${pid} did not exit`);
}

const sealText = (s: SealView): string =>
  `${s.esID}  ${s.name}  ${s.state}${s.expired ? ' (expired)' : ''}  ${s.validStart} – ${s.validEnd}\n` + s.history.map((h) => `  #${h.logIndex} ${h.action} → ${h.state}  effective ${h.effectiveAt}  reported ${h.reportedAt}  by ${h.actor}: ${h.reason}`).join('\n');

async function seal(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: {
    ...clientOptions, at: { type: 'string' }, effective: { type: 'string' }, reason: { type: 'string' }, application: { type: 'string' }, seal: { type: 'string' }, nonce: { type: 'string' },
  } });
  if (sub === 'status') {
    const esID = positionals[0];
    if (!esID) throw usageError('需要印章编码 ESID', 'needs ESID');
    const c = platformClient(values);
    const a = await c.call('status', { params: { esID }, query: { at: values.at, nonce: values.nonce } });
    const env = expectOk(a);
    const bundle = JSON.parse((expectOk(await c.call('trustBundle')) as { payload: string }).payload) as TrustBundlePayload;
    const keys = values.dir ? [{ ...loadPlatformConfig(values.dir).platformKey }] : bundle.platformKeys;
    const v = verifyEnvelope<StatusPayload>(env, keys, { type: 'status', nonce: values.nonce });
    if (!v.ok) throw new SealDeskError(v.code, v.zh, v.en);
    const s = v.payload;
    out(values, env, `${s.esID}  ${s.state}${s.expired ? ' (expired)' : ''}  at ${s.at}  (signed ${s.producedAt}, next update ${s.nextUpdate})\n` +
      s.history.map((h) => `  #${h.logIndex} ${h.action} → ${h.state}  effective ${h.effectiveAt}  reported ${h.reportedAt}: ${h.reason}`).join('\n'));
    return s.state === 'in_use' && !s.expired ? 0 : 2;
  }
  if (sub === 'register') {
    if (!values.application || !values.seal) throw usageError('需要 --application 与 --seal', 'needs --application ID and --seal FILE');
    const c = await loggedIn(values);
    const s = expectOk(await c.call<SealView>('sealRegister', { body: { applicationId: values.application, seal: fs.readFileSync(values.seal).toString('base64') } }));
    out(values, s, `已备案 / registered: ${sealText(s)}`);
    return 0;
  }
  if ((SEAL_ACTIONS as readonly string[]).includes(sub ?? '')) {
    const esID = positionals[0];
    if (!esID || !values.reason) throw usageError('需要 ESID 与 --reason', 'needs ESID and --reason TEXT');
    const c = await loggedIn(values);
    const s = expectOk(await c.call<SealView>('stateEvent', { params: { esID }, body: { action: sub, reason: values.reason, ...(values.effective ? { effectiveAt: new Date(values.effective).toISOString() } : {}) } }));
    out(values, s, sealText(s));
    return 0;
  }
  throw usageError('用法: platform seal status|register|suspend|resume|lost|cancel', 'usage: platform seal status|register|suspend|resume|lost|cancel');
}

async function apply(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    ...clientOptions, 'seal-name': { type: 'string' }, kind: { type: 'string' }, 'keeper-name': { type: 'string' }, 'keeper-cert': { type: 'string' },
    image: { type: 'string' }, 'width-mm': { type: 'string' }, 'height-mm': { type: 'string' }, 'valid-from': { type: 'string' }, 'valid-to': { type: 'string' }, unit: { type: 'string' },
  } });
  for (const k of ['seal-name', 'kind', 'keeper-name', 'image', 'valid-from', 'valid-to'] as const) if (!values[k]) throw usageError(`需要 --${k}`, `needs --${k}`);
  const c = await loggedIn(values);
  const a = expectOk(await c.call<ApplicationView>('applicationCreate', { body: {
    sealName: values['seal-name'], kind: values.kind, ...(values.unit ? { unitId: values.unit } : {}),
    keeper: { name: values['keeper-name'], ...(values['keeper-cert'] ? { certificate: fs.readFileSync(values['keeper-cert']).toString('base64') } : {}) },
    impression: { png: fs.readFileSync(values.image!).toString('base64'), widthMm: Number(values['width-mm'] ?? 40), heightMm: Number(values['height-mm'] ?? 40) },
    validFrom: new Date(values['valid-from']!).toISOString(), validTo: new Date(values['valid-to']!).toISOString(),
  } }));
  out(values, a, `申请已提交 / application filed: ${a.id} (${a.sealName}, ${a.state})`);
  return 0;
}

async function decideCommand(decision: 'approve' | 'reject', argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...clientOptions, reason: { type: 'string' } } });
  if (!positionals[0] || !values.reason) throw usageError('需要申请编号与 --reason', 'needs the application ID and --reason TEXT');
  const c = await loggedIn(values);
  const a = expectOk(await c.call<ApplicationView>('decision', { params: { id: positionals[0] }, body: { decision, reason: values.reason } }));
  out(values, a, `申请 ${a.id}: ${a.state}`);
  return 0;
}

async function unitOrAccount(kind: 'unit' | 'account', argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: {
    ...clientOptions, role: { type: 'string' }, unit: { type: 'string' }, 'display-name': { type: 'string' }, 'use-approval': { type: 'boolean' },
  } });
  if (sub !== 'add' || !positionals[0]) throw usageError(`用法: platform ${kind} add NAME`, `usage: platform ${kind} add NAME`);
  const passwords = passwordSource(values);
  const c = await loggedIn(values, passwords);
  if (kind === 'unit') {
    const u = expectOk(await c.call<UnitView>('unitCreate', { body: { name: positionals[0], requiresUseApproval: values['use-approval'] ?? false } }));
    out(values, u, `单位 / unit ${u.id}: ${u.name}`);
    return 0;
  }
  const roles = (values.role ?? '').split(',').filter(Boolean);
  if (roles.length === 0 || roles.some((r) => !(ROLES as readonly string[]).includes(r))) throw usageError(`--role 取 ${ROLES.join(',')}`, `--role takes ${ROLES.join(',')}`);
  let unitId: string | undefined;
  if (values.unit) {
    const units = expectOk(await c.call<{ units: UnitView[] }>('units')).units;
    unitId = units.find((u) => u.name === values.unit || u.id === values.unit)?.id;
    if (!unitId) throw new SealDeskError('UNIT_UNKNOWN', `单位不存在: ${values.unit}`, `No such unit: ${values.unit}`);
  }
  const pw = await passwords.read(`新账号 ${positionals[0]} 的密码 / password for ${positionals[0]}`);
  const body = { user: positionals[0], displayName: values['display-name'] ?? positionals[0], password: pw.toString('utf8'), roles: roles as Role[], ...(unitId ? { unitId } : {}) };
  pw.fill(0);
  const a = expectOk(await c.call('accountCreate', { body }));
  passwords.dispose();
  out(values, a, `账号已创建 / account created: ${positionals[0]} (${roles.join(',')})`);
  return 0;
}

async function log(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: clientOptions });
  const c = platformClient(values);
  if (sub === 'checkpoint') {
    const cp = expectOk(await c.call<CheckpointView>('checkpoint'));
    out(values, cp, cp.checkpoint.trimEnd());
    return 0;
  }
  if (sub === 'verify') return platformLogVerify(c, values);
  throw usageError('用法: platform log checkpoint|verify', 'usage: platform log checkpoint|verify');
}

export async function platformCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'init': return init(rest);
    case 'serve': return serve(rest);
    case 'stop': return stop(rest);
    case 'seal': return seal(rest);
    case 'apply': return apply(rest);
    case 'approve': return decideCommand('approve', rest);
    case 'reject': return decideCommand('reject', rest);
    case 'unit': return unitOrAccount('unit', rest);
    case 'account': return unitOrAccount('account', rest);
    case 'log': return log(rest);
    case 'use': case 'show': case 'off': case 'seals': return platformUseCommand(argv);
    default:
      process.stdout.write(USAGE);
      return sub === undefined || sub === '--help' ? 0 : 64;
  }
}

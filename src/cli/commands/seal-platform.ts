/**
 * `sealdesk seal apply` and `sealdesk seal make --application ID`: 申请 and 制章 through the data
 * dir's seal platform (issue #9) as a console account (--user; its password without echo, or as
 * the first line of standard input with --password-stdin, before any PIN with --pin-stdin).
 */
import fs from 'node:fs';
import { SealDeskError } from '../../core/errors';
import { fileSealApplication, makeSealForApplication } from '../../core/platform-client/seal-application';
import { appContext, pinPrompt, pinSource } from '../context';
import { stdinPinSource, terminalPinSource, type PinSource } from '../pin-input';
import { usageError } from '../output';

export interface SealPlatformValues {
  module?: string; 'pin-stdin'?: boolean; user?: string; 'password-stdin'?: boolean; token?: string; maker?: string; name?: string; type?: string;
  image?: string; 'width-mm'?: string; 'height-mm'?: string; 'valid-from'?: string; 'valid-until'?: string; esid?: string; application?: string; 'keeper-name'?: string; note?: string;
}

/** One standard input for the password and the PINs when both come from it. */
function secretSources(v: SealPlatformValues): { passwords: PinSource; pins: PinSource; dispose(): void } {
  const shared = v['password-stdin'] && v['pin-stdin'] ? stdinPinSource() : undefined;
  const passwords = shared ?? (v['password-stdin'] ? stdinPinSource() : terminalPinSource());
  const pins = shared ?? pinSource(v);
  return { passwords, pins, dispose: () => { passwords.dispose(); pins.dispose(); } };
}

async function account(v: SealPlatformValues, passwords: PinSource): Promise<{ user: string; password: Buffer }> {
  if (!v.user) throw usageError('需要 --user 指定平台控制台账号', 'needs --user NAME (a console account of the platform)');
  return { user: v.user, password: await passwords.read(`${v.user} 的密码 / password of ${v.user}`) };
}

function date(v: string | undefined, what: string, fallback: Date): Date {
  if (v === undefined) return fallback;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw usageError(`${what} 不是有效日期: ${v}`, `${what} is not a valid date: ${v}`);
  return d;
}

export async function sealApplyCommand(v: SealPlatformValues): Promise<number> {
  if (!v.name || !v.type || !v.image || !v['keeper-name']) {
    throw usageError('用法: sealdesk seal apply --name 名称 --type 01..99 --image 印模.png --keeper-name 保管人 [--token 印章卡] [--valid-from T] [--valid-until T] --user 账号',
      'usage: sealdesk seal apply --name NAME --type 01..99 --image IMAGE.png --keeper-name NAME [--token KEY] [--valid-from T] [--valid-until T] --user ACCOUNT');
  }
  let png: Buffer;
  try { png = fs.readFileSync(v.image); } catch (e) {
    throw new SealDeskError('SEAL_IMAGE_UNREADABLE', `无法读取印模图片 ${v.image}`, `Cannot read the seal image ${v.image}`, { cause: e });
  }
  const ctx = appContext(v);
  const s = secretSources(v);
  try {
    const now = new Date();
    const a = await fileSealApplication(ctx, await account(v, s.passwords), {
      sealName: v.name, kind: v.type.padStart(2, '0'), keeperName: v['keeper-name'], keeperToken: v.token, impressionPng: png,
      widthMm: Number(v['width-mm'] ?? 40), heightMm: Number(v['height-mm'] ?? 40),
      validFrom: date(v['valid-from'], '--valid-from', now), validTo: date(v['valid-until'], '--valid-until', new Date(now.getTime() + 2 * 365 * 86400_000)), note: v.note,
    });
    process.stdout.write(`申请已提交 / application filed: ${a.id} ${a.sealName} (${a.state})\n`);
    return 0;
  } finally {
    s.dispose();
  }
}

export async function sealMakeForApplicationCommand(v: SealPlatformValues): Promise<number> {
  if (!v.application || !v.maker || !v.token) {
    throw usageError('用法: sealdesk seal make --application 申请编号 --maker 制章卡 --token 印章卡 --user 制章账号',
      'usage: sealdesk seal make --application ID --maker CARD --token KEY --user MAKER-ACCOUNT');
  }
  const ctx = appContext(v);
  const s = secretSources(v);
  try {
    const made = await makeSealForApplication(ctx, {
      applicationId: v.application, makerToken: v.maker, keeperToken: v.token, account: await account(v, s.passwords), askPin: pinPrompt(s.pins), esID: v.esid,
    });
    process.stdout.write(`制章成功 / seal made: ${made.esID} ${made.name} on ${v.token}\n已备案 / registered: ${made.registered.esID} (${made.registered.state})\n`);
    return 0;
  } finally {
    s.dispose();
  }
}

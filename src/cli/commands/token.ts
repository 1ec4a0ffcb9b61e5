import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { SealDeskError } from '../../core/errors';
import type { PinSource } from '../pin-input';
import { changeUserPin, unlockUserPin } from '../../core/pkcs11';
import { listTokenOverviews, selectToken } from '../../core/app/token-overview';
import { appContext, pinSource, tokenOptions } from '../context';
import { usageError } from '../output';

function flagsText(f: Record<string, boolean>): string {
  return Object.entries(f).filter(([, v]) => v).map(([k]) => k).join(' ');
}

/** A new PIN is typed twice (without echo a typo would lock the keeper out); the copies are zeroed. */
async function newPin(pins: PinSource, prompt: string): Promise<Buffer> {
  const first = await pins.read(prompt);
  const again = await pins.read('再输入一次 / again');
  const same = first.length === again.length && crypto.timingSafeEqual(first, again);
  again.fill(0);
  if (!same) {
    first.fill(0);
    throw new SealDeskError('PIN_MISMATCH', '两次输入的新 PIN 不一致,未做更改', 'The two new PINs differ; nothing was changed');
  }
  return first;
}

export async function tokenCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { ...tokenOptions, token: { type: 'string' } } });
  const ctx = appContext(values);
  if (sub === 'list') {
    const tokens = await listTokenOverviews(ctx);
    if (tokens.length === 0) process.stdout.write('请插入电子印章卡 / no USB-Key inserted\n');
    for (const t of tokens) {
      process.stdout.write(`${t.token.label}  serial ${t.token.serial}  ${t.token.manufacturer} ${t.token.model}  slot ${t.token.slotId}\n`);
      process.stdout.write(`  flags: ${flagsText(t.token.flags as unknown as Record<string, boolean>)}\n`);
      process.stdout.write(`  PIN: ${t.pin.locked ? `已锁定 locked (${t.pin.lockedBy})` : `剩余 ${t.pin.triesLeft} 次 / ${t.pin.triesLeft} tries left`}\n`);
      for (const k of t.keyPairs) process.stdout.write(`  key ${k.ckaId} ${k.keyAlgorithm} ${k.label}${k.subject ? `  cert ${k.subject}` : ''}\n`);
      for (const s of t.seals) process.stdout.write(`  seal ${s.seal ? `${s.seal.eSealInfo.esID} ${s.seal.eSealInfo.property.name}` : `damaged: ${s.error?.en}`}\n`);
    }
    return 0;
  }
  const pins = pinSource(values);
  try {
    if (sub === 'unlock') {
      const token = selectToken(ctx, values.token);
      const so = await pins.read(`请输入 ${token.label} 的 SO PIN / SO PIN of ${token.label}`);
      const user = await newPin(pins, '新的用户 PIN / new user PIN');
      await unlockUserPin(ctx.module(), token, so, user, { home: ctx.home });
      process.stdout.write(`已解锁 ${token.label} / ${token.label} unlocked, user PIN reset\n`);
      return 0;
    }
    if (sub === 'change-pin') {
      const token = selectToken(ctx, values.token);
      const oldPin = await pins.read(`当前 PIN / current PIN of ${token.label}`);
      const fresh = await newPin(pins, '新 PIN / new PIN');
      await changeUserPin(ctx.module(), token, oldPin, fresh, { home: ctx.home });
      process.stdout.write('PIN 已修改 / PIN changed\n');
      return 0;
    }
  } finally {
    pins.dispose();
  }
  throw usageError('用法: sealdesk token list | unlock --token 标签 | change-pin --token 标签', 'usage: sealdesk token list | unlock --token LABEL | change-pin --token LABEL');
}

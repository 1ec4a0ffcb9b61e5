import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeSeal, type SESeal } from '../../core/asn1/ses-seal';
import { verifySeal } from '../../core/seal/verify-seal';
import { makeSealOnToken } from '../../core/app/seal-making';
import { selectToken, tokenOverview } from '../../core/app/token-overview';
import { SealDeskError } from '../../core/errors';
import { appContext, pinPrompt, pinSource, tokenOptions } from '../context';
import { usageError } from '../output';
import { sealInspectCommand } from './seal-inspect';
import { sealImageCommand } from './seal-image';
import { sealApplyCommand, sealMakeForApplicationCommand } from './seal-platform';

function describeSeal(s: SESeal): string {
  const p = s.eSealInfo.property;
  return `${s.eSealInfo.esID}  ${p.name}  type ${p.type}  valid ${p.validStart.toISOString()} – ${p.validEnd.toISOString()}  picture ${s.eSealInfo.picture.type} ${s.eSealInfo.picture.width}×${s.eSealInfo.picture.height} mm  v${s.version}`;
}

function parseDate(v: string | undefined, what: string): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw usageError(`${what} 不是有效日期: ${v}`, `${what} is not a valid date: ${v}`);
  return d;
}

export async function sealCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'inspect') return sealInspectCommand(rest);
  if (sub === 'image') return sealImageCommand(rest);
  const { values } = parseArgs({
    args: rest,
    options: {
      ...tokenOptions, token: { type: 'string' }, maker: { type: 'string' }, name: { type: 'string' }, type: { type: 'string' },
      image: { type: 'string' }, 'width-mm': { type: 'string' }, 'height-mm': { type: 'string' }, 'valid-from': { type: 'string' },
      'valid-until': { type: 'string' }, esid: { type: 'string' }, file: { type: 'string' }, vendor: { type: 'string' },
      application: { type: 'string' }, user: { type: 'string' }, 'password-stdin': { type: 'boolean' }, 'keeper-name': { type: 'string' }, note: { type: 'string' },
    },
  });
  if (sub === 'apply') return sealApplyCommand(values);
  if (sub === 'make' && values.application !== undefined) return sealMakeForApplicationCommand(values);
  if (sub === 'make') {
    if (!values.maker || !values.token || !values.name || !values.image) {
      throw usageError('用法: sealdesk seal make --maker 制章卡 --token 印章卡 --name 名称 --type 类型 --image 印模.png',
        'usage: sealdesk seal make --maker CARD --token KEY --name NAME --type N --image IMAGE.png');
    }
    const ctx = appContext(values);
    if (ctx.config.platform) {
      // With a seal platform, a seal is made for an approved application only (and registered there).
      throw usageError(`已配置电子印章管理平台 ${ctx.config.platform.url}:制章需要已批准的申请(--application 申请编号)`,
        `A seal platform is configured (${ctx.config.platform.url}): seal making needs an approved application (--application ID)`);
    }
    const pins = pinSource(values);
    try {
      const made = await makeSealOnToken(ctx, {
        makerToken: values.maker, keeperToken: values.token, name: values.name, type: Number(values.type ?? '1'), imagePath: values.image,
        widthMm: values['width-mm'] ? Number(values['width-mm']) : undefined, heightMm: values['height-mm'] ? Number(values['height-mm']) : undefined,
        validStart: parseDate(values['valid-from'], '--valid-from'), validEnd: parseDate(values['valid-until'], '--valid-until'),
        esID: values.esid, vendorId: values.vendor, askPin: pinPrompt(pins),
      });
      process.stdout.write(`制章成功 / seal made: ${made.esID} ${made.name} on ${values.token}\n`);
      return 0;
    } finally {
      pins.dispose();
    }
  }
  if (sub === 'list') {
    const ctx = appContext(values);
    const view = await tokenOverview(ctx, selectToken(ctx, values.token));
    if (view.seals.length === 0) process.stdout.write(`${view.token.label}: 无印章 / no seal\n`);
    for (const s of view.seals) process.stdout.write(s.seal ? `${describeSeal(s.seal)}\n` : `损坏的印章对象 damaged seal object ${s.label}: ${s.error?.en}\n`);
    return 0;
  }
  if (sub === 'verify') {
    const ctx = appContext(values);
    let ders: Uint8Array[];
    if (values.file) {
      try { ders = [fs.readFileSync(values.file)]; } catch (e) {
        throw new SealDeskError('FILE_UNREADABLE', `无法读取文件 ${values.file}`, `Cannot read the file ${values.file}`, { cause: e });
      }
    } else {
      ders = (await tokenOverview(ctx, selectToken(ctx, values.token))).seals.map((s) => s.der);
    }
    let worst = 0;
    for (const der of ders) {
      const r = verifySeal(der, { trustRoots: ctx.trust.roots(), at: new Date() });
      let esID: string | undefined;
      try { esID = decodeSeal(der).eSealInfo.esID; } catch { /* reported by the format check */ }
      process.stdout.write(`印章 seal ${esID ?? '?'}: ${r.verdict}\n`);
      for (const c of r.checks) process.stdout.write(`  [${c.status}] ${c.id}: ${c.zh} / ${c.en}\n`);
      ctx.audit.record({ action: 'seal.verify', outcome: r.verdict === 'invalid' ? 'failed' : 'ok', esID, detail: r.verdict });
      worst = Math.max(worst, r.verdict === 'invalid' ? 1 : r.verdict === 'warning' ? 3 : 0);
    }
    if (ders.length === 0) { process.stdout.write('无印章 / no seal\n'); return 3; }
    return worst;
  }
  throw usageError('用法: sealdesk seal apply|make|list|verify|inspect', 'usage: sealdesk seal apply|make|list|verify|inspect');
}

import { parseArgs } from 'node:util';
import { stampDocument } from '../../core/app/stamping';
import type { Placement } from '../../core/sign';
import { appContext, pinPrompt, pinSource, tokenOptions } from '../context';
import { usageError } from '../output';
import { ltvCommand } from './ltv';
import { signBatchCommand } from './sign-batch';

const USAGE = usageError(
  '用法: sealdesk sign 输入.pdf -o 输出.pdf --token 标签|序列号 [--seal 印章编码] (--page N --at X,Y | --keyword 文字 [--offset DX,DY] [--occurrence K|all]) [--pin-stdin] [--tsa URL] [--ltv]\n      sealdesk sign --batch 列表|目录 -o 输出目录 ... [--json]   (批量签章,只输一次 PIN;再次运行可继续)',
  'usage: sealdesk sign IN.pdf -o OUT.pdf --token LABEL|SERIAL [--seal ESID] (--page N --at X,Y | --keyword TEXT [--offset DX,DY] [--occurrence K|all]) [--pin-stdin] [--tsa URL] [--ltv]\n       sealdesk sign --batch LIST|DIR -o OUTDIR ... [--json]   (one PIN for all; run again to resume)',
);

const PAIR = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/;

export function parsePlacement(v: { page?: string; at?: string; keyword?: string; occurrence?: string; offset?: string }): Placement {
  if (v.keyword !== undefined) {
    if (v.page !== undefined || v.at !== undefined) throw USAGE;
    const occ = v.occurrence ?? '1';
    if (occ !== 'all' && !/^[1-9]\d*$/.test(occ)) throw usageError(`--occurrence 必须是正整数或 all: ${occ}`, `--occurrence must be a positive number or all: ${occ}`);
    const off = v.offset === undefined ? undefined : PAIR.exec(v.offset);
    if (off === null) throw usageError(`--offset 应为 DX,DY(单位:点): ${v.offset}`, `--offset must be DX,DY in points: ${v.offset}`);
    return { kind: 'keyword', text: v.keyword, occurrence: occ === 'all' ? 'all' : Number(occ), ...(off ? { offset: { dx: Number(off[1]), dy: Number(off[2]) } } : {}) };
  }
  if (v.offset !== undefined) throw usageError('--offset 只用于 --keyword', '--offset goes with --keyword');
  const m = PAIR.exec(v.at ?? '');
  if (!v.page || !/^[1-9]\d*$/.test(v.page) || !m) throw USAGE;
  return { kind: 'point', page: Number(v.page), x: Number(m[1]), y: Number(m[2]) };
}

export async function signCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      ...tokenOptions, output: { type: 'string', short: 'o' }, token: { type: 'string' }, seal: { type: 'string' },
      page: { type: 'string' }, at: { type: 'string' }, keyword: { type: 'string' }, occurrence: { type: 'string' }, tsa: { type: 'string' }, ltv: { type: 'boolean' },
      offset: { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  if (values.batch !== undefined) {
    if (positionals.length !== 0) throw USAGE;
    return signBatchCommand({ ...values, batch: values.batch }, parsePlacement(values));
  }
  if (positionals.length !== 1 || !values.output) throw USAGE;
  const placement = parsePlacement(values);
  const ctx = appContext(values);
  const pins = pinSource(values);
  try {
    const r = await stampDocument(ctx, {
      input: positionals[0], output: values.output, token: values.token, esID: values.seal, placement,
      askPin: pinPrompt(pins), tsaUrl: values.tsa ?? ctx.config.tsaUrl,
    });
    for (const s of r.stamps) process.stdout.write(`签章成功 / stamped: ${s.fieldName} page ${s.page} at [${s.rect.map((n) => n.toFixed(1)).join(', ')}]\n`);
    process.stdout.write(`→ ${r.output}\n`);
    // --ltv: the stamped file gets its validation data (B-LT; B-LTA with a TSA) right away
    if (values.ltv) return await ltvCommand([r.output, ...(values.tsa ? ['--tsa', values.tsa] : [])]);
    return 0;
  } finally {
    pins.dispose();
  }
}

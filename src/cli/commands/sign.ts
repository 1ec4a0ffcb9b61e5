import { parseArgs } from 'node:util';
import { stampDocument } from '../../core/app/stamping';
import type { Placement } from '../../core/sign';
import { appContext, pinPrompt, pinSource, tokenOptions } from '../context';
import { usageError } from '../output';
import { ltvCommand } from './ltv';

const USAGE = usageError(
  '用法: sealdesk sign 输入.pdf -o 输出.pdf --token 标签|序列号 [--seal 印章编码] (--page N --at X,Y | --keyword 文字 [--occurrence K|all]) [--pin-stdin] [--tsa URL] [--ltv]',
  'usage: sealdesk sign IN.pdf -o OUT.pdf --token LABEL|SERIAL [--seal ESID] (--page N --at X,Y | --keyword TEXT [--occurrence K|all]) [--pin-stdin] [--tsa URL] [--ltv]',
);

export function parsePlacement(v: { page?: string; at?: string; keyword?: string; occurrence?: string }): Placement {
  if (v.keyword !== undefined) {
    if (v.page !== undefined || v.at !== undefined) throw USAGE;
    const occ = v.occurrence ?? '1';
    if (occ !== 'all' && !/^[1-9]\d*$/.test(occ)) throw usageError(`--occurrence 必须是正整数或 all: ${occ}`, `--occurrence must be a positive number or all: ${occ}`);
    return { kind: 'keyword', text: v.keyword, occurrence: occ === 'all' ? 'all' : Number(occ) };
  }
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(v.at ?? '');
  if (!v.page || !/^[1-9]\d*$/.test(v.page) || !m) throw USAGE;
  return { kind: 'point', page: Number(v.page), x: Number(m[1]), y: Number(m[2]) };
}

export async function signCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      ...tokenOptions, output: { type: 'string', short: 'o' }, token: { type: 'string' }, seal: { type: 'string' },
      page: { type: 'string' }, at: { type: 'string' }, keyword: { type: 'string' }, occurrence: { type: 'string' }, tsa: { type: 'string' }, ltv: { type: 'boolean' },
    },
  });
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
    if (values.ltv) return await ltvCommand([r.output, '-o', r.output, ...(values.tsa ? ['--tsa', values.tsa] : [])]);
    return 0;
  } finally {
    pins.dispose();
  }
}

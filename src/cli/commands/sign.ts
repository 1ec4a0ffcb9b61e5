import { parseArgs } from 'node:util';
import { stampDocument } from '../../core/app/stamping';
import type { Placement } from '../../core/sign';
import { appContext, pinPrompt, pinSource, tokenOptions } from '../context';
import { usageError } from '../output';
import { ltvCommand } from './ltv';
import { signBatchCommand } from './sign-batch';

const USAGE = usageError(
  '用法: sealdesk sign 输入.pdf -o 输出.pdf --token 标签|序列号 [--seal 印章编码] (--page N --at X,Y | --pages all|odd|even|1,3,5-7 --at X,Y | --keyword 文字 [--occurrence K|all] [--offset DX,DY] | --straddle 页 [--edge right|left|top|bottom] [--at-offset 毫米]) [--pin-stdin] [--tsa URL] [--ltv]\n      sealdesk sign --batch 列表|目录 -o 输出目录 ... [--json]   （批量签章，只输一次 PIN；再次运行可继续）',
  'usage: sealdesk sign IN.pdf -o OUT.pdf --token LABEL|SERIAL [--seal ESID] (--page N --at X,Y | --pages all|odd|even|1,3,5-7 --at X,Y | --keyword TEXT [--occurrence K|all] [--offset DX,DY] | --straddle PAGES [--edge right|left|top|bottom] [--at-offset MM]) [--pin-stdin] [--tsa URL] [--ltv]\n       sealdesk sign --batch LIST|DIR -o OUTDIR ... [--json]   (one PIN for all; run again to resume)',
);

const PAIR = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/;

export interface PlacementArgs {
  page?: string; at?: string; keyword?: string; occurrence?: string; offset?: string;
  pages?: string; straddle?: string; edge?: string; 'at-offset'?: string;
}

export function parsePlacement(v: PlacementArgs): Placement {
  const kinds = [v.keyword !== undefined, v.pages !== undefined, v.straddle !== undefined, v.page !== undefined].filter(Boolean).length;
  if (kinds > 1) throw USAGE;
  if ((v.edge !== undefined || v['at-offset'] !== undefined) && v.straddle === undefined) throw USAGE;
  if (v.offset !== undefined && v.keyword === undefined) throw USAGE;
  if (v.straddle !== undefined) {
    if (v.at !== undefined) throw USAGE;
    const edge = v.edge ?? 'right';
    if (edge !== 'right' && edge !== 'left' && edge !== 'top' && edge !== 'bottom') throw usageError(`--edge 必须是 right、left、top 或 bottom: ${edge}`, `--edge must be right, left, top or bottom: ${edge}`);
    const off = v['at-offset'];
    if (off !== undefined && !/^\d+(?:\.\d+)?$/.test(off)) throw usageError(`--at-offset 必须是毫米数: ${off}`, `--at-offset must be a number of millimetres: ${off}`);
    return { kind: 'straddle', pages: v.straddle, edge, ...(off === undefined ? {} : { offsetMm: Number(off) }) };
  }
  if (v.keyword !== undefined) {
    if (v.at !== undefined) throw USAGE;
    const occ = v.occurrence ?? '1';
    if (occ !== 'all' && !/^[1-9]\d*$/.test(occ)) throw usageError(`--occurrence 必须是正整数或 all: ${occ}`, `--occurrence must be a positive number or all: ${occ}`);
    const o = v.offset === undefined ? undefined : PAIR.exec(v.offset);
    if (v.offset !== undefined && !o) throw usageError(`--offset 必须是 DX,DY(点): ${v.offset}`, `--offset must be DX,DY in points: ${v.offset}`);
    return { kind: 'keyword', text: v.keyword, occurrence: occ === 'all' ? 'all' : Number(occ), ...(o ? { offset: { dx: Number(o[1]), dy: Number(o[2]) } } : {}) };
  }
  const m = PAIR.exec(v.at ?? '');
  if (v.pages !== undefined) {
    if (!m) throw USAGE;
    return { kind: 'pages', pages: v.pages, x: Number(m[1]), y: Number(m[2]) };
  }
  if (!v.page || !/^[1-9]\d*$/.test(v.page) || !m) throw USAGE;
  return { kind: 'point', page: Number(v.page), x: Number(m[1]), y: Number(m[2]) };
}

export async function signCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      ...tokenOptions, output: { type: 'string', short: 'o' }, token: { type: 'string' }, seal: { type: 'string' },
      page: { type: 'string' }, at: { type: 'string' }, keyword: { type: 'string' }, occurrence: { type: 'string' }, tsa: { type: 'string' }, ltv: { type: 'boolean' },
      offset: { type: 'string' }, pages: { type: 'string' }, straddle: { type: 'string' }, edge: { type: 'string' }, 'at-offset': { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' },
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
    const p = r.platform;
    if (p.note) process.stdout.write(`注意 / note: ${p.note.zh} / ${p.note.en}\n`);
    if (p.receipt) process.stdout.write(`用印记录已上链 / stamping record logged: index ${p.receipt.logIndex} (checkpoint ${p.receipt.checkpointSize})\n`);
    if (p.recordQueued) process.stdout.write('用印记录暂未发送,已排队 / stamping record queued, to be sent later\n');
    // --ltv: the stamped file gets its validation data (B-LT; B-LTA with a TSA) right away
    if (values.ltv) return await ltvCommand([r.output, '-o', r.output, ...(values.tsa ? ['--tsa', values.tsa] : [])]);
    return 0;
  } finally {
    pins.dispose();
  }
}

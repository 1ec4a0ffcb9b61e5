import { parseArgs } from 'node:util';
import { makeSealPicture, parseSealSize, type SealPictureRequest } from '../../core/seal/seal-picture';
import { usageError } from '../output';

const USAGE = usageError(
  '用法: sealdesk seal image (--from-scan 扫描.jpg|png | --text 单位名称 [--layout round|oval|square] [--purpose 用途] [--code 编码] [--tax-number 税号] [--no-star] [--font 字体文件]) [--size 42mm|40x30mm] [--dpi 300] -o 印模.png',
  'usage: sealdesk seal image (--from-scan SCAN.jpg|png | --text NAME [--layout round|oval|square] [--purpose TEXT] [--code CODE] [--tax-number N] [--no-star] [--font FILE]) [--size 42mm|40x30mm] [--dpi 300] -o SEAL.png',
);

/** `sealdesk seal image`: a seal picture (印模) from a scan or from text, and what was done to make it. */
export async function sealImageCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      'from-scan': { type: 'string' }, text: { type: 'string' }, layout: { type: 'string' }, purpose: { type: 'string' }, code: { type: 'string' },
      'tax-number': { type: 'string' }, 'no-star': { type: 'boolean' }, font: { type: 'string' }, size: { type: 'string' }, dpi: { type: 'string' },
      output: { type: 'string', short: 'o' }, svg: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  if (positionals.length || !values.output || (values['from-scan'] === undefined) === (values.text === undefined)) throw USAGE;
  const layout = values.layout ?? (values['tax-number'] ? 'oval' : 'round');
  if (!['round', 'oval', 'square'].includes(layout)) throw usageError(`--layout 只能是 round、oval 或 square: ${layout}`, `--layout must be round, oval or square: ${layout}`);
  const dpi = values.dpi === undefined ? undefined : Number(values.dpi);
  if (dpi !== undefined && !Number.isFinite(dpi)) throw usageError(`--dpi 不是数字: ${values.dpi}`, `--dpi is not a number: ${values.dpi}`);
  const size = values.size === undefined ? undefined : parseSealSize(values.size);
  const req: SealPictureRequest = values['from-scan'] !== undefined
    ? { from: 'scan', file: values['from-scan'], size, dpi }
    : {
      from: 'text', size, dpi, fontFile: values.font,
      layout: layout === 'round' ? { kind: 'round', name: values.text!, purpose: values.purpose, code: values.code, star: !values['no-star'] }
        : layout === 'oval' ? { kind: 'oval', name: values.text!, taxNumber: values['tax-number'] ?? '', purpose: values.purpose }
          : { kind: 'square', name: values.text! },
    };
  const made = makeSealPicture(req, { output: values.output, svgOutput: values.svg });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ output: values.output, ...made.summary, warnings: made.warnings })}\n`);
  } else {
    for (const line of made.steps) process.stdout.write(`${line}\n`);
    for (const w of made.warnings) process.stderr.write(`警告 [${w.code}] ${w.zh}\nWarning [${w.code}] ${w.en}\n`);
    process.stdout.write(`→ ${values.output}\n`);
  }
  return 0;
}

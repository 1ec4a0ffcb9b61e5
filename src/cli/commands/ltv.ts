import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { SealDeskError } from '../../core/errors';
import { writeFileAtomic } from '../../core/fs/atomic-write';
import { addLtv } from '../../core/ltv/add-ltv';
import { loadRevocationConfig } from '../../core/revocation/revocation-config';
import { appContext } from '../context';
import { usageError } from '../output';

const USAGE = usageError(
  '用法: sealdesk ltv 文件.pdf [-o 输出.pdf] [--tsa URL | --no-timestamp] [--renew]',
  'usage: sealdesk ltv FILE.pdf [-o OUT.pdf] [--tsa URL | --no-timestamp] [--renew]',
);

/**
 * Long-term validation data for a stamped PDF: B-LT (a /DSS), and B-LTA (a document timestamp over
 * it) when a TSA is given or configured; --renew adds fresh data and a new document timestamp.
 * The input is never modified: without -o the result goes beside it as NAME-ltv.pdf, written
 * atomically once the new bytes are complete.
 */
export async function ltvCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, tsa: { type: 'string' }, 'no-timestamp': { type: 'boolean' }, renew: { type: 'boolean' } },
  });
  if (positionals.length !== 1 || (values.tsa && values['no-timestamp'])) throw USAGE;
  const ctx = appContext({});
  const input = positionals[0]!;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(input);
  } catch (e) {
    throw new SealDeskError('FILE_UNREADABLE', `无法读取文件 ${input}`, `Cannot read the file ${input}`, { cause: e });
  }
  const tsaUrl = values['no-timestamp'] ? undefined : values.tsa ?? ctx.config.tsaUrl;
  if (values.renew && !tsaUrl) throw usageError('--renew 需要时间戳服务(--tsa 或配置中的 tsaUrl)', '--renew needs a timestamp authority (--tsa or tsaUrl in the config)');
  const r = await addLtv(bytes, { trustRoots: ctx.trust.roots(), config: loadRevocationConfig(ctx.home), tsaUrl, renew: values.renew });
  const output = values.output ?? input.replace(/(\.pdf)?$/i, '-ltv.pdf');
  writeFileAtomic(output, r.bytes);
  ctx.audit.record({ action: 'ltv', outcome: 'ok', document: output, detail: `${r.level}; proven: ${r.proven.join(', ') || '-'}` });
  process.stdout.write(`长期验证数据已加入 / long-term validation data added: ${r.level}\n`);
  for (const u of r.unproven) process.stdout.write(`  ! ${u.field}: 未能取得“${u.subject}”的吊销信息 / no revocation data for "${u.subject}"\n`);
  process.stdout.write(`→ ${output}\n`);
  return r.unproven.length > 0 ? 3 : 0;
}

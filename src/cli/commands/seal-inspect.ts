import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SealDeskError, asSealDeskError } from '../../core/errors';
import { inspectSealFile, renderInspection } from '../../core/ses/inspect';
import { appContext } from '../context';
import { printError, usageError } from '../output';
import { VERDICT_EXIT } from './verify';

/**
 * `sealdesk seal inspect FILE [--json]`: every field, the picture, the certificates, the vendor
 * encoding habits and every check of one SESeal or SES_Signature file (src/core/ses/inspect.ts).
 * Exit codes as for verify: 0 valid, 1 invalid, 3 valid with warnings, 2 not a seal or stamp.
 */
export async function sealInspectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw usageError('用法: sealdesk seal inspect 文件 [--json]', 'usage: sealdesk seal inspect FILE [--json]');
  const file = positionals[0]!;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw new SealDeskError('FILE_UNREADABLE', `无法读取文件 ${file}`, `cannot read ${file}`, { cause: e });
  }
  try {
    const ctx = appContext({});
    const x = inspectSealFile(bytes, { trustRoots: ctx.trust.roots(), now: new Date(), fileName: path.basename(file) });
    process.stdout.write(values.json ? JSON.stringify(x, null, 2) + '\n' : renderInspection(x));
    return VERDICT_EXIT[x.verdict];
  } catch (e) {
    const err = asSealDeskError(e);
    if (values.json) process.stdout.write(JSON.stringify({ verdict: 'unreadable', error: { code: err.code, zh: err.zh, en: err.en } }, null, 2) + '\n');
    printError(err);
    return 2;
  }
}

import { parseArgs } from 'node:util';
import { buildDemoWorld, DEMO, renderReportText } from '../../core/app/demo-world';
import { buildGmDemoWorld } from '../../core/app/demo-gm-world';
import { usageError } from '../output';
import { VERDICT_EXIT } from './verify';

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { dir: { type: 'string' }, gm: { type: 'boolean' } } });
  if (!values.dir) throw usageError('用法: sealdesk demo [--gm] --dir 目录', 'usage: sealdesk demo [--gm] --dir DIR');
  const log = (l: string) => process.stdout.write(`${l}\n`);
  const world = values.gm ? await buildGmDemoWorld(values.dir, log) : await buildDemoWorld(values.dir, log);
  process.stdout.write(`\n${renderReportText(world.report)}\n`);
  process.stdout.write([
    `演示环境已建好 / demo world ready: ${world.dir}`,
    `  . ${world.envFile}`,
    `  sealdesk token list`,
    `  sealdesk verify ${world.stampedPdf}`,
    `  PIN: ${DEMO.keeperLabel} ${DEMO.keeperPin}, ${DEMO.makerLabel} ${DEMO.makerPin}, SO ${DEMO.soPin}`,
    '',
  ].join('\n'));
  return VERDICT_EXIT[world.report.verdict];
}

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildDemoWorld, DEMO, renderReportText } from '../../core/app/demo-world';
import { buildGmDemoWorld } from '../../core/app/demo-gm-world';
import { asSealDeskError } from '../../core/errors';
import { platformPaths } from '../../platform/config';
import { usageError } from '../output';
import { cliCommand, demoPlatformDir, runningServerPid, setUpDemoPlatform, startDemoServer, type DemoPlatform } from './demo-platform';
import { demoRevocationDir, serveDemoRevocation, startDemoRevocationService } from '../../core/revocation/demo-revocation-service';
import { VERDICT_EXIT } from './verify';
import { SECOND_KEEPER, runDemoPlatformFlow } from './demo-platform-flow';

const USAGE_ZH = '用法: sealdesk demo [--gm] [--no-platform] --dir 目录(--no-platform: 不建、不启动印章管理平台)';
const USAGE_EN = 'usage: sealdesk demo [--gm] [--no-platform] --dir DIR (--no-platform: build no seal platform and start no server)';

const stopLine = (pdir: string) => `  停止平台 / stop the platform: sealdesk platform stop --dir ${pdir}`;

/** On an existing world: a platform whose server is not running is started again; nothing else changes. */
async function restartIfStopped(dir: string): Promise<void> {
  const pdir = demoPlatformDir(path.resolve(dir));
  await startDemoRevocationService(demoRevocationDir(path.resolve(dir)), cliCommand()).catch((e: unknown) => process.stderr.write(`${asSealDeskError(e).message}\n`));
  if (!fs.existsSync(platformPaths(pdir).config) || runningServerPid(pdir) !== undefined) return;
  try {
    const url = await startDemoServer(pdir);
    process.stdout.write(`演示平台已重新启动 / demo platform started again: ${url}\n${stopLine(pdir)}\n`);
  } catch (e) {
    process.stderr.write(`${asSealDeskError(e).message}\n`);
  }
}

export async function demoCommand(argv: string[]): Promise<number> {
  // the demo CA's revocation service, run detached by the demo itself (not a user command)
  if (argv[0] === 'revocation-serve') { await serveDemoRevocation(parseArgs({ args: argv.slice(1), options: { dir: { type: 'string' } } }).values.dir ?? ''); return 0; }
  const { values } = parseArgs({ args: argv, options: { dir: { type: 'string' }, gm: { type: 'boolean' }, 'no-platform': { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) { process.stdout.write(`${USAGE_ZH}\n${USAGE_EN}\n`); return 0; }
  if (!values.dir) throw usageError(USAGE_ZH, USAGE_EN);
  const log = (l: string) => process.stdout.write(`${l}\n`);
  let world;
  try {
    const o = values['no-platform'] ? {} : { startRevocationService: (rdir: string) => startDemoRevocationService(rdir, cliCommand()) };
    world = values.gm ? await buildGmDemoWorld(values.dir, log, o) : await buildDemoWorld(values.dir, log, undefined, o);
  } catch (e) {
    if (asSealDeskError(e).code === 'DEMO_EXISTS' && !values['no-platform']) await restartIfStopped(values.dir);
    throw e;
  }
  process.stdout.write(`\n${renderReportText(world.report)}\n`);
  let platform: DemoPlatform | undefined;
  if (!values['no-platform']) {
    try {
      platform = await setUpDemoPlatform({ worldDir: world.dir, demoRootPem: world.rootPem, seal: { der: world.sealDer, imagePath: world.sealImage, keeper: '张三' } });
      fs.appendFileSync(world.envFile, `export SEALDESK_PLATFORM='${platform.url}'\nexport SEALDESK_PLATFORM_ROOT='${platform.rootPem}'\n`);
    } catch (e) {
      // The demo world stands without its platform: say why, leave no half-made platform.
      process.stderr.write(`演示平台未建立 / demo platform not set up: ${asSealDeskError(e).message}\n`);
    }
  }
  let flowFailed = false;
  if (platform && !values.gm) {
    // 申请 → 审批 → 制章 → 签章 → 验章 → 挂失 through the platform (the GM world's tokens stay offline).
    try {
      process.stdout.write('\n印章管理平台流程 / the flows through the seal platform:\n');
      world.report = (await runDemoPlatformFlow(world, platform, (l) => process.stdout.write(`  ${l}\n`))).report;
    } catch (e) {
      flowFailed = true;
      const err = asSealDeskError(e);
      process.stderr.write(`演示平台流程失败 / the demo's platform flow failed: [${err.code}] ${err.zh} / ${err.en}\n`);
    }
  }
  process.stdout.write([
    `演示环境已建好 / demo world ready: ${world.dir}`,
    `  . ${world.envFile}`,
    `  sealdesk token list`,
    `  sealdesk verify ${world.stampedPdf}`,
    `  PIN: ${DEMO.keeperLabel} ${DEMO.keeperPin}, ${DEMO.makerLabel} ${DEMO.makerPin}, SO ${DEMO.soPin}${platform && !values.gm ? `, ${SECOND_KEEPER.label} ${SECOND_KEEPER.pin}` : ''}`,
    ...(platform ? [
      `印章管理平台 / seal platform: ${platform.url}  (控制台 console ${platform.url}/ , 印章 seal ${platform.esID} 已备案 registered)`,
      `  sealdesk platform seal status ${platform.esID} --dir ${platform.dir}`,
      `  账号 / accounts (${path.join(world.dir, 'accounts')}):`,
      ...platform.accounts.map((a) => `    ${a.role.padEnd(10)} ${a.user.padEnd(10)} ${a.password}`),
      stopLine(platform.dir),
    ] : []),
    '',
  ].join('\n'));
  return flowFailed ? 1 : VERDICT_EXIT[world.report.verdict];
}

import { printError, usageError } from './output';
import { trustCommand } from './commands/trust';
import { logCommand } from './commands/log';
import { tokenCommand } from './commands/token';
import { sealCommand } from './commands/seal';
import { signCommand } from './commands/sign';
import { verifyCommand } from './commands/verify';
import { demoCommand } from './commands/demo';
import { platformCommand } from './commands/platform';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  trust: trustCommand,
  log: logCommand,
  token: tokenCommand,
  seal: sealCommand,
  sign: signCommand,
  verify: verifyCommand,
  demo: demoCommand,
  platform: platformCommand,
};

const USAGE = `sealdesk — 电子印章客户端 / electronic seal client

  sealdesk token list|unlock|change-pin   USB-Keys (PKCS#11)
  sealdesk seal make|list|verify          seals (制章 / 印章)
  sealdesk seal image --text|--from-scan  the seal picture (印模) from text or a scan
  sealdesk seal inspect FILE [--json]     decode any SESeal / SES_Signature file
  sealdesk sign IN.pdf -o OUT.pdf ...     stamp a PDF (签章)
  sealdesk sign --batch DIR|LIST -o OUT   stamp many PDFs with one PIN (批量签章, resumable)
  sealdesk verify FILE [--json]           verify a stamped file (验章)
  sealdesk trust add FILE|list            trusted roots
  sealdesk log verify|show                the audit log
  sealdesk demo --dir DIR [--no-platform] build a demo world with SoftHSM2 (and a seal platform
                                          server: stop it with platform stop --dir DIR/platform)
  sealdesk platform init|serve|stop|...   the seal platform (印章管理平台)
`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 64;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw usageError(`未知命令: ${name}`, `unknown command: ${name}`);
    return await command(rest);
  } catch (e) {
    const parseError = (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (parseError) e = usageError(`参数错误: ${(e as Error).message}`, `bad arguments: ${(e as Error).message}`);
    printError(e);
    return (e as { code?: string }).code === 'USAGE' ? 64 : 1;
  }
}

if (require.main === module) {
  // With a handler, a signal waits until the current synchronous step is done: an output file is
  // written and renamed in one such step (writeFileAtomic), so an interrupted stamp leaves either
  // the whole file or nothing — never a half-written temp file.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      process.stderr.write(`已中断 / interrupted (${signal})\n`);
      process.exit(code);
    });
  }
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}

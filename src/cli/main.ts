import { printError, usageError } from './output';

type Command = (argv: string[]) => Promise<number>;

/**
 * Each command's module is loaded only when that command runs, so that `--help` loads nothing and
 * `verify` never loads the token, platform or server code (issue 13: start-up).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  trust: async () => (await import('./commands/trust.js')).trustCommand,
  log: async () => (await import('./commands/log.js')).logCommand,
  token: async () => (await import('./commands/token.js')).tokenCommand,
  seal: async () => (await import('./commands/seal.js')).sealCommand,
  sign: async () => (await import('./commands/sign.js')).signCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  platform: async () => (await import('./commands/platform.js')).platformCommand,
  ltv: async () => (await import('./commands/ltv.js')).ltvCommand,
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
  sealdesk ltv FILE [-o OUT] [--renew]    long-term validation data (PAdES B-LT / B-LTA)
  sealdesk platform use URL --ca ROOT.pem|show|off   this data dir's seal platform
`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 64;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (!load) throw usageError(`未知命令: ${name}`, `unknown command: ${name}`);
    return await (await load())(rest);
  } catch (e) {
    const parseError = (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (parseError) e = usageError(`参数错误: ${(e as Error).message}`, `bad arguments: ${(e as Error).message}`);
    printError(e);
    return (e as { code?: string }).code === 'USAGE' ? 64 : 1;
  }
}

/** Runs the command line of this process and sets its exit code: the bundle's entry (bin.ts) and `tsx src/cli/main.ts`. */
export function runCli(): void {
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

// From source (`node --import tsx src/cli/main.ts`); the built CLI starts from bin.ts instead, as an
// ES module, where `module` does not exist.
if (typeof module !== 'undefined' && require.main === module) runCli();

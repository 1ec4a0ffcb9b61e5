import { parseArgs } from 'node:util';
import { verifyDocumentWithStatus } from '../../core/app/verification';
import { readCertificateFile } from '../../core/config/trust-store';
import { renderReportText } from '../../core/verify/render-report';
import { readSealFile } from '../../core/verify/seal-catalog';
import { SealDeskError, asSealDeskError } from '../../core/errors';
import { appContext } from '../context';
import { printError, usageError } from '../output';

/** Exit codes: 0 all valid, 1 any invalid, 3 valid with warnings or no signature, 2 not readable as a PDF. */
export const VERDICT_EXIT = { valid: 0, invalid: 1, warning: 3 } as const;

export async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, trust: { type: 'string', multiple: true }, seal: { type: 'string', multiple: true } } });
  if (positionals.length !== 1) throw usageError('用法: sealdesk verify 文件 [--json] [--trust 根证书.pem]... [--seal 已知印章]...', 'usage: sealdesk verify FILE [--json] [--trust ROOT.pem]... [--seal KNOWN-SEAL]...');
  const ctx = appContext({});
  const extraRoots = (values.trust ?? []).flatMap((f) => {
    try {
      return readCertificateFile(f).map((c) => c.der);
    } catch (e) {
      // A --trust file that is not a certificate is the caller's mistake, not the document's.
      const err = asSealDeskError(e);
      throw new SealDeskError('USAGE', `--trust: ${err.zh}`, `--trust: ${err.en}`, { cause: e });
    }
  });
  // --seal: a known seal (SESeal or picture) to recognise copies of, beside the data dir's seals/.
  const sealCatalog = (values.seal ?? []).map((f) => {
    try {
      return readSealFile(f);
    } catch (e) {
      const err = asSealDeskError(e);
      throw new SealDeskError('USAGE', `--seal: ${err.zh}`, `--seal: ${err.en}`, { cause: e });
    }
  });
  try {
    const report = await verifyDocumentWithStatus(ctx, positionals[0], { extraRoots, sealCatalog });
    process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : renderReportText(report));
    return VERDICT_EXIT[report.verdict];
  } catch (e) {
    const err = asSealDeskError(e);
    if (values.json) process.stdout.write(JSON.stringify({ verdict: 'unreadable', error: { code: err.code, zh: err.zh, en: err.en } }, null, 2) + '\n');
    printError(err);
    return 2;
  }
}

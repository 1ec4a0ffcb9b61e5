import path from 'node:path';
import { parseArgs } from 'node:util';
import { documentVerifier, onlineDocumentVerifier } from '../../core/app/verification';
import { readCertificateFile } from '../../core/config/trust-store';
import { renderReportText } from '../../core/verify/render-report';
import { readSealFile } from '../../core/verify/seal-catalog';
import { SealDeskError, asSealDeskError } from '../../core/errors';
import { appContext } from '../context';
import { printError, usageError } from '../output';

/** Exit codes: 0 all valid, 1 any invalid, 3 valid with warnings or no signature, 2 not readable as a PDF. */
export const VERDICT_EXIT = { valid: 0, invalid: 1, warning: 3 } as const;

const UNREADABLE_EXIT = 2;

/** Several files: the exit code is the worst file's, worst first: invalid, unreadable, warning, valid. */
const EXIT_SEVERITY = [VERDICT_EXIT.invalid, UNREADABLE_EXIT, VERDICT_EXIT.warning, VERDICT_EXIT.valid];
const worstExit = (codes: number[]): number => EXIT_SEVERITY.find((c) => codes.includes(c)) ?? VERDICT_EXIT.valid;

export async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, trust: { type: 'string', multiple: true }, seal: { type: 'string', multiple: true }, offline: { type: 'boolean' } } });
  if (positionals.length === 0) throw usageError('用法: sealdesk verify 文件... [--json] [--trust 根证书.pem]... [--seal 已知印章]... [--offline]', 'usage: sealdesk verify FILE... [--json] [--trust ROOT.pem]... [--seal KNOWN-SEAL]... [--offline]');
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
  // Many files in one process (issue 13): the trust store and the known seals are read once; one
  // report per file in the order given (--json: one JSON object per line).
  // Revocation status is asked of the responders unless --offline (then only the file's /DSS counts).
  const offline = documentVerifier(ctx, { extraRoots, sealCatalog });
  const verify = values.offline ? async (file: string) => offline(file) : onlineDocumentVerifier(ctx, { extraRoots, sealCatalog });
  const codes: number[] = [];
  for (const [i, file] of positionals.entries()) codes.push(await verifyOne(file, i));
  return worstExit(codes);

  async function verifyOne(file: string, i: number): Promise<number> {
    try {
      const report = await verify(file);
      process.stdout.write(values.json ? JSON.stringify(report) + '\n' : `${i > 0 ? '\n' : ''}${renderReportText(report)}`);
      return VERDICT_EXIT[report.verdict];
    } catch (e) {
      const err = asSealDeskError(e);
      if (values.json) process.stdout.write(JSON.stringify({ verdict: 'unreadable', file: { name: path.basename(file) }, error: { code: err.code, zh: err.zh, en: err.en } }) + '\n');
      else if (positionals.length > 1) process.stderr.write(`${file}:\n`);
      printError(err);
      return UNREADABLE_EXIT;
    }
  }
}

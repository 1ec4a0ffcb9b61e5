/**
 * One stamping and one verification of a file, in this process alone, so that the kernel's peak
 * resident memory of the process (wait4's ru_maxrss, read by the parent) is theirs:
 *   tsx stamp-and-verify-child.ts KEEPER_DIR INPUT OUTPUT
 * Only the core is loaded (no pdf-lib, no peers). Prints one JSON line: what the verifier found.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { stampPdf } from '../../../src/core/sign';
import { verifyPdf } from '../../../src/core/verify/verify-pdf';
import { decodeSeal } from '../../../src/core/asn1/ses-seal';
import { nodeKeySigner } from '../../../src/core/crypto/software-signer';
import { keeperFiles } from '../../../bench/bench-keeper';

async function main(): Promise<void> {
  const [keeperDir, input, output] = process.argv.slice(2) as [string, string, string];
  const files = keeperFiles(keeperDir);
  const sealDer = fs.readFileSync(files.sealDer);
  const picture = decodeSeal(sealDer).eSealInfo.picture;
  const stamped = await stampPdf({
    input, output, sealDer,
    signer: nodeKeySigner(crypto.createPrivateKey(fs.readFileSync(files.keyPem)), fs.readFileSync(files.certDer)),
    placement: { kind: 'point', page: 1, x: 300, y: 400 },
    sealPicture: { type: picture.type, data: picture.data, widthMm: picture.width, heightMm: picture.height },
  });
  const report = verifyPdf(output, { trustRoots: [fs.readFileSync(files.rootDer)] });
  const s = report.signatures[0];
  process.stdout.write(`${JSON.stringify({
    field: stamped.fieldName, verdict: report.verdict, size: report.file.size, signatures: report.signatures.length,
    digest: s?.checks.find((c) => c.id === 'digest')?.status, coversWholeFile: s?.coversWholeFile,
  })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});

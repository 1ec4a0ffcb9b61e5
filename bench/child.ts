/**
 * One measured operation in its own process, so that its peak memory is its own:
 *   tsx bench/child.ts OP KEEPER_DIR INPUT OUTPUT
 * OP is sealdesk-sign | signpdf-sign | sealdesk-verify | baseline. Modules and keys are loaded
 * before the clock starts: the time is the operation on the document (read, work, write), the
 * same for every signer, not Node's start-up. Prints one JSON line: { ms, cpuMs, detail, stages? }.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PDFDocument, PDFName, PDFArray, PDFDict, PDFRef, pushGraphicsState, popGraphicsState, concatTransformationMatrix, drawObject } from 'pdf-lib';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { P12Signer } from '@signpdf/signer-p12';
import { stampPdf } from '../src/core/sign';
import { verifyPdf } from '../src/core/verify/verify-pdf';
import { decodeSeal } from '../src/core/asn1/ses-seal';
import { nodeKeySigner } from '../src/core/crypto/software-signer';
import { writeFileAtomic } from '../src/core/fs/atomic-write';
import { keeperFiles, SEAL_SIZE_MM } from './bench-keeper';

type BenchOp = 'sealdesk-sign' | 'signpdf-sign' | 'sealdesk-verify' | 'baseline';

/** Where both signers put the seal: page 1, centred here (PDF points). */
const SEAL_CENTRE = { x: 300, y: 400 } as const;
const MM_TO_PT = 72 / 25.4;

interface ChildResult {
  ms: number;
  /** process.cpuUsage() over the same span: user + system, every thread of the process. */
  cpuMs: number;
  detail: string;
  /** SealDesk signing: milliseconds per stage of stampPdf's progress events; the baseline: read, hash, write. */
  stages?: Record<string, number>;
}

/** Starts the clocks; the returned function stops them. */
function clocks(): () => { ms: number; cpuMs: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
  };
}

async function main(): Promise<void> {
  const [op, keeperDir, input, output] = process.argv.slice(2) as [BenchOp, string, string, string];
  if (!op || !keeperDir || !input || !output) throw new Error('usage: child.ts OP KEEPER_DIR INPUT OUTPUT');
  const files = keeperFiles(keeperDir);
  let result: ChildResult;
  switch (op) {
    case 'sealdesk-sign': result = await sealdeskSign(files, input, output); break;
    case 'signpdf-sign': result = await signpdfSign(files, input, output); break;
    case 'sealdesk-verify': result = sealdeskVerify(files, input); break;
    case 'baseline': result = baseline(input, output); break;
    default: throw new Error(`unknown operation ${String(op)}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function sealdeskSign(files: ReturnType<typeof keeperFiles>, input: string, output: string): Promise<ChildResult> {
  const signer = nodeKeySigner(crypto.createPrivateKey(fs.readFileSync(files.keyPem)), fs.readFileSync(files.certDer));
  const sealDer = fs.readFileSync(files.sealDer);
  const picture = decodeSeal(sealDer).eSealInfo.picture;
  const marks: Array<{ stage: string; at: number }> = [];
  const stop = clocks();
  const r = await stampPdf({
    input, output, signer, sealDer,
    placement: { kind: 'point', page: 1, x: SEAL_CENTRE.x, y: SEAL_CENTRE.y },
    sealPicture: { type: picture.type, data: picture.data, widthMm: picture.width, heightMm: picture.height },
    onProgress: (p) => marks.push({ stage: p.stage, at: performance.now() }),
  });
  const time = stop();
  // Each stage lasts until the next one is announced; 'done' closes the last.
  const stages: Record<string, number> = {};
  marks.forEach((m, i) => {
    const next = marks[i + 1];
    if (next) stages[m.stage] = (stages[m.stage] ?? 0) + next.at - m.at;
  });
  return { ...time, detail: r.fieldName, stages };
}

/**
 * @signpdf's documented pipeline: pdf-lib loads the document, pdflibAddPlaceholder adds the
 * signature field, pdf-lib saves the whole document, SignPdf hashes and P12Signer (node-forge)
 * signs. The placeholder's widget is given the same seal picture, at the same place and size, as a
 * form XObject drawing the PNG (pdf-lib's embedPng keeps the alpha channel as an SMask).
 */
async function signpdfSign(files: ReturnType<typeof keeperFiles>, input: string, output: string): Promise<ChildResult> {
  const p12 = fs.readFileSync(files.p12);
  const passphrase = fs.readFileSync(files.p12Passphrase, 'utf8');
  const png = decodeSeal(fs.readFileSync(files.sealDer)).eSealInfo.picture.data;
  const stop = clocks();
  const pdfDoc = await PDFDocument.load(fs.readFileSync(input));
  const side = SEAL_SIZE_MM * MM_TO_PT;
  const rect = [SEAL_CENTRE.x - side / 2, SEAL_CENTRE.y - side / 2, SEAL_CENTRE.x + side / 2, SEAL_CENTRE.y + side / 2];
  const page = pdfDoc.getPage(0);
  pdflibAddPlaceholder({
    pdfPage: page, reason: 'SealDesk benchmark', contactInfo: '', name: 'Bench Keeper', location: '',
    subFilter: 'ETSI.CAdES.detached', widgetRect: rect,
  });
  const image = await pdfDoc.embedPng(png);
  const appearance = pdfDoc.context.formXObject(
    [pushGraphicsState(), concatTransformationMatrix(side, 0, 0, side, rect[0]!, rect[1]!), drawObject('Im0'), popGraphicsState()],
    { BBox: rect, Resources: { XObject: { Im0: image.ref } } },
  );
  const annots = page.node.lookup(PDFName.of('Annots'), PDFArray);
  const widget = pdfDoc.context.lookup(annots.get(annots.size() - 1) as PDFRef, PDFDict);
  widget.set(PDFName.of('AP'), pdfDoc.context.obj({ N: pdfDoc.context.register(appearance) }));
  const withPlaceholder = Buffer.from(await pdfDoc.save());
  const signed = await new SignPdf().sign(withPlaceholder, new P12Signer(p12, { passphrase }));
  writeFileAtomic(output, signed);
  return { ...stop(), detail: 'Signature1' };
}

function sealdeskVerify(files: ReturnType<typeof keeperFiles>, input: string): ChildResult {
  const trustRoots = [fs.readFileSync(files.rootDer)];
  const stop = clocks();
  const report = verifyPdf(input, { trustRoots });
  const time = stop();
  const failed = report.signatures.flatMap((s) => s.checks.filter((c) => c.status !== 'ok' && c.status !== 'not_checked').map((c) => `${c.id}:${c.status}`));
  return { ...time, detail: `${report.verdict} (${report.signatures.length} signature(s))${failed.length ? ` ${failed.join(',')}` : ''}` };
}

/**
 * The floor any signer pays: read the file once, hash it once, write it once (temp + fsync +
 * rename, as SealDesk writes its output).
 */
function baseline(input: string, output: string): ChildResult {
  const stop = clocks();
  const t0 = performance.now();
  const bytes = fs.readFileSync(input);
  const t1 = performance.now();
  const digest = crypto.createHash('sha256').update(bytes).digest('hex');
  const t2 = performance.now();
  writeFileAtomic(output, bytes);
  const t3 = performance.now();
  return { ...stop(), detail: digest.slice(0, 16), stages: { read: t1 - t0, hash: t2 - t1, write: t3 - t2 } };
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});

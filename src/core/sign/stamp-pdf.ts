import fs from 'node:fs';
import path from 'node:path';
import { SealDeskError, asSealDeskError } from '../errors';
import { writeFileAtomic } from '../fs/atomic-write';
import type { Signer } from '../signer';
import { buildCadesSignedData, type CadesBuildInput } from '../cms/build-cades';
import { buildSesPdfSignature } from '../gm/build-ses-pdf-signature';
import { GM_PDF_SUBFILTER } from '../gm/pdf-profile';
import { openPdf, type PdfDocument } from '../pdf/document';
import { docMdpPermission } from '../pdf/doc-mdp';
import { assertUnambiguous } from '../pdf/revision-anomalies';
import { IncrementalUpdate } from '../pdf/incremental-writer';
import { prepareSignature, embedSignature } from '../pdf/signature-placeholder';
import type { Box } from '../pdf/pages';
import { planImpressions } from './impression-plan';
import { digestByteRanges } from './byte-range-digest';
import { placeholderSize } from './signature-size';
import type { Placement } from './placement';
import { stampCancelled } from './sign-errors';

export type { Placement } from './placement';

export interface SealPictureInput {
  /** "PNG" or "JPG" (SES_ESPictureInfo.type). */
  type: string;
  data: Uint8Array;
  widthMm: number;
  heightMm: number;
}

/**
 * 'pades': CMS SignedData (CAdES) under /ETSI.CAdES.detached, the SESeal as a signed attribute.
 * 'gm': a GB/T 38540 SES_Signature v4 under /GBT38540.SES_Signature (src/core/gm/pdf-profile.ts).
 */
export type SignatureFormat = 'pades' | 'gm';

export type StampStage = 'reading' | 'placing' | 'preparing' | 'hashing' | 'signing' | 'writing' | 'done';

export interface StampOptions {
  input: string;
  output: string;
  placement: Placement;
  /** DER SESeal, carried in the CMS as a signed attribute. */
  sealDer: Uint8Array;
  sealPicture: SealPictureInput;
  signer: Signer;
  /** Intermediate certificates to embed. */
  certificates?: Uint8Array[];
  signingTime?: Date;
  tsa?: { url: string };
  /** CMS digest (PAdES only). Naming one asks for a CMS: see `format`. */
  digestAlgorithm?: 'sha256' | 'sm3';
  /**
   * Default: 'gm' for an SM2 key (domain.md: the signer writes SES_Signature by default), unless the
   * caller names a CMS `digestAlgorithm`, which only a CMS has; 'pades' for RSA and ECDSA keys.
   */
  format?: SignatureFormat;
  signal?: AbortSignal;
  onProgress?: (p: { stage: StampStage; index?: number; total?: number }) => void;
}

export interface StampedSeal {
  fieldName: string;
  /** 1-based page number. */
  page: number;
  /** Widget rectangle in PDF user space. */
  rect: Box;
  /** Hex digest of the signed byte ranges. */
  documentHash: string;
  byteRange: [number, number, number, number];
}

export interface StampResult extends StampedSeal {
  output: string;
  /** One entry per impression (several for every keyword occurrence, several pages, a straddle seal's strips). */
  stamps: StampedSeal[];
}

/**
 * Stamps a PDF: reads IN once, appends for each placement an incremental update with the seal
 * widget and a signature made by `signer` over the two byte ranges — PAdES (CMS) or, for SM2
 * keys, the GB/T 38540 SES_Signature (see `format`) — and writes OUT
 * atomically. IN is never modified; on any failure OUT does not exist. The document is never
 * re-serialised: the cost is one read, one hash per seal and one write.
 */
export async function stampPdf(opts: StampOptions): Promise<StampResult> {
  try {
    return await stamp(opts);
  } catch (e) {
    // Anything that is not already a SealDeskError is a defect; still report it as one, never crash.
    throw asSealDeskError(e, 'STAMP_FAILED', '签章失败', 'Stamping failed');
  }
}

async function stamp(opts: StampOptions): Promise<StampResult> {
  const progress = opts.onProgress ?? ((): void => undefined);
  // Until the token signs, each stage ends by letting the event loop run, so a cancel request (or
  // a progress query) that arrived meanwhile is seen; then the signal is checked.
  const pause = async (): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    checkSignal(opts.signal);
  };
  const stage = async (p: Parameters<typeof progress>[0]): Promise<void> => {
    progress(p);
    await pause();
  };
  checkSignal(opts.signal);
  if (path.resolve(opts.input) === path.resolve(opts.output)) {
    throw new SealDeskError('OUTPUT_IS_INPUT', '输出文件不能与原文件相同：原文件不会被修改', 'The output file must differ from the input: the original is never modified');
  }
  await stage({ stage: 'reading' });
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(opts.input);
  } catch (e) {
    throw new SealDeskError('INPUT_UNREADABLE', '无法读取要签章的文件', 'The file to stamp cannot be read', { cause: e, details: { input: opts.input } });
  }
  let doc: PdfDocument = openPdf(bytes); // refuses encrypted files before anything else happens
  doc.pages(); // the page tree first: an oversized one is refused before every object is read
  doc.checkAllObjects();
  assertUnambiguous(doc);
  if (docMdpPermission(doc) === 1) {
    // The certifier allowed no change at all: a new stamp would invalidate the certification.
    throw new SealDeskError('PDF_CERTIFIED_NO_CHANGES', '该文档已被认证签名锁定，不允许再盖章', 'The document is certified with "no changes allowed"; it cannot be stamped');
  }

  await stage({ stage: 'placing' });
  const planned = await planImpressions(doc, () => bytes, opts.placement, opts.sealPicture);
  const signingTime = opts.signingTime ?? new Date();
  const format = signatureFormat(opts);
  const digestAlgorithm = format === 'gm' ? 'sm3' : opts.digestAlgorithm ?? 'sha256';
  const cmsBase: Omit<CadesBuildInput, 'digest' | 'tsa'> = {
    digestAlgorithm, signer: opts.signer, certificates: opts.certificates, sealDer: opts.sealDer, signingTime,
  };
  // What goes into /Contents, for a digest of the ByteRange bytes and the range itself.
  const build = (signer: Signer, digest: Uint8Array, byteRange: [number, number, number, number], tsa?: { url: string }): Promise<Uint8Array> => (format === 'gm'
    ? buildSesPdfSignature({ sealDer: opts.sealDer, signer, dataHash: digest, byteRange, signingTime, tsa })
    : buildCadesSignedData({ ...cmsBase, signer, digest, tsa }));
  // Dry run with the widest range numbers the placeholder allows, so the real range always fits.
  const widest = 9_999_999_999;
  const contentsSize = await placeholderSize(opts.signer, opts.tsa !== undefined, (standIn) => build(standIn, new Uint8Array(32), [0, widest, widest, widest]));

  const stamps: StampedSeal[] = [];
  for (let i = 0; i < planned.length; i++) {
    const impressions = planned[i]!;
    if (i > 0) doc = openPdf(bytes); // the previous stamp's revision (page /Annots, /Fields) is the base
    await stage({ stage: 'preparing', index: i, total: planned.length });
    const update = new IncrementalUpdate(doc);
    const widgets = impressions.map((w) => ({ pageIndex: w.pageIndex, ...w.draw(update) }));
    const first = widgets[0]!;
    const prepared = prepareSignature(doc, update, {
      pageIndex: first.pageIndex, rect: first.rect, appearance: first.appearance, widgets, signingTime, contentsSize, subFilter: format === 'gm' ? GM_PDF_SUBFILTER : undefined,
    });

    await stage({ stage: 'hashing', index: i, total: planned.length });
    const digest = digestByteRanges(prepared.bytes, prepared.byteRange, digestAlgorithm);
    await pause();
    progress({ stage: 'signing', index: i, total: planned.length });
    let contents: Uint8Array;
    try {
      contents = await build(opts.signer, digest, prepared.byteRange, opts.tsa);
    } catch (e) {
      throw asSealDeskError(e, 'SIGN_FAILED', '签名失败', 'Signing failed');
    }
    embedSignature(prepared, contents);
    bytes = prepared.bytes;
    // One entry per impression: several share a field and a signature (a seal on several pages, a straddle seal).
    for (const w of widgets) {
      stamps.push({
        fieldName: prepared.fieldName, page: w.pageIndex + 1, rect: w.rect, documentHash: Buffer.from(digest).toString('hex'), byteRange: prepared.byteRange,
      });
    }
  }
  checkSignal(opts.signal);
  progress({ stage: 'writing' });
  try {
    writeFileAtomic(opts.output, bytes);
  } catch (e) {
    throw new SealDeskError('OUTPUT_WRITE_FAILED', '无法写入签章后的文件', 'The stamped file cannot be written', { cause: e, details: { output: opts.output } });
  }
  progress({ stage: 'done' });
  return { output: opts.output, ...stamps[0]!, stamps };
}

function signatureFormat(opts: StampOptions): SignatureFormat {
  if (opts.format === 'gm' && opts.signer.keyAlgorithm !== 'SM2') {
    throw new SealDeskError('GM_KEY_REQUIRED', 'GB/T 38540 电子签章需要 SM2 密钥', 'A GB/T 38540 stamp needs an SM2 key', { details: { keyAlgorithm: opts.signer.keyAlgorithm } });
  }
  return opts.format ?? (opts.signer.keyAlgorithm === 'SM2' && opts.digestAlgorithm === undefined ? 'gm' : 'pades');
}

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw stampCancelled();
}



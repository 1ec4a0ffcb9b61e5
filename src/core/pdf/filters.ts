import zlib from 'node:zlib';
import { PdfArray, PdfDict, PdfName, PdfObject, PdfStream } from './objects';
import { pdfMalformed } from './pdf-errors';
import { unfilterPngRows as unfilterImageRows } from '../image/png-filters';
import { WorkBudget } from './work-budget';

export interface DecodedStream {
  data: Uint8Array;
  /** Image filters that are left encoded (the caller decides what to do with DCT data). */
  remainingFilter?: string;
}

function asList(o: PdfObject | undefined): PdfObject[] {
  if (o === undefined || o === null) return [];
  if (o instanceof PdfArray) return o.items;
  return [o];
}

/**
 * Decodes a stream's data through its /Filter chain. FlateDecode (with PNG/TIFF predictors),
 * ASCIIHexDecode and ASCII85Decode are decoded; DCTDecode/JPXDecode stop the chain and are
 * returned as they are. `resolve` dereferences indirect /Filter or /DecodeParms entries. Every
 * decoded byte is charged to the document's budget; a stream that would decode past what the budget
 * allows is refused while it is being inflated, before the memory is taken.
 */
export function decodeStream(stream: PdfStream, resolve: (o: PdfObject | undefined) => PdfObject | undefined, budget: WorkBudget): DecodedStream {
  const filters = asList(resolve(stream.dict.get('Filter'))).map((f) => resolve(f));
  const parmsList = asList(resolve(stream.dict.get('DecodeParms') ?? stream.dict.get('DP'))).map((p) => resolve(p));
  if (filters.length > 8) throw pdfMalformed('too many stream filters');
  let data: Uint8Array = stream.raw;
  for (let i = 0; i < filters.length; i++) {
    const f = filters[i];
    if (!(f instanceof PdfName)) throw pdfMalformed('stream filter is not a name');
    const parms = parmsList[i];
    switch (f.name) {
      case 'FlateDecode': case 'Fl':
        data = applyPredictor(inflate(data, budget), parms instanceof PdfDict ? parms : undefined, resolve);
        break;
      case 'ASCIIHexDecode': case 'AHx': data = asciiHexDecode(data); break;
      case 'ASCII85Decode': case 'A85': data = ascii85Decode(data, budget); break;
      case 'DCTDecode': case 'DCT': case 'JPXDecode':
        if (i !== filters.length - 1) throw pdfMalformed(`filter ${f.name} must be the last one`);
        return { data, remainingFilter: f.name };
      default:
        throw pdfMalformed(`unsupported stream filter ${f.name}`);
    }
    budget.chargeDecoded(data.length);
  }
  return { data };
}

export function inflate(data: Uint8Array, budget: WorkBudget): Uint8Array {
  const allowance = budget.streamAllowance();
  try {
    // Z_SYNC_FLUSH tolerates a missing end-of-stream marker, which many writers produce;
    // corrupt data still throws. maxOutputLength stops a bomb as it inflates.
    return zlib.inflateSync(data, { maxOutputLength: Math.max(1, allowance), finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw budget.overAllowance();
    throw pdfMalformed('compressed stream cannot be decompressed', {}, e);
  }
}

function intParam(d: PdfDict | undefined, key: string, dflt: number, resolve: (o: PdfObject | undefined) => PdfObject | undefined): number {
  const v = d ? resolve(d.get(key)) : undefined;
  return typeof v === 'number' && Number.isInteger(v) ? v : dflt;
}

/** PNG (10–15) and TIFF (2) predictors, as used by xref streams and images. */
export function applyPredictor(data: Uint8Array, parms: PdfDict | undefined, resolve: (o: PdfObject | undefined) => PdfObject | undefined): Uint8Array {
  const predictor = intParam(parms, 'Predictor', 1, resolve);
  if (predictor <= 1) return data;
  const colors = intParam(parms, 'Colors', 1, resolve);
  const bpc = intParam(parms, 'BitsPerComponent', 8, resolve);
  const columns = intParam(parms, 'Columns', 1, resolve);
  if (colors < 1 || colors > 32 || ![1, 2, 4, 8, 16].includes(bpc) || columns < 1 || columns > 1 << 24) throw pdfMalformed('bad predictor parameters');
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  if (predictor === 2) {
    if (bpc !== 8) throw pdfMalformed('TIFF predictor supported for 8-bit data only');
    const out = Uint8Array.from(data);
    for (let r = 0; r + rowLen <= out.length; r += rowLen) for (let i = bpp; i < rowLen; i++) out[r + i] = (out[r + i]! + out[r + i - bpp]!) & 0xff;
    return out;
  }
  if (predictor < 10) throw pdfMalformed(`unknown predictor ${predictor}`);
  return unfilterPngRows(data, rowLen, bpp);
}

function unfilterPngRows(data: Uint8Array, rowLen: number, bpp: number): Uint8Array {
  try {
    return unfilterImageRows(data, rowLen, Math.floor(data.length / (rowLen + 1)), bpp);
  } catch (e) {
    throw pdfMalformed('bad PNG predictor data', {}, e);
  }
}

function asciiHexDecode(data: Uint8Array): Uint8Array {
  const s = Buffer.from(data).toString('latin1').replace(/\s+/g, '');
  const end = s.indexOf('>');
  let hex = end >= 0 ? s.slice(0, end) : s;
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw pdfMalformed('bad ASCIIHex data');
  if (hex.length % 2) hex += '0';
  return Buffer.from(hex, 'hex');
}

function ascii85Decode(data: Uint8Array, budget: WorkBudget): Uint8Array {
  const s = Buffer.from(data).toString('latin1').replace(/\s+/g, '').replace(/^<~/, '');
  const end = s.indexOf('~>');
  const body = end >= 0 ? s.slice(0, end) : s;
  // 'z' stands for four zero bytes: the output can be four times the input, so size it first.
  if (body.length * 4 > budget.streamAllowance()) throw budget.overAllowance();
  const out = Buffer.alloc(body.length * 4);
  let n = 0;
  const group: number[] = [];
  const flush = (count: number): void => {
    let v = 0;
    for (const d of group) v = v * 85 + d;
    for (let i = 0; i < count; i++) out[n++] = Math.floor(v / 256 ** (3 - i)) & 0xff;
  };
  for (const ch of body) {
    if (ch === 'z' && group.length === 0) { n += 4; continue; }
    const v = ch.charCodeAt(0) - 33;
    if (v < 0 || v > 84) throw pdfMalformed('bad ASCII85 data');
    group.push(v);
    if (group.length === 5) { flush(4); group.length = 0; }
  }
  if (group.length > 0) {
    const count = group.length - 1;
    while (group.length < 5) group.push(84);
    flush(count);
  }
  return out.subarray(0, n);
}

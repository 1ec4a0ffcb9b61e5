import type { PdfDocument } from './document';
import { isRegular, isWhite, ObjectParser, parseNumber } from './object-parser';
import { PdfArray, PdfDict, PdfName, PdfObject, PdfStream, dict } from './objects';

/**
 * Reads a content stream as a sequence of operations (operands, then the operator), the unit the
 * graphics-state walkers work in. Operands are parsed with the file's object parser (same strings,
 * names, arrays, dictionaries and the same work budget); inline images (BI … ID … EI) come out as
 * one `BI` operation whose operand is the image as a stream, with the abbreviated keys and names
 * expanded. A syntax error ends the stream there, as viewers stop drawing at it.
 */
export interface ContentOperation {
  op: string;
  operands: PdfObject[];
  /** For `BI`: the inline image, its dictionary using the full key names. */
  inlineImage?: PdfStream;
  /** Byte offset of the operator in the decoded content. */
  offset: number;
}

const KEY_NAMES: Record<string, string> = {
  BPC: 'BitsPerComponent', CS: 'ColorSpace', D: 'Decode', DP: 'DecodeParms', F: 'Filter', H: 'Height',
  IM: 'ImageMask', I: 'Interpolate', W: 'Width', L: 'Length',
};
const VALUE_NAMES: Record<string, string> = {
  G: 'DeviceGray', RGB: 'DeviceRGB', CMYK: 'DeviceCMYK', I: 'Indexed',
  AHx: 'ASCIIHexDecode', A85: 'ASCII85Decode', LZW: 'LZWDecode', Fl: 'FlateDecode', RL: 'RunLengthDecode',
  CCF: 'CCITTFaxDecode', DCT: 'DCTDecode',
};
const MAX_OPERANDS = 64;

export function* contentOperations(doc: PdfDocument, content: Uint8Array): Generator<ContentOperation> {
  const p = new ObjectParser(content, 0, doc.budget);
  let operands: PdfObject[] = [];
  for (;;) {
    let token: string;
    let at: number;
    try {
      p.skipWhitespace();
      if (p.pos >= content.length) return;
      at = p.pos;
      if (isRegular(content[p.pos]!)) {
        token = p.peekKeyword();
        if (token === 'true' || token === 'false' || token === 'null' || parseNumber(token) !== undefined) {
          operands.push(p.parseObject(1));
          if (operands.length > MAX_OPERANDS) operands.shift();
          continue;
        }
        p.pos += token.length;
      } else {
        operands.push(p.parseObject(1));
        if (operands.length > MAX_OPERANDS) operands.shift();
        continue;
      }
    } catch {
      return;
    }
    doc.budget.tick();
    if (token === 'BI') {
      const img = readInlineImage(doc, p, content);
      if (!img) return;
      yield { op: 'BI', operands: [], inlineImage: img, offset: at };
    } else {
      yield { op: token, operands, offset: at };
    }
    operands = [];
  }
}

function expand(o: PdfObject): PdfObject {
  if (o instanceof PdfName) return new PdfName(VALUE_NAMES[o.name] ?? o.name);
  return o;
}

/** After `BI`: key/value pairs up to `ID`, one white-space byte, the data, then `EI`. */
function readInlineImage(doc: PdfDocument, p: ObjectParser, content: Uint8Array): PdfStream | undefined {
  const entries: Record<string, PdfObject> = {};
  try {
    for (let n = 0; ; n++) {
      if (n > 64) return undefined;
      p.skipWhitespace();
      if (p.peekKeyword() === 'ID') { p.pos += 2; break; }
      const key = p.parseObject(1);
      if (!(key instanceof PdfName)) return undefined;
      const value = p.parseObject(1);
      const full = KEY_NAMES[key.name] ?? key.name;
      entries[full] = value instanceof PdfArray ? new PdfArray(value.items.map(expand), value.itemSpans, value.span) : expand(value);
    }
  } catch {
    return undefined;
  }
  if (isWhite(content[p.pos] ?? 0)) p.pos++;
  const start = p.pos;
  const d = dict(entries);
  const end = inlineDataEnd(doc, d, content, start);
  if (end === undefined) return undefined;
  p.pos = end + 2; // past "EI"
  return new PdfStream(d, content.subarray(start, end), { start, end });
}

/** Where the data ends: by /Length, by the computed size of unfiltered data, else at the first "EI" between white space. */
function inlineDataEnd(doc: PdfDocument, d: PdfDict, content: Uint8Array, start: number): number | undefined {
  const isEiAt = (i: number): boolean => content[i] === 0x45 && content[i + 1] === 0x49 && (i + 2 >= content.length || isWhite(content[i + 2]!) || !isRegular(content[i + 2]!));
  const skipWs = (i: number): number => { while (i < content.length && isWhite(content[i]!)) i++; return i; };
  const length = doc.resolveNumber(d.get('Length'));
  if (length !== undefined && Number.isInteger(length) && length >= 0 && start + length <= content.length) {
    const at = skipWs(start + length);
    if (isEiAt(at)) return at;
  }
  if (d.get('Filter') === undefined) {
    const w = doc.resolveNumber(d.get('Width')) ?? 0;
    const h = doc.resolveNumber(d.get('Height')) ?? 0;
    const bpc = d.get('ImageMask') === true ? 1 : doc.resolveNumber(d.get('BitsPerComponent')) ?? 8;
    const cs = d.get('ColorSpace');
    const comps = d.get('ImageMask') === true ? 1 : cs instanceof PdfName ? (cs.name === 'DeviceRGB' ? 3 : cs.name === 'DeviceCMYK' ? 4 : 1) : 1;
    const size = Math.ceil((w * comps * bpc) / 8) * h;
    if (size > 0 && start + size <= content.length) {
      const at = skipWs(start + size);
      if (isEiAt(at)) return at;
    }
  }
  for (let i = start; i + 1 < content.length; i++) {
    if (isEiAt(i) && i > start && isWhite(content[i - 1]!)) return i;
  }
  return undefined;
}

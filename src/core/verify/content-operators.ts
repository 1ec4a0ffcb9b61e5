/**
 * The operators of a content stream, with the name operand of each `Do`, for the impression check:
 * it must know whether an appearance paints anything besides the seal picture. Written by hand
 * because the only maintained parser at hand (pdf.js's operator list) needs the whole document
 * loaded asynchronously in a worker; what is needed here is a bounded scan of one decoded stream
 * that skips strings, arrays, dictionaries and inline image data without interpreting them.
 */

export interface ContentOperator {
  op: string;
  /** For `Do`: the XObject's resource name. */
  name?: string;
}

const MAX_OPERATORS = 200_000;

function isWhite(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
}

function isDelimiter(c: number): boolean {
  return c === 0x28 || c === 0x29 || c === 0x3c || c === 0x3e || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x2f || c === 0x25;
}

/** Scans `data` into operators; an unreadable tail ends the scan with an 'unparsable' operator. */
export function contentOperators(data: Uint8Array): ContentOperator[] {
  const out: ContentOperator[] = [];
  let i = 0;
  let lastName: string | undefined;
  const n = data.length;
  while (i < n && out.length < MAX_OPERATORS) {
    const c = data[i]!;
    if (isWhite(c)) { i++; continue; }
    if (c === 0x25) { // comment
      while (i < n && data[i] !== 0x0a && data[i] !== 0x0d) i++;
      continue;
    }
    if (c === 0x28) { // literal string, balanced parentheses, backslash escapes
      let depth = 0;
      for (; i < n; i++) {
        const d = data[i]!;
        if (d === 0x5c) { i++; continue; }
        if (d === 0x28) depth++;
        else if (d === 0x29 && --depth === 0) { i++; break; }
      }
      lastName = undefined;
      continue;
    }
    if (c === 0x3c && data[i + 1] === 0x3c) { i += 2; lastName = undefined; continue; } // dictionary open
    if (c === 0x3e && data[i + 1] === 0x3e) { i += 2; continue; }
    if (c === 0x3c) { // hex string
      while (i < n && data[i] !== 0x3e) i++;
      i++;
      lastName = undefined;
      continue;
    }
    if (c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d) { i++; continue; }
    if (c === 0x2f) { // name
      let j = i + 1;
      while (j < n && !isWhite(data[j]!) && !isDelimiter(data[j]!)) j++;
      lastName = Buffer.from(data.subarray(i + 1, j)).toString('latin1');
      i = j;
      continue;
    }
    let j = i;
    while (j < n && !isWhite(data[j]!) && !isDelimiter(data[j]!)) j++;
    if (j === i) { out.push({ op: 'unparsable' }); break; }
    const tok = Buffer.from(data.subarray(i, j)).toString('latin1');
    i = j;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(tok) || tok === 'true' || tok === 'false' || tok === 'null') continue;
    if (tok === 'ID') { // inline image data runs to "EI" after whitespace
      let k = i + 1;
      while (k + 2 < n && !(isWhite(data[k]!) && data[k + 1] === 0x45 && data[k + 2] === 0x49 && (k + 3 >= n || isWhite(data[k + 3]!)))) k++;
      out.push({ op: 'BI' });
      i = k + 3;
      continue;
    }
    out.push(tok === 'Do' ? { op: tok, name: lastName } : { op: tok });
    lastName = undefined;
  }
  return out;
}

/** Operators that put marks on the page (paths filled or stroked, text shown, shadings, inline images). */
export const PAINTING_OPERATORS = new Set(['f', 'F', 'f*', 'B', 'B*', 'b', 'b*', 'S', 's', 'sh', 'Tj', 'TJ', "'", '"', 'BI', 'EI', 'd0', 'd1']);

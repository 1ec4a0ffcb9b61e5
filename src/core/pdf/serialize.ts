import { PdfArray, PdfDict, PdfName, PdfObject, PdfRef, PdfStream, PdfString } from './objects';

/** Writes PDF objects as bytes. Strings are written as hex (binary-safe), numbers without exponents. */
export function serializeObject(o: PdfObject): Buffer {
  const parts: (string | Uint8Array)[] = [];
  write(o, parts);
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
}

/**
 * The shortest text that reads back as the same number (so a rewritten page dictionary keeps
 * /MediaBox [0 0 594.95996 841.91998] exactly, and the verifier sees an unchanged value), without
 * the exponent JavaScript uses for very small values, which PDF does not allow.
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error('cannot write a non-finite number into a PDF');
  if (Number.isInteger(n)) return String(n);
  let s = String(n);
  if (s.includes('e')) s = n.toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' || s === '0' ? '0' : s;
}

export function formatName(name: string): string {
  let s = '/';
  for (const ch of Buffer.from(name, 'latin1')) {
    const safe = ch > 0x20 && ch < 0x7f && !'()<>[]{}/%#'.includes(String.fromCharCode(ch));
    s += safe ? String.fromCharCode(ch) : `#${ch.toString(16).padStart(2, '0')}`;
  }
  return s;
}

function write(o: PdfObject, out: (string | Uint8Array)[]): void {
  if (o === null) out.push('null');
  else if (typeof o === 'boolean') out.push(o ? 'true' : 'false');
  else if (typeof o === 'number') out.push(formatNumber(o));
  else if (o instanceof PdfName) out.push(formatName(o.name));
  else if (o instanceof PdfString) out.push(`<${Buffer.from(o.bytes).toString('hex')}>`);
  else if (o instanceof PdfRef) out.push(`${o.num} ${o.gen} R`);
  else if (o instanceof PdfArray) {
    out.push('[');
    o.items.forEach((item, i) => { if (i) out.push(' '); write(item, out); });
    out.push(']');
  } else if (o instanceof PdfDict) {
    out.push('<<');
    for (const [k, v] of o.entries) { out.push(formatName(k), ' '); write(v, out); out.push(' '); }
    out.push('>>');
  } else if (o instanceof PdfStream) {
    const d = new Map(o.dict.entries);
    d.set('Length', o.raw.length);
    write(new PdfDict(d, new Map(), o.dict.span), out);
    out.push('\nstream\n', o.raw, '\nendstream');
  }
}

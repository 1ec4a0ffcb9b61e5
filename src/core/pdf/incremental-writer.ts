import zlib from 'node:zlib';
import { PdfDict, PdfObject, PdfRef, PdfStream, array, dict, name } from './objects';
import { serializeObject } from './serialize';
import type { PdfDocument } from './document';

/** An object body written exactly as given (the signature dictionary with its placeholders). */
export class RawBody {
  constructor(readonly bytes: Uint8Array) {}
}

export interface WrittenUpdate {
  /**
   * The whole new file: the original bytes unchanged, then the update. Built on first use (a full
   * read of a document opened from a file): stamping appends `tail` to its output instead.
   */
  readonly bytes: Buffer;
  /** The update alone (with a separating newline first if one was needed), to append to the original. */
  tail: Buffer;
  /** Where the update starts (= length of the original; the separating newline is the update's). */
  updateStart: number;
  /** File offset of each written object's body (right after "n g obj\n"). */
  bodyOffsets: Map<number, number>;
}

/**
 * Appends one incremental update to a document: new and changed objects, then a cross-reference
 * section in the original's style (a classic table after a table, an xref stream after a stream)
 * with /Prev pointing to the previous section and /Root, /Info, /ID carried over. The original
 * bytes are never touched, so earlier signatures stay valid.
 */
export class IncrementalUpdate {
  private readonly objects = new Map<number, { gen: number; value: PdfObject | RawBody }>();
  private nextNum: number;

  constructor(private readonly doc: PdfDocument) {
    this.nextNum = Math.max(doc.size, 1);
  }

  /** A fresh object number for a new object. */
  allocate(): PdfRef {
    return new PdfRef(this.nextNum++, 0);
  }

  /** Adds or replaces an object in this update. */
  set(ref: PdfRef, value: PdfObject | RawBody): void {
    this.objects.set(ref.num, { gen: ref.gen, value });
  }

  /** Adds a new object and returns its reference. */
  add(value: PdfObject | RawBody): PdfRef {
    const ref = this.allocate();
    this.set(ref, value);
    return ref;
  }

  write(): WrittenUpdate {
    const source = this.doc.source;
    const parts: Buffer[] = [];
    const last = source.read(source.length - 1, 1)[0];
    // The update must start on a new line; the newline belongs to the update, not the original.
    let pos = source.length;
    const lead = last === 0x0a || last === 0x0d ? '' : '\n';
    parts.push(Buffer.from(lead));
    pos += lead.length;
    const updateStart = source.length;
    const bodyOffsets = new Map<number, number>();
    const xrefRows = new Map<number, { offset: number; gen: number }>();
    for (const [num, { gen, value }] of [...this.objects].sort((a, b) => a[0] - b[0])) {
      const head = Buffer.from(`${num} ${gen} obj\n`);
      const body = value instanceof RawBody ? Buffer.from(value.bytes) : serializeObject(value);
      const chunk = Buffer.concat([head, body, Buffer.from('\nendobj\n')]);
      xrefRows.set(num, { offset: pos, gen });
      bodyOffsets.set(num, pos + head.length);
      parts.push(chunk);
      pos += chunk.length;
    }
    // /Prev is what startxref says, not the last section by position: in a linearized file the
    // newest section is the first-page table near the start of the file.
    const prevXref = this.doc.startxref;
    const carried = carriedTrailerEntries(this.doc.trailer);
    if (this.doc.xrefKind === 'table') {
      const size = Math.max(this.doc.size, this.nextNum);
      parts.push(Buffer.from(classicXref(xrefRows)));
      const trailer = dict({ Size: size, ...carried, Prev: prevXref });
      parts.push(Buffer.from('trailer\n'), serializeObject(trailer), Buffer.from(`\nstartxref\n${pos}\n%%EOF\n`));
    } else {
      const xrefNum = this.nextNum++;
      const size = Math.max(this.doc.size, this.nextNum);
      xrefRows.set(xrefNum, { offset: pos, gen: 0 });
      const stream = xrefStream(xrefRows, { Size: size, ...carried, Prev: prevXref });
      parts.push(Buffer.from(`${xrefNum} 0 obj\n`), serializeObject(stream), Buffer.from(`\nendobj\nstartxref\n${pos}\n%%EOF\n`));
    }
    const tail = Buffer.concat(parts);
    let whole: Buffer | undefined;
    return { get bytes() { return (whole ??= Buffer.concat([source.read(0, updateStart), tail])); }, tail, updateStart, bodyOffsets };
  }
}

/** /Root, /Info and /ID go into every new trailer (ISO 32000 7.5.6); /Encrypt never appears here. */
function carriedTrailerEntries(trailer: PdfDict): Record<string, PdfObject> {
  const out: Record<string, PdfObject> = {};
  for (const k of ['Root', 'Info', 'ID']) {
    const v = trailer.get(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function subsections(nums: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of nums) {
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === n) last[1]++;
    else out.push([n, 1]);
  }
  return out;
}

function classicXref(rows: Map<number, { offset: number; gen: number }>): string {
  const nums = [...rows.keys()].sort((a, b) => a - b);
  let s = 'xref\n';
  for (const [first, count] of subsections(nums)) {
    s += `${first} ${count}\n`;
    for (let n = first; n < first + count; n++) {
      const r = rows.get(n)!;
      s += `${String(r.offset).padStart(10, '0')} ${String(r.gen).padStart(5, '0')} n\r\n`;
    }
  }
  return s;
}

function xrefStream(rows: Map<number, { offset: number; gen: number }>, trailer: Record<string, PdfObject>): PdfStream {
  const nums = [...rows.keys()].sort((a, b) => a - b);
  const maxOff = Math.max(...[...rows.values()].map((r) => r.offset));
  const w1 = maxOff < 2 ** 32 ? 4 : 6;
  const row = 1 + w1 + 2;
  const data = Buffer.alloc(nums.length * row);
  nums.forEach((n, i) => {
    const r = rows.get(n)!;
    data[i * row] = 1;
    data.writeUIntBE(r.offset, i * row + 1, w1);
    data.writeUInt16BE(r.gen, i * row + 1 + w1);
  });
  const index = subsections(nums).flat();
  const d = dict({ Type: name('XRef'), ...trailer, W: array([1, w1, 2]), Index: array(index), Filter: name('FlateDecode') });
  return new PdfStream(d, zlib.deflateSync(data), d.span);
}


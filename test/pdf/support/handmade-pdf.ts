/**
 * Builds small PDFs byte by byte, so tests control every offset: classic xref tables, appended
 * updates with /Prev, and deliberately broken variants for the robustness corpus.
 */
export interface HandmadeObject {
  num: number;
  /** The text between "n 0 obj" and "endobj". */
  body: string | Buffer;
}

export function buildPdf(objects: HandmadeObject[], trailer: string, opts: { header?: string } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from(opts.header ?? '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let pos = parts[0]!.length;
  const offsets = new Map<number, number>();
  for (const o of objects) {
    offsets.set(o.num, pos);
    const chunk = Buffer.concat([Buffer.from(`${o.num} 0 obj\n`), Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body, 'latin1'), Buffer.from('\nendobj\n')]);
    parts.push(chunk);
    pos += chunk.length;
  }
  const xref = xrefTable(offsets, true);
  parts.push(Buffer.from(`${xref}trailer\n${trailer}\nstartxref\n${pos}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

/** Appends an incremental update (new/changed objects, a table with /Prev) to `base`. */
export function appendUpdate(base: Buffer, objects: HandmadeObject[], trailer: string): Buffer {
  const prev = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(base.toString('latin1'));
  if (!prev) throw new Error('base has no startxref');
  const parts: Buffer[] = [base];
  let pos = base.length;
  const offsets = new Map<number, number>();
  for (const o of objects) {
    offsets.set(o.num, pos);
    const chunk = Buffer.from(`${o.num} 0 obj\n${o.body}\nendobj\n`, 'latin1');
    parts.push(chunk);
    pos += chunk.length;
  }
  parts.push(Buffer.from(`${xrefTable(offsets, false)}trailer\n${trailer.replace(/>>\s*$/, `/Prev ${prev[1]} >>`)}\nstartxref\n${pos}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

function xrefTable(offsets: Map<number, number>, withZero: boolean): string {
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  let s = 'xref\n';
  if (withZero) s += '0 1\n0000000000 65535 f \n';
  for (const n of nums) s += `${n} 1\n${String(offsets.get(n)).padStart(10, '0')} 00000 n \n`;
  return s;
}

/** A one-page document: catalog 1, pages 2, page 3, content 4. Page attributes can be set on the tree node. */
export function onePagePdf(opts: { pageExtra?: string; pagesExtra?: string; content?: string; length?: string } = {}): Buffer {
  const content = opts.content ?? 'BT /F1 24 Tf 72 700 Td (Hello) Tj ET';
  return buildPdf([
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { num: 2, body: `<< /Type /Pages /Kids [3 0 R] /Count 1 ${opts.pagesExtra ?? '/MediaBox [0 0 595 842]'} >>` },
    { num: 3, body: `<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> ${opts.pageExtra ?? ''} >>` },
    { num: 4, body: `<< /Length ${opts.length ?? content.length} >>\nstream\n${content}\nendstream` },
    { num: 5, body: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' },
  ], '<< /Size 6 /Root 1 0 R >>');
}

/**
 * A one-page document whose page tree lives in a compressed object stream, indexed by an
 * (uncompressed) xref stream. `n` overrides the stream's declared object count.
 */
export function objectStreamPdf(opts: { n?: string } = {}): Buffer {
  const inner = ['<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>', '<< /Type /Page /Parent 2 0 R >>'];
  const header = `2 0 3 ${inner[0]!.length + 1} `;
  const data = `${header}${inner.join('\n')}`;
  const head = '%PDF-1.7\n';
  const o1 = head.length;
  const obj1 = '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n';
  const o4 = o1 + obj1.length;
  const obj4 = `4 0 obj\n<< /Type /ObjStm /N ${opts.n ?? '2'} /First ${header.length} /Length ${data.length} >>\nstream\n${data}\nendstream\nendobj\n`;
  const o5 = o4 + obj4.length;
  const rows: [number, number, number][] = [[0, 0, 65535], [1, o1, 0], [2, 4, 0], [2, 4, 1], [1, o4, 0], [1, o5, 0]];
  const bin = Buffer.alloc(rows.length * 7);
  rows.forEach(([t, f2, f3], i) => { bin[i * 7] = t; bin.writeUInt32BE(f2, i * 7 + 1); bin.writeUInt16BE(f3, i * 7 + 5); });
  return Buffer.concat([
    Buffer.from(`${head}${obj1}${obj4}5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length ${bin.length} >>\nstream\n`, 'latin1'),
    bin,
    Buffer.from(`\nendstream\nendobj\nstartxref\n${o5}\n%%EOF\n`, 'latin1'),
  ]);
}

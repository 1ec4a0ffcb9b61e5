import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';

/**
 * Builds hostile incremental updates byte by byte on top of a stamped file, the way an attacker
 * would with a hex editor: every object, xref row and trailer is written as given, duplicates and
 * wrong offsets included, so the tests control exactly what each reader is shown.
 */
export class Forge {
  private readonly parts: Buffer[];
  private pos: number;
  /** The offset of the base file's last xref (its `startxref` value): a new trailer's /Prev. */
  readonly prev: number;

  constructor(readonly base: Buffer) {
    const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(base.toString('latin1'));
    if (!m) throw new Error('the base file has no startxref at its end');
    this.prev = Number(m[1]);
    this.parts = [base];
    this.pos = base.length;
  }

  /** Appends raw text; returns where it starts. */
  raw(text: string | Buffer): number {
    const at = this.pos;
    const b = Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1');
    this.parts.push(b);
    this.pos += b.length;
    return at;
  }

  /** Appends `num gen obj … endobj`; returns its offset. */
  obj(num: number, body: string, gen = 0): number {
    return this.raw(`${num} ${gen} obj\n${body}\nendobj\n`);
  }

  /**
   * A classic xref table whose rows are written exactly in the given order, each as its own
   * one-entry subsection (so an object can appear twice), then the trailer with /Prev.
   */
  table(rows: Array<[num: number, offset: number, type?: 'n' | 'f']>, trailer: string): this {
    const at = this.pos;
    let s = 'xref\n';
    for (const [num, off, t = 'n'] of rows) s += `${num} 1\n${String(off).padStart(10, '0')} ${t === 'f' ? '65535' : '00000'} ${t} \n`;
    this.raw(`${s}trailer\n${withPrev(trailer, this.prev)}\nstartxref\n${at}\n%%EOF\n`);
    return this;
  }

  /**
   * An xref stream (object `num`) with rows [object, type, field 2, field 3] in the given order,
   * each row its own /Index pair so that an object can be listed twice.
   */
  xrefStream(num: number, rows: Array<[obj: number, type: number, f2: number, f3: number]>, trailerEntries: string): this {
    const at = this.pos;
    const all = [...rows, [num, 1, at, 0] as [number, number, number, number]];
    const bin = Buffer.alloc(all.length * 7);
    all.forEach(([, t, f2, f3], i) => { bin[i * 7] = t; bin.writeUInt32BE(f2, i * 7 + 1); bin.writeUInt16BE(f3, i * 7 + 5); });
    const index = all.map(([o]) => `${o} 1`).join(' ');
    this.raw(Buffer.concat([
      Buffer.from(`${num} 0 obj\n<< /Type /XRef ${withPrev(trailerEntries, this.prev).replace(/^<<|>>$/g, '')} /W [1 4 2] /Index [${index}] /Length ${bin.length} >>\nstream\n`, 'latin1'),
      bin,
      Buffer.from(`\nendstream\nendobj\nstartxref\n${at}\n%%EOF\n`, 'latin1'),
    ]));
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function withPrev(trailer: string, prev: number): string {
  return trailer.replace(/>>\s*$/, `/Prev ${prev} >>`);
}

/** A content stream object body. */
export function stream(content: string, dictExtra = ''): string {
  return `<< ${dictExtra}/Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
}

/** An object stream body holding `objects` ([number, text]) in that order. */
export function objectStream(objects: Array<[number, string]>): string {
  let offset = 0;
  const head: string[] = [];
  const bodies: string[] = [];
  for (const [num, text] of objects) {
    head.push(`${num} ${offset}`);
    bodies.push(text);
    offset += Buffer.byteLength(text, 'latin1') + 1;
  }
  const header = `${head.join(' ')} `;
  const data = `${header}${bodies.join('\n')}\n`;
  return `<< /Type /ObjStm /N ${objects.length} /First ${header.length} /Length ${data.length} >>\nstream\n${data}\nendstream`;
}

/** The offset at which `num 0 obj` starts (the last definition in the file). */
export function offsetOf(b: Buffer, num: number): number {
  const at = b.lastIndexOf(`\n${num} 0 obj`);
  if (at < 0) throw new Error(`object ${num} not found`);
  return at + 1;
}

export type Renderer = 'poppler' | 'mupdf';

/**
 * The page rendered at a low resolution by poppler (pdftoppm) or MuPDF (mutool draw), as a hash
 * of its pixels; null when the renderer cannot draw the file at all.
 */
export function renderHash(file: string, renderer: Renderer, dir: string, page = 1): string | null {
  const out = path.join(dir, `render-${renderer}-${crypto.randomBytes(4).toString('hex')}`);
  const r = renderer === 'poppler'
    ? spawnSync('pdftoppm', ['-r', '24', '-f', String(page), '-l', String(page), '-singlefile', '-png', file, out], { encoding: 'utf8' })
    : spawnSync('mutool', ['draw', '-q', '-r', '24', '-F', 'png', '-o', `${out}.png`, file, String(page)], { encoding: 'utf8' });
  if (r.status !== 0 || !fs.existsSync(`${out}.png`)) return null;
  // The PNG bytes carry no time stamps from these tools; hash the decoded-equivalent file.
  const h = crypto.createHash('sha256').update(fs.readFileSync(`${out}.png`)).digest('hex');
  fs.rmSync(`${out}.png`, { force: true });
  return h;
}

/** Page 1's text as pdf.js extracts it (the reader of the renderer and of the keyword search). */
export async function pdfjsText(bytes: Uint8Array): Promise<string | null> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false });
  try {
    const doc = await task.promise;
    const page = await doc.getPage(1);
    const content = await page.getTextContent();
    return content.items.map((i) => ('str' in i ? i.str : '')).join('');
  } catch {
    return null;
  } finally {
    await task.destroy();
  }
}

/**
 * The file as a reader that rebuilds the cross-reference sees it: every startxref is pointed past
 * the end (same length, so nothing else moves), which makes poppler scan the file for `n g obj`.
 */
export function withXrefLost(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString('latin1').replace(/startxref(\s+)(\d+)/g, (_m, ws: string, d: string) => `startxref${ws}${'9'.repeat(d.length)}`), 'latin1');
}

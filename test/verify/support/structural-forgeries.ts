import { Forge, objectStream, offsetOf, stream, type Renderer } from './forge';
import type { AnomalyCode } from '../../../src/core/pdf/revision-anomalies';

/**
 * Structural forgeries of a stamped contract: updates that let two readers see two documents.
 * The contract is the one of contract() below (catalog 1, pages 2, page 3, content 4, font 5),
 * stamped by SealDesk (PAdES or GM), so the stamp's revision rewrote 1 and 3.
 */
export interface Forgery {
  /** The finding the verifier must name (revision-anomalies.ts code). */
  code: AnomalyCode;
  name: string;
  bytes: Buffer;
  /** Which renderers draw page 1 differently from the stamped original (asserted exactly). */
  shows: Renderer[];
}

export const FORGED_TEXT = 'BT /F1 18 Tf 72 700 Td (Pay 900000 yuan) Tj ET';
export const COURIER = '<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>';
export const HELVETICA = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

export function contractObjects(text = 'Pay 100 yuan'): Array<{ num: number; body: string }> {
  return [
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>' },
    { num: 3, body: '<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>' },
    { num: 4, body: stream(`BT /F1 18 Tf 72 700 Td (${text}) Tj ET`) },
    { num: 5, body: HELVETICA },
  ];
}

/** The body (between `obj` and `endobj`) of the last definition of object `num` in the file. */
export function lastBody(b: Buffer, num: number): string {
  const at = offsetOf(b, num);
  const text = b.toString('latin1', at);
  const m = /^\d+ \d+ obj\s*([\s\S]*?)\s*endobj/.exec(text);
  if (!m) throw new Error(`object ${num} has no endobj`);
  return m[1]!;
}

/** The size a new trailer needs, and the next free object number. */
export function sizeOf(b: Buffer): number {
  const all = [...b.toString('latin1').matchAll(/\/Size\s+(\d+)/g)];
  return Number(all[all.length - 1]![1]);
}

/** Inserts ` entries` just before the closing `>>` of a dictionary body (a repeated key goes last). */
function beforeClose(body: string, entries: string): string {
  const at = body.lastIndexOf('>>');
  return `${body.slice(0, at)}${entries} ${body.slice(at)}`;
}

export function structuralForgeries(stamped: Buffer): Forgery[] {
  const out: Forgery[] = [];
  const n = sizeOf(stamped);
  const trailer = (extra = ''): string => `<< /Size ${n + 10} /Root 1 0 R ${extra}>>`;
  const orig4 = offsetOf(stamped, 4);
  const orig5 = offsetOf(stamped, 5);
  const page = lastBody(stamped, 3);
  const catalog = lastBody(stamped, 1);

  // An object defined twice in one xref section.
  {
    const f = new Forge(stamped);
    const forged = f.obj(4, stream(FORGED_TEXT));
    out.push({ code: 'duplicate-xref-entry', name: 'the content stream listed twice, the original first and a forgery second', bytes: f.table([[4, orig4], [4, forged]], trailer()).bytes(), shows: [] });
  }
  {
    const f = new Forge(stamped);
    const forged = f.obj(4, stream(FORGED_TEXT));
    out.push({ code: 'duplicate-xref-entry', name: 'the content stream listed twice, the forgery first', bytes: f.table([[4, forged], [4, orig4]], trailer()).bytes(), shows: ['poppler', 'mupdf'] });
  }
  {
    const f = new Forge(stamped);
    const forged = f.obj(5, COURIER);
    out.push({ code: 'duplicate-xref-entry', name: 'the font listed once as free and once in use', bytes: f.table([[5, 0, 'f'], [5, forged]], trailer()).bytes(), shows: [] });
  }
  {
    const f = new Forge(stamped);
    const forged = f.obj(5, COURIER);
    out.push({ code: 'duplicate-xref-entry', name: 'the font listed twice in an xref stream', bytes: f.xrefStream(n, [[5, 1, orig5, 0], [5, 1, forged, 0]], trailer()).bytes(), shows: [] });
  }

  // An object defined twice in one object stream.
  {
    const f = new Forge(stamped);
    f.obj(n + 1, objectStream([[5, HELVETICA], [5, COURIER]]));
    out.push({ code: 'duplicate-objstm-entry', name: 'the font twice in a new object stream, the xref pointing at the second copy', bytes: f.xrefStream(n, [[5, 2, n + 1, 1], [n + 1, 1, offsetOf(f.bytes(), n + 1), 0]], trailer()).bytes(), shows: [] });
  }
  {
    const f = new Forge(stamped);
    f.obj(n + 1, objectStream([[5, COURIER], [5, HELVETICA]]));
    out.push({ code: 'duplicate-objstm-entry', name: 'the font twice in a new object stream, the forgery first', bytes: f.xrefStream(n, [[5, 2, n + 1, 0], [n + 1, 1, offsetOf(f.bytes(), n + 1), 0]], trailer()).bytes(), shows: [] });
  }

  // A dictionary with the same key twice.
  {
    const f = new Forge(stamped);
    const forged = f.obj(n + 1, stream(FORGED_TEXT));
    const p = f.obj(3, beforeClose(page, `/Contents ${n + 1} 0 R`));
    out.push({ code: 'duplicate-key', name: 'the page with a second /Contents pointing at a forgery', bytes: f.table([[n + 1, forged], [3, p]], trailer()).bytes(), shows: [] });
  }
  {
    const f = new Forge(stamped);
    const forged = f.obj(n + 1, stream(FORGED_TEXT));
    const p = f.obj(3, page.replace(/^<</, `<< /Contents ${n + 1} 0 R`));
    out.push({ code: 'duplicate-key', name: 'the page with a forged /Contents written before the real one', bytes: f.table([[n + 1, forged], [3, p]], trailer()).bytes(), shows: ['poppler', 'mupdf'] });
  }
  {
    const f = new Forge(stamped);
    const at = f.obj(5, beforeClose(HELVETICA, '/BaseFont /Courier'));
    out.push({ code: 'duplicate-key', name: 'the font with a second /BaseFont', bytes: f.table([[5, at]], trailer()).bytes(), shows: [] });
  }
  {
    const f = new Forge(stamped);
    const c = f.obj(n + 1, `<< /Type /Catalog /Pages ${n + 2} 0 R >>`);
    const ps = f.obj(n + 2, `<< /Type /Pages /Kids [${n + 3} 0 R] /Count 1 /MediaBox [0 0 595 842] >>`);
    const pg = f.obj(n + 3, `<< /Type /Page /Parent ${n + 2} 0 R /Contents ${n + 4} 0 R /Resources << /Font << /F1 5 0 R >> >> >>`);
    const ct = f.obj(n + 4, stream(FORGED_TEXT));
    out.push({ code: 'duplicate-key', name: 'the trailer with a second /Root naming another document', bytes: f.table([[n + 1, c], [n + 2, ps], [n + 3, pg], [n + 4, ct]], trailer(`/Root ${n + 1} 0 R `)).bytes(), shows: [] });
  }
  {
    const f = new Forge(stamped);
    const ps = f.obj(n + 2, `<< /Type /Pages /Kids [${n + 3} 0 R] /Count 1 /MediaBox [0 0 595 842] >>`);
    const pg = f.obj(n + 3, `<< /Type /Page /Parent ${n + 2} 0 R /Contents ${n + 4} 0 R /Resources << /Font << /F1 5 0 R >> >> >>`);
    const ct = f.obj(n + 4, stream(FORGED_TEXT));
    const c = f.obj(1, beforeClose(catalog, `/Pages ${n + 2} 0 R`));
    out.push({ code: 'duplicate-key', name: 'the catalog with a second /Pages', bytes: f.table([[n + 2, ps], [n + 3, pg], [n + 4, ct], [1, c]], trailer()).bytes(), shows: [] });
  }

  // Objects appended after the last xref without an xref or trailer of their own.
  {
    const f = new Forge(stamped);
    f.obj(4, stream(FORGED_TEXT));
    out.push({ code: 'trailing-object', name: 'a forged content stream appended after %%EOF', bytes: f.bytes(), shows: [] });
  }
  {
    const f = new Forge(stamped);
    f.obj(5, COURIER);
    f.raw('%%EOF\n');
    out.push({ code: 'trailing-object', name: 'a forged font appended after %%EOF, closed by another %%EOF', bytes: f.bytes(), shows: [] });
  }
  {
    const f = new Forge(stamped);
    f.obj(4, stream(FORGED_TEXT));
    f.raw(`startxref\n${f.prev}\n%%EOF\n`);
    out.push({ code: 'trailing-object', name: 'a forged content stream appended with a repeated startxref', bytes: f.bytes(), shows: [] });
  }

  // A few bytes after the last %%EOF.
  for (const [name, tail] of [['three bytes', 'abc'], ['a comment line', '% unsigned note\n'], ['binary bytes', Buffer.from([0x80, 0xff, 0x01, 0x7f])],
    ['three kilobytes of text', 'unsigned appendix '.repeat(170)]] as const) {
    const f = new Forge(stamped);
    f.raw(tail);
    out.push({ code: 'trailing-data', name: `${name} after the last %%EOF`, bytes: f.bytes(), shows: [] });
  }

  // An xref entry whose offset holds another object's header, or none.
  {
    const f = new Forge(stamped);
    const hidden = f.obj(4, stream(FORGED_TEXT));
    out.push({ code: 'xref-wrong-object', name: 'an unused object number indexed at a forged "4 0 obj"', bytes: f.table([[n + 1, hidden]], trailer()).bytes(), shows: [] });
  }
  {
    const f = new Forge(stamped);
    f.obj(5, HELVETICA);
    out.push({ code: 'xref-wrong-object', name: 'the content stream indexed at the font\'s bytes', bytes: f.table([[4, orig5]], trailer()).bytes(), shows: ['poppler', 'mupdf'] });
  }
  {
    const f = new Forge(stamped);
    const hidden = f.obj(4, stream(FORGED_TEXT));
    out.push({ code: 'xref-wrong-object', name: 'the font indexed at a forged "4 0 obj"', bytes: f.table([[5, hidden]], trailer()).bytes(), shows: ['poppler', 'mupdf'] });
  }
  {
    const f = new Forge(stamped);
    const at = f.obj(n + 1, stream(FORGED_TEXT));
    out.push({ code: 'xref-no-object', name: 'the font indexed in the middle of a stream', bytes: f.table([[5, at + 20]], trailer()).bytes(), shows: ['poppler', 'mupdf'] });
  }

  // A trailer /Size that leaves the update's own objects out.
  {
    const f = new Forge(stamped);
    const forged = f.obj(n + 1, stream(FORGED_TEXT));
    const p = f.obj(3, page.replace(/\/Contents\s+\d+ 0 R/, `/Contents ${n + 1} 0 R`));
    out.push({ code: 'size-too-small', name: 'a forged content stream numbered beyond the trailer\'s /Size', bytes: f.table([[n + 1, forged], [3, p]], `<< /Size ${n} /Root 1 0 R >>`).bytes(), shows: [] });
  }

  // Object bodies inside an update that its xref does not index.
  {
    const f = new Forge(stamped);
    f.obj(4, stream(FORGED_TEXT));
    const font = f.obj(5, HELVETICA);
    out.push({ code: 'unindexed-object', name: 'a forged content stream before an indexed object', bytes: f.table([[5, font]], trailer()).bytes(), shows: [] });
  }
  {
    const f = new Forge(stamped);
    const font = f.obj(5, HELVETICA);
    f.obj(5, COURIER);
    out.push({ code: 'unindexed-object', name: 'a second, unindexed font after the indexed one', bytes: f.table([[5, font]], trailer()).bytes(), shows: [] });
  }
  {
    const f = new Forge(stamped);
    const font = f.obj(5, HELVETICA);
    f.raw('this is not an object\n');
    out.push({ code: 'unindexed-data', name: 'garbage text between an update\'s object and its xref', bytes: f.table([[5, font]], trailer()).bytes(), shows: [] });
  }

  // Object streams whose structure contradicts their use.
  {
    const f = new Forge(stamped);
    f.obj(n + 1, objectStream([[5, HELVETICA], [n + 2, COURIER]]));
    out.push({ code: 'objstm-index-mismatch', name: 'the xref puts the font at the slot of another object in a new object stream', bytes: f.xrefStream(n, [[5, 2, n + 1, 1], [n + 1, 1, offsetOf(f.bytes(), n + 1), 0]], trailer()).bytes(), shows: [] });
  }
  {
    const f = new Forge(stamped);
    f.obj(n + 1, objectStream([[4, '(not a stream)'], [5, COURIER]]));
    out.push({ code: 'objstm-unindexed-object', name: 'a new object stream carrying a forged font the xref does not point to', bytes: f.xrefStream(n, [[n + 1, 1, offsetOf(f.bytes(), n + 1), 0]], trailer()).bytes(), shows: [] });
  }
  {
    // A hybrid update: the table keeps the original content, the /XRefStm stream points at the forgery.
    const f = new Forge(stamped);
    const forged = f.obj(4, stream(FORGED_TEXT));
    const xs = f.raw(xrefStmObject(n + 1, [[4, 1, forged, 0]]));
    const at = f.raw(`xref\n4 1\n${String(orig4).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${n + 10} /Root 1 0 R /XRefStm ${xs} /Prev ${f.prev} >>\n`);
    f.raw(`startxref\n${at}\n%%EOF\n`);
    out.push({ code: 'hybrid-xref-conflict', name: 'a hybrid update whose table and /XRefStm disagree on the content stream', bytes: f.bytes(), shows: [] });
  }
  return out;
}

/** An xref stream object (not the section startxref points to: the /XRefStm of a hybrid update). */
function xrefStmObject(num: number, rows: Array<[number, number, number, number]>): Buffer {
  const bin = Buffer.alloc(rows.length * 7);
  rows.forEach(([, t, f2, f3], i) => { bin[i * 7] = t; bin.writeUInt32BE(f2, i * 7 + 1); bin.writeUInt16BE(f3, i * 7 + 5); });
  const index = rows.map(([o]) => `${o} 1`).join(' ');
  return Buffer.concat([
    Buffer.from(`${num} 0 obj\n<< /Type /XRef /Size ${num + 1} /W [1 4 2] /Index [${index}] /Length ${bin.length} >>\nstream\n`, 'latin1'),
    bin,
    Buffer.from('\nendstream\nendobj\n', 'latin1'),
  ]);
}

/**
 * An object stream of the stamped original rewritten (new members, same number) without the
 * xref entries of the objects it holds changing. `root` is the trailer's /Root ("1 0 R").
 */
export function objectStreamReplaced(stamped: Buffer, objstmNum: number, members: Array<[number, string]>, root: string): Buffer {
  const f = new Forge(stamped);
  const at = f.obj(objstmNum, objectStream(members));
  return f.table([[objstmNum, at]], `<< /Size ${sizeOf(stamped) + 1} /Root ${root} >>`).bytes();
}

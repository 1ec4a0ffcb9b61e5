/**
 * Run as a child process by test/pdf/work-budget.test.ts, so that its peak memory can be read on
 * its own: `build <case> <file>` writes a hostile PDF, `run <file> <op>…` opens, verifies or stamps it
 * and prints one JSON line per operation with the outcome and process.resourceUsage().maxRSS (the
 * peak so far: each operation's bound holds for all before it too).
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { openPdf } from '../../../src/core/pdf/document';
import { verifyPdf } from '../../../src/core/verify/verify-pdf';
import { stampPdf } from '../../../src/core/sign';
import { isSealDeskError } from '../../../src/core/errors';
import { softwareKeeper } from '../../cms/software-signer';
import { sealDer, sealPicture } from '../../sign/support/stamp-fixtures';

const MB = 1024 * 1024;

/** A zlib stream inflating to `size` zero bytes, made from one compressed 16 MB segment repeated. */
function zeroBomb(size: number): Buffer {
  const chunk = 16 * MB;
  const segment = zlib.deflateRawSync(Buffer.alloc(chunk), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const n = Math.ceil(size / chunk);
  const total = n * chunk;
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((total % 65521) * 65536 + 1);
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...Array<Buffer>(n).fill(segment), Buffer.from([0x03, 0x00]), adler]);
}

/**
 * A PDF from object bodies (strings or buffers), objects numbered from 1: a classic xref table, or
 * an xref stream when some objects live in object streams (`compressed`: [object, stream, index]).
 */
function pdf(objects: Array<string | Buffer>, compressed: Array<[number, number, number]> = []): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let pos = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pos);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n')]);
    parts.push(b);
    pos += b.length;
  });
  if (compressed.length === 0) {
    const rows = offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
    parts.push(Buffer.from(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${rows}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${pos}\n%%EOF\n`, 'latin1'));
    return Buffer.concat(parts);
  }
  const xrefNum = objects.length + 1;
  const rows: Array<[number, number, number, number]> = [[0, 0, 0, 65535], ...offsets.map((o, i): [number, number, number, number] => [i + 1, 1, o, 0]), [xrefNum, 1, pos, 0], ...compressed.map(([n, st, ix]): [number, number, number, number] => [n, 2, st, ix])];
  const bin = Buffer.alloc(rows.length * 7);
  rows.forEach(([, t, f2, f3], i) => { bin[i * 7] = t; bin.writeUInt32BE(f2, i * 7 + 1); bin.writeUInt16BE(f3, i * 7 + 5); });
  const index = rows.map(([n]) => `${n} 1`).join(' ');
  const size = Math.max(...rows.map(([n]) => n)) + 1;
  parts.push(Buffer.from(`${xrefNum} 0 obj\n<< /Type /XRef /Size ${size} /Root 1 0 R /W [1 4 2] /Index [${index}] /Length ${bin.length} >>\nstream\n`, 'latin1'), bin, Buffer.from(`\nendstream\nendobj\nstartxref\n${pos}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

function streamObj(dict: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);
}

const PAGE_RES = '/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>';
const TEXT = 'BT /F1 18 Tf 72 700 Td (Contract keyword) Tj ET\n';

const builders: Record<string, () => Buffer> = {
  'content stream deflate bomb': () => pdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>',
    `<< /Type /Page /Parent 2 0 R /Contents [5 0 R 4 0 R] ${PAGE_RES} >>`,
    streamObj('/Filter /FlateDecode', zeroBomb(1024 * MB)),
    streamObj('', Buffer.from(TEXT)),
  ]),
  'object stream deflate bomb': () => {
    // The page tree (objects 10, 11) lives in object stream 4, padded with a gigabyte of NULs (whitespace).
    const members = ['<< /Type /Pages /Kids [11 0 R] /Count 1 /MediaBox [0 0 595 842] >>', `<< /Type /Page /Parent 10 0 R ${PAGE_RES} >>`];
    const { head, data } = objectStreamData([10, 11], members);
    return pdf(['<< /Type /Catalog /Pages 10 0 R >>', 'null', 'null', streamObj(`/Type /ObjStm /N 2 /First ${head} /Filter /FlateDecode`, prefixBomb(data, zeroBomb(1024 * MB)))], [[10, 4, 0], [11, 4, 1]]);
  },
  'two dozen object streams of 40 MB each': () => {
    const objs: Array<string | Buffer> = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>', `<< /Type /Page /Parent 2 0 R ${PAGE_RES} >>`];
    const compressed: Array<[number, number, number]> = [];
    const bomb = zeroBomb(40 * MB);
    for (let i = 0; i < 24; i++) {
      // each stream holds one small object; the rest of its 40 MB is NUL padding
      const { head, data } = objectStreamData([100 + i], ['(x)']);
      objs.push(streamObj(`/Type /ObjStm /N 1 /First ${head} /Filter /FlateDecode`, prefixBomb(data, bomb)));
      compressed.push([100 + i, objs.length, 0]);
    }
    return pdf(objs, compressed);
  },
  'a 100 MB string': () => pdf([
    Buffer.concat([Buffer.from('<< /Type /Catalog /Pages 2 0 R /Note ('), Buffer.alloc(100 * MB, 0x41), Buffer.from(') >>')]),
    '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>',
    `<< /Type /Page /Parent 2 0 R ${PAGE_RES} >>`,
  ]),
  'a million pages': () => manyPages(1_000_000, 1_000_000),
  'pages beyond the limit under a /Count that lies': () => manyPages(150_000, 1),
  'forms that draw forms ten deep, ten times each': () => {
    const objs: Array<string | Buffer> = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>',
      `<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /XObject << /X 5 0 R >> /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>`,
      streamObj('', Buffer.from(`${TEXT}${'/X Do\n'.repeat(10)}`))];
    for (let level = 0; level < 10; level++) {
      const num = 5 + level;
      const calls = level < 9 ? '/X Do\n'.repeat(10) : '0 0 m 1 1 l S\n';
      objs.push(streamObj(`/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /X ${num + 1} 0 R >> >>`, Buffer.from(calls)));
    }
    return pdf(objs);
  },
  'a page tree nested ten thousand deep': () => {
    const objs: string[] = ['<< /Type /Catalog /Pages 2 0 R >>'];
    const depth = 10_000;
    for (let i = 0; i < depth; i++) objs.push(`<< /Type /Pages /Kids [${i + 3} 0 R] /Count 1 >>`);
    objs.push(`<< /Type /Page /Parent ${depth + 1} 0 R /MediaBox [0 0 595 842] >>`);
    return pdf(objs);
  },
};

/**
 * A zlib stream that inflates to `prefix` followed by the zeros of a zeroBomb. The final block and
 * checksum are dropped (the checksum would be wrong for the prefix): the stream ends open, which
 * the reader tolerates as many writers' streams need it to.
 */
function prefixBomb(prefix: Buffer, bomb: Buffer): Buffer {
  const head = zlib.deflateRawSync(prefix, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat([bomb.subarray(0, 2), head, bomb.subarray(2, bomb.length - 6)]);
}

/** An object stream's decoded data for `members` numbered `nums`, and its /First. */
function objectStreamData(nums: number[], members: string[]): { head: number; data: Buffer } {
  let off = 0;
  const head = nums.map((n, i) => { const h = `${n} ${off}`; off += members[i]!.length + 1; return h; }).join(' ') + ' ';
  return { head: head.length, data: Buffer.from(head + members.join('\n') + '\n', 'latin1') };
}

function manyPages(pages: number, count: number): Buffer {
  // Catalog 1, root node 2, intermediate nodes of 1000 kids each, then the pages: written as one
  // string (offsets from the lengths) so that a million pages build in seconds.
  const perNode = 1000;
  const nodes = Math.ceil(pages / perNode);
  const nodeNum = (i: number): number => 3 + i;
  const pageNum = (i: number): number => 3 + nodes + i;
  const bodies: string[] = ['<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${Array.from({ length: nodes }, (_, i) => `${nodeNum(i)} 0 R`).join(' ')}] /Count ${count} /MediaBox [0 0 595 842] >>`];
  for (let i = 0; i < nodes; i++) {
    const kids: string[] = [];
    for (let k = i * perNode; k < Math.min(pages, (i + 1) * perNode); k++) kids.push(`${pageNum(k)} 0 R`);
    bodies.push(`<< /Type /Pages /Parent 2 0 R /Kids [${kids.join(' ')}] /Count ${kids.length} >>`);
  }
  for (let k = 0; k < pages; k++) bodies.push(`<< /Type /Page /Parent ${nodeNum(Math.floor(k / perNode))} 0 R >>`);
  const head = '%PDF-1.7\n';
  const chunks: string[] = [head];
  const rows: string[] = [];
  let pos = head.length;
  bodies.forEach((b, i) => {
    const text = `${i + 1} 0 obj\n${b}\nendobj\n`;
    rows.push(`${String(pos).padStart(10, '0')} 00000 n \n`);
    chunks.push(text);
    pos += text.length;
  });
  chunks.push(`xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`, rows.join(''), `trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R >>\nstartxref\n${pos}\n%%EOF\n`);
  return Buffer.from(chunks.join(''), 'latin1');
}

async function run(op: string, file: string): Promise<Record<string, unknown>> {
  if (op === 'read') {
    const doc = openPdf(fs.readFileSync(file));
    doc.checkAllObjects();
    doc.pages();
    doc.signatureFields();
    return { outcome: 'ok' };
  }
  if (op === 'verify') {
    const r = verifyPdf(file, { trustRoots: [] });
    return { outcome: 'ok', verdict: r.verdict };
  }
  const { signer } = await softwareKeeper('EC-P256');
  const placement = op === 'stamp-keyword' ? { kind: 'keyword' as const, text: 'keyword', occurrence: 1 } : { kind: 'point' as const, page: 1, x: 100, y: 100 };
  await stampPdf({ input: file, output: `${file}.${op}.pdf`, placement, sealDer, sealPicture, signer });
  return { outcome: 'ok', output: fs.existsSync(`${file}.${op}.pdf`) };
}

/** `build <case> <file>`; `run <file> <op>...` prints one JSON line per operation, run one after another. */
async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2) as [string, ...string[]];
  if (mode === 'build') {
    fs.writeFileSync(args[1]!, builders[args[0]!]!());
    return;
  }
  const [file, ...ops] = args as [string, ...string[]];
  for (const op of ops) {
    let result: Record<string, unknown>;
    try {
      result = await run(op, file);
    } catch (e) {
      result = isSealDeskError(e) ? { outcome: 'refused', code: e.code, zh: e.zh, en: e.en, reason: e.details.reason } : { outcome: 'crash', error: String(e) };
    }
    process.stdout.write(`${JSON.stringify({ op, ...result, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  }
}

if (require.main === module) void main();

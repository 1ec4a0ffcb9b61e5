import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { openPdf, PdfStream, PdfRef, PdfName } from '../../src/core/pdf';
import { appendUpdate, onePagePdf } from './support/handmade-pdf';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-reader-'));

async function pdfLibDocument(pages: number): Promise<PDFDocument> {
  const d = await PDFDocument.create();
  const f = await d.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) d.addPage([595, 842]).drawText(`page ${i + 1}`, { x: 72, y: 700, font: f });
  return d;
}

test('a classic-xref file opens with one revision ending at its %%EOF and its pages in order', async () => {
  const bytes = await (await pdfLibDocument(3)).save({ useObjectStreams: false });
  const doc = openPdf(bytes);
  assert.equal(doc.revisions.length, 1);
  assert.equal(doc.revisions[0]!.kind, 'table');
  assert.equal(Buffer.from(bytes.subarray(doc.revisions[0]!.eofEnd - 5, doc.revisions[0]!.eofEnd)).toString(), '%%EOF');
  assert.equal(doc.pages().length, 3);
  assert.deepEqual(doc.pages()[2]!.mediaBox, [0, 0, 595, 842]);
});

test('xref streams and compressed object streams made by qpdf are read', async () => {
  const src = path.join(work, 'plain.pdf');
  fs.writeFileSync(src, await (await pdfLibDocument(4)).save({ useObjectStreams: false }));
  const out = path.join(work, 'objstm.pdf');
  execFileSync('qpdf', ['--object-streams=generate', src, out]);
  const doc = openPdf(fs.readFileSync(out));
  assert.equal(doc.revisions[0]!.kind, 'stream');
  const compressed = [...doc.revisions[0]!.entries.values()].filter((e) => e.type === 'compressed');
  assert.ok(compressed.length > 0, 'qpdf should have compressed some objects');
  assert.equal(doc.pages().length, 4);
  const page = doc.pages()[3]!;
  // pdf-lib writes the text as a hex string of WinAnsi codes.
  assert.ok(Buffer.from(doc.pageContent(page)).toString('latin1').toUpperCase().includes(Buffer.from('page 4').toString('hex').toUpperCase()));
});

test('pages inherit /Rotate, /MediaBox and /CropBox from the page tree', () => {
  const doc = openPdf(onePagePdf({ pagesExtra: '/MediaBox [0 0 842 595] /Rotate -270 /CropBox [10 20 800 500]' }));
  const p = doc.pages()[0]!;
  assert.equal(p.rotate, 90);
  assert.deepEqual(p.mediaBox, [0, 0, 842, 595]);
  assert.deepEqual(p.cropBox, [10, 20, 800, 500]);
});

test('an appended update is a second revision that lists exactly the objects it changes', () => {
  const base = onePagePdf();
  const updated = appendUpdate(base, [
    { num: 4, body: '<< /Length 5 >>\nstream\nq Q  \nendstream' },
    { num: 6, body: '<< /Producer (edit) >>' },
  ], '<< /Size 7 /Root 1 0 R /Info 6 0 R >>');
  const doc = openPdf(updated);
  assert.equal(doc.revisions.length, 2);
  assert.equal(doc.revisions[0]!.end, base.length);
  assert.equal(doc.revisions[1]!.end, updated.length);
  assert.deepEqual([...doc.revisions[1]!.entries.keys()].sort(), [4, 6]);
  const now = doc.getObject(new PdfRef(4, 0));
  const before = doc.getObject(new PdfRef(4, 0), { revision: 0 });
  assert.ok(now instanceof PdfStream && before instanceof PdfStream);
  assert.notEqual(Buffer.from(now.raw).toString(), Buffer.from(before.raw).toString());
  assert.equal(doc.getObject(new PdfRef(6, 0), { revision: 0 }), null);
});

test('dictionary values and array items keep their exact byte positions', () => {
  const bytes = onePagePdf({ pageExtra: '/MediaBox [ 0 0 300 400 ]' });
  const doc = openPdf(bytes);
  const page = doc.pages()[0]!;
  const span = page.dict.valueSpans.get('MediaBox')!;
  assert.equal(Buffer.from(bytes.subarray(span.start, span.end)).toString('latin1'), '[ 0 0 300 400 ]');
  assert.ok(page.dict.get('Type') instanceof PdfName);
});

test('an encrypted PDF is refused as encrypted, not as damaged', async () => {
  const src = path.join(work, 'plain2.pdf');
  fs.writeFileSync(src, await (await pdfLibDocument(1)).save());
  const enc = path.join(work, 'enc.pdf');
  execFileSync('qpdf', ['--encrypt', 'user', 'owner', '256', '--', src, enc]);
  assert.throws(() => openPdf(fs.readFileSync(enc)), (e: unknown) => (e as { code?: string }).code === 'PDF_ENCRYPTED');
});

test('a signature dictionary reports the exact byte positions of its /ByteRange and /Contents', async () => {
  const { stampPdf } = await import('../../src/core/sign/stamp-pdf.js');
  const { softwareKeeper } = await import('../cms/software-signer.js');
  const { classicPdf, sealDer, sealPicture } = await import('../sign/support/stamp-fixtures.js');
  const input = await classicPdf(path.join(work, 'tosign.pdf'), 1);
  const output = path.join(work, 'signed.pdf');
  await stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 200, y: 200 }, sealDer, sealPicture, signer: (await softwareKeeper('EC-P256')).signer });
  const bytes = fs.readFileSync(output);
  const v = openPdf(bytes).signatureFields()[0]!.value!;
  const text = (s: { start: number; end: number }): string => bytes.subarray(s.start, s.end).toString('latin1');
  assert.match(text(v.byteRangeSpan), /^\[0 \d+ \d+ \d+ *\]$/);
  assert.deepEqual(text(v.byteRangeSpan).slice(1, -1).trim().split(/\s+/).map(Number), v.byteRange);
  assert.equal(v.contentsSpan.start, v.byteRange[1]);
  assert.equal(v.contentsSpan.end, v.byteRange[2]);
  assert.ok(v.contentsIsHex && text(v.contentsSpan).startsWith('<30') && text(v.contentsSpan).endsWith('0>'));
  assert.equal(v.compressed, false);
});

test('a hybrid file (classic table plus /XRefStm) finds objects that only the xref stream lists', () => {
  // Object 3 (the page) lives in an object stream listed only by the hidden xref stream.
  const head = '%PDF-1.7\n';
  const obj1 = '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n';
  const obj2 = '2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 300 300] >>\nendobj\n';
  const inner = '<< /Type /Page /Parent 2 0 R /Rotate 180 >>';
  const stmData = `3 0 ${inner}`;
  const o1 = head.length, o2 = o1 + obj1.length, o4 = o2 + obj2.length;
  const obj4 = `4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length ${stmData.length} >>\nstream\n${stmData}\nendstream\nendobj\n`;
  const o5 = o4 + obj4.length;
  const rows = Buffer.alloc(7);
  rows[0] = 2; rows.writeUInt32BE(4, 1); rows.writeUInt16BE(0, 5);
  const obj5head = `5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Index [3 1] /Length ${rows.length} >>\nstream\n`;
  const obj5tail = '\nendstream\nendobj\n';
  const ox = o5 + obj5head.length + rows.length + obj5tail.length;
  const pad = (n: number): string => String(n).padStart(10, '0');
  const xref = `xref\n0 6\n0000000000 65535 f \n${pad(o1)} 00000 n \n${pad(o2)} 00000 n \n0000000000 65535 f \n${pad(o4)} 00000 n \n${pad(o5)} 00000 n \n`;
  const bytes = Buffer.concat([Buffer.from(head + obj1 + obj2 + obj4 + obj5head), rows,
    Buffer.from(`${obj5tail}${xref}trailer\n<< /Size 6 /Root 1 0 R /XRefStm ${o5} >>\nstartxref\n${ox}\n%%EOF\n`)]);
  const doc = openPdf(bytes);
  assert.equal(doc.revisions.length, 1);
  assert.equal(doc.pages()[0]!.rotate, 180);
  const file = path.join(work, 'hybrid.pdf');
  fs.writeFileSync(file, bytes);
  const check = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
});

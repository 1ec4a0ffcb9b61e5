// The page tree main sends up front when the renderer opens a document (src/main/page-tree-ranges.ts):
// real files (a scanner-like file with every page under the root, a pdf-lib file with object
// streams, a damaged one), parsed again here with pdf-lib to know where each page dictionary lies.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { writeGeneratedPdf } from '../../bench/generated-pdf';
import { DocumentRegistry } from '../../src/main/document-registry';
import { documentBodyStream, documentResponse } from '../../src/main/document-ranges';
import { pageTreeRanges, type ByteRange } from '../../src/main/page-tree-ranges';

const CHUNK = 4096;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-page-tree-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Where each "N 0 obj" of a page dictionary starts, found by scanning the file's text. */
function pageDictOffsets(file: string): number[] {
  const text = fs.readFileSync(file).toString('latin1');
  const out: number[] = [];
  for (const m of text.matchAll(/\d+ 0 obj\s*<<\s*\/Type\s*\/Page\b(?!s)/g)) out.push(m.index);
  return out;
}
const covers = (ranges: ByteRange[], offset: number): boolean => ranges.some((r) => r.begin <= offset && offset < r.end);

test('every page dictionary of a 200-page scan lies in the ranges, each range whole chunks, far less than the file', () => {
  const file = path.join(dir, 'scan.pdf');
  writeGeneratedPdf(file, { name: 'scan', pages: 200, targetBytes: 8 * 1024 * 1024 });
  const size = fs.statSync(file).size;
  const ranges = pageTreeRanges(file, { chunkSize: CHUNK, maxBytes: 4 * 1024 * 1024 });
  const pages = pageDictOffsets(file);
  assert.equal(pages.length, 200);
  for (const p of pages) assert.ok(covers(ranges, p), `page dictionary at ${p} is sent`);
  assert.ok(covers(ranges, 0), 'the header is sent');
  // What drawing page 1 reads next comes along: its picture (the first image object in the file is page 1's).
  const firstImage = /\d+ 0 obj\s*<<[^>]*\/Subtype\s*\/Image/.exec(fs.readFileSync(file).toString('latin1'));
  assert.ok(firstImage && covers(ranges, firstImage.index), 'page 1\'s image is sent');
  assert.ok(covers(ranges, size - 1), 'the tail with startxref is sent');
  for (const r of ranges) {
    assert.equal(r.begin % CHUNK, 0);
    assert.ok(r.end % CHUNK === 0 || r.end === size, `range ${r.begin}-${r.end} ends on a chunk or at the end`);
  }
  const total = ranges.reduce((n, r) => n + r.end - r.begin, 0);
  assert.ok(total < size / 4, `${total} of ${size} bytes`);
});

test('the cap bounds what is sent; the walk stops there and pdf.js requests the rest itself', () => {
  const file = path.join(dir, 'scan.pdf');
  const ranges = pageTreeRanges(file, { chunkSize: CHUNK, maxBytes: 64 * 1024 });
  const total = ranges.reduce((n, r) => n + r.end - r.begin, 0);
  assert.ok(total <= 64 * 1024 + CHUNK * 4, `${total} bytes sent under a 64 KB cap`);
  assert.ok(pageDictOffsets(file).filter((p) => covers(ranges, p)).length < 200);
});

test('a file with object streams (pdf-lib) and a damaged file: the first has its page tree found, the second gives nothing', async () => {
  const doc = await PDFDocument.create();
  for (let i = 0; i < 30; i++) doc.addPage([595, 842]);
  const file = path.join(dir, 'objstm.pdf');
  fs.writeFileSync(file, await doc.save({ useObjectStreams: true }));
  const ranges = pageTreeRanges(file, { chunkSize: CHUNK, maxBytes: 4 * 1024 * 1024 });
  assert.ok(ranges.length > 0 && covers(ranges, 0));

  const damaged = path.join(dir, 'damaged.pdf');
  fs.writeFileSync(damaged, Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n'), Buffer.alloc(9000, 0x41), Buffer.from('\nstartxref\n99999999\n%%EOF\n')]));
  assert.deepEqual(pageTreeRanges(damaged, { chunkSize: CHUNK, maxBytes: 4 * 1024 * 1024 }), []);
});

test('document/<id>/page-tree answers the ranges as a JSON line followed by exactly those bytes of the file', async () => {
  const file = path.join(dir, 'scan.pdf');
  const documents = new DocumentRegistry();
  const ref = documents.add(file);
  const r = await documentResponse(documents, `/document/${ref.docId}/page-tree`, null);
  assert.equal(r.status, 200);
  const parts: Buffer[] = [];
  for await (const c of documentBodyStream(r.body!)) parts.push(Buffer.from(c as Uint8Array));
  const body = Buffer.concat(parts);
  const nl = body.indexOf(0x0a);
  const { ranges } = JSON.parse(body.subarray(0, nl).toString()) as { ranges: Array<[number, number]> };
  const whole = fs.readFileSync(file);
  let at = nl + 1;
  for (const [b, e] of ranges) {
    assert.ok(body.subarray(at, at + e - b).equals(whole.subarray(b, e)), `bytes ${b}-${e}`);
    at += e - b;
  }
  assert.equal(at, body.length);
  assert.equal((await documentResponse(documents, `/document/${'0'.repeat(24)}/page-tree`, null)).status, 404);
});

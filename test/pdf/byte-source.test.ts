// The reader's positioned reads (src/core/pdf/byte-source.ts): a document read from its file in
// windows is the same document as the one read from memory — every object, every page, every
// finding of the strict reading — and the one-pass digest of several stamps' byte ranges equals
// hashing each range on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPdf } from '../../src/core/pdf/document';
import { FileSource, MemorySource } from '../../src/core/pdf/byte-source';
import { revisionAnomalies } from '../../src/core/pdf/revision-anomalies';
import { digestRanges, digestRangesAndFile } from '../../src/core/verify/byte-range';

const TESTDATA = path.resolve(__dirname, '../../../shared/testdata');

function pdfsUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? pdfsUnder(path.join(dir, e.name)) : e.name.endsWith('.pdf') ? [path.join(dir, e.name)] : []));
}

/** What a reader makes of a document: its revisions, its pages' content, its strict-reading findings — or its refusal. */
function reading(input: Uint8Array | FileSource): string {
  try {
    const doc = openPdf(input);
    doc.checkAllObjects();
    const content = doc.pages().map((p) => crypto.createHash('sha256').update(doc.pageContent(p)).digest('hex').slice(0, 12));
    const fields = doc.signatureFields().map((f) => [f.name, f.value && 'byteRange' in f.value ? f.value.byteRange : null]);
    return JSON.stringify({ revisions: doc.revisions.map((r) => [r.end, r.eofEnd, r.xrefOffsets]), content, fields, findings: revisionAnomalies(doc, { from: 0 }).map((a) => `${a.code} ${a.object ?? ''}`) });
  } catch (e) {
    return `refused: ${(e as { code?: string }).code} ${(e as Error).message}`;
  }
}

test('every real and attack PDF reads the same from its file by positioned reads as from memory', () => {
  const files = [...pdfsUnder(path.join(TESTDATA, 'pdf-peers')), ...pdfsUnder(path.join(TESTDATA, 'pdf-attacks'))];
  assert.ok(files.length >= 20, `found ${files.length} fixture PDFs`);
  let refused = 0;
  for (const f of files) {
    const fromMemory = reading(new Uint8Array(fs.readFileSync(f)));
    const source = FileSource.open(f);
    try {
      assert.equal(reading(source), fromMemory, f);
    } finally {
      source.close();
    }
    if (fromMemory.startsWith('refused')) refused++;
  }
  assert.ok(refused < files.length, 'some of them are readable documents');
});

test('an object larger than the first window, a stream longer than the block cache, and a signature at the very end read whole', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-byte-source-'));
  try {
    const kids = Array.from({ length: 3000 }, () => '3 0 R').join(' '); // ~18 KB: past the first 16 KB window
    const data = crypto.randomBytes(5 * 1024 * 1024);
    const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
    const offsets: number[] = [];
    const add = (b: string | Buffer): void => { parts.push(Buffer.isBuffer(b) ? b : Buffer.from(b, 'latin1')); };
    const at = (): number => parts.reduce((n, p) => n + p.length, 0);
    offsets[1] = at(); add('1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n');
    offsets[2] = at(); add(`2 0 obj\n<< /Type /Pages /Count 1 /Kids [3 0 R] /Junk [${kids}] >>\nendobj\n`);
    offsets[3] = at(); add('3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Contents 4 0 R >>\nendobj\n');
    offsets[4] = at(); add(`4 0 obj\n<< /Length ${data.length} >>\nstream\n`); add(data); add('\nendstream\nendobj\n');
    const xref = at();
    add(`xref\n0 5\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
    const file = path.join(dir, 'big-objects.pdf');
    fs.writeFileSync(file, Buffer.concat(parts));
    const source = FileSource.open(file);
    try {
      const doc = openPdf(source);
      const pages = doc.resolveDict(doc.catalog.get('Pages'))!;
      assert.equal(doc.resolveArray(pages.get('Junk'))!.length, 3000);
      assert.ok(Buffer.from(doc.pageContent(doc.pages()[0]!)).subarray(0, data.length).equals(data));
      assert.equal(reading(source), reading(new Uint8Array(fs.readFileSync(file))));
    } finally {
      source.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the one-pass digests of several stamps equal each range hashed on its own, from a file and from memory', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-byte-source-'));
  try {
    const bytes = crypto.randomBytes(3 * 1024 * 1024 + 777);
    const file = path.join(dir, 'f.bin');
    fs.writeFileSync(file, bytes);
    const n = bytes.length;
    const ranges: Array<[number, number, number, number]> = [
      [0, 1000, 2000, n - 2000 - 500_000], // an early stamp covering an earlier revision
      [0, 1_500_000, 1_600_000, n - 1_600_000], // the last stamp, to the end
      [0, 1024 * 1024, 1024 * 1024 + 10, 5], // a gap on the chunk boundary
      [0, 1_500_000, 1_600_000, n - 1_600_000], // twice the same range
    ];
    const requests = ranges.flatMap((range) => [{ range, algorithm: 'sha256' }, { range, algorithm: 'sm3' }]);
    const naive = requests.map(({ range: [a, b, c, d], algorithm }) => crypto.createHash(algorithm).update(bytes.subarray(a, a + b)).update(bytes.subarray(c, c + d)).digest('hex'));
    const source = FileSource.open(file);
    try {
      const fromFile = digestRangesAndFile(source, requests);
      assert.deepEqual(fromFile.ranges.map((d) => Buffer.from(d).toString('hex')), naive);
      assert.equal(fromFile.fileSha256, crypto.createHash('sha256').update(bytes).digest('hex'));
      assert.deepEqual(digestRanges(new MemorySource(bytes), requests).map((d) => Buffer.from(d).toString('hex')), naive);
    } finally {
      source.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('bytes appended and patched through a file source are what its reads return afterwards', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-byte-source-'));
  try {
    const file = path.join(dir, 'grow.bin');
    fs.writeFileSync(file, Buffer.alloc(100_000, 0x61));
    const fd = fs.openSync(file, 'r+');
    const source = new FileSource(fd);
    try {
      assert.equal(Buffer.from(source.read(99_990, 10)).toString(), 'aaaaaaaaaa'); // cached now
      source.append(Buffer.from('bbbbbbbbbb'));
      source.write(Buffer.from('XY'), 99_999);
      assert.equal(source.length, 100_010);
      assert.equal(Buffer.from(source.read(99_995, 20)).toString(), 'aaaaXYbbbbbbbbb');
      assert.equal(source.indexOf('XYb', 0), 99_999);
    } finally {
      source.close();
    }
    assert.equal(fs.readFileSync(file).subarray(99_995).toString(), 'aaaaXYbbbbbbbbb');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

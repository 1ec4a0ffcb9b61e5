// The document data the renderer's pdf.js reads by ranges (src/main/document-ranges.ts), answered
// the same way by Electron's app:// handler and by the e2e server: real files, the real registry.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DocumentRegistry } from '../../src/main/document-registry';
import { documentBodyStream, documentResponse, parseRange } from '../../src/main/document-ranges';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-ranges-'));
const file = path.join(dir, 'doc.pdf');
const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
fs.writeFileSync(file, bytes);
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function bodyOf(r: Awaited<ReturnType<typeof documentResponse>>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of documentBodyStream(r.body!)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

test('a byte range of an opened document is answered 206 with exactly those bytes, read from the file', async () => {
  const documents = new DocumentRegistry();
  const ref = documents.add(file);
  const r = await documentResponse(documents, `/document/${ref.docId}`, 'bytes=4096-8191');
  assert.equal(r.status, 206);
  assert.equal(r.headers['Content-Range'], 'bytes 4096-8191/10000');
  assert.equal(r.headers['Content-Length'], '4096');
  assert.equal(r.headers['Accept-Ranges'], 'bytes');
  assert.ok((await bodyOf(r)).equals(bytes.subarray(4096, 8192)));
  // The last chunk is cut at the end of the file; a suffix range counts from the end.
  const tail = await documentResponse(documents, `/document/${ref.docId}`, 'bytes=8192-12287');
  assert.equal(tail.headers['Content-Range'], 'bytes 8192-9999/10000');
  assert.ok((await bodyOf(tail)).equals(bytes.subarray(8192)));
  const suffix = await documentResponse(documents, `/document/${ref.docId}`, 'bytes=-100');
  assert.ok((await bodyOf(suffix)).equals(bytes.subarray(9900)));
});

test('ranges that cannot be answered are 416, and only documents a person opened are served', async () => {
  const documents = new DocumentRegistry();
  const ref = documents.add(file);
  for (const bad of ['bytes=10000-', 'bytes=5-2', 'bytes=0-1,5-9', 'items=0-9', 'bytes=-0', 'bytes=-']) {
    const r = await documentResponse(documents, `/document/${ref.docId}`, bad);
    assert.equal(r.status, 416, bad);
    assert.equal(r.headers['Content-Range'], 'bytes */10000');
    assert.equal(r.body, undefined);
  }
  for (const p of [`/document/${'0'.repeat(24)}`, '/document/../../etc/passwd', `/document/${ref.docId}/x`, '/index.html']) {
    assert.equal((await documentResponse(documents, p, 'bytes=0-9')).status, 404, p);
  }
  // A file removed after it was opened is gone, not an error page.
  const gone = path.join(dir, 'gone.pdf');
  fs.writeFileSync(gone, 'x');
  const goneRef = documents.add(gone);
  fs.rmSync(gone);
  assert.equal((await documentResponse(documents, `/document/${goneRef.docId}`, 'bytes=0-0')).status, 404);
});

test('parseRange reads one byte range and clamps it to the file', () => {
  assert.deepEqual(parseRange('bytes=0-99', 50), { start: 0, end: 49 });
  assert.deepEqual(parseRange('bytes=10-', 50), { start: 10, end: 49 });
  assert.deepEqual(parseRange('bytes=-500', 50), { start: 0, end: 49 });
  assert.equal(parseRange('bytes=0-9', 0), null);
});

test('the first read of a document joins it to the recent files once; a stamped copy says which prefix it shares', async () => {
  const documents = new DocumentRegistry();
  const seen: string[] = [];
  documents.onFirstRead = (p) => seen.push(p);
  const ref = documents.add(file);
  await documentResponse(documents, `/document/${ref.docId}`, 'bytes=0-9');
  await documentResponse(documents, `/document/${ref.docId}`, 'bytes=10-19');
  assert.deepEqual(seen, [file]);

  const copy = path.join(dir, 'doc-stamped.pdf');
  fs.writeFileSync(copy, Buffer.concat([bytes, Buffer.from('\n% appended update\n')]));
  assert.deepEqual(documents.addStampedCopy(ref.docId, copy).extends, { docId: ref.docId, length: bytes.length });
  // An original changed on disk since it was opened shares nothing.
  const other = path.join(dir, 'other.pdf');
  fs.writeFileSync(other, bytes);
  const otherRef = documents.add(other);
  fs.appendFileSync(other, 'changed');
  assert.equal(documents.addStampedCopy(otherRef.docId, copy).extends, undefined);
});

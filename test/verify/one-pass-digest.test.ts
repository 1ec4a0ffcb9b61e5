// Verifying k stamps hashes the file once (architecture.md, Performance rules; issue #13): every
// stamp's byte ranges and the report's SHA-256 are fed from one streamed pass, whether the file is
// read from memory or by positioned reads from disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { FileSource, MemorySource, type ByteSource, type ChunkVisitor } from '../../src/core/pdf/byte-source';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { makeWorld, type World } from './world';

/** A source that counts the bytes its streamed passes hand out (hashing reads the file only this way). */
class CountingSource implements ByteSource {
  streamed = 0;
  constructor(private readonly inner: ByteSource) {}
  get length(): number { return this.inner.length; }
  get inMemory(): Uint8Array | undefined { return this.inner.inMemory; }
  read(offset: number, length: number): Uint8Array { return this.inner.read(offset, length); }
  indexOf(needle: string, from: number, to?: number): number { return this.inner.indexOf(needle, from, to); }
  forEachChunk(from: number, to: number, visit: ChunkVisitor): void {
    this.inner.forEachChunk(from, to, (chunk, at) => { this.streamed += chunk.length; return visit(chunk, at); });
  }
}

let world: World;
let thrice: string;
before(async () => {
  world = await makeWorld('one-pass-digest');
  const input = await classicPdf(world.file('in.pdf'), 3);
  const once = await world.stamp(input, world.file('once.pdf'));
  const twice = await world.stamp(once, world.file('twice.pdf'), { kind: 'point', page: 2, x: 200, y: 200 });
  thrice = await world.stamp(twice, world.file('thrice.pdf'), { kind: 'point', page: 3, x: 250, y: 300 });
});
after(() => world.cleanup());

test('three stamps are verified with one pass over the file, from memory and from disk', () => {
  const bytes = fs.readFileSync(thrice);
  for (const [where, inner, close] of [
    ['memory', new MemorySource(bytes), (): void => undefined],
    ['disk', FileSource.open(thrice), (s: ByteSource): void => (s as FileSource).close()],
  ] as const) {
    const source = new CountingSource(inner);
    try {
      const report = verifyPdf(source, { trustRoots: [world.ca.certificate] });
      assert.equal(report.signatures.length, 3, where);
      for (const s of report.signatures) assert.equal(s.checks.find((c) => c.id === 'digest')?.status, 'ok', `${where}: ${s.field}`);
      assert.equal(report.file.sha256, crypto.createHash('sha256').update(bytes).digest('hex'));
      // Once over the file — not once per stamp (that would be about three times its size).
      assert.ok(source.streamed <= bytes.length, `${where}: ${source.streamed} bytes streamed for a file of ${bytes.length}`);
      assert.ok(source.streamed >= bytes.length, `${where}: the whole file was hashed for the report`);
    } finally {
      close(inner);
    }
  }
});

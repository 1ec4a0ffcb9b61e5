import fs from 'node:fs';

/**
 * Where the reader gets a PDF's bytes: positioned reads, so that stamping and verifying a 1 GB file
 * hold only the cross-reference data, the objects they parse and a bounded block cache — never the
 * whole file (issue #13). The in-memory variant serves buffers a caller already holds (tests, the
 * renderer's bytes, OFD attachments) without copying.
 *
 * Reads past the end are shortened, never padded: `read(off, n).length` may be less than `n`.
 */
export interface ByteSource {
  readonly length: number;
  /** Bytes [offset, offset + length) clipped to the file. The result may share memory: do not keep or modify it. */
  read(offset: number, length: number): Uint8Array;
  /** The first occurrence of a Latin-1 `needle` in [from, to), or -1; scans in bounded chunks. */
  indexOf(needle: string, from: number, to?: number): number;
  /**
   * Visits [from, to) in order, in chunks of at most CHUNK bytes (streamed hashing, scans); a visit
   * that returns false stops the pass. The chunk is reused: copy what must be kept.
   */
  forEachChunk(from: number, to: number, visit: ChunkVisitor): void;
  /** The whole file in memory when it already is there (MemorySource), else undefined. */
  readonly inMemory: Uint8Array | undefined;
}

export type ChunkVisitor = (chunk: Uint8Array, at: number) => boolean | void;

/** Streamed passes read this much at a time. */
export const CHUNK = 1024 * 1024;
const BLOCK = 8 * 1024;
/** Blocks kept for random access (object parsing): 512 × 8 KB = 4 MB at most; small blocks, because objects are small and far apart. */
const MAX_BLOCKS = 512;

abstract class BaseSource implements ByteSource {
  abstract readonly length: number;
  abstract read(offset: number, length: number): Uint8Array;
  abstract forEachChunk(from: number, to: number, visit: ChunkVisitor): void;
  abstract readonly inMemory: Uint8Array | undefined;

  indexOf(needle: string, from: number, to = this.length): number {
    const n = Buffer.from(needle, 'latin1');
    const end = Math.min(to, this.length);
    let found = -1;
    // Chunks overlap by needle.length - 1 so that a needle across a boundary is found.
    for (let at = Math.max(0, from); at < end && found < 0; at += CHUNK) {
      const chunk = this.scan(at, Math.min(CHUNK + n.length - 1, end - at));
      const i = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).indexOf(n);
      if (i >= 0) found = at + i;
    }
    return found;
  }

  /** Bytes for a scan, valid until the next call (a file source reuses one buffer). */
  protected scan(offset: number, length: number): Uint8Array { return this.read(offset, length); }
}

/** A buffer already in memory. */
export class MemorySource extends BaseSource {
  constructor(readonly bytes: Uint8Array) { super(); }
  get length(): number { return this.bytes.length; }
  get inMemory(): Uint8Array { return this.bytes; }
  read(offset: number, length: number): Uint8Array {
    const s = Math.max(0, Math.min(offset, this.bytes.length));
    return this.bytes.subarray(s, Math.min(this.bytes.length, s + Math.max(0, length)));
  }
  forEachChunk(from: number, to: number, visit: ChunkVisitor): void {
    for (let at = Math.max(0, from); at < Math.min(to, this.length); at += CHUNK) {
      if (visit(this.read(at, Math.min(CHUNK, to - at)), at) === false) return;
    }
  }
}

/**
 * An open file read with pread(2). Small reads go through a least-recently-used cache of 8 KB
 * blocks; large reads and streamed passes bypass it. The file may grow by `append` (stamping writes
 * each incremental update to its output this way) and be patched by `write` (the signature into its
 * placeholder); both keep the cache consistent.
 */
export class FileSource extends BaseSource {
  private blocks = new Map<number, Buffer>();
  private size: number;
  /** Reused by forEachChunk and by scans (indexOf), separately: a visit may scan. */
  private scratch: Buffer | undefined;
  private scanBuffer: Buffer | undefined;

  constructor(readonly fd: number, size?: number) {
    super();
    this.size = size ?? fs.fstatSync(fd).size;
  }

  /** Opens `file` read-only; the caller closes it (close()). Only a regular file can be read by position. */
  static open(file: string): FileSource {
    const fd = fs.openSync(file, 'r');
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: st.isDirectory() ? 'EISDIR' : 'ENOTREG' });
      return new FileSource(fd, st.size);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  get length(): number { return this.size; }
  get inMemory(): undefined { return undefined; }

  read(offset: number, length: number): Uint8Array {
    const s = Math.max(0, Math.min(offset, this.size));
    const e = Math.min(this.size, s + Math.max(0, length));
    const first = Math.floor(s / BLOCK);
    const last = Math.floor((e - 1) / BLOCK);
    if (e <= s) return new Uint8Array(0);
    if (first === last) {
      const b = this.block(first);
      return b.subarray(s - first * BLOCK, e - first * BLOCK);
    }
    const out = Buffer.allocUnsafe(e - s);
    if (e - s > 4 * BLOCK) { // large: straight from the file, not through the cache
      this.preadFully(out, s);
      return out;
    }
    for (let i = first; i <= last; i++) {
      const b = this.block(i);
      const from = Math.max(s, i * BLOCK);
      const to = Math.min(e, (i + 1) * BLOCK);
      b.copy(out, from - s, from - i * BLOCK, to - i * BLOCK);
    }
    return out;
  }

  protected override scan(offset: number, length: number): Uint8Array {
    const n = Math.max(0, Math.min(length, this.size - offset));
    if (!this.scanBuffer || this.scanBuffer.length < n) this.scanBuffer = Buffer.allocUnsafe(Math.max(n, CHUNK + 64));
    const out = this.scanBuffer.subarray(0, n);
    this.preadFully(out, offset);
    return out;
  }

  forEachChunk(from: number, to: number, visit: ChunkVisitor): void {
    const end = Math.min(to, this.size);
    this.scratch ??= Buffer.allocUnsafe(CHUNK);
    for (let at = Math.max(0, from); at < end; at += CHUNK) {
      const n = Math.min(CHUNK, end - at);
      const chunk = this.scratch.subarray(0, n);
      this.preadFully(chunk, at);
      if (visit(chunk, at) === false) return;
    }
  }

  /** Writes `data` at the end of the file (positioned write) and returns where it starts. */
  append(data: Uint8Array): number {
    const at = this.size;
    this.writeAt(data, at);
    this.size = at + data.length;
    return at;
  }

  /** Overwrites bytes inside the file (the signature into its placeholder). */
  write(data: Uint8Array, at: number): void {
    if (at < 0 || at + data.length > this.size) throw new RangeError('write outside the file');
    this.writeAt(data, at);
  }

  close(): void {
    this.blocks.clear();
    fs.closeSync(this.fd);
  }

  private writeAt(data: Uint8Array, at: number): void {
    let off = 0;
    while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off, at + off);
    // Cached blocks that overlap the written bytes (or the old partial last block) are stale.
    for (let i = Math.floor(at / BLOCK); i <= Math.floor((at + data.length) / BLOCK); i++) this.blocks.delete(i);
  }

  private block(i: number): Buffer {
    let b = this.blocks.get(i);
    if (b) {
      this.blocks.delete(i); // most recently used last
      this.blocks.set(i, b);
      return b;
    }
    const start = i * BLOCK;
    b = Buffer.allocUnsafe(Math.min(BLOCK, this.size - start));
    this.preadFully(b, start);
    if (this.blocks.size >= MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    this.blocks.set(i, b);
    return b;
  }

  private preadFully(into: Uint8Array, at: number): void {
    let off = 0;
    while (off < into.length) {
      const n = fs.readSync(this.fd, into, off, into.length - off, at + off);
      if (n === 0) throw new Error(`the file ended at ${at + off} while ${into.length - off} more bytes were expected (was it changed while being read?)`);
      off += n;
    }
  }
}

/** A source for bytes or an already opened source (the reader accepts both). */
export function sourceOf(input: Uint8Array | ByteSource): ByteSource {
  return input instanceof Uint8Array ? new MemorySource(input) : input;
}

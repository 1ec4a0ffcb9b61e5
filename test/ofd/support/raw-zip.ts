/**
 * A ZIP writer that writes exactly what it is told, lies included (sizes, CRCs, flags, duplicate or
 * hostile names, shared data), to build the packages a safe reader must refuse. Not for real files.
 */
import zlib from 'node:zlib';

export interface RawEntry {
  name: string;
  data: Uint8Array;
  /** 8 = deflate (default), 0 = stored, anything else written as given. */
  method?: number;
  flags?: number;
  /** Declared uncompressed size (default: the real one). */
  size?: number;
  crc?: number;
  /** Write this entry's central record pointing at the local header of entry number `sharesWith`. */
  sharesWith?: number;
}

export function rawZip(entries: RawEntry[]): Uint8Array {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  entries.forEach((e, i) => {
    const name = Buffer.from(e.name, 'utf8');
    const method = e.method ?? 8;
    const compressed = method === 8 ? zlib.deflateRawSync(e.data) : Buffer.from(e.data);
    const crc = e.crc ?? zlib.crc32(e.data);
    const size = e.size ?? e.data.length;
    const flags = (e.flags ?? 0) | 0x0800;
    const header = (sig: number, isCentral: boolean): Buffer => {
      const b = Buffer.alloc(isCentral ? 46 : 30);
      b.writeUInt32LE(sig, 0);
      let p = 4;
      if (isCentral) { b.writeUInt16LE(20, p); p += 2; }
      b.writeUInt16LE(20, p); b.writeUInt16LE(flags, p + 2); b.writeUInt16LE(method, p + 4);
      b.writeUInt16LE(0, p + 6); b.writeUInt16LE(0x21, p + 8);
      b.writeUInt32LE(crc >>> 0, p + 10); b.writeUInt32LE(compressed.length, p + 14); b.writeUInt32LE(size >>> 0, p + 18);
      b.writeUInt16LE(name.length, p + 22); b.writeUInt16LE(0, p + 24);
      if (isCentral) {
        b.writeUInt16LE(0, 32); b.writeUInt16LE(0, 34); b.writeUInt16LE(0, 36); b.writeUInt32LE(0, 38);
        b.writeUInt32LE(e.sharesWith === undefined ? offset : offsets[e.sharesWith]!, 42);
      }
      return b;
    };
    if (e.sharesWith === undefined) {
      offsets[i] = offset;
      const local = Buffer.concat([header(0x04034b50, false), name, compressed]);
      locals.push(local);
      central.push(Buffer.concat([header(0x02014b50, true), name]));
      offset += local.length;
    } else {
      offsets[i] = offsets[e.sharesWith]!;
      central.push(Buffer.concat([header(0x02014b50, true), name]));
    }
  });
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, eocd]));
}

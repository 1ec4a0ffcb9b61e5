/**
 * A defensive ZIP reader for OFD packages (GB/T 33190 packs a document as a ZIP).
 *
 * Everything that can be judged from the central directory is judged before a single byte is
 * inflated: entry count, declared sizes (per entry and in total), compression ratio, encryption,
 * compression method, names (path traversal, absolute paths, backslashes, drive letters, control
 * characters, duplicates — also duplicates that differ only in case, which a case-insensitive reader
 * would resolve to a different entry than the one we hash), a local header that names another file,
 * and entries whose bytes overlap (the non-recursive zip bomb). Inflating is then bounded by the
 * declared size (zlib's maxOutputLength), and the result must have exactly that size and CRC-32.
 * Entries are inflated lazily, only when a verifier asks for them.
 *
 * Why not fflate's unzip (fflate is a dependency, and its inflate is fine): its unzipSync/Unzip read
 * the central directory and nothing else a verifier must check. Two entries with one name silently
 * become the last one (another reader hashes the first: two readings of one package); a local header
 * that names a different file, entries whose bytes overlap, and a wrong CRC-32 all pass unnoticed;
 * and the output buffer is allocated from the declared size before any limit but a name filter can
 * act. Those checks are the point of this module, so the directory is read here, and inflating uses
 * node:zlib (bounded by maxOutputLength, CRC-32 checked), the same zlib the rest of Node trusts.
 */
import zlib from 'node:zlib';
import { ofdMalformed, ofdUnsafe, shown } from './ofd-errors';

export interface ZipLimits {
  maxEntries: number;
  /** Largest declared uncompressed size of one entry. */
  maxEntryBytes: number;
  /** Largest declared uncompressed size of all entries together. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of an entry larger than `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
}

/** OFD invoices and contracts are kilobytes to a few megabytes; these bounds leave room for scans. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 10_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

interface Entry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  dataOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const METHOD_AES = 99;

export class ZipArchive {
  private readonly entries = new Map<string, Entry>();
  private readonly cache = new Map<string, Uint8Array>();

  private constructor(private readonly bytes: Uint8Array, entries: Entry[]) {
    for (const e of entries) this.entries.set(e.name, e);
  }

  /** Reads and checks the central directory; throws OFD_MALFORMED / OFD_UNSAFE. */
  static open(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipArchive {
    return new ZipArchive(bytes, readCentralDirectory(bytes, limits));
  }

  /** The file entries (directories left out), in central-directory order. */
  get names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry's uncompressed bytes, inflated at most once; throws OFD_MALFORMED / OFD_UNSAFE. */
  read(name: string): Uint8Array {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const e = this.entries.get(name);
    if (!e) throw ofdMalformed(`缺少 ${shown(name)}`, `${shown(name)} is missing`);
    const data = inflateEntry(this.bytes, e);
    this.cache.set(name, data);
    return data;
  }
}

function inflateEntry(bytes: Uint8Array, e: Entry): Uint8Array {
  const raw = bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
  let out: Uint8Array;
  if (e.method === METHOD_STORED) {
    out = raw;
  } else {
    try {
      // maxOutputLength stops a stream that lies about its size as soon as it passes the declared size.
      out = new Uint8Array(zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) }));
    } catch (cause) {
      if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw ofdUnsafe(`${shown(e.name)} 解压后超过声明的大小`, `${shown(e.name)} inflates beyond its declared size`, cause);
      }
      throw ofdMalformed(`${shown(e.name)} 的压缩数据已损坏`, `the compressed data of ${shown(e.name)} is damaged`, cause);
    }
  }
  if (out.length !== e.size) {
    throw ofdMalformed(`${shown(e.name)} 的大小与目录不符`, `${shown(e.name)} does not have the size its directory entry declares`);
  }
  if ((zlib.crc32(out) >>> 0) !== e.crc32) {
    throw ofdMalformed(`${shown(e.name)} 的校验和（CRC-32）不符`, `the CRC-32 of ${shown(e.name)} does not match`);
  }
  return out;
}

function readCentralDirectory(bytes: Uint8Array, limits: ZipLimits): Entry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number): number => view.getUint16(at, true);
  const u32 = (at: number): number => view.getUint32(at, true);

  const eocd = findEndOfCentralDirectory(bytes, view);
  if (eocd >= 20 && u32(eocd - 20) === SIG_ZIP64_LOCATOR) {
    throw ofdMalformed('不支持 ZIP64 格式', 'ZIP64 archives are not supported');
  }
  const disk = u16(eocd + 4);
  const cdDisk = u16(eocd + 6);
  const countOnDisk = u16(eocd + 8);
  const count = u16(eocd + 10);
  const cdSize = u32(eocd + 12);
  const cdOffset = u32(eocd + 16);
  if (disk !== 0 || cdDisk !== 0 || countOnDisk !== count) throw ofdMalformed('不支持分卷压缩包', 'multi-volume archives are not supported');
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw ofdMalformed('不支持 ZIP64 格式', 'ZIP64 archives are not supported');
  if (count > limits.maxEntries) throw ofdUnsafe(`条目过多（${count}）`, `too many entries (${count}, at most ${limits.maxEntries})`);
  if (cdOffset + cdSize > eocd) throw ofdMalformed('中央目录超出文件范围（文件被截断?）', 'the central directory lies outside the file (truncated?)');

  const entries: Entry[] = [];
  const seen = new Set<string>();
  const seenFolded = new Map<string, string>();
  let total = 0;
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cdOffset + cdSize || u32(at) !== SIG_CENTRAL) throw ofdMalformed('中央目录损坏', 'the central directory is damaged');
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc32 = u32(at + 16);
    const compressedSize = u32(at + 20);
    const size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    const localOffset = u32(at + 42);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > cdOffset + cdSize) throw ofdMalformed('中央目录损坏', 'the central directory is damaged');
    const nameBytes = bytes.subarray(at + 46, at + 46 + nameLength);
    const name = decodeName(nameBytes, (flags & FLAG_UTF8) !== 0);
    at = next;

    checkName(name);
    if (seen.has(name)) throw ofdUnsafe(`条目名称重复：${shown(name)}`, `duplicate entry name ${shown(name)}`);
    seen.add(name);
    const folded = name.toLowerCase();
    const clash = seenFolded.get(folded);
    if (clash !== undefined) throw ofdUnsafe(`条目名称仅大小写不同：${shown(clash)} 与 ${shown(name)}`, `entry names differ only in case: ${shown(clash)} and ${shown(name)}`);
    seenFolded.set(folded, name);

    if ((flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0 || method === METHOD_AES) {
      throw ofdUnsafe(`条目已加密：${shown(name)}`, `encrypted entry ${shown(name)}`);
    }
    if (method !== METHOD_STORED && method !== METHOD_DEFLATE) {
      throw ofdMalformed(`不支持的压缩方法 ${method}：${shown(name)}`, `unsupported compression method ${method} for ${shown(name)}`);
    }
    if (method === METHOD_STORED && compressedSize !== size) {
      throw ofdMalformed(`未压缩条目的大小不一致：${shown(name)}`, `stored entry ${shown(name)} declares two sizes`);
    }
    if (size > limits.maxEntryBytes) {
      throw ofdUnsafe(`条目过大：${shown(name)}（${size} 字节）`, `entry ${shown(name)} is too large (${size} bytes, at most ${limits.maxEntryBytes})`);
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      throw ofdUnsafe(`解压后总大小超过 ${limits.maxTotalBytes} 字节`, `the entries together inflate to more than ${limits.maxTotalBytes} bytes`);
    }
    if (size > limits.ratioFloorBytes && size > compressedSize * limits.maxRatio) {
      throw ofdUnsafe(`压缩比异常（疑似压缩炸弹）：${shown(name)}`, `suspicious compression ratio (zip bomb?) for ${shown(name)}`);
    }

    const isDirectory = name.endsWith('/');
    if (isDirectory) {
      if (size !== 0) throw ofdMalformed(`目录条目含有数据：${shown(name)}`, `directory entry ${shown(name)} carries data`);
      continue;
    }
    const dataOffset = localDataOffset(bytes, u16, u32, localOffset, nameBytes, name);
    if (dataOffset + compressedSize > cdOffset) {
      throw ofdMalformed(`${shown(name)} 的数据超出范围（文件被截断?）`, `the data of ${shown(name)} runs past its end (truncated?)`);
    }
    entries.push({ name, method, crc32, compressedSize, size, localOffset, dataOffset });
  }
  if (at !== cdOffset + cdSize) throw ofdMalformed('中央目录大小不符', 'the central directory size does not match its entries');

  // Two entries sharing bytes is how a small file claims gigabytes (overlapping-file zip bombs).
  const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    if (prev.dataOffset + prev.compressedSize > byOffset[i]!.localOffset) {
      throw ofdUnsafe(`条目数据相互重叠：${shown(prev.name)} 与 ${shown(byOffset[i]!.name)}`, `entries overlap: ${shown(prev.name)} and ${shown(byOffset[i]!.name)}`);
    }
  }
  return entries;
}

function findEndOfCentralDirectory(bytes: Uint8Array, view: DataView): number {
  if (bytes.length < 22) throw ofdMalformed('不是 ZIP 压缩包（文件过短）', 'not a ZIP archive (too short)');
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) === SIG_EOCD && at + 22 + view.getUint16(at + 20, true) <= bytes.length) return at;
  }
  throw ofdMalformed('不是 ZIP 压缩包或文件被截断（找不到中央目录）', 'not a ZIP archive, or truncated (no end of central directory)');
}

function localDataOffset(bytes: Uint8Array, u16: (at: number) => number, u32: (at: number) => number, offset: number, nameBytes: Uint8Array, name: string): number {
  if (offset + 30 > bytes.length || u32(offset) !== SIG_LOCAL) {
    throw ofdMalformed(`${shown(name)} 的本地文件头缺失`, `the local header of ${shown(name)} is missing`);
  }
  const nameLength = u16(offset + 26);
  const extraLength = u16(offset + 28);
  const local = bytes.subarray(offset + 30, offset + 30 + nameLength);
  // A local header naming another file makes readers disagree on what the entry is.
  if (local.length !== nameBytes.length || !local.every((b, i) => b === nameBytes[i])) {
    throw ofdUnsafe(`本地文件头与目录中的名称不同：${shown(name)}`, `the local header of ${shown(name)} names another file`);
  }
  return offset + 30 + nameLength + extraLength;
}

/**
 * Names are UTF-8 when the archive says so; otherwise ASCII, UTF-8 without the flag (common), or
 * GB 18030 (older Chinese writers).
 */
function decodeName(raw: Uint8Array, utf8: boolean): string {
  if (raw.every((b) => b < 0x80)) return Buffer.from(raw).toString('latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch (cause) {
    if (utf8) throw ofdMalformed('条目名称不是有效的 UTF-8', 'an entry name is not valid UTF-8', cause);
    return new TextDecoder('gb18030').decode(raw);
  }
}

function checkName(name: string): void {
  const unsafe = (zh: string, en: string): never => { throw ofdUnsafe(`${zh}:${shown(name)}`, `${en}: ${shown(name)}`); };
  if (name.length === 0) unsafe('条目名称为空', 'empty entry name');
  if (/[\u0000-\u001f\u007f]/.test(name)) unsafe('条目名称含控制字符', 'control character in an entry name');
  if (name.includes('\\')) unsafe('条目名称含反斜杠', 'backslash in an entry name');
  if (name.startsWith('/')) unsafe('条目使用绝对路径', 'absolute entry name');
  if (/^[A-Za-z]:/.test(name)) unsafe('条目名称含盘符', 'drive letter in an entry name');
  const segments = name.split('/');
  segments.forEach((s, i) => {
    if (s === '..' || s === '.') unsafe('条目名称含路径穿越', 'path traversal in an entry name');
    if (s === '' && i !== segments.length - 1) unsafe('条目名称含空路径段', 'empty path segment in an entry name');
  });
}

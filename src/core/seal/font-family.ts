import fs from 'node:fs';
import { SealDeskError } from '../errors';

/**
 * The family names in a font file (TrueType/OpenType, or a .ttc collection), read from each face's
 * `name` table, so a seal rendered with --font FILE names that file's family to the renderer
 * (resvg picks fonts by family). Only the table directory and the name table are read; no library
 * exposes just this without loading a whole font engine.
 */
export const DEFAULT_SEAL_FONT = '/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc';

function fontUnreadable(file: string, why: string): SealDeskError {
  return new SealDeskError('SEAL_FONT_INVALID', `字体文件 ${file} 无法读取:${why}`, `The font file ${file} cannot be read: ${why}`);
}

export function fontFamilies(file: string): string[] {
  let b: Buffer;
  try {
    b = fs.readFileSync(file);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SealDeskError(missing ? 'SEAL_FONT_MISSING' : 'SEAL_FONT_INVALID',
      missing ? `找不到字体文件 ${file}${file === DEFAULT_SEAL_FONT ? '(请安装 Debian 软件包 fonts-noto-cjk,或用 --font 指定中文字体)' : ''}` : `字体文件 ${file} 无法读取`,
      missing ? `The font file ${file} does not exist${file === DEFAULT_SEAL_FONT ? ' (install the Debian package fonts-noto-cjk, or choose a CJK font with --font)' : ''}` : `The font file ${file} cannot be read`,
      { cause: e });
  }
  if (b.length < 12) throw fontUnreadable(file, 'too short');
  const tag = b.toString('latin1', 0, 4);
  let faces: number[] = [0];
  if (tag === 'ttcf') {
    const n = b.readUInt32BE(8);
    if (n < 1 || n > 256 || 12 + n * 4 > b.length) throw fontUnreadable(file, 'bad collection header');
    faces = Array.from({ length: n }, (_, i) => b.readUInt32BE(12 + i * 4));
  } else if (!['\0\x01\0\0', 'OTTO', 'true'].includes(tag)) {
    throw fontUnreadable(file, 'not a TrueType or OpenType font');
  }
  const names: string[] = [];
  for (const face of faces) {
    const family = faceFamily(b, face);
    if (family && !names.includes(family)) names.push(family);
  }
  if (names.length === 0) throw fontUnreadable(file, 'no family name');
  lastRead = { file, bytes: b, faces: faces.map((offset) => ({ offset, family: faceFamily(b, offset) })) };
  return names;
}

/** The last font file read (a CJK collection is 20+ MB: read once for the family and the coverage). */
let lastRead: { file: string; bytes: Buffer; faces: { offset: number; family?: string }[] } | undefined;

function tableOf(b: Buffer, face: number, tag: string): number | undefined {
  const tables = b.readUInt16BE(face + 4);
  for (let i = 0; i < tables; i++) {
    const rec = face + 12 + i * 16;
    if (rec + 16 > b.length) return undefined;
    if (b.toString('latin1', rec, rec + 4) === tag) {
      const at = b.readUInt32BE(rec + 8);
      return at < b.length ? at : undefined;
    }
  }
  return undefined;
}

/** A code point → has-a-glyph test from the face's Unicode cmap (format 12, else format 4). */
function cmapCoverage(b: Buffer, face: number): ((cp: number) => boolean) | undefined {
  const cmap = tableOf(b, face, 'cmap');
  if (cmap === undefined || cmap + 4 > b.length) return undefined;
  const n = b.readUInt16BE(cmap + 2);
  let f4: number | undefined;
  let f12: number | undefined;
  for (let i = 0; i < n; i++) {
    const r = cmap + 4 + i * 8;
    if (r + 8 > b.length) break;
    const platform = b.readUInt16BE(r); const encoding = b.readUInt16BE(r + 2); const sub = cmap + b.readUInt32BE(r + 4);
    if (sub + 2 > b.length) continue;
    const format = b.readUInt16BE(sub);
    if (format === 12 && (platform === 3 || platform === 0)) f12 ??= sub;
    if (format === 4 && ((platform === 3 && encoding === 1) || platform === 0)) f4 ??= sub;
  }
  if (f12 !== undefined && f12 + 16 <= b.length) {
    const groups = Math.min(b.readUInt32BE(f12 + 12), Math.floor((b.length - f12 - 16) / 12));
    return (cp) => {
      let lo = 0; let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1; const g = f12! + 16 + mid * 12;
        const start = b.readUInt32BE(g); const end = b.readUInt32BE(g + 4);
        if (cp < start) hi = mid - 1; else if (cp > end) lo = mid + 1; else return b.readUInt32BE(g + 8) + (cp - start) !== 0;
      }
      return false;
    };
  }
  if (f4 !== undefined && f4 + 14 <= b.length) {
    const segs = b.readUInt16BE(f4 + 6) / 2;
    const ends = f4 + 14; const starts = ends + segs * 2 + 2; const deltas = starts + segs * 2; const ranges = deltas + segs * 2;
    if (ranges + segs * 2 > b.length) return undefined;
    return (cp) => {
      if (cp > 0xffff) return false;
      for (let i = 0; i < segs; i++) {
        if (cp > b.readUInt16BE(ends + i * 2)) continue;
        const start = b.readUInt16BE(starts + i * 2);
        if (cp < start) return false;
        const delta = b.readUInt16BE(deltas + i * 2); const ro = b.readUInt16BE(ranges + i * 2);
        if (ro === 0) return ((cp + delta) & 0xffff) !== 0;
        const at = ranges + i * 2 + ro + (cp - start) * 2;
        if (at + 2 > b.length) return false;
        const g = b.readUInt16BE(at);
        return g !== 0 && ((g + delta) & 0xffff) !== 0;
      }
      return false;
    };
  }
  return undefined;
}

/**
 * The characters of `text` the font's face `family` has no glyph for: a renderer would draw them
 * as an empty box (.notdef), which must never end up in a seal. Unknown when the face has no cmap
 * it can read (then nothing is reported).
 */
export function missingGlyphs(file: string, family: string, text: string): string[] {
  if (lastRead?.file !== file) fontFamilies(file);
  const read = lastRead!;
  const face = read.faces.find((f) => f.family === family) ?? read.faces[0]!;
  const covers = cmapCoverage(read.bytes, face.offset);
  if (!covers) return [];
  return [...new Set([...text.replace(/\s+/g, '')])].filter((ch) => !covers(ch.codePointAt(0)!));
}

function faceFamily(b: Buffer, off: number): string | undefined {
  if (off + 12 > b.length) return undefined;
  const tables = b.readUInt16BE(off + 4);
  for (let i = 0; i < tables; i++) {
    const rec = off + 12 + i * 16;
    if (rec + 16 > b.length) return undefined;
    if (b.toString('latin1', rec, rec + 4) !== 'name') continue;
    const at = b.readUInt32BE(rec + 8);
    if (at + 6 > b.length) return undefined;
    const count = b.readUInt16BE(at + 2);
    const strings = at + b.readUInt16BE(at + 4);
    let best: { score: number; name: string } | undefined;
    for (let j = 0; j < count; j++) {
      const r = at + 6 + j * 12;
      if (r + 12 > b.length) break;
      const [platform, , language, nameId, length, offset] = [0, 2, 4, 6, 8, 10].map((k) => b.readUInt16BE(r + k)) as [number, number, number, number, number, number];
      if (nameId !== 1 && nameId !== 16) continue;
      const s = strings + offset;
      if (s + length > b.length || ((platform === 3 || platform === 0) && length % 2)) continue;
      const raw = b.subarray(s, s + length);
      const name = platform === 3 || platform === 0 ? Buffer.from(raw).swap16().toString('utf16le') : raw.toString('latin1');
      // The typographic family (16) in US English names the family as resvg matches it.
      const score = (nameId === 16 ? 2 : 1) + (language === 0x409 || platform === 1 ? 4 : 0) + (platform === 3 ? 1 : 0);
      if (!best || score > best.score) best = { score, name };
    }
    return best?.name;
  }
  return undefined;
}

/** The family a Chinese seal is written in: the file's Simplified Chinese face where it has several. */
export function sealFontFamily(file: string): string {
  const names = fontFamilies(file);
  return names.find((n) => / SC$/.test(n)) ?? names[0]!;
}

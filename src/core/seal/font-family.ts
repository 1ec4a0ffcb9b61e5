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
  return names;
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

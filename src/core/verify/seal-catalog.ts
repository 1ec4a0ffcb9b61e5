import fs from 'node:fs';
import path from 'node:path';
import { decodeSeal } from '../asn1/ses-seal';
import { SealDeskError } from '../errors';
import { isPng } from '../image/png';
import type { KnownSealPicture } from './copied-seals';

/**
 * The recipient's catalog of known seals, used to name copied seal pictures: files in the data
 * dir's seals/ folder, each an SESeal (DER, as exported from a token or a seal maker: .seal, .esl,
 * .der …) or a bare seal picture (PNG or JPEG, named after its file — how the platform's registry
 * or a colleague hands over a picture). Files that are neither are left out, never fatal.
 */
export type SealCatalogEntry = Uint8Array | KnownSealPicture;

export const sealCatalogDir = (home: string): string => path.join(home, 'seals');

/** Large enough for a seal with a high-resolution picture; a catalog file beyond it is not a seal. */
const MAX_CATALOG_FILE = 16 * 1024 * 1024;
const MAX_CATALOG_FILES = 2000;

function entryOf(bytes: Uint8Array, name: string): SealCatalogEntry | undefined {
  if (isPng(bytes)) return { name, picture: { type: 'PNG', data: bytes } };
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return { name, picture: { type: 'JPG', data: bytes } };
  try {
    decodeSeal(bytes);
    return bytes;
  } catch {
    return undefined;
  }
}

/** Every usable entry of a catalog folder (a missing folder is an empty catalog). */
export function readSealCatalog(dir: string): SealCatalogEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort().slice(0, MAX_CATALOG_FILES);
  } catch {
    return [];
  }
  const out: SealCatalogEntry[] = [];
  for (const n of names) {
    try {
      const file = path.join(dir, n);
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > MAX_CATALOG_FILE) continue;
      const e = entryOf(new Uint8Array(fs.readFileSync(file)), path.parse(n).name);
      if (e) out.push(e);
    } catch {
      // unreadable entry: the rest of the catalog still counts
    }
  }
  return out;
}

/** One seal named on the command line (sealdesk verify --seal): refused clearly when it is not a seal. */
export function readSealFile(file: string): SealCatalogEntry {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw new SealDeskError('SEAL_FILE_UNREADABLE', `无法读取印章文件 ${file}`, `Cannot read the seal file ${file}`, { cause: e });
  }
  const e = bytes.length <= MAX_CATALOG_FILE ? entryOf(bytes, path.parse(file).name) : undefined;
  if (!e) throw new SealDeskError('SEAL_FILE_INVALID', `${file} 不是电子印章，也不是印章图片（PNG/JPEG）`, `${file} is neither an electronic seal nor a seal picture (PNG/JPEG)`);
  return e;
}

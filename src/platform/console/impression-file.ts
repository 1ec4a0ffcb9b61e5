/**
 * Checks an impression image in the browser before it is sent: PNG by its signature bytes (not only
 * the name or the type the browser guesses), no larger than the platform takes, and decodable (the
 * browser draws it). The server checks all of it again; this only spares the upload and says why.
 */
import { MAX_IMPRESSION_BYTES } from '../api/contract';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export type ImpressionCheck =
  | { ok: true; base64: string; widthPx: number; heightPx: number; previewUrl: string }
  | { ok: false; problem: 'not_png' | 'too_large' | 'unreadable'; kb: number };

export async function checkImpressionFile(file: File): Promise<ImpressionCheck> {
  const kb = Math.ceil(file.size / 1024);
  if (file.size > MAX_IMPRESSION_BYTES) return { ok: false, problem: 'too_large', kb };
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return { ok: false, problem: 'not_png', kb };
  const previewUrl = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
  try {
    const img = new Image();
    img.src = previewUrl;
    await img.decode();
    if (img.naturalWidth < 1 || img.naturalHeight < 1) throw new Error('empty image');
    return { ok: true, base64: toBase64(bytes), widthPx: img.naturalWidth, heightPx: img.naturalHeight, previewUrl };
  } catch {
    URL.revokeObjectURL(previewUrl);
    return { ok: false, problem: 'unreadable', kb };
  }
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export const MAX_IMPRESSION_KB = Math.floor(MAX_IMPRESSION_BYTES / 1024);

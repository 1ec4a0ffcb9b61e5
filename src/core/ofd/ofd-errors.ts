/**
 * The two ways an OFD package is refused before any signature is looked at:
 * OFD_MALFORMED — it is not a readable OFD (not a ZIP, truncated, a required part missing or not XML);
 * OFD_UNSAFE — reading it would be dangerous (zip bomb, path traversal, encrypted or ambiguous entries).
 * The detail names the part, so the keeper can tell a broken file from a hostile one.
 */
import { SealDeskError } from '../errors';

export function ofdMalformed(zh: string, en: string, cause?: unknown): SealDeskError {
  return new SealDeskError('OFD_MALFORMED', `无法读取 OFD 文件：${zh}`, `The OFD file cannot be read: ${en}`, { cause, details: { detail: en } });
}

export function ofdUnsafe(zh: string, en: string, cause?: unknown): SealDeskError {
  return new SealDeskError('OFD_UNSAFE', `OFD 文件不安全，已拒绝：${zh}`, `The OFD file is unsafe and was refused: ${en}`, { cause, details: { detail: en } });
}

/** Names from the file, shortened and stripped of control characters before they go into a message. */
export function shown(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}

/**
 * Signed notes (C2SP signed-note): a UTF-8 text ending in a newline, a blank line, then one line per
 * signature `— <key name> base64(key ID[4] ‖ signature)`. Browser-safe. Written by hand because the
 * format is a page long and no npm package implements it with ECDSA or SM2 keys.
 *
 * Keys: 'ecdsa-p256' is the registered type 0x02 (transparency-dev/witness ECDSA): key ID =
 * SHA-256(SPKI DER)[:4], signature = DER ECDSA over SHA-256 of the note text. 'sm2' has no registered
 * byte, so it uses 0xff followed by a longer identifier, as the spec recommends: key ID =
 * SHA-256(name ‖ 0x0A ‖ 0xff ‖ "sealdesk/sm2-sm3" ‖ SPKI DER)[:4], signature = DER SM2 (SM3, default
 * user ID) over the note text. Signing is a callback so that the key stays on its PKCS#11 token.
 *
 * Opening follows the spec: signatures from unknown keys (name and ID not both matching) are
 * ignored; a signature from a known key that fails refuses the whole note; a note with no verified
 * known signature is refused.
 */
import { SealDeskError } from '../../core/errors';
import { bytesEqual, concatBytes, fromBase64, toBase64, type Sha256 } from './merkle-hash';

export type NoteKeyType = 'ecdsa-p256' | 'sm2';

export interface NoteKey {
  /** The key name on the signature line (for a log: its origin). No spaces, no '+'. */
  name: string;
  type: NoteKeyType;
  /** SubjectPublicKeyInfo DER of the public key. */
  spki: Uint8Array;
}

export interface NoteSigner {
  key: NoteKey;
  /** DER signature over the note text: ECDSA with SHA-256 for P-256, SM2 with SM3 for SM2. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export interface NoteVerifier {
  key: NoteKey;
  /** Needed for SM2; ECDSA P-256 defaults to Web Crypto. */
  verify?(message: Uint8Array, signatureDer: Uint8Array): Promise<boolean>;
}

const SM2_TYPE = concatBytes([Uint8Array.of(0xff), new TextEncoder().encode('sealdesk/sm2-sm3')]);
const MAX_NOTE_BYTES = 1 << 16;
const MAX_SIGNATURES = 32;

function malformed(zh: string, en: string): SealDeskError {
  return new SealDeskError('NOTE_MALFORMED', `签名文本格式错误：${zh}`, `Malformed signed note: ${en}`);
}

export function checkKeyName(name: string): void {
  if (name.length === 0 || /[\s+]/u.test(name) || /[\x00-\x1f]/.test(name)) {
    throw malformed(`密钥名称“${name}”不可用（不能为空，不能有空白或加号）`, `the key name "${name}" is empty or has a space or a plus sign`);
  }
}

export async function noteKeyId(sha256: Sha256, key: NoteKey): Promise<Uint8Array> {
  const h = key.type === 'ecdsa-p256'
    ? await sha256(key.spki)
    : await sha256(new TextEncoder().encode(key.name), Uint8Array.of(0x0a), SM2_TYPE, key.spki);
  return h.slice(0, 4);
}

/** The text with signature lines appended. The text must end in a newline. */
export async function signNote(sha256: Sha256, text: string, signers: readonly NoteSigner[]): Promise<string> {
  checkText(text);
  if (signers.length === 0) throw malformed('没有签名者', 'no signer');
  const message = new TextEncoder().encode(text);
  let lines = '';
  for (const s of signers) {
    checkKeyName(s.key.name);
    const sig = await s.sign(message);
    if (!derSignatureParts(sig)) throw new SealDeskError('NOTE_SIGNATURE_FORMAT', '签名密钥返回的不是 DER 格式的签名', 'The signing key did not return a DER signature');
    lines += `— ${s.key.name} ${toBase64(concatBytes([await noteKeyId(sha256, s.key), sig]))}\n`;
  }
  return `${text}\n${lines}`;
}

export interface OpenedNote { text: string; signedBy: string[] }

/** Checks a signed note against the known keys and returns its text; throws NOTE_* errors. */
export async function openNote(sha256: Sha256, note: string, verifiers: readonly NoteVerifier[]): Promise<OpenedNote> {
  if (typeof note !== 'string') throw malformed('不是文本', 'not a string');
  if (new TextEncoder().encode(note).length > MAX_NOTE_BYTES) throw malformed('过长', 'too long');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('缺少正文与签名之间的空行', 'no blank line between the text and the signatures');
  const text = note.slice(0, split + 1);
  checkText(text);
  const sigBlock = note.slice(split + 2);
  if (!sigBlock.endsWith('\n')) throw malformed('签名行没有以换行结束', 'the signature lines do not end in a newline');
  const lines = sigBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed('签名过多', 'too many signatures');
  const message = new TextEncoder().encode(text);
  const known = await Promise.all(verifiers.map(async (v) => ({ v, id: await noteKeyId(sha256, v.key) })));
  const signedBy: string[] = [];
  for (const line of lines) {
    const m = /^— (\S+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    if (!m) throw malformed(`签名行“${line.slice(0, 80)}”不合规`, `bad signature line "${line.slice(0, 80)}"`);
    const name = m[1]!;
    checkKeyName(name);
    const raw = fromBase64(m[2]!);
    if (!raw || raw.length < 5) throw malformed('签名不是有效的 base64 或过短', 'a signature is not valid base64 or too short');
    const id = raw.subarray(0, 4);
    const sig = raw.slice(4);
    const match = known.find((k) => k.v.key.name === name && bytesEqual(k.id, id));
    if (!match) continue;
    if (!(await verifySignature(match.v, message, sig))) {
      throw new SealDeskError('NOTE_SIGNATURE_INVALID', `密钥“${name}”的签名验证失败，内容可能被篡改`, `The signature by key "${name}" does not verify; the note may have been changed`);
    }
    signedBy.push(name);
  }
  if (signedBy.length === 0) throw new SealDeskError('NOTE_UNSIGNED', '没有受信任密钥的签名', 'No signature from a trusted key');
  return { text, signedBy };
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) throw malformed('正文没有以换行结束', 'the text does not end in a newline');
  if (/[\x00-\x09\x0b-\x1f]/.test(text)) throw malformed('含有控制字符', 'it contains control characters');
  if (/[\uD800-\uDFFF]/.test(text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) throw malformed('不是有效的 UTF-8', 'not valid UTF-8');
}

async function verifySignature(v: NoteVerifier, message: Uint8Array, sig: Uint8Array): Promise<boolean> {
  if (v.verify) return v.verify(message, sig);
  if (v.key.type !== 'ecdsa-p256') {
    throw new SealDeskError('NOTE_NO_VERIFIER', 'SM2 签名需要提供验证函数', 'An SM2 note key needs a verify function');
  }
  const parts = derSignatureParts(sig);
  if (!parts) return false;
  try {
    const key = await globalThis.crypto.subtle.importKey('spki', Uint8Array.from(v.key.spki), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    const p1363 = concatBytes([fixed(parts.r, 32), fixed(parts.s, 32)]);
    return await globalThis.crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, p1363, Uint8Array.from(message));
  } catch {
    return false;
  }
}

/** r and s of a DER ECDSA/SM2 signature (SEQUENCE of two positive INTEGERs, minimal lengths), or undefined. */
export function derSignatureParts(der: Uint8Array): { r: Uint8Array; s: Uint8Array } | undefined {
  if (der.length < 8 || der.length > 140 || der[0] !== 0x30) return undefined;
  const body = readDerLength(der, 1);
  if (!body || body.end !== der.length) return undefined;
  const ints: Uint8Array[] = [];
  let at = body.start;
  for (let k = 0; k < 2; k++) {
    if (der[at] !== 0x02) return undefined;
    const f = readDerLength(der, at + 1);
    if (!f || f.end > der.length || f.end === f.start) return undefined;
    const v = der.subarray(f.start, f.end);
    if (v[0]! & 0x80) return undefined;
    if (v.length > 1 && v[0] === 0 && !(v[1]! & 0x80)) return undefined;
    ints.push(v[0] === 0 ? v.subarray(1) : v);
    at = f.end;
  }
  if (at !== der.length) return undefined;
  return { r: ints[0]!, s: ints[1]! };
}

function readDerLength(b: Uint8Array, at: number): { start: number; end: number } | undefined {
  const first = b[at];
  if (first === undefined) return undefined;
  if (first < 0x80) return { start: at + 1, end: at + 1 + first };
  if (first !== 0x81) return undefined; // signatures this small never need more than one length byte
  const n = b[at + 1];
  if (n === undefined || n < 0x80) return undefined;
  return { start: at + 2, end: at + 2 + n };
}

function fixed(v: Uint8Array, size: number): Uint8Array {
  if (v.length > size) return new Uint8Array(size + 1); // too long: cannot be a P-256 scalar, fails verification
  const out = new Uint8Array(size);
  out.set(v, size - v.length);
  return out;
}

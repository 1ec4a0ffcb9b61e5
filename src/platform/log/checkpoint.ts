/**
 * Log checkpoints (C2SP tlog-checkpoint): a signed note whose text is
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[time <ISO 8601 UTC>\n]
 * The `time` extension line carries when the platform signed the tree head (the issue asks for size,
 * root and time; the spec allows opaque extension lines after the root). The key name of the log's
 * signature is the origin. Browser-safe.
 *
 *   const note = await signCheckpoint(sha256, { origin, size, root, time: new Date() }, [signer]);
 *   const { checkpoint } = await openCheckpoint(sha256, note, [verifier], { origin });
 */
import { SealDeskError } from '../../core/errors';
import { HASH_SIZE, fromBase64, toBase64, type Sha256 } from './merkle-hash';
import { checkKeyName, openNote, signNote, type NoteSigner, type NoteVerifier } from './signed-note';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  /** When the tree head was signed, from the `time` extension line. */
  time?: Date;
  /** Extension lines other than `time`, kept as given. */
  extensions?: string[];
}

function malformed(zh: string, en: string): SealDeskError {
  return new SealDeskError('CHECKPOINT_MALFORMED', `检查点格式错误：${zh}`, `Malformed checkpoint: ${en}`);
}

const SIZE_RE = /^(0|[1-9][0-9]*)$/;
const TIME_RE = /^time (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z)$/;

/** The note text of a checkpoint. */
export function checkpointText(c: Checkpoint): string {
  checkKeyName(c.origin);
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw malformed(`树的大小 ${String(c.size)} 不是非负整数`, `tree size ${String(c.size)} is not a non-negative integer`);
  if (c.root.length !== HASH_SIZE) throw malformed('根哈希不是 32 字节', 'the root hash is not 32 bytes');
  const ext = [...(c.time ? [`time ${c.time.toISOString()}`] : []), ...(c.extensions ?? [])];
  for (const e of ext) if (e.length === 0 || e.includes('\n')) throw malformed('扩展行为空或含换行', 'an extension line is empty or has a newline');
  return [c.origin, String(c.size), toBase64(c.root), ...ext].join('\n') + '\n';
}

/** Parses a checkpoint's note text (no signatures); throws CHECKPOINT_MALFORMED. */
export function parseCheckpointText(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw malformed('没有以换行结束', 'it does not end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('少于三行', 'fewer than three lines');
  if (lines.some((l) => l.length === 0)) throw malformed('含有空行', 'it has an empty line');
  const [origin, sizeText, rootText, ...rest] = lines as [string, string, string, ...string[]];
  if (/[\s+]/u.test(origin)) throw malformed(`日志标识“${origin.slice(0, 80)}”含空白或加号`, `the origin "${origin.slice(0, 80)}" has a space or a plus sign`);
  if (!SIZE_RE.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw malformed(`树的大小“${sizeText.slice(0, 40)}”不是十进制数`, `tree size "${sizeText.slice(0, 40)}" is not a decimal number`);
  const root = fromBase64(rootText);
  if (!root || root.length !== HASH_SIZE) throw malformed('根哈希不是 32 字节的 base64', 'the root hash is not 32 bytes of base64');
  const c: Checkpoint = { origin, size: Number(sizeText), root };
  const extensions: string[] = [];
  for (const line of rest) {
    const t = TIME_RE.exec(line);
    if (t && !c.time) {
      const d = new Date(t[1]!);
      if (Number.isNaN(d.getTime())) throw malformed(`时间“${t[1]!}”无效`, `time "${t[1]!}" is not valid`);
      c.time = d;
    } else if (line.startsWith('time ')) {
      throw malformed('时间行重复或格式不对', 'a time line is repeated or malformed');
    } else {
      extensions.push(line);
    }
  }
  if (extensions.length > 0) c.extensions = extensions;
  return c;
}

export async function signCheckpoint(sha256: Sha256, c: Checkpoint, signers: readonly NoteSigner[]): Promise<string> {
  return signNote(sha256, checkpointText(c), signers);
}

/**
 * Verifies a signed checkpoint against the log's keys and parses it. With `origin`, a checkpoint of
 * another log is refused even if a known key signed it.
 */
export async function openCheckpoint(
  sha256: Sha256, note: string, verifiers: readonly NoteVerifier[], options: { origin?: string } = {},
): Promise<{ checkpoint: Checkpoint; signedBy: string[] }> {
  const opened = await openNote(sha256, note, verifiers);
  const checkpoint = parseCheckpointText(opened.text);
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw new SealDeskError('CHECKPOINT_WRONG_LOG', `检查点属于另一个日志“${checkpoint.origin}”`, `The checkpoint is of another log, "${checkpoint.origin}"`);
  }
  return { checkpoint, signedBy: opened.signedBy };
}

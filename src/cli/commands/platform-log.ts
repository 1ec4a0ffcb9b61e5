/**
 * `platform log verify`: fetch every stored checkpoint and every leaf over HTTPS and recompute the
 * whole tree against the checkpoints (verify-log.ts), with the platform key pinned from DIR when
 * given; names the first bad entry.
 */
import { MAX_LEAVES_PER_PAGE, type LeafView, type TrustBundlePayload } from '../../platform/api/contract';
import type { PlatformClient } from '../../platform/client/platform-client';
import { verifyEnvelope } from '../../platform/client-verify';
import { loadPlatformConfig } from '../../platform/config';
import { noteVerifier } from '../../platform/log/log-store';
import { nodeSha256 } from '../../platform/log/node-hasher';
import { verifyLog, type LogEntry } from '../../platform/log/verify-log';
import { SealDeskError } from '../../core/errors';
import { expectOk, type ClientValues } from './platform-client-options';

export const SOFTHSM_DEFAULT_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export async function platformLogVerify(c: PlatformClient, v: ClientValues): Promise<number> {
  const env = expectOk(await c.call('trustBundle'));
  const claimed = JSON.parse((env as { payload: string }).payload) as TrustBundlePayload;
  const keys = v.dir ? [loadPlatformConfig(v.dir).platformKey] : claimed.platformKeys;
  const check = verifyEnvelope<TrustBundlePayload>(env, keys, { type: 'trust-bundle' });
  if (!check.ok) throw new SealDeskError(check.code, check.zh, check.en);
  const bundle = check.payload;
  const notes = expectOk(await c.call<{ checkpoints: string[] }>('checkpoints')).checkpoints;
  async function* entries(): AsyncIterable<LogEntry> {
    for (let start = 0; ; start += MAX_LEAVES_PER_PAGE) {
      const page = expectOk(await c.call<{ leaves: LeafView[] }>('leaves', { query: { start, end: start + MAX_LEAVES_PER_PAGE } })).leaves;
      for (const l of page) yield { index: l.index, data: new Uint8Array(Buffer.from(l.data, 'base64')), leafHash: new Uint8Array(Buffer.from(l.leafHash, 'base64')) };
      if (page.length < MAX_LEAVES_PER_PAGE) return;
    }
  }
  const verdict = await verifyLog(nodeSha256, entries(), notes, bundle.platformKeys.map((k) => noteVerifier(k.spki, bundle.logOrigin)), { origin: bundle.logOrigin });
  if (v.json) process.stdout.write(`${JSON.stringify(verdict, (_k, x: unknown) => (x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x))}\n`);
  if (verdict.ok) {
    if (!v.json) process.stdout.write(`日志完整 / log verified: ${verdict.size} 条 entries, ${verdict.checkpoints} 个检查点 checkpoints\n`);
    return 0;
  }
  if (!v.json) process.stdout.write(`日志校验失败 / log verification failed [${verdict.code}] 第一个问题条目 / first bad entry: ${verdict.firstBadIndex}\n${verdict.zh}\n${verdict.en}\n`);
  return 1;
}

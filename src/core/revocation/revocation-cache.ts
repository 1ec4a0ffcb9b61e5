import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write';

/**
 * The on-disk cache of fetched revocation data: one DER file per OCSP answer (keyed by the
 * certificate) or CRL (keyed by its URL), with a small JSON sidecar saying when it was fetched and
 * until when it is current. Entries past their nextUpdate are ignored (and replaced on the next
 * fetch). Everything read back is judged again like fresh data; the cache only saves a round trip.
 */
export interface CachedItem {
  der: Uint8Array;
  fetchedAt: Date;
  /** Until when the data is current; undefined = no nextUpdate. */
  nextUpdate?: Date;
}

/** OCSP answers without nextUpdate are reused for this long. */
const NO_NEXT_UPDATE_TTL_MS = 10 * 60_000;
const MAX_CACHED_BYTES = 64 * 1024 * 1024;

export class RevocationCache {
  constructor(readonly dir: string) {}

  private file(kind: 'ocsp' | 'crl', key: string): string {
    return path.join(this.dir, `${kind}-${crypto.createHash('sha256').update(key).digest('hex').slice(0, 40)}`);
  }

  get(kind: 'ocsp' | 'crl', key: string, now: Date): CachedItem | undefined {
    const f = this.file(kind, key);
    try {
      const meta = JSON.parse(fs.readFileSync(`${f}.json`, 'utf8')) as { fetchedAt?: string; nextUpdate?: string; key?: string };
      if (meta.key !== key || typeof meta.fetchedAt !== 'string') return undefined;
      const fetchedAt = new Date(meta.fetchedAt);
      const nextUpdate = meta.nextUpdate ? new Date(meta.nextUpdate) : undefined;
      const until = nextUpdate?.getTime() ?? fetchedAt.getTime() + NO_NEXT_UPDATE_TTL_MS;
      if (!(until >= now.getTime()) || fetchedAt.getTime() > now.getTime() + 60_000) return undefined;
      if (fs.statSync(`${f}.der`).size > MAX_CACHED_BYTES) return undefined;
      return { der: new Uint8Array(fs.readFileSync(`${f}.der`)), fetchedAt, nextUpdate };
    } catch {
      return undefined; // absent or damaged: fetch again
    }
  }

  put(kind: 'ocsp' | 'crl', key: string, item: CachedItem): void {
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const f = this.file(kind, key);
      writeFileAtomic(`${f}.der`, item.der);
      writeFileAtomic(`${f}.json`, Buffer.from(JSON.stringify({ key, fetchedAt: item.fetchedAt.toISOString(), nextUpdate: item.nextUpdate?.toISOString() })));
    } catch {
      // a cache that cannot be written costs a round trip next time, nothing else
    }
  }
}

/**
 * Online verification's first step: the revocation data a PDF's stamps need and the file does not
 * already carry, fetched (or read from the cache) before the synchronous verification runs over the
 * pool. Status the /DSS already proves is not asked again: a file with its validation data embedded
 * verifies offline, and its report says so.
 */
import { openPdf } from '../pdf/document';
import type { ByteSource } from '../pdf/byte-source';
import { readDss, dssEvidence } from '../ltv/dss';
import type { RevocationEvidence } from './evidence';
import { emptyEvidence } from './evidence';
import { gatherRevocation } from './gather-revocation';
import { statusAt } from './judge-revocation';
import type { RevocationConfig } from './revocation-config';
import { certificatesToCheck, chainsOfStamp } from './stamp-revocation';
import { stampCertificatesOf } from './pdf-stamp-certificates';

export interface OnlineRevocationOptions {
  trustRoots: Uint8Array[];
  config?: RevocationConfig;
  now?: Date;
  /** Fetch even what the /DSS proves (LTV renewal wants fresh data). */
  refresh?: boolean;
}

export async function fetchRevocationForPdf(bytes: Uint8Array | ByteSource, o: OnlineRevocationOptions): Promise<RevocationEvidence> {
  const now = o.now ?? new Date();
  let doc;
  try { doc = openPdf(bytes); } catch { return emptyEvidence(false); }
  const dss = readDss(doc);
  const embedded = dssEvidence(dss);
  const wanted = stampCertificatesOf(doc, o.trustRoots, dss.certs).flatMap((s) => {
    const at = s.at ?? now;
    return certificatesToCheck(chainsOfStamp(s, at)).filter(({ cert, issuer }) => o.refresh || !statusAt(cert, issuer, at, embedded).finding);
  });
  if (wanted.length === 0) return emptyEvidence(false);
  return gatherRevocation(wanted, { config: o.config, now });
}

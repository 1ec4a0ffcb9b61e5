/**
 * Copied seals (issue #9): the platform serves the registered seals (the list to a console
 * account, each SESeal's DER publicly), so the verifier's seal catalog (the data dir's seals/, read
 * by copied-seal detection) can hold every seal of the platform and name a seal picture pasted
 * into a page without a signature. Each DER is checked against the registry's SHA-256 and decoded
 * before it is written (atomically); what the platform no longer lists is left as it is.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SealView } from '../../platform/api/contract';
import { decodeSeal } from '../asn1/ses-seal';
import type { AppContext } from '../app/context';
import { SealDeskError, asSealDeskError } from '../errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { sealCatalogDir } from '../verify/seal-catalog';
import { PlatformConnection } from './connection';
import { requirePlatform } from './seal-application';

/** The catalog file of a registered seal: esIDs are printable ASCII, so this name is safe and reversible. */
export const platformSealFile = (home: string, esID: string): string => path.join(sealCatalogDir(home), `platform-${encodeURIComponent(esID)}.seal`);

export interface CatalogSync { written: string[]; refused: { esID: string; reason: string }[] }

export async function syncSealCatalog(ctx: AppContext, account: { user: string; password: Buffer }): Promise<CatalogSync> {
  const conn = PlatformConnection.of(requirePlatform(ctx.config.platform));
  const result: CatalogSync = { written: [], refused: [] };
  try {
    await conn.login(account.user, account.password);
    const { seals } = await conn.call<{ seals: SealView[] }>('seals');
    fs.mkdirSync(sealCatalogDir(ctx.home), { recursive: true });
    for (const s of seals) {
      const der = await conn.bytes('sealDer', { params: { esID: s.esID } });
      try {
        if (crypto.createHash('sha256').update(der).digest('hex') !== s.sealSha256) throw new Error('its bytes do not match the registry');
        if (decodeSeal(der).eSealInfo.esID !== s.esID) throw new Error('it is another seal');
      } catch (e) {
        result.refused.push({ esID: s.esID, reason: (e as Error).message });
        continue;
      }
      writeFileAtomic(platformSealFile(ctx.home, s.esID), der);
      result.written.push(s.esID);
    }
    ctx.audit.record({ action: 'platform.seals', outcome: 'ok', detail: `${result.written.length} seal(s) into the catalog${result.refused.length ? `, ${result.refused.length} refused` : ''}` });
    return result;
  } catch (e) {
    const err = asSealDeskError(e);
    ctx.audit.record({ action: 'platform.seals', outcome: 'failed', code: err.code });
    throw err instanceof SealDeskError ? err : e;
  } finally {
    conn.close();
  }
}

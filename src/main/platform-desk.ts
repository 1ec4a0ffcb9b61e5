/**
 * The seal platform as the desktop client shows it (issue #9): the settings' platform section
 * (configure with a chosen root CA file, its state asked now, last contact, records waiting,
 * remove), each seal's registry state for the token panel, and the log warning a verification
 * card shows loudly. Every rule comes from src/core/platform-client: the trust bundle check, the
 * signed status answer, the seal gate's refusals, the log watch; this file only turns their
 * answers into the API's view types.
 */
import fs from 'node:fs';
import type { ApiError, PlatformView, SealRegistryState, SealRegistryView, VerificationReport } from '../api/contract';
import type { AuditLog } from '../core/audit/audit-log';
import { loadConfig, saveConfig } from '../core/config/config';
import { homePaths } from '../core/config/paths';
import { SealDeskError, asSealDeskError } from '../core/errors';
import { PlatformConnection } from '../core/platform-client/connection';
import { LogWatch } from '../core/platform-client/log-watch';
import { signedStatus } from '../core/platform-client/permit';
import { NO_PLATFORM_NOTE, type PlatformSettings } from '../core/platform-client/platform-settings';
import { refusalOfStatus } from '../core/platform-client/seal-gate';
import { queuedRecords } from '../core/platform-client/stamping-records';
import { fetchPlatformSettings } from '../core/platform-client/trust-bundle';
import type { StatusPayload } from '../platform/api/contract';

const errorView = (e: SealDeskError): ApiError => ({ code: e.code, zh: e.zh, en: e.en });
const isLogDistrust = (e: SealDeskError) => e.code === 'LOG_ROLLED_BACK' || e.code === 'LOG_FORKED' || e.code === 'LOG_PROOF_INVALID';

export const NOT_CONFIGURED: ApiError = { code: 'PLATFORM_NOT_CONFIGURED', ...NO_PLATFORM_NOTE };

function registryState(st: StatusPayload): SealRegistryState {
  if (st.state === 'unknown' || st.state === 'not_yet_registered') return 'not_registered';
  if (st.state === 'in_use' && st.expired) return 'expired';
  return st.state;
}

export interface PlatformDesk {
  view(): Promise<PlatformView>;
  /** Fetches and checks the platform's signed trust bundle over TLS pinned to the root in rootFile, then keeps it. */
  use(url: string, rootFile: string): Promise<PlatformView>;
  remove(): Promise<PlatformView>;
  sealStates(esIDs: string[]): Promise<SealRegistryView[]>;
  /** Adds the loud "log rolled back / forked" warning to a report whose seal status the log made untrustworthy. */
  markLogDistrust(report: VerificationReport): Promise<VerificationReport>;
  /** A core call (a stamp) talked to the platform successfully. */
  contacted(): void;
}

export function createPlatformDesk(home: string, audit: () => AuditLog): PlatformDesk {
  const configFile = homePaths(home).configFile;
  const settings = (): PlatformSettings | undefined => loadConfig(configFile).platform;
  let lastContact: string | undefined;
  const contacted = () => { lastContact = new Date().toISOString(); };

  /** Runs f over one connection to the configured platform, closed after. */
  const withPlatform = async <T>(s: PlatformSettings, f: (conn: PlatformConnection) => Promise<T>): Promise<T> => {
    const conn = PlatformConnection.of(s);
    try { return await f(conn); } finally { conn.close(); }
  };

  const view = async (): Promise<PlatformView> => {
    const s = settings();
    if (!s) return { configured: false };
    const base = { configured: true as const, url: s.url, name: s.platformName, configuredAt: s.configuredAt, recordsWaiting: queuedRecords(home).length };
    try {
      // Reachable means more than a TCP answer: its log checkpoint must extend the largest one seen.
      const cp = await withPlatform(s, (conn) => new LogWatch(home, s, conn).current());
      contacted();
      return { ...base, state: 'reachable', lastContact, logSize: cp.size };
    } catch (e) {
      const err = asSealDeskError(e);
      return { ...base, state: isLogDistrust(err) ? 'untrusted' : 'unreachable', reason: errorView(err), ...(lastContact ? { lastContact } : {}) };
    }
  };

  return {
    view,
    contacted,
    async use(url, rootFile) {
      let rootPem: string;
      try { rootPem = fs.readFileSync(rootFile, 'utf8'); } catch (e) {
        throw new SealDeskError('TRUST_FILE_UNREADABLE', '无法读取所选的根证书文件', 'Cannot read the chosen root certificate file', { cause: e });
      }
      const s = await fetchPlatformSettings(url, rootPem);
      contacted();
      saveConfig({ ...loadConfig(configFile), platform: s }, configFile);
      audit().record({ action: 'platform.use', outcome: 'ok', detail: `${s.url} (${s.platformName}), ${s.keys.length} key(s)` });
      return view();
    },
    async remove() {
      const { platform: _dropped, ...rest } = loadConfig(configFile);
      saveConfig(rest, configFile);
      audit().record({ action: 'platform.use', outcome: 'ok', detail: 'platform removed' });
      lastContact = undefined;
      return { configured: false };
    },
    async sealStates(esIDs) {
      const s = settings();
      if (!s) return esIDs.map((esID) => ({ esID, state: 'unchecked', mayStamp: true, reason: NOT_CONFIGURED }));
      return withPlatform(s, async (conn) => {
        const out: SealRegistryView[] = [];
        let down: SealDeskError | undefined;
        // A platform whose log was rolled back or forked could answer "in use" for a seal reported
        // lost: its log is checked against the largest checkpoint seen before any answer is shown.
        const watch = new LogWatch(home, s, conn);
        try {
          await watch.current();
        } catch (e) {
          down = asSealDeskError(e);
        }
        for (const esID of esIDs) {
          // Once the platform is found unreachable (or untrusted), the other seals are not asked (each would wait its timeout).
          if (down) { out.push({ esID, state: 'unchecked', mayStamp: false, reason: errorView(down) }); continue; }
          try {
            const st = await signedStatus(conn, s, esID);
            // The same order as core's seal gate: an answer older than the log already seen is not taken.
            await watch.assertNotBehind(st.logSize);
            contacted();
            const refusal = refusalOfStatus(st);
            out.push({ esID, state: registryState(st), mayStamp: !refusal, asOf: st.producedAt, ...(refusal ? { reason: errorView(refusal) } : {}), ...(st.decidingEvent ? { effectiveAt: st.decidingEvent.effectiveAt } : {}) });
          } catch (e) {
            const err = asSealDeskError(e);
            if (err.code === 'PLATFORM_UNREACHABLE' || isLogDistrust(err)) down = err;
            out.push({ esID, state: 'unchecked', mayStamp: false, reason: errorView(err) });
          }
        }
        return out;
      });
    },
    async markLogDistrust(report) {
      const s = settings();
      const failed = report.signatures.some((sig) => sig.checks.some((c) => c.id === 'seal_status' && c.status === 'failed'));
      if (!s || !failed) return report;
      try {
        await withPlatform(s, (conn) => new LogWatch(home, s, conn).current());
      } catch (e) {
        const err = asSealDeskError(e);
        if (isLogDistrust(err)) report.warnings.unshift({ id: 'platform_log_untrusted', message: { zh: err.zh, en: err.en } });
      }
      return report;
    },
  };
}

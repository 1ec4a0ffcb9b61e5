/**
 * The in-process CoreGateway: runs core calls in this process. Used inside the token host (the
 * utilityProcess) and by the e2e server. Token operations go through one serialized queue per token
 * serial, because a PKCS#11 token handles one login/sign sequence at a time.
 */
import type { AuditEntryView, Settings, TrustRootView } from '../api/contract';
import { AuditLog } from '../core/audit/audit-log';
import { loadConfig, saveConfig } from '../core/config/config';
import { homePaths } from '../core/config/paths';
import { TrustStore } from '../core/config/trust-store';
import type { CoreGateway } from './core-gateway';
import type { CoreApp } from './core-app';
import { KeyedQueue } from './keyed-queue';
import { signatureDetails } from './signature-details';
import { createPlatformDesk } from './platform-desk';
import fs from 'node:fs';
import { sealPictureView } from './seal-picture-view';

export function createDirectCore(app: CoreApp, home: string = homePaths().home): CoreGateway {
  const paths = homePaths(home);
  const queue = new KeyedQueue();
  const trust = () => new TrustStore(paths.trustDir);
  const roots = (): TrustRootView[] => trust().list().map((r) => ({ subject: r.subject, fingerprint: r.fingerprint, notAfter: r.validTo }));
  const settings = (): Settings => {
    const c = loadConfig(paths.configFile);
    return { modulePaths: c.modules, language: c.language, ...(c.tsaUrl ? { tsaUrl: c.tsaUrl } : {}) };
  };
  // Configured modules, else none (the core then falls back to env SEALDESK_PKCS11_MODULE).
  const modulePaths = () => loadConfig(paths.configFile).modules;
  const platform = createPlatformDesk(home, () => new AuditLog(paths.auditLog));

  return {
    // Listing reads public objects only; it still queues behind a running stamp on the same module.
    listTokens: () => queue.run('*list*', () => app.listTokens(modulePaths())),
    stamp: (job, hooks) =>
      queue.run(`token:${job.tokenSerial}`, async () => {
        try {
          if (hooks.signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
          const r = await app.stamp({ ...job, modulePaths: modulePaths(), tsaUrl: settings().tsaUrl }, hooks);
          if (r.platform?.checked) platform.contacted();
          return r;
        } finally {
          job.pin.fill(0);
        }
      }),
    stampBatch: (job, hooks) =>
      queue.run(`token:${job.tokenSerial}`, async () => {
        try {
          return await app.stampBatch({ ...job, modulePaths: modulePaths(), tsaUrl: settings().tsaUrl }, hooks);
        } finally {
          job.pin.fill(0);
        }
      }),
    sealPicture: async (job) => sealPictureView(job),
    verify: async (file) => platform.markLogDistrust(await app.verify(file)),
    signatureDetails: async (file, field) => signatureDetails(new Uint8Array(await fs.promises.readFile(file)), field, trust().list().map((r) => r.der)),
    findKeyword: (file, text) => app.findKeyword(file, text),
    trustAdd: async (file) => {
      trust().add(file);
      return roots();
    },
    trustList: async () => roots(),
    auditList: async (limit): Promise<AuditEntryView[]> => {
      const all = new AuditLog(paths.auditLog).entries();
      return all
        .slice(-limit)
        .reverse()
        .map((e) => ({ seq: e.seq, time: e.time, action: e.action, outcome: e.outcome, tokenSerial: e.tokenSerial, tokenLabel: e.tokenLabel, esID: e.esID, document: e.document, code: e.code }));
    },
    auditVerify: async () => new AuditLog(paths.auditLog).verify(),
    settingsGet: async () => settings(),
    settingsSet: async (s) => {
      const c = loadConfig(paths.configFile);
      saveConfig({ ...c, modules: s.modulePaths, language: s.language, tsaUrl: s.tsaUrl }, paths.configFile);
      return settings();
    },
    sealStates: (esIDs) => platform.sealStates(esIDs),
    platformGet: () => platform.view(),
    platformUse: (url, rootFile) => platform.use(url, rootFile),
    platformRemove: () => platform.remove(),
  };
}

import { AuditLog } from '../audit/audit-log';
import { loadConfig, type SealDeskConfig } from '../config/config';
import { homePaths, sealdeskHome } from '../config/paths';
import { TrustStore } from '../config/trust-store';
import type { Pkcs11Module, VendorProfile } from '../pkcs11';

/**
 * The token code (graphene-pk11, the pkcs11js addon) loads on the first module() call, not with the
 * context: verifying, the log and the trust store never touch a token (issue 13: start-up).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkcs11 = (): typeof import('../pkcs11') => require('../pkcs11') as typeof import('../pkcs11');

/**
 * Everything a use case needs from the environment, resolved once: the data dir and what lives
 * there (config, trust store, audit log), and on demand the PKCS#11 module and vendor profile.
 * The CLI, the Electron main process and the tests build one and pass it down.
 */
export class AppContext {
  readonly home: string;
  readonly config: SealDeskConfig;
  readonly trust: TrustStore;
  readonly audit: AuditLog;
  private mod?: Pkcs11Module;

  constructor(readonly options: { home?: string; module?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.home = options.home ?? sealdeskHome(options.env);
    const paths = homePaths(this.home);
    this.config = loadConfig(paths.configFile);
    this.trust = new TrustStore(paths.trustDir);
    this.audit = new AuditLog(paths.auditLog);
  }

  /** The PKCS#11 module: --module, env SEALDESK_PKCS11_MODULE, then config.json's first module. */
  module(): Pkcs11Module {
    this.mod ??= pkcs11().openModule(pkcs11().resolveModulePath({ module: this.options.module, env: this.options.env, configModule: this.config.modules[0] }));
    return this.mod;
  }

  vendorProfile(): VendorProfile {
    return pkcs11().loadVendorProfile(this.config.vendorProfile ?? 'standard');
  }
}

/**
 * `platform init`: a new platform in DIR — its token key (generated on the PKCS#11 token, a fresh
 * SoftHSM2 token when asked), its root / TLS / key certificates, its database with migrations (and
 * on PostgreSQL the app role), its first console account. Refuses a DIR that already holds one.
 * Half-made platforms are not left behind: DIR/platform.json is written last.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { SealDeskError } from '../core/errors';
import { findToken, generateKeyPair, importCertificate, initToken, openModule, closeModule, withUserLogin, type TokenInfo } from '../core/pkcs11';
import type { Role } from './api/contract';
import { createAccount, createUnit } from './auth/accounts';
import { loadPlatformConfig, platformPaths, savePlatformConfig, type PlatformConfig } from './config';
import { isPostgresUrl, openDatabase } from './db/database';
import { migrate } from './db/migrations';
import { createAppRole } from './db/pg-roles';
import { keyIdOf } from './signing/platform-signer';
import { makePlatformPki, type PlatformPki } from './tls';

export interface InitOptions {
  dir: string;
  name?: string;
  /** postgres:// URL of the database owner; default a SQLite file in DIR. */
  db?: string;
  module: string;
  tokenLabel?: string;
  /** Initialise a fresh token (SoftHSM2) with a random PIN kept in DIR/token.pin. */
  newToken?: boolean;
  /** An existing token's PIN file; copied into DIR/token.pin. */
  pinFile?: string;
  softhsmConf?: string;
  listen?: string;
  trustRoots?: string[];
  admin: { user: string; displayName?: string; password: Buffer };
  /** Extra accounts (demo). */
  accounts?: { user: string; displayName: string; roles: Role[]; unit?: string; password: Buffer }[];
  units?: { name: string; requiresUseApproval?: boolean }[];
}

export async function initPlatform(o: InitOptions): Promise<PlatformConfig> {
  const dir = path.resolve(o.dir);
  const paths = platformPaths(dir);
  if (fs.existsSync(paths.config)) {
    throw new SealDeskError('PLATFORM_EXISTS', `${dir} 中已有平台`, `${dir} already holds a platform`, { details: { existing: loadPlatformConfig(dir).name } });
  }
  fs.mkdirSync(path.join(dir, 'tls'), { recursive: true, mode: 0o700 });
  fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  const name = o.name ?? 'SealDesk Platform';
  const label = o.tokenLabel ?? 'SEALDESK-PLATFORM';
  if (o.softhsmConf) process.env.SOFTHSM2_CONF = path.resolve(o.softhsmConf);

  // 1. The platform key on its token.
  const pinPath = path.join(dir, 'token.pin');
  if (o.newToken) {
    fs.writeFileSync(pinPath, crypto.randomBytes(12).toString('hex') + '\n', { mode: 0o600 });
  } else {
    if (!o.pinFile) throw new SealDeskError('PLATFORM_PIN_FILE', '需要平台密钥卡的 PIN 文件(--pin-file)', 'The platform token needs a PIN file (--pin-file)');
    fs.copyFileSync(o.pinFile, pinPath);
    fs.chmodSync(pinPath, 0o600);
  }
  const pin = () => Buffer.from(fs.readFileSync(pinPath, 'utf8').trim());
  const mod = openModule(o.module);
  let spki: Uint8Array;
  let token: TokenInfo;
  let pki: PlatformPki;
  const ckaId = crypto.randomBytes(4).toString('hex');
  try {
    token = o.newToken
      ? await initToken(mod, { label, soPin: Buffer.from(crypto.randomBytes(12).toString('hex')), userPin: pin() })
      : findToken(mod, label);
    spki = await withUserLogin(mod, token, pin(), (s) => generateKeyPair(s, { algorithm: 'EC-P256', ckaId, label: `${name} signing key` }), { readWrite: true, home: paths.home });
    // 2. Certificates; the key's certificate goes onto the token beside it (CKA_ID pairs them).
    pki = await makePlatformPki(name, spki, { ips: ['127.0.0.1', '::1'], dns: ['localhost'] });
    await withUserLogin(mod, token, pin(), (s) => importCertificate(s, { ckaId, label: `${name} signing key`, der: pki.platformKeyCertificate }), { readWrite: true, home: paths.home });
  } finally {
    closeModule(mod);
  }
  fs.writeFileSync(path.join(dir, 'tls', 'root.pem'), pki.rootPem);
  fs.writeFileSync(path.join(dir, 'tls', 'server.pem'), pki.serverCertPem);
  fs.writeFileSync(path.join(dir, 'tls', 'server.key'), pki.serverKeyPem, { mode: 0o600 });
  const acceptedRoots: string[] = [];
  fs.mkdirSync(path.join(dir, 'trust'), { recursive: true });
  for (const [i, file] of (o.trustRoots ?? []).entries()) {
    const rel = path.join('trust', `root-${i + 1}.pem`);
    fs.copyFileSync(file, path.join(dir, rel));
    acceptedRoots.push(rel);
  }

  // 3. The database.
  const ownerTarget = o.db ?? path.join(dir, 'platform.db');
  const database = openDatabase(ownerTarget);
  let appTarget: string;
  try {
    await migrate(database.db as unknown as Kysely<unknown>, database.dialect);
    appTarget = isPostgresUrl(ownerTarget) ? await createAppRole(database.db as unknown as Kysely<unknown>, ownerTarget) : 'platform.db';
    const now = new Date();
    const unitIds = new Map<string, number>();
    for (const u of o.units ?? []) unitIds.set(u.name, Number((await createUnit(database.db, now, u)).id));
    await createAccount(database.db, now, { user: o.admin.user, displayName: o.admin.displayName ?? o.admin.user, password: o.admin.password, roles: ['unit_admin', 'auditor'], unitId: null });
    for (const a of o.accounts ?? []) {
      const unitId = a.unit === undefined ? null : unitIds.get(a.unit) ?? Number((await createUnit(database.db, now, { name: a.unit })).id);
      await createAccount(database.db, now, { user: a.user, displayName: a.displayName, password: a.password, roles: a.roles, unitId });
    }
  } finally {
    await database.close();
  }

  const config: PlatformConfig = {
    version: 1, name, logOrigin: `sealdesk.local/platform-${crypto.randomBytes(4).toString('hex')}`, database: appTarget,
    token: { module: o.module, label: token.serial, ckaId, pinFile: 'token.pin', ...(o.softhsmConf ? { softhsmConf: path.resolve(o.softhsmConf) } : {}) },
    tls: { root: 'tls/root.pem', cert: 'tls/server.pem', key: 'tls/server.key' },
    listen: o.listen ?? '127.0.0.1:8443', acceptedRoots,
    platformKey: { keyId: keyIdOf(spki), alg: 'ecdsa-p256-sha256', spki: Buffer.from(spki).toString('base64'), certificate: Buffer.from(pki.platformKeyCertificate).toString('base64') },
  };
  savePlatformConfig(dir, config);
  return config;
}

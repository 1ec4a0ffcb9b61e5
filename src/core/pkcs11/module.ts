import fs from 'node:fs';
import path from 'node:path';
import * as graphene from 'graphene-pk11';
import type * as pkcs11js from 'pkcs11js';
import { SealDeskError } from '../errors';
import { ckrName } from './pkcs11-errors';

/**
 * A loaded and initialized PKCS#11 library. One per library path per process: PKCS#11 state
 * (logins, sessions) is per process, and a second C_Initialize on the same library is an error
 * or, worse, silently shares state, so openModule hands out the same object with a reference count.
 */
export class Pkcs11Module {
  /** graphene-pk11 wrapper: loading, library info, initialize/finalize. */
  readonly graphene: graphene.Module;
  /** Sessions currently open through withSession; a re-initialization must wait for zero. */
  openSessions = 0;
  /** How many openModule calls are not yet matched by closeModule. */
  refs = 1;
  private finalized = false;

  constructor(readonly path: string, mod: graphene.Module) {
    this.graphene = mod;
  }

  /**
   * The raw pkcs11js binding every call goes through (graphene's objects hold the same instance),
   * so a test can count C_Login calls by wrapping a method on it.
   */
  get lib(): pkcs11js.PKCS11 {
    if (this.finalized) throw new SealDeskError('MODULE_CLOSED', 'PKCS#11 模块已关闭', 'The PKCS#11 module was closed', { details: { module: this.path } });
    return this.graphene.lib;
  }

  get info(): { manufacturer: string; description: string; cryptokiVersion: string } {
    const g = this.graphene;
    return { manufacturer: g.manufacturerID, description: g.libraryDescription, cryptokiVersion: `${g.cryptokiVersion.major}.${g.cryptokiVersion.minor}` };
  }

  /**
   * C_Finalize + C_Initialize. Many modules (SoftHSM2 among them) read their slot configuration
   * only in C_Initialize, so this is how an in-process module learns about a token that was added
   * or removed. It invalidates every session, so it only runs while none is open through us.
   * Returns false when it did not run.
   */
  refresh(): boolean {
    if (this.finalized || this.openSessions > 0) return false;
    try { this.lib.C_Finalize(); } catch { /* not initialized or already broken: initialize anew */ }
    try {
      this.graphene.initialize();
    } catch (e) {
      throw loadFailed(this.path, e);
    }
    return true;
  }

  /** @internal used by closeModule */
  finalize(): void {
    if (this.finalized) return;
    try { this.graphene.finalize(); } catch { /* closing anyway */ }
    try { this.graphene.close(); } catch { /* closing anyway */ }
    this.finalized = true;
  }

  get closed(): boolean {
    return this.finalized;
  }
}

const loaded = new Map<string, Pkcs11Module>();

export interface ModulePathOptions {
  /** --module on the command line */
  module?: string;
  /** defaults to process.env; SEALDESK_PKCS11_MODULE is read from it */
  env?: NodeJS.ProcessEnv;
  /** the module path from the config file */
  configModule?: string;
}

/** Which PKCS#11 library to load: --module, then env SEALDESK_PKCS11_MODULE, then the config. */
export function resolveModulePath(opts: ModulePathOptions): string {
  const env = opts.env ?? process.env;
  const chosen = [opts.module, env.SEALDESK_PKCS11_MODULE, opts.configModule].find((p) => typeof p === 'string' && p.trim() !== '');
  if (!chosen) {
    throw new SealDeskError('MODULE_NOT_CONFIGURED',
      '未指定 PKCS#11 模块:请用 --module、环境变量 SEALDESK_PKCS11_MODULE 或配置文件指定印章卡驱动库',
      'No PKCS#11 module given: use --module, env SEALDESK_PKCS11_MODULE or the config file to name the USB-Key library');
  }
  return path.resolve(chosen.trim());
}

function loadFailed(modulePath: string, e: unknown): SealDeskError {
  const reason = ckrName(e) ?? (e instanceof Error ? e.message.split('\n')[0] : String(e));
  return new SealDeskError('MODULE_LOAD_FAILED',
    `无法加载 PKCS#11 模块 ${modulePath}(不是有效的印章卡驱动库或初始化失败):${reason}`,
    `Cannot load the PKCS#11 module ${modulePath} (not a PKCS#11 library, or its initialization failed): ${reason}`,
    { cause: e, details: { module: modulePath } });
}

/**
 * Loads and initializes a PKCS#11 library, once per process per path. A missing file is
 * MODULE_NOT_FOUND; anything that is not a working PKCS#11 library is MODULE_LOAD_FAILED.
 */
export function openModule(modulePath: string): Pkcs11Module {
  const abs = path.resolve(modulePath);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    throw new SealDeskError('MODULE_NOT_FOUND', `找不到 PKCS#11 模块文件:${abs}`, `PKCS#11 module not found: ${abs}`, { cause: e, details: { module: abs } });
  }
  if (!st.isFile()) throw loadFailed(abs, new Error('not a regular file'));
  const key = fs.realpathSync(abs);
  const existing = loaded.get(key);
  if (existing && !existing.closed) {
    existing.refs++;
    return existing;
  }
  let g: graphene.Module;
  try {
    g = graphene.Module.load(abs);
  } catch (e) {
    throw loadFailed(abs, e);
  }
  try {
    g.initialize();
  } catch (e) {
    try { g.close(); } catch { /* already failing */ }
    throw loadFailed(abs, e);
  }
  const mod = new Pkcs11Module(abs, g);
  loaded.set(key, mod);
  return mod;
}

/** Drops one reference; the last one finalizes the library (C_Finalize) and unloads it. */
export function closeModule(mod: Pkcs11Module): void {
  if (mod.closed) return;
  mod.refs--;
  if (mod.refs > 0) return;
  mod.finalize();
  for (const [k, v] of loaded) if (v === mod) loaded.delete(k);
}

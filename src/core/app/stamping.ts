import fs from 'node:fs';
import path from 'node:path';
import { SealDeskError, asSealDeskError } from '../errors';
import { verifySeal, sealListsCertificate } from '../seal/verify-seal';
import { parseCertificate } from '../crypto/certificate';
import { pinLockedError } from '../pkcs11/pin-guard';
import { stampPdf, type Placement, type StampResult, type StampStage } from '../sign';
import type { AppContext } from './context';
import { sha256OfFile } from '../fs/file-hash';
import { keeperKeyPair, selectToken, tokenOverview, type SealOnToken, type TokenOverview } from './token-overview';
import { loginOnSign, type PinPrompt } from './login-signer';
import type { KeyPairInfo, TokenInfo } from '../pkcs11';
import type { Signer } from '../signer';
import { refuseRevokedKeeper } from '../revocation/keeper-status';
import { loadRevocationConfig } from '../revocation/revocation-config';
import { PlatformStamping, type PlatformStampOutcome } from '../platform-client/stamping-steps';

export interface StampRequest {
  input: string;
  output: string;
  /** Label or serial of the keeper's USB-Key. */
  token?: string;
  /** Which seal on the token; may be left out when the token carries one usable seal. */
  esID?: string;
  placement: Placement;
  askPin: PinPrompt;
  tsaUrl?: string;
  signal?: AbortSignal;
  /** Also names the seal platform's steps: seal_status (核验印章状态), permit (申请用印许可), record (发送用印记录). */
  onProgress?: (p: { stage: StampStage | 'seal_status' | 'permit' | 'record'; index?: number; total?: number }) => void;
  now?: Date;
  /** A signer already logged in for a whole job (batch stamping: one PIN, one login); default: log in for this stamp. */
  signer?: (token: TokenInfo, key: KeyPairInfo) => Signer & { dispose(): void };
}

function refuse(code: string, zh: string, en: string, details: Record<string, unknown> = {}): SealDeskError {
  return new SealDeskError(code, zh, en, { details });
}

/** Picks the seal to stamp with and runs the pre-checks of architecture.md step 2 that need no PIN. */
export function checkBeforeStamp(ctx: AppContext, view: TokenOverview, esID: string | undefined, now: Date): { seal: SealOnToken & { seal: NonNullable<SealOnToken['seal']> }; key: NonNullable<ReturnType<typeof keeperKeyPair>> } {
  const usable = view.seals.filter((s): s is SealOnToken & { seal: NonNullable<SealOnToken['seal']> } => s.seal !== undefined);
  const chosen = esID ? usable.find((s) => s.seal.eSealInfo.esID === esID) : usable.length === 1 ? usable[0] : undefined;
  if (!chosen) {
    if (esID) throw refuse('SEAL_NOT_ON_TOKEN', `印章卡上没有编码为 ${esID} 的印章`, `The USB-Key carries no seal with id ${esID}`);
    const damaged = view.seals.find((s) => s.error);
    if (usable.length === 0 && damaged?.error) {
      throw refuse(damaged.error.code, `印章卡上的印章数据已损坏:${damaged.error.zh}`, `The seal on the USB-Key is damaged: ${damaged.error.en}`);
    }
    if (usable.length === 0) throw refuse('SEAL_NOT_ON_TOKEN', '印章卡上没有电子印章', 'The USB-Key carries no electronic seal');
    throw refuse('SEAL_AMBIGUOUS', '印章卡上有多枚印章,请用 --seal 指定印章编码', 'The USB-Key carries several seals; choose one with --seal');
  }
  const check = verifySeal(chosen.seal, { trustRoots: ctx.trust.roots(), at: now });
  const failed = check.checks.find((c) => c.status === 'failed');
  if (failed) throw refuse('SEAL_INVALID', `电子印章无效:${failed.zh}`, `The electronic seal is not valid: ${failed.en}`, { check: failed.id });
  const key = keeperKeyPair(view, chosen.ckaId);
  if (!key?.certificate) throw refuse('KEEPER_CERT_MISSING', '印章卡上没有与印章对应的签章人证书', 'The USB-Key holds no signer certificate for this seal');
  if (!sealListsCertificate(chosen.seal, key.certificate)) {
    throw refuse('SIGNER_NOT_IN_SEAL', '签章人证书不在印章的证书列表中', "The signer's certificate is not listed in the seal");
  }
  const cert = parseCertificate(key.certificate);
  if (now < cert.notBefore || now > cert.notAfter) {
    throw refuse('KEEPER_CERT_EXPIRED', '签章人证书不在有效期内', "The signer's certificate is outside its validity period", { notBefore: cert.notBefore, notAfter: cert.notAfter });
  }
  if (view.pin.locked) throw pinLockedError(view.token.serial, view.pin.lockedBy ?? 'guard');
  return { seal: chosen, key };
}

function checkOutputDirectory(output: string): void {
  const dir = path.dirname(path.resolve(output));
  try {
    if (!fs.statSync(dir).isDirectory()) throw new Error('not a directory');
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new SealDeskError('OUTPUT_DIR_UNWRITABLE', `无法在 ${dir} 中保存签章后的文件`, `The stamped file cannot be saved in ${dir}`, { cause: e });
  }
}

function fileHash(file: string): string | undefined {
  try { return sha256OfFile(file); } catch { return undefined; }
}

/**
 * 签章 (domain.md flow 3) with a real token: token present, seal valid, signer listed, PIN guard
 * open — all before the PIN is asked; then one login, one signature per placement, OUT written
 * atomically (IN never touched). Every attempt, success or failure, is logged.
 */
export async function stampDocument(ctx: AppContext, r: StampRequest): Promise<StampResult & { platform: PlatformStampOutcome }> {
  const now = r.now ?? new Date();
  let serial: string | undefined;
  let label: string | undefined;
  let esID = r.esID;
  const platform = new PlatformStamping(ctx.config, ctx.home, ctx.audit);
  try {
    // Step (a) with a seal platform: the seal's registration and state before anything else.
    if (platform.configured) r.onProgress?.({ stage: 'seal_status' });
    if (r.esID) await platform.checkSeal(r.esID);
    // Nothing may be stamped that the log cannot record, nor signed that cannot be saved.
    ctx.audit.assertWritable();
    checkOutputDirectory(r.output);
    const token = selectToken(ctx, r.token);
    serial = token.serial;
    label = token.label;
    const view = await tokenOverview(ctx, token);
    // The seal is known now when the token carries only one: its registry state still comes first.
    const only = view.seals.filter((s) => s.seal);
    if (!r.esID && only.length === 1) await platform.checkSeal(only[0]!.seal!.eSealInfo.esID);
    const { seal, key } = checkBeforeStamp(ctx, view, r.esID, now);
    esID = seal.seal.eSealInfo.esID;
    await platform.checkSeal(esID);
    // 挂失 on the certificate side: a revoked keeper certificate stops here, before the PIN is asked.
    await refuseRevokedKeeper(key.certificate!, { roots: ctx.trust.roots(), config: loadRevocationConfig(ctx.home), now });
    const picture = seal.seal.eSealInfo.picture;
    const signer = r.signer?.(view.token, key) ?? loginOnSign(ctx, view.token, key, { profile: ctx.vendorProfile(), askPin: r.askPin, purpose: 'stamp', triesLeft: view.pin.triesLeft });
    const run = async () => {
      if (platform.configured) r.onProgress?.({ stage: 'permit' });
      const permit = await platform.permit({ esID: esID!, input: r.input, signer });
      const stamped = await stampPdf({
        input: r.input,
        output: r.output,
        placement: r.placement,
        sealDer: seal.der,
        permit: permit?.envelope,
        sealPicture: { type: picture.type, data: picture.data, widthMm: picture.width, heightMm: picture.height },
        signer,
        signingTime: now,
        tsa: r.tsaUrl ? { url: r.tsaUrl } : undefined,
        signal: r.signal,
        onProgress: r.onProgress,
      });
      ctx.audit.record({ action: 'stamp', outcome: 'ok', tokenSerial: serial, tokenLabel: label, esID, document: r.output, documentHash: fileHash(r.input), detail: [...stamped.stamps.map((s) => `${s.fieldName} p${s.page}`), ...(permit ? [`permit ${permit.permitId}`] : [])].join(', ') });
      if (permit) r.onProgress?.({ stage: 'record' });
      return { ...stamped, platform: await platform.afterStamp({ esID: esID!, output: stamped.output, byteRange: stamped.byteRange, permit, signer }) };
    };
    return await run().finally(() => signer.dispose());
  } catch (e) {
    const err = asSealDeskError(e);
    ctx.audit.record({ action: 'stamp', outcome: err.code === 'CANCELLED' || err.code === 'STAMP_CANCELLED' ? 'refused' : 'failed', tokenSerial: serial, tokenLabel: label, esID, document: r.input, documentHash: fileHash(r.input), code: err.code });
    throw err;
  } finally {
    platform.close();
  }
}

import fs from 'node:fs';
import { SealDeskError, asSealDeskError } from '../errors';
import { makeSeal } from '../seal/make-seal';
import { withSession, writeSealObject } from '../pkcs11';
import { parseCertificate } from '../crypto/certificate';
import type { AppContext } from './context';
import { keeperKeyPair, selectToken, tokenOverview } from './token-overview';
import { loginOnSign, type PinPrompt } from './login-signer';

export interface MakeSealRequest {
  /** Label or serial of the seal-making authorization card (制章授权卡). */
  makerToken: string;
  /** Label or serial of the keeper's USB-Key that receives the seal. */
  keeperToken: string;
  name: string;
  type: number;
  imagePath: string;
  /** The picture's bytes when they do not come from a file (an approved application's impression); imagePath then only names it. */
  image?: Uint8Array;
  widthMm?: number;
  heightMm?: number;
  validStart?: Date;
  /** Default: the keeper certificate's notAfter. */
  validEnd?: Date;
  esID?: string;
  vendorId?: string;
  askPin: PinPrompt;
  now?: Date;
}

export interface MadeSealOnToken {
  esID: string;
  name: string;
  keeperSerial: string;
  der: Uint8Array;
  /** Where the seal object sits on the keeper's token (CKA_ID and label). */
  ckaId: string;
  label: string;
}

/**
 * 制章 (domain.md flow 2) with real tokens: the maker's card signs, the seal is written to the
 * keeper's token next to the keeper key (same CKA_ID). The checks of flow 2 run in order before the
 * maker's PIN is asked; success and every refusal go to the audit log.
 */
export async function makeSealOnToken(ctx: AppContext, r: MakeSealRequest): Promise<MadeSealOnToken> {
  let keeperSerial: string | undefined;
  try {
    ctx.audit.assertWritable();
    let image: Uint8Array;
    try {
      image = r.image ?? fs.readFileSync(r.imagePath);
    } catch (e) {
      throw new SealDeskError('SEAL_IMAGE_UNREADABLE', `无法读取印模图片 ${r.imagePath}`, `Cannot read the seal image ${r.imagePath}`, { cause: e });
    }
    const now = r.now ?? new Date();
    // a. the authorization card: absent means makeSeal refuses with flow 2's first message.
    let maker: ReturnType<typeof loginOnSign> | undefined;
    try {
      const makerToken = selectToken(ctx, r.makerToken);
      const makerView = await tokenOverview(ctx, makerToken);
      const makerKey = keeperKeyPair(makerView);
      if (makerKey) maker = loginOnSign(ctx, makerView.token, makerKey, { profile: ctx.vendorProfile(), askPin: r.askPin, purpose: 'make-seal', triesLeft: makerView.pin.triesLeft });
    } catch (e) {
      if (asSealDeskError(e).code !== 'TOKEN_NOT_PRESENT') throw e;
    }
    // b., c. the keeper token: its certificate and the seals it already carries.
    const keeperToken = selectToken(ctx, r.keeperToken);
    keeperSerial = keeperToken.serial;
    const keeperView = await tokenOverview(ctx, keeperToken);
    const keeperKey = keeperKeyPair(keeperView);
    const certificate = keeperKey?.certificate;
    let validEnd = r.validEnd;
    if (!validEnd && certificate) {
      try { validEnd = parseCertificate(certificate).notAfter; } catch { /* makeSeal refuses the certificate */ }
    }
    const made = await makeSeal({
      maker,
      keeper: { certificate, seals: keeperView.seals.map((s) => s.der) },
      trustRoots: ctx.trust.roots(),
      now,
      esID: r.esID,
      name: r.name,
      type: r.type,
      validStart: r.validStart ?? now,
      validEnd: validEnd ?? new Date(now.getTime() + 2 * 365 * 86400_000),
      image: { bytes: image, widthMm: r.widthMm, heightMm: r.heightMm },
      vendorId: r.vendorId ?? 'SealDesk',
    }).finally(() => maker?.dispose());
    const esID = made.seal.eSealInfo.esID;
    await withSession(ctx.module(), keeperToken, { readWrite: true }, (s) => writeSealObject(s, { ckaId: keeperKey!.ckaId, label: `${r.name} ${esID}`, der: made.der }));
    ctx.audit.record({ action: 'seal.make', outcome: 'ok', tokenSerial: keeperSerial, tokenLabel: keeperToken.label, esID, detail: r.name });
    return { esID, name: made.seal.eSealInfo.property.name, keeperSerial, der: made.der, ckaId: keeperKey!.ckaId, label: `${r.name} ${esID}` };
  } catch (e) {
    const err = asSealDeskError(e);
    ctx.audit.record({ action: 'seal.make', outcome: 'failed', tokenSerial: keeperSerial, code: err.code, detail: r.name });
    throw err;
  }
}

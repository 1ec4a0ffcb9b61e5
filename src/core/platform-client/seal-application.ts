/**
 * 申请 → 审批 → 制章 through the seal platform (issue #9, platform.md flow 1): `seal apply` files an
 * application as an applicant's console account; `seal make --application ID` (as a maker's
 * account) checks with the platform that the application is approved and unused, makes the seal
 * from the application's own fields (name, kind, impression bytes, validity) with flow 2's refusals
 * as without a platform, writes it to the keeper's token and registers it. When registration fails
 * the seal is removed from the token again, and the error names the step that failed.
 */
import crypto from 'node:crypto';
import type { ApplicationCreateRequest, ApplicationView, SealKind, SealView } from '../../platform/api/contract';
import { SEAL_KINDS } from '../../platform/api/contract';
import type { AppContext } from '../app/context';
import { makeSealOnToken, type MadeSealOnToken } from '../app/seal-making';
import type { PinPrompt } from '../app/login-signer';
import { keeperKeyPair, selectToken, tokenOverview } from '../app/token-overview';
import { SealDeskError, asSealDeskError } from '../errors';
import { deleteSealObject, withSession } from '../pkcs11';
import { PlatformConnection } from './connection';
import type { PlatformSettings } from './platform-settings';

export function requirePlatform(settings: PlatformSettings | undefined): PlatformSettings {
  if (!settings) {
    throw new SealDeskError('PLATFORM_NOT_CONFIGURED', '未配置电子印章管理平台(先运行 sealdesk platform use 地址 --ca 根证书.pem)',
      'No seal platform is configured (run sealdesk platform use URL --ca ROOT.pem first)');
  }
  return settings;
}

export interface ApplicationInput {
  sealName: string;
  kind: string;
  keeperName: string;
  /** The keeper's USB-Key (label or serial): its certificate goes into the application. */
  keeperToken?: string;
  impressionPng: Uint8Array;
  widthMm: number;
  heightMm: number;
  validFrom: Date;
  validTo: Date;
  note?: string;
}

export async function fileSealApplication(ctx: AppContext, account: { user: string; password: Buffer }, a: ApplicationInput): Promise<ApplicationView> {
  const settings = requirePlatform(ctx.config.platform);
  if (!(a.kind in SEAL_KINDS)) {
    throw new SealDeskError('SEAL_KIND_INVALID', `印章类型须为 ${Object.keys(SEAL_KINDS).join('、')} 之一`, `The seal kind must be one of ${Object.keys(SEAL_KINDS).join(', ')}`);
  }
  let certificate: string | undefined;
  if (a.keeperToken) {
    const key = keeperKeyPair(await tokenOverview(ctx, selectToken(ctx, a.keeperToken)));
    if (!key?.certificate) throw new SealDeskError('KEEPER_CERT_MISSING', '印章卡上没有保管人证书', "The keeper's USB-Key holds no certificate");
    certificate = Buffer.from(key.certificate).toString('base64');
  }
  const body: ApplicationCreateRequest = {
    sealName: a.sealName, kind: a.kind as SealKind, keeper: { name: a.keeperName, ...(certificate ? { certificate } : {}) },
    impression: { png: Buffer.from(a.impressionPng).toString('base64'), widthMm: a.widthMm, heightMm: a.heightMm },
    validFrom: a.validFrom.toISOString(), validTo: a.validTo.toISOString(), ...(a.note ? { note: a.note } : {}),
  };
  const conn = PlatformConnection.of(settings);
  try {
    await conn.login(account.user, account.password);
    const filed = await conn.call<ApplicationView>('applicationCreate', { body });
    ctx.audit.record({ action: 'seal.apply', outcome: 'ok', detail: `application ${filed.id}: ${filed.sealName}` });
    return filed;
  } catch (e) {
    const err = asSealDeskError(e);
    ctx.audit.record({ action: 'seal.apply', outcome: 'failed', code: err.code, detail: a.sealName });
    throw err;
  } finally {
    conn.close();
  }
}

/** Which step of 制章 through the platform failed: the message says it to the user. */
const STEPS = {
  check: ['核对申请', 'checking the application'],
  make: ['制作印章', 'making the seal'],
  register: ['向平台备案', 'registering with the platform'],
} as const;

function failedAt(step: keyof typeof STEPS, e: unknown, extra: { zh: string; en: string } = { zh: '', en: '' }): SealDeskError {
  const err = asSealDeskError(e);
  const [zh, en] = STEPS[step];
  return new SealDeskError(err.code, `制章失败,步骤「${zh}」:${err.zh}${extra.zh}`, `Seal making failed at step "${en}": ${err.en}${extra.en}`, { cause: err, details: { ...err.details, step } });
}

export interface MakeForApplicationRequest {
  applicationId: string;
  makerToken: string;
  keeperToken: string;
  account: { user: string; password: Buffer };
  askPin: PinPrompt;
  esID?: string;
  now?: Date;
}

export async function makeSealForApplication(ctx: AppContext, r: MakeForApplicationRequest): Promise<MadeSealOnToken & { registered: SealView }> {
  const settings = requirePlatform(ctx.config.platform);
  const conn = PlatformConnection.of(settings);
  try {
    // 1. The platform says the application is approved and has no seal yet.
    let app: ApplicationView;
    let impression: Uint8Array;
    try {
      await conn.login(r.account.user, r.account.password);
      app = await conn.call<ApplicationView>('application', { params: { id: r.applicationId } });
      if (app.state !== 'approved') {
        throw app.state === 'registered' || app.esID
          ? new SealDeskError('APPLICATION_USED', `申请 ${app.id} 已制作并备案过印章 ${app.esID ?? ''}`, `Application ${app.id} has already been used for seal ${app.esID ?? ''}`)
          : new SealDeskError('APPLICATION_NOT_APPROVED', `申请 ${app.id} 未获批准(${app.state})`, `Application ${app.id} is not approved (${app.state})`);
      }
      if (app.keeper.certificateSha256) {
        const key = keeperKeyPair(await tokenOverview(ctx, selectToken(ctx, r.keeperToken)));
        const onToken = key?.certificate ? crypto.createHash('sha256').update(key.certificate).digest('hex') : undefined;
        if (onToken !== app.keeper.certificateSha256) {
          throw new SealDeskError('KEEPER_CERT_NOT_APPLIED', `印章卡 ${r.keeperToken} 上的证书不是申请 ${app.id} 中的保管人证书`, `The certificate on ${r.keeperToken} is not the keeper certificate of application ${app.id}`);
        }
      }
      impression = await conn.bytes('applicationImpression', { params: { id: app.id } });
      if (crypto.createHash('sha256').update(impression).digest('hex') !== app.impression.sha256) {
        throw new SealDeskError('PLATFORM_BAD_ANSWER', '平台发来的印模与申请记录不符', "The impression sent by the platform does not match the application's record");
      }
    } catch (e) {
      throw failedAt('check', e);
    }
    // 2. Flow 2 as without a platform (its refusals, the maker's PIN), from the application's fields.
    let made: MadeSealOnToken;
    try {
      made = await makeSealOnToken(ctx, {
        makerToken: r.makerToken, keeperToken: r.keeperToken, name: app.sealName, type: Number(app.kind), imagePath: `application ${app.id}`, image: impression,
        widthMm: app.impression.widthMm, heightMm: app.impression.heightMm, validStart: new Date(app.validFrom), validEnd: new Date(app.validTo),
        esID: r.esID, askPin: r.askPin, now: r.now,
      });
    } catch (e) {
      throw failedAt('make', e);
    }
    // 3. Registration; on failure the seal does not stay on the token.
    try {
      const registered = await conn.call<SealView>('sealRegister', { body: { applicationId: app.id, seal: Buffer.from(made.der).toString('base64') } });
      ctx.audit.record({ action: 'seal.register', outcome: 'ok', tokenSerial: made.keeperSerial, esID: made.esID, detail: `application ${app.id}` });
      return { ...made, registered };
    } catch (e) {
      const err = asSealDeskError(e);
      let removed = false;
      try {
        removed = await withSession(ctx.module(), selectToken(ctx, r.keeperToken), { readWrite: true }, (s) => deleteSealObject(s, { ckaId: made.ckaId, label: made.label })) > 0;
      } catch { /* reported below: the seal may still be on the token */ }
      ctx.audit.record({ action: 'seal.register', outcome: 'failed', tokenSerial: made.keeperSerial, esID: made.esID, code: err.code, detail: removed ? 'seal removed from the token' : 'seal NOT removed from the token' });
      throw failedAt('register', err, removed
        ? { zh: ';印章已从印章卡上删除', en: '; the seal was removed from the USB-Key' }
        : { zh: `;印章未能从印章卡上删除,请手动删除(${made.esID})`, en: `; the seal could NOT be removed from the USB-Key, remove it by hand (${made.esID})` });
    }
  } finally {
    conn.close();
  }
}

import crypto from 'node:crypto';
import { decodeSeal, type SESeal } from '../asn1/ses-seal';
import { SealDeskError } from '../errors';
import { findToken, listKeyPairs, listTokens, pinStatus, readSealObjects, withSession, type KeyPairInfo, type PinStatus, type TokenInfo } from '../pkcs11';
import type { AppContext } from './context';

export interface SealOnToken {
  ckaId: string;
  label: string;
  der: Uint8Array;
  /** undefined when the object on the token does not parse as a seal. */
  seal?: SESeal;
  error?: { code: string; zh: string; en: string };
}

export interface TokenOverview {
  token: TokenInfo;
  keyPairs: (KeyPairInfo & { subject?: string })[];
  seals: SealOnToken[];
  pin: PinStatus;
}

function subjectOf(der: Uint8Array | undefined): string | undefined {
  if (!der) return undefined;
  try { return new crypto.X509Certificate(Buffer.from(der)).subject.replace(/\n/g, ', '); } catch { return undefined; }
}

/** What is on a token without a PIN: key pairs with their certificates, seals, PIN tries left. */
export async function tokenOverview(ctx: AppContext, token: TokenInfo): Promise<TokenOverview> {
  const mod = ctx.module();
  const profile = ctx.vendorProfile();
  return withSession(mod, token, {}, (s) => ({
    token: s.token,
    keyPairs: listKeyPairs(s, profile).map((k) => ({ ...k, subject: subjectOf(k.certificate) })),
    seals: readSealObjects(s).map((o) => {
      try {
        return { ...o, seal: decodeSeal(o.der) };
      } catch (e) {
        const err = e instanceof SealDeskError ? e : undefined;
        return { ...o, error: { code: err?.code ?? 'SEAL_MALFORMED', zh: err?.zh ?? '印章数据损坏', en: err?.en ?? 'The seal data is damaged' } };
      }
    }),
    pin: pinStatus(mod, s.token, { home: ctx.home }),
  }));
}

export async function listTokenOverviews(ctx: AppContext): Promise<TokenOverview[]> {
  const out: TokenOverview[] = [];
  for (const t of listTokens(ctx.module())) out.push(await tokenOverview(ctx, t));
  return out;
}

export function selectToken(ctx: AppContext, labelOrSerial: string | undefined): TokenInfo {
  return findToken(ctx.module(), labelOrSerial);
}

/** The keeper's key pair: the one whose CKA_ID a seal names, else the first with a certificate. */
export function keeperKeyPair(overview: TokenOverview, ckaId?: string): (KeyPairInfo & { subject?: string }) | undefined {
  return overview.keyPairs.find((k) => (ckaId ? k.ckaId === ckaId : k.certificate !== undefined));
}

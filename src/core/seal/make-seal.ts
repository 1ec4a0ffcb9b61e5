/**
 * Seal making (制章), domain.md flow 2, as pure logic over injected parts: the caller (the token
 * glue) supplies the maker's Signer from the authorization card, the keeper token's certificate and
 * the seals already on it, and the trust roots. Checks run in the order of the flow and each fails
 * with exactly the flow's message; then the SESeal v4 is built and the maker signs DER(SES_SealInfo).
 *
 * Algorithm identifiers: SM2 makers write 1.2.156.10197.1.501 (SM2-with-SM3, the GB/T 38540 value).
 * GB/T 38540 lets signAlgID name the algorithm, so RSA makers write sha256WithRSAEncryption
 * (PKCS#1 v1.5) and ECDSA P-256 makers ecdsa-with-SHA256 — the X.509 OIDs every verifier knows.
 */
import crypto from 'node:crypto';
import { SealDeskError } from '../errors';
import type { Signer } from '../signer';
import { decodeSeal, encodeSeal, encodeSealInfo, type ExtData, type SESeal } from '../asn1/ses-seal';
import { verifyChain } from '../crypto/chain';
import { tryParseCertificate } from '../crypto/certificate';
import { sealSigningAlgorithm } from '../crypto/signature-algorithms';
import { verifySignature } from '../crypto/verify-signature';
import { readSealImage } from './seal-image';

export interface MakeSealInput {
  /** The key on the seal-making authorization card; undefined when no card is inserted. */
  maker: Signer | undefined;
  keeper: {
    /** DER certificate on the target token, if it has one. */
    certificate?: Uint8Array;
    /** DER seals already on the target token. */
    seals: Uint8Array[];
  };
  trustRoots: Uint8Array[];
  /** CA certificates between the keeper certificate and a root, if the token or store has them. */
  intermediates?: Uint8Array[];
  now: Date;
  esID?: string;
  name: string;
  /** 印章类型 (registry codes: 1 official, 2 finance, 3 invoice, 4 contract, 5 legal representative, 99 other). */
  type: number;
  validStart: Date;
  validEnd: Date;
  image: { bytes: Uint8Array; widthMm?: number; heightMm?: number };
  vendorId: string;
  extDatas?: ExtData[];
}

export interface MadeSeal {
  der: Uint8Array;
  seal: SESeal;
  /** E.g. a picture above what many vendor readers accept; the seal is made all the same. */
  warnings: Array<{ code: string; zh: string; en: string }>;
}

/** Many vendor readers copy a seal picture into a fixed 50 KB buffer; keep pictures below it. */
export const VENDOR_PICTURE_LIMIT_BYTES = 50 * 1024;

export const MAKER_CARD_MISSING = { code: 'MAKER_CARD_MISSING', zh: '未插制章授权卡,制章失败', en: 'No seal-making authorization card is inserted; seal making failed' } as const;
export const KEEPER_CERT_INVALID = { code: 'KEEPER_CERT_INVALID', zh: '数字证书不合法或无数字证书,制章失败', en: 'The certificate on the USB key is invalid or missing; seal making failed' } as const;
export const TOKEN_SEAL_IN_USE = { code: 'TOKEN_SEAL_IN_USE', zh: 'USBkey正在被某个电子印章使用', en: 'The USB key is already in use by an electronic seal' } as const;

function refuse(m: { code: string; zh: string; en: string }, details: Record<string, unknown> = {}): SealDeskError {
  return new SealDeskError(m.code, m.zh, m.en, { details });
}

function invalidInput(zh: string, en: string): SealDeskError {
  return new SealDeskError('SEAL_INPUT_INVALID', `印章信息不正确:${zh}`, `The seal details are invalid: ${en}`);
}

export async function makeSeal(input: MakeSealInput): Promise<MadeSeal> {
  // a. the authorization card must be present
  const maker = input.maker;
  if (!maker) throw refuse(MAKER_CARD_MISSING);

  // b. the keeper token must hold a certificate that chains to a trusted CA and is valid now
  const keeperCert = input.keeper.certificate;
  if (!keeperCert || keeperCert.length === 0) throw refuse(KEEPER_CERT_INVALID, { reason: 'no certificate' });
  const chain = verifyChain(keeperCert, { roots: input.trustRoots, intermediates: input.intermediates ?? [], at: input.now });
  if (!chain.ok) throw refuse(KEEPER_CERT_INVALID, { problems: chain.problems });
  // The keeper will sign with this key: GM signing certificates carry digitalSignature and/or
  // nonRepudiation, so either is accepted; a certificate restricted to other uses is not.
  const usage = chain.chain[0]?.keyUsage;
  if (usage && !usage.has('digitalSignature') && !usage.has('nonRepudiation')) {
    throw refuse(KEEPER_CERT_INVALID, { reason: 'key usage does not allow signing' });
  }

  // c. the target token must not carry a seal in use
  const existing = input.keeper.seals.map(tryDecode).filter((s): s is SESeal => s !== undefined);
  const inUse = existing.find((s) => within(input.now, s.eSealInfo.property.validStart, s.eSealInfo.property.validEnd));
  if (inUse) throw refuse(TOKEN_SEAL_IN_USE, { esID: inUse.eSealInfo.esID });

  // d. build and sign
  const name = input.name.trim();
  if (name.length === 0) throw invalidInput('印章名称为空', 'the seal name is empty');
  if (!Number.isSafeInteger(input.type) || input.type < 0) throw invalidInput('印章类型必须是非负整数', 'the seal type must be a non-negative integer');
  if (!(input.validEnd.getTime() > input.validStart.getTime())) throw invalidInput('有效期结束时间必须晚于开始时间', 'the validity must end after it starts');
  if (!/^[\x20-\x7e]{1,64}$/.test(input.vendorId)) throw invalidInput('厂商标识必须是 1–64 个 ASCII 字符', 'the vendor id must be 1-64 ASCII characters');
  const image = readSealImage(input.image.bytes, { widthMm: input.image.widthMm, heightMm: input.image.heightMm });
  const taken = new Set(existing.map((s) => s.eSealInfo.esID));
  const esID = input.esID ?? newEsId(input.now, taken);
  if (!/^[\x20-\x7e]{1,64}$/.test(esID)) throw invalidInput('印章编码必须是 1–64 个 ASCII 字符', 'the seal id must be 1-64 ASCII characters');

  const sealInfoDer = encodeSealInfo({
    header: { ID: 'ES', version: 4, Vid: input.vendorId },
    esID,
    property: {
      type: input.type, name, certListType: 1, certList: [keeperCert],
      createDate: input.now, validStart: input.validStart, validEnd: input.validEnd,
    },
    picture: { type: image.type, data: image.bytes, width: image.widthMm, height: image.heightMm },
    extDatas: input.extDatas,
  });
  const alg = sealSigningAlgorithm(maker.keyAlgorithm);
  const signedValue = await maker.sign(sealInfoDer, alg.scheme);

  // A signature that does not verify under the maker's own certificate (wrong key on the card,
  // token fault) must not become a seal.
  const makerCert = tryParseCertificate(maker.certificate);
  const check = makerCert && verifySignature({ algorithm: alg.oid, publicKey: makerCert.publicKey, data: sealInfoDer, signature: signedValue });
  if (!check?.ok) {
    throw new SealDeskError('SEAL_SIGNATURE_FAILED', '制章人签名无法用制章证书验证,制章失败', "The maker's signature does not verify with the maker certificate; seal making failed",
      { details: { reason: check ? check.reason : 'maker certificate unreadable' } });
  }
  const der = encodeSeal({ sealInfoDer, cert: maker.certificate, signAlgID: alg.oid, signedValue });
  const warnings = image.bytes.length > VENDOR_PICTURE_LIMIT_BYTES
    ? [{ code: 'SEAL_PICTURE_LARGE', zh: `印章图片 ${Math.ceil(image.bytes.length / 1024)} KB,超过许多厂商阅读器接受的 50 KB`, en: `The seal picture is ${Math.ceil(image.bytes.length / 1024)} KB, above the 50 KB many vendor readers accept` }]
    : [];
  return { der, seal: decodeSeal(der), warnings };
}

function tryDecode(der: Uint8Array): SESeal | undefined {
  try {
    return decodeSeal(der);
  } catch {
    return undefined; // an unreadable object on the token is not a seal in use
  }
}

function within(t: Date, start: Date, end: Date): boolean {
  return t.getTime() >= start.getTime() && t.getTime() <= end.getTime();
}

/**
 * A new seal id: UTC time to the second plus 6 random digits (20 digits, IA5), unique among the
 * seals already on the token.
 */
export function newEsId(now: Date, taken: ReadonlySet<string> = new Set()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  for (;;) {
    const id = stamp + String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    if (!taken.has(id)) return id;
  }
}

/**
 * `sealdesk platform use URL --ca ROOT.pem`: fetches the platform's signed trust bundle over TLS
 * pinned to ROOT.pem, checks that it is signed by one of the keys it names and that its TLS root is
 * the one pinned, and returns the settings to keep (nothing is written here).
 */
import crypto from 'node:crypto';
import type { SignedEnvelope, TrustBundlePayload } from '../../platform/api/contract';
import { platformKeyId, verifyEnvelope } from '../../platform/client-verify';
import { SealDeskError } from '../errors';
import { loadPemCertificates } from '../crypto/pem';
import { PlatformConnection } from './connection';
import { DEFAULT_PLATFORM_TIMEOUT_MS, type PlatformSettings } from './platform-settings';

function bundleRefused(zh: string, en: string): SealDeskError {
  return new SealDeskError('PLATFORM_TRUST_BUNDLE_INVALID', `电子印章管理平台的信任包无效:${zh}`, `The seal platform's trust bundle is not valid: ${en}`);
}

const fingerprints = (pem: string) => loadPemCertificates(pem).map((der) => crypto.createHash('sha256').update(der).digest('hex'));

export async function fetchPlatformSettings(url: string, rootPem: string, o: { timeoutMs?: number; now?: Date } = {}): Promise<PlatformSettings> {
  let parsed: URL;
  try { parsed = new URL(url); } catch { throw new SealDeskError('PLATFORM_URL_INVALID', `平台地址无效:${url}`, `Not a valid platform URL: ${url}`); }
  if (parsed.protocol !== 'https:') throw new SealDeskError('PLATFORM_URL_INVALID', '平台地址必须使用 https', 'The platform URL must use https');
  const pinned = fingerprints(rootPem);
  if (pinned.length === 0) throw new SealDeskError('TRUST_FILE_INVALID', '--ca 文件中没有证书', 'The --ca file holds no certificate');
  const timeoutMs = o.timeoutMs ?? DEFAULT_PLATFORM_TIMEOUT_MS;
  const conn = new PlatformConnection(parsed.origin, rootPem, timeoutMs);
  try {
    const nonce = crypto.randomBytes(16).toString('hex');
    const env = await conn.call<SignedEnvelope>('trustBundle', { query: { nonce } });
    let claimed: TrustBundlePayload;
    try { claimed = JSON.parse(env.payload) as TrustBundlePayload; } catch { throw bundleRefused('内容不是 JSON', 'its payload is not JSON'); }
    if (!Array.isArray(claimed.platformKeys) || claimed.platformKeys.length === 0) throw bundleRefused('没有平台密钥', 'it names no platform key');
    // A key id is the hash of its key: a bundle naming a key under another's id is refused.
    for (const k of claimed.platformKeys) {
      if (platformKeyId(Buffer.from(k.spki, 'base64')) !== k.keyId) throw bundleRefused('密钥标识与密钥不符', 'a key id does not match its key');
    }
    const v = verifyEnvelope<TrustBundlePayload>(env, claimed.platformKeys, { type: 'trust-bundle', nonce });
    if (!v.ok) throw bundleRefused(v.zh, v.en);
    if (!fingerprints(v.payload.tlsRoot).some((f) => pinned.includes(f))) {
      throw bundleRefused('其 TLS 根证书不是 --ca 指定的证书', 'its TLS root is not the certificate given with --ca');
    }
    return {
      url: parsed.origin, platformName: v.payload.platformName, tlsRootPem: rootPem, logOrigin: v.payload.logOrigin,
      keys: v.payload.platformKeys.map((k) => ({ keyId: k.keyId, alg: k.alg, spki: k.spki })), timeoutMs, configuredAt: (o.now ?? new Date()).toISOString(),
    };
  } finally {
    conn.close();
  }
}

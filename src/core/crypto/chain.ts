/**
 * Certificate chain verification for RSA, ECDSA and SM2 PKIs.
 *
 * Every link is checked here over the exact TBS bytes with verify-signature.ts, because node:crypto's
 * X509Certificate.verify and `openssl verify` check SM2 links with an empty user ID, while GM CAs sign
 * with the default ID "1234567812345678" (gm-formats.md §9). Also checked: validity of every
 * certificate at `at`, basicConstraints cA and pathLen of each issuer, keyCertSign on issuers that
 * carry keyUsage, and the leaf's required key usage. Roots are trust anchors: their own signature is
 * not checked (as in OpenSSL), their validity is.
 *
 * Revocation is not checked here (no CRL/OCSP source yet); callers that know a revocation status
 * combine it with this result.
 */
import { bytesEqual } from '../asn1/der';
import { tryParseCertificate, type KeyUsageName, type ParsedCertificate } from './certificate';
import { verifySignature } from './verify-signature';

export type ChainProblemCode =
  | 'CERT_MALFORMED'
  | 'CHAIN_UNTRUSTED'
  | 'CHAIN_SIGNATURE_INVALID'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_EXPIRED'
  | 'CHAIN_ISSUER_NOT_CA'
  | 'CHAIN_PATH_TOO_LONG'
  | 'CHAIN_ISSUER_KEY_USAGE'
  | 'CERT_KEY_USAGE';

export interface ChainProblem {
  code: ChainProblemCode;
  zh: string;
  en: string;
  /** Index in `chain` of the certificate concerned (0 = leaf). */
  index?: number;
  subject?: string;
}

export interface ChainResult {
  ok: boolean;
  /** Leaf first, trust anchor last when one was reached. */
  chain: ParsedCertificate[];
  /** True when the path ends at one of the given roots. */
  trusted: boolean;
  problems: ChainProblem[];
}

export interface ChainOptions {
  intermediates?: readonly Uint8Array[];
  roots: readonly Uint8Array[];
  at: Date;
  /** Usage(s) the leaf must allow when it carries a keyUsage extension. */
  keyUsage?: KeyUsageName | readonly KeyUsageName[];
}

const MAX_CHAIN = 10;

export function verifyChain(leafDer: Uint8Array, options: ChainOptions): ChainResult {
  const problems: ChainProblem[] = [];
  const leaf = tryParseCertificate(leafDer);
  if (!leaf) {
    problems.push({ code: 'CERT_MALFORMED', zh: '证书无法解析', en: 'The certificate cannot be parsed', index: 0 });
    return { ok: false, chain: [], trusted: false, problems };
  }
  const roots = parseAll(options.roots);
  const pool = [...parseAll(options.intermediates ?? []), ...roots];
  const isRoot = (c: ParsedCertificate): boolean => roots.some((r) => bytesEqual(r.der, c.der));

  const chain: ParsedCertificate[] = [leaf];
  let trusted = isRoot(leaf);
  while (!trusted) {
    const current = chain[chain.length - 1]!;
    if (chain.length > MAX_CHAIN) {
      problems.push(problem('CHAIN_PATH_TOO_LONG', chain.length - 1, current, '证书链过长', 'The certificate chain is too long'));
      break;
    }
    const candidates = pool.filter((c) => bytesEqual(c.subjectDer, current.issuerDer) && !chain.some((x) => bytesEqual(x.der, c.der)));
    if (candidates.length === 0) {
      problems.push(problem('CHAIN_UNTRUSTED', chain.length - 1, current,
        `找不到签发者“${current.issuer}”，证书不能链接到受信任的根证书`,
        `Issuer "${current.issuer}" not found: the certificate does not chain to a trusted root`));
      break;
    }
    // Prefer a trust anchor, then any issuer whose signature over this certificate verifies.
    candidates.sort((a, b) => Number(isRoot(b)) - Number(isRoot(a)));
    const issuer = candidates.find((c) => signedBy(current, c));
    if (!issuer) {
      chain.push(candidates[0]!);
      problems.push(problem('CHAIN_SIGNATURE_INVALID', chain.length - 2, current,
        `证书“${current.subject}”的签名验证失败`, `The signature on certificate "${current.subject}" does not verify`));
      break;
    }
    chain.push(issuer);
    trusted = isRoot(issuer);
  }

  checkValidity(chain, options.at, problems);
  checkIssuers(chain, problems);
  checkLeafUsage(leaf, options.keyUsage, problems);
  return { ok: trusted && problems.length === 0, chain, trusted, problems };
}

function parseAll(list: readonly Uint8Array[]): ParsedCertificate[] {
  return list.map(tryParseCertificate).filter((c): c is ParsedCertificate => c !== undefined);
}

function signedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  return verifySignature({ algorithm: cert.signatureAlgorithm, publicKey: issuer.publicKey, data: cert.tbsDer, signature: cert.signatureValue }).ok;
}

function problem(code: ChainProblemCode, index: number, cert: ParsedCertificate, zh: string, en: string): ChainProblem {
  return { code, zh, en, index, subject: cert.subject };
}

function checkValidity(chain: ParsedCertificate[], at: Date, problems: ChainProblem[]): void {
  const t = at.getTime();
  chain.forEach((c, i) => {
    if (t < c.notBefore.getTime()) {
      problems.push(problem('CERT_NOT_YET_VALID', i, c, `证书“${c.subject}”尚未生效（生效时间 ${c.notBefore.toISOString()}）`,
        `Certificate "${c.subject}" is not yet valid (valid from ${c.notBefore.toISOString()})`));
    } else if (t > c.notAfter.getTime()) {
      problems.push(problem('CERT_EXPIRED', i, c, `证书“${c.subject}”已过期（到期时间 ${c.notAfter.toISOString()}）`,
        `Certificate "${c.subject}" has expired (valid until ${c.notAfter.toISOString()})`));
    }
  });
}

function checkIssuers(chain: ParsedCertificate[], problems: ChainProblem[]): void {
  for (let i = 1; i < chain.length; i++) {
    const issuer = chain[i]!;
    if (!issuer.basicConstraints?.cA) {
      problems.push(problem('CHAIN_ISSUER_NOT_CA', i, issuer, `证书“${issuer.subject}”不是 CA 证书，不能签发证书`,
        `Certificate "${issuer.subject}" is not a CA certificate and cannot issue certificates`));
    }
    // pathLen counts the non-self-issued intermediates below this issuer (RFC 5280 §4.2.1.9).
    const below = chain.slice(1, i).filter((c) => !c.selfIssued).length;
    const pathLen = issuer.basicConstraints?.pathLen;
    if (pathLen !== undefined && below > pathLen) {
      problems.push(problem('CHAIN_PATH_TOO_LONG', i, issuer, `证书“${issuer.subject}”的路径长度限制被违反`,
        `The path length constraint of "${issuer.subject}" is violated`));
    }
    if (issuer.keyUsage && !issuer.keyUsage.has('keyCertSign')) {
      problems.push(problem('CHAIN_ISSUER_KEY_USAGE', i, issuer, `证书“${issuer.subject}”的密钥用法不允许签发证书`,
        `The key usage of "${issuer.subject}" does not allow signing certificates`));
    }
  }
}

function checkLeafUsage(leaf: ParsedCertificate, wanted: ChainOptions['keyUsage'], problems: ChainProblem[]): void {
  if (!wanted || !leaf.keyUsage) return;
  const list = typeof wanted === 'string' ? [wanted] : wanted;
  const missing = list.filter((u) => !leaf.keyUsage!.has(u));
  if (missing.length > 0) {
    problems.push(problem('CERT_KEY_USAGE', 0, leaf, `证书“${leaf.subject}”的密钥用法不包含 ${missing.join(', ')}`,
      `The key usage of "${leaf.subject}" lacks ${missing.join(', ')}`));
  }
}

import crypto from 'node:crypto';
import * as pkijs from 'pkijs';
import { tryParseCertificate } from '../crypto/certificate';
import { weakAlgorithms, type WeakAlgorithm } from './algorithm-policy';
import { bytesEqual, toArrayBuffer } from './der';
import { DIGEST_BY_OID, OID_DATA } from './oids';
import type { EssCertId, ParsedCms } from './parse-cms';
import { verifySignatureValue } from './signature-algorithms';

/** The cryptographic facts of one CMS signature; judging them (valid, warning, …) is the caller's job. */
export interface CmsSignatureCheck {
  signerCertificate?: Uint8Array;
  /** messageDigest attribute equals the digest of the content (without signed attributes: the signature over the content verifies). */
  digestMatches: boolean;
  /** The signer's key made the signature over the received signed attributes (or over the content when there are none). */
  signatureValid: boolean;
  /** Set when the signature algorithm is one SealDesk cannot check: the reason (never a verdict on the document). */
  unsupportedAlgorithm?: string;
  /** The algorithm as read (e.g. "ecdsa-with-SHA256 (written as id-ecPublicKey)"). */
  algorithm?: string;
  /** Whether the SignerInfo has signed attributes (PAdES requires them; adbe.pkcs7.detached does not). */
  hasSignedAttributes: boolean;
  /** ESS signing-certificate (v1 or v2) names the signer certificate (undefined: the attribute is absent). */
  signingCertificateMatches?: boolean;
  /** Weak algorithms the signature uses, with the dates after which they are refused (algorithm-policy.ts). */
  weakAlgorithms: WeakAlgorithm[];
  /** Why something is false, in English for logs; the report carries bilingual messages. */
  problems: string[];
}

export interface CmsContent {
  /** Digest of the signed content computed by the caller with `parsed.digestAlgorithm` (a PDF's ByteRange, hashed once for all signatures). */
  contentDigest?: Uint8Array;
  contentDigestAlgorithm?: string;
  /** The content itself (hashed here when no digest is given). */
  content?: Uint8Array;
  /** The content on demand: needed only by a SignerInfo without signed attributes, whose signature is over the content itself. */
  signedContent?: () => Uint8Array;
}

/**
 * Verifies the signer's signature of a parsed CMS. With signed attributes (the normal case) the
 * signature is over the signed attributes exactly as received, re-tagged as SET (RFC 5652 §5.4), and
 * message-digest must equal the content digest; without them (PKCS#7 signers, adbe.pkcs7.detached)
 * the signature is over the content itself.
 */
export function verifyCmsSignature(parsed: ParsedCms, content: CmsContent): CmsSignatureCheck {
  const problems: string[] = [];
  if (content.contentDigest && content.contentDigestAlgorithm && content.contentDigestAlgorithm !== parsed.digestAlgorithm) {
    problems.push(`the content was hashed with ${content.contentDigestAlgorithm} but the signer used ${parsed.digestAlgorithm ?? parsed.digestAlgorithmOid}`);
  }
  const cert = parsed.signerCertificate;
  const key = cert ? tryParseCertificate(cert)?.publicKey : undefined;
  const out: CmsSignatureCheck = {
    signerCertificate: cert,
    digestMatches: false,
    signatureValid: false,
    hasSignedAttributes: parsed.signedAttributesDer !== undefined,
    weakAlgorithms: weakAlgorithms({ digestOid: parsed.digestAlgorithmOid, signatureOid: parsed.signatureAlgorithm.algorithmId, key }),
    problems,
  };
  let digest = content.contentDigest;
  if (!digest && content.content && parsed.digestAlgorithm) {
    digest = new Uint8Array(crypto.createHash(parsed.digestAlgorithm).update(content.content).digest());
  }
  if (!parsed.digestAlgorithm) {
    out.unsupportedAlgorithm = `digest algorithm ${parsed.digestAlgorithmOid}`;
    problems.push(`unsupported algorithm: digest ${parsed.digestAlgorithmOid}`);
  }

  let signedData: Uint8Array | undefined;
  if (parsed.signedAttributesDer) {
    signedData = parsed.signedAttributesDer;
    if (!parsed.messageDigest) problems.push('no message-digest attribute');
    else if (!digest) problems.push('content digest unknown');
    else if (!bytesEqual(parsed.messageDigest, digest)) problems.push('message-digest differs from the content digest');
    else out.digestMatches = true;
    if (parsed.contentType && parsed.contentType !== parsed.eContentType) problems.push('content-type attribute differs from eContentType');
  } else {
    signedData = content.content ?? content.signedContent?.();
    if (!signedData) problems.push('no signed attributes, and the signed content is not available');
  }

  if (!cert) {
    problems.push('the signer certificate is not embedded');
  } else if (signedData && !out.unsupportedAlgorithm) {
    const check = verifySignatureValue({
      certificate: cert,
      algorithm: parsed.signatureAlgorithm,
      digestOid: parsed.digestAlgorithmOid,
      data: signedData,
      signature: parsed.signatureValue,
    });
    if (check.ok) {
      out.signatureValid = true;
      out.algorithm = check.algorithm;
      // Without signed attributes the signature is the only link to the content.
      if (!parsed.signedAttributesDer) out.digestMatches = true;
    } else if (check.unsupported) {
      out.unsupportedAlgorithm = check.reason.replace(/^unsupported algorithm: /, '');
      problems.push(check.reason);
    } else {
      problems.push(parsed.signedAttributesDer ? `signature: ${check.reason}` : `signature over the content: ${check.reason}`);
    }
    const first = parsed.signingCertificate?.certs[0];
    const attrName = `signing-certificate${parsed.signingCertificate?.version === 2 ? '-v2' : ''}`;
    if (parsed.signingCertificate && first && !DIGEST_BY_OID[first.hashAlgorithmOid]) {
      out.unsupportedAlgorithm ??= `${attrName} hash ${first.hashAlgorithmOid}`;
      problems.push(`unsupported algorithm: ${attrName} hash ${first.hashAlgorithmOid}`);
    } else if (parsed.signingCertificate) {
      out.signingCertificateMatches = !!first && essCertIdNames(first, cert);
      if (!out.signingCertificateMatches) problems.push(`${attrName} names another certificate`);
    }
  }
  if (parsed.eContentType !== OID_DATA && parsed.eContent === undefined && !content.contentDigest) {
    problems.push(`unexpected content type ${parsed.eContentType}`);
  }
  return out;
}

/** The ESSCertID's hash is the certificate's, and its IssuerSerial (when present) names the same issuer and serial. */
function essCertIdNames(id: EssCertId, certDer: Uint8Array): boolean {
  const name = DIGEST_BY_OID[id.hashAlgorithmOid]!;
  if (!bytesEqual(new Uint8Array(crypto.createHash(name).update(certDer).digest()), id.certHash)) return false;
  if (!id.issuerSerial) return true;
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(toArrayBuffer(certDer));
  } catch {
    return false;
  }
  return cert.serialNumber.isEqual(id.issuerSerial.serialNumber) && id.issuerSerial.issuers.some((n) => n.isEqual(cert.issuer));
}

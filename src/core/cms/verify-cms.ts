import crypto from 'node:crypto';
import { bytesEqual } from './der';
import { DIGEST_BY_OID, OID_DATA } from './oids';
import type { ParsedCms } from './parse-cms';
import { verifySignatureValue } from './signature-algorithms';

/** The cryptographic facts of one CMS signature; judging them (valid, warning, …) is the caller's job. */
export interface CmsSignatureCheck {
  signerCertificate?: Uint8Array;
  /** messageDigest attribute equals the digest of the content. */
  digestMatches: boolean;
  /** The signer's key made the signature over the received signed attributes. */
  signatureValid: boolean;
  /** signing-certificate-v2 names the signer certificate (undefined: the attribute is absent). */
  signingCertificateMatches?: boolean;
  /** Why something is false, in English for logs; the report carries bilingual messages. */
  problems: string[];
}

/**
 * Verifies the signer's signature of a parsed CMS. `contentDigest` is the digest of the signed content
 * computed by the caller with `parsed.digestAlgorithm` (for a PDF: the ByteRange, hashed once for all
 * signatures); alternatively pass `content` and it is hashed here.
 */
export function verifyCmsSignature(parsed: ParsedCms, content: { contentDigest?: Uint8Array; contentDigestAlgorithm?: string; content?: Uint8Array }): CmsSignatureCheck {
  const problems: string[] = [];
  if (content.contentDigest && content.contentDigestAlgorithm && content.contentDigestAlgorithm !== parsed.digestAlgorithm) {
    problems.push(`the content was hashed with ${content.contentDigestAlgorithm} but the signer used ${parsed.digestAlgorithm ?? parsed.digestAlgorithmOid}`);
  }
  const cert = parsed.signerCertificate;
  let digest = content.contentDigest;
  if (!digest && content.content) {
    if (!parsed.digestAlgorithm) problems.push(`unsupported digest algorithm ${parsed.digestAlgorithmOid}`);
    else digest = new Uint8Array(crypto.createHash(parsed.digestAlgorithm).update(content.content).digest());
  }

  let digestMatches = false;
  let signatureValid = false;
  let signingCertificateMatches: boolean | undefined;

  if (!parsed.signedAttributesDer) {
    // Without signed attributes the signature is over the content itself: no PAdES signature looks so.
    problems.push('no signed attributes');
  } else {
    if (!parsed.messageDigest) problems.push('no message-digest attribute');
    else if (!digest) problems.push('content digest unknown');
    else if (!bytesEqual(parsed.messageDigest, digest)) problems.push('message-digest differs from the content digest');
    else digestMatches = true;
    if (parsed.contentType && parsed.contentType !== parsed.eContentType) problems.push('content-type attribute differs from eContentType');
    if (!cert) {
      problems.push('the signer certificate is not embedded');
    } else {
      const check = verifySignatureValue({
        certificate: cert,
        algorithm: parsed.signatureAlgorithm,
        digestOid: parsed.digestAlgorithmOid,
        data: parsed.signedAttributesDer,
        signature: parsed.signatureValue,
      });
      signatureValid = check.ok;
      if (!check.ok) problems.push(`signature: ${check.reason}`);
      if (parsed.signingCertificateV2) {
        signingCertificateMatches = parsed.signingCertificateV2.some((id) => {
          const name = DIGEST_BY_OID[id.hashAlgorithmOid];
          return !!name && bytesEqual(new Uint8Array(crypto.createHash(name).update(cert).digest()), id.certHash);
        });
        if (!signingCertificateMatches) problems.push('signing-certificate-v2 names another certificate');
      }
    }
  }
  if (parsed.eContentType !== OID_DATA && parsed.eContent === undefined && !content.contentDigest) {
    problems.push(`unexpected content type ${parsed.eContentType}`);
  }
  return { signerCertificate: cert, digestMatches, signatureValid, signingCertificateMatches, problems };
}

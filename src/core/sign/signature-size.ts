import crypto from 'node:crypto';
import type { Signer } from '../signer';

/** Room left for an RFC 3161 token (TSA certificate chain included) and for variance in sizes. */
const TIMESTAMP_MARGIN = 12 * 1024;
const MARGIN = 1024;

/**
 * Sizes the /Contents placeholder by building the signature container once (CMS or SES_Signature,
 * `dryRun` builds it) with a stand-in signer that returns a signature of the largest size the key
 * can produce: the token is not touched and no PIN is needed for the dry run.
 */
export async function placeholderSize(signer: Signer, withTimestamp: boolean, dryRun: (standIn: Signer) => Promise<Uint8Array>): Promise<number> {
  const maxLen = maxSignatureLength(signer);
  const standIn: Signer = {
    certificate: signer.certificate,
    keyAlgorithm: signer.keyAlgorithm,
    defaultScheme: signer.defaultScheme,
    sign: async () => new Uint8Array(maxLen).fill(0xff),
  };
  const dry = await dryRun(standIn);
  return dry.length + MARGIN + (withTimestamp ? TIMESTAMP_MARGIN : 0);
}

function maxSignatureLength(signer: Signer): number {
  if (signer.keyAlgorithm === 'RSA') {
    try {
      const bits = new crypto.X509Certificate(Buffer.from(signer.certificate)).publicKey.asymmetricKeyDetails?.modulusLength;
      if (bits) return Math.ceil(bits / 8);
    } catch { /* an unparsable certificate fails later, in the CMS builder, with a clear error */ }
    return 512;
  }
  return 72; // DER ECDSA/SM2 signature over a 256-bit curve: at most 72 bytes
}

/**
 * What a key that can sign looks like to the stamping and seal-making pipelines, wherever the key
 * lives (a PKCS#11 token, a software key in tests). Callers never pick mechanisms: the signer
 * knows its key type and vendor profile.
 */
export type KeyAlgorithm = 'RSA' | 'EC-P256' | 'SM2';

/** rsa-pkcs1 / rsa-pss / ecdsa use SHA-256; sm2 uses SM3 with Z(ID "1234567812345678"). */
export type SignatureScheme = 'rsa-pkcs1-sha256' | 'rsa-pss-sha256' | 'ecdsa-sha256' | 'sm2-sm3';

export interface Signer {
  /** DER X.509 certificate of the key. */
  readonly certificate: Uint8Array;
  readonly keyAlgorithm: KeyAlgorithm;
  /** The scheme sign() uses when none is asked for. */
  readonly defaultScheme: SignatureScheme;
  /**
   * Signs the whole message (the signer hashes as its scheme requires).
   * Returns PKCS#1 bytes for RSA, DER SEQUENCE{r,s} for ECDSA and SM2.
   */
  sign(message: Uint8Array, scheme?: SignatureScheme): Promise<Uint8Array>;
}

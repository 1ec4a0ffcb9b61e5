/** Object identifiers of the GM seal formats and the signature algorithms a seal may name (gm-formats.md §3). */
export const OID_SM2 = '1.2.156.10197.1.301';
export const OID_SM2_SIGN = '1.2.156.10197.1.301.1';
export const OID_SM3 = '1.2.156.10197.1.401';
/** SM2-with-SM3: signAlgID / signatureAlgID of GB/T 38540 seals and signatures. */
export const OID_SM2_WITH_SM3 = '1.2.156.10197.1.501';

export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
export const OID_SHA1_WITH_RSA = '1.2.840.113549.1.1.5';
export const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
export const OID_SHA384_WITH_RSA = '1.2.840.113549.1.1.12';
export const OID_SHA512_WITH_RSA = '1.2.840.113549.1.1.13';
export const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
export const OID_MGF1 = '1.2.840.113549.1.1.8';
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_P256 = '1.2.840.10045.3.1.7';
export const OID_ECDSA_SHA1 = '1.2.840.10045.4.1';
export const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
export const OID_ECDSA_SHA384 = '1.2.840.10045.4.3.3';
export const OID_ECDSA_SHA512 = '1.2.840.10045.4.3.4';

export const OID_ED25519 = '1.3.101.112';
export const OID_ED448 = '1.3.101.113';
export const OID_MD5 = '1.2.840.113549.2.5';
export const OID_MD5_WITH_RSA = '1.2.840.113549.1.1.4';

export const OID_SHA1 = '1.3.14.3.2.26';
export const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
export const OID_SHA384 = '2.16.840.1.101.3.4.2.2';
export const OID_SHA512 = '2.16.840.1.101.3.4.2.3';

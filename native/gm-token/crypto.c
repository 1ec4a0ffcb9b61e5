/*
 * The token's cryptography, all through OpenSSL 3 EVP: SM2 and P-256 key generation, raw
 * signatures over a caller digest, SM2-with-SM3 over a message with the GM default user ID
 * (gm-formats.md §4: OpenSSL 3.0 would use an EMPTY ID unless told, hence set1_id), SM3, random.
 */
#include "gmt.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

/* DER OID 1.2.156.10197.1.301 (sm2p256v1) and 1.2.840.10045.3.1.7 (P-256), as CKA_EC_PARAMS */
const unsigned char GMT_OID_SM2[10] = {0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D};
const unsigned char GMT_OID_P256[10] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};

static const char SM2_DEFAULT_ID[] = "1234567812345678";

static const char *alg_name(gmt_curve c) { return c == GMT_CURVE_SM2 ? "SM2" : "EC"; }
static const char *group_name(gmt_curve c) { return c == GMT_CURVE_SM2 ? "SM2" : "prime256v1"; }
static int group_nid(gmt_curve c) { return c == GMT_CURVE_SM2 ? NID_sm2 : NID_X9_62_prime256v1; }

CK_RV crypto_generate(gmt_curve curve, unsigned char d[32], unsigned char pub[65]) {
  CK_RV rv = CKR_FUNCTION_FAILED;
  EVP_PKEY *pkey = NULL;
  BIGNUM *bn = NULL;
  size_t publen = 0;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg_name(curve), NULL);
  if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0) goto done;
  if (curve == GMT_CURVE_P256 && EVP_PKEY_CTX_set_group_name(ctx, group_name(curve)) <= 0) goto done;
  if (EVP_PKEY_generate(ctx, &pkey) <= 0) goto done;
  if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &bn)) goto done;
  if (BN_bn2binpad(bn, d, 32) != 32) goto done;
  if (!EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, pub, 65, &publen) || publen != 65 ||
      pub[0] != 0x04)
    goto done;
  rv = CKR_OK;
done:
  BN_clear_free(bn);
  EVP_PKEY_free(pkey);
  EVP_PKEY_CTX_free(ctx);
  return rv;
}

/* Rebuilds the key pair from the stored scalar; the public point is derived, not stored. */
static EVP_PKEY *pkey_from_private(gmt_curve curve, const unsigned char d[32]) {
  EVP_PKEY *pkey = NULL;
  EC_GROUP *g = NULL;
  EC_POINT *P = NULL;
  OSSL_PARAM_BLD *bld = NULL;
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  unsigned char pub[65];
  BIGNUM *bn = BN_bin2bn(d, 32, NULL);
  if (!bn || BN_is_zero(bn)) goto done;
  g = EC_GROUP_new_by_curve_name(group_nid(curve));
  if (!g || BN_cmp(bn, EC_GROUP_get0_order(g)) >= 0) goto done;
  P = EC_POINT_new(g);
  if (!P || !EC_POINT_mul(g, P, bn, NULL, NULL, NULL)) goto done;
  if (EC_POINT_point2oct(g, P, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof pub, NULL) != sizeof pub) goto done;
  bld = OSSL_PARAM_BLD_new();
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group_name(curve), 0) ||
      !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn) ||
      !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub))
    goto done;
  params = OSSL_PARAM_BLD_to_param(bld);
  ctx = EVP_PKEY_CTX_new_from_name(NULL, alg_name(curve), NULL);
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
      EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0) {
    EVP_PKEY_free(pkey);
    pkey = NULL;
  }
done:
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  EC_POINT_free(P);
  EC_GROUP_free(g);
  BN_clear_free(bn);
  return pkey;
}

/* DER SEQUENCE{r,s} -> r||s, each left-padded to 32 bytes. */
static int der_to_raw(const unsigned char *der, size_t len, unsigned char raw[64]) {
  const unsigned char *p = der;
  ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
  if (!sig) return -1;
  const BIGNUM *r = NULL, *s = NULL;
  ECDSA_SIG_get0(sig, &r, &s);
  int ok = BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32;
  ECDSA_SIG_free(sig);
  return ok ? 0 : -1;
}

CK_RV crypto_sign_digest(gmt_curve curve, const unsigned char d[32], const unsigned char *dg, size_t dglen,
                         unsigned char sig[64]) {
  CK_RV rv = CKR_FUNCTION_FAILED;
  unsigned char der[80];
  size_t derlen = sizeof der;
  EVP_PKEY *pkey = pkey_from_private(curve, d);
  if (!pkey) return CKR_KEY_HANDLE_INVALID;
  /* For an SM2 key, EVP_PKEY_sign signs its input as e directly (no Z, no hash): the CKM_SM2_SIGN contract. */
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
  if (ctx && EVP_PKEY_sign_init(ctx) > 0 && EVP_PKEY_sign(ctx, der, &derlen, dg, dglen) > 0 &&
      der_to_raw(der, derlen, sig) == 0)
    rv = CKR_OK;
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return rv;
}

CK_RV crypto_sm2_sign_message(const unsigned char d[32], const unsigned char *msg, size_t len, int der,
                              unsigned char *sig, size_t *siglen) {
  CK_RV rv = CKR_FUNCTION_FAILED;
  unsigned char tmp[80];
  size_t tmplen = sizeof tmp;
  EVP_MD_CTX *mctx = NULL;
  EVP_PKEY_CTX *pctx = NULL;
  EVP_PKEY *pkey = pkey_from_private(GMT_CURVE_SM2, d);
  if (!pkey) return CKR_KEY_HANDLE_INVALID;
  mctx = EVP_MD_CTX_new();
  pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
  if (!mctx || !pctx) goto done;
  /* Z = SM3(ENTL||ID||a||b||G||P) with the GM default ID. set_pkey_ctx does not transfer ownership:
   * pctx is freed below, after mctx. */
  if (EVP_PKEY_CTX_set1_id(pctx, SM2_DEFAULT_ID, sizeof SM2_DEFAULT_ID - 1) <= 0) goto done;
  EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
  if (EVP_DigestSignInit(mctx, NULL, EVP_sm3(), NULL, pkey) <= 0) goto done;
  if (EVP_DigestSign(mctx, tmp, &tmplen, msg, len) <= 0) goto done;
  if (der) {
    if (*siglen < tmplen) goto done;
    memcpy(sig, tmp, tmplen);
    *siglen = tmplen;
  } else {
    if (*siglen < 64 || der_to_raw(tmp, tmplen, sig) != 0) goto done;
    *siglen = 64;
  }
  rv = CKR_OK;
done:
  EVP_MD_CTX_free(mctx);
  EVP_PKEY_CTX_free(pctx);
  EVP_PKEY_free(pkey);
  return rv;
}

CK_RV crypto_sm3(const unsigned char *msg, size_t len, unsigned char out[32]) {
  unsigned int n = 0;
  if (EVP_Digest(msg, len, out, &n, EVP_sm3(), NULL) != 1 || n != 32) return CKR_FUNCTION_FAILED;
  return CKR_OK;
}

CK_RV crypto_random(unsigned char *out, size_t len) {
  return RAND_bytes(out, (int)len) == 1 ? CKR_OK : CKR_FUNCTION_FAILED;
}

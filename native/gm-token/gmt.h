/*
 * SealDesk GM test token — internal declarations.
 *
 * THIS IS A TEST TOKEN. It exists because SoftHSM2 has no SM2, and SealDesk's SM2 paths must be
 * exercised against a PKCS#11 module that behaves like a vendor USB-Key. Keys are stored
 * unencrypted in files under the token directory. Never use it to hold a real key.
 */
#ifndef SEALDESK_GMT_H
#define SEALDESK_GMT_H

#include <limits.h>
#include <stddef.h>
#include <p11-kit/pkcs11.h>

#define GMT_EXPORT __attribute__((visibility("default")))

/* ---- attribute lists (attrs.c) ---------------------------------------------------------- */

typedef struct {
  CK_ATTRIBUTE_TYPE type;
  unsigned char *val; /* malloc'd, may be NULL when len == 0 */
  CK_ULONG len;
} gmt_attr;

typedef struct {
  gmt_attr *v;
  size_t n, cap;
} gmt_attrs;

void attrs_free(gmt_attrs *a);
const gmt_attr *attrs_get(const gmt_attrs *a, CK_ATTRIBUTE_TYPE t);
int attrs_set(gmt_attrs *a, CK_ATTRIBUTE_TYPE t, const void *val, CK_ULONG len); /* 0 ok, -1 oom */
int attrs_set_bool(gmt_attrs *a, CK_ATTRIBUTE_TYPE t, CK_BBOOL b);
int attrs_set_ulong(gmt_attrs *a, CK_ATTRIBUTE_TYPE t, CK_ULONG v);
/* Sets t only when it is absent: the caller's template wins over defaults. */
int attrs_default_bool(gmt_attrs *a, CK_ATTRIBUTE_TYPE t, CK_BBOOL b);
CK_BBOOL attrs_bool(const gmt_attrs *a, CK_ATTRIBUTE_TYPE t, CK_BBOOL dflt);
int attrs_ulong(const gmt_attrs *a, CK_ATTRIBUTE_TYPE t, CK_ULONG *out); /* 1 found, 0 absent/bad */
/* 1 when every attribute of the template is present with exactly the same bytes. */
int attrs_match(const gmt_attrs *a, const CK_ATTRIBUTE *tpl, CK_ULONG n);
/* Copies a caller template; CKR_ARGUMENTS_BAD for NULL values with a length, CKR_TEMPLATE_INCONSISTENT
 * for a CK_BBOOL/CK_ULONG attribute with the wrong size. */
CK_RV attrs_from_template(gmt_attrs *out, const CK_ATTRIBUTE *tpl, CK_ULONG n);
int attrs_serialize(const gmt_attrs *a, unsigned char **out, size_t *outlen);
int attrs_parse(const unsigned char *buf, size_t len, gmt_attrs *out); /* 0 ok, -1 malformed */

/* ---- configuration and vendor profile (config.c) ---------------------------------------- */

typedef enum {
  GMT_MECH_NONE = 0,
  GMT_MECH_SM2_KEYGEN,
  GMT_MECH_SM2_SIGN_E_RAW,     /* caller passes e = SM3(Z||M), 32 bytes; returns r||s */
  GMT_MECH_SM2_SIGN_MSG_RAW,   /* token computes Z (default ID) and SM3; returns r||s */
  GMT_MECH_SM2_SIGN_MSG_DER,   /* same, returns DER SEQUENCE{r,s} */
  GMT_MECH_SM3,
  GMT_MECH_EC_KEYGEN,          /* P-256 */
  GMT_MECH_ECDSA               /* raw ECDSA over a caller hash; returns r||s */
} gmt_mech_kind;

typedef struct {
  CK_MECHANISM_TYPE type;
  gmt_mech_kind kind;
} gmt_mech;

#define GMT_MAX_MECHS 12

typedef struct {
  const char *name;
  CK_KEY_TYPE ckk_sm2;
  gmt_mech mechs[GMT_MAX_MECHS];
  size_t nmechs;
} gmt_profile;

typedef struct {
  char tokendir[PATH_MAX];
  unsigned max_pin_tries;
  const gmt_profile *profile;
} gmt_config;

CK_RV config_load(gmt_config *cfg);
gmt_mech_kind profile_mech_kind(const gmt_profile *p, CK_MECHANISM_TYPE t);

/* ---- persistent token state (store.c) --------------------------------------------------- */

#define GMT_SALT_LEN 16
#define GMT_HASH_LEN 32
#define GMT_MAX_SLOTS 64

typedef struct {
  char label[33];   /* NUL-terminated, not padded */
  char serial[17];
  int so_set, user_set;
  unsigned char so_salt[GMT_SALT_LEN], so_hash[GMT_HASH_LEN];
  unsigned char user_salt[GMT_SALT_LEN], user_hash[GMT_HASH_LEN];
  unsigned user_fail, so_fail;
  CK_ULONG next_obj;
} gmt_token_state;

void store_set_root(const char *root);
/* Initialized slot numbers, ascending; returns the count. *free_slot gets the uninitialized one. */
size_t store_list_slots(CK_SLOT_ID *ids, size_t max, CK_SLOT_ID *free_slot);
int store_slot_exists(CK_SLOT_ID slot);         /* 1 initialized, 0 not */
CK_RV store_load_state(CK_SLOT_ID slot, gmt_token_state *st);
CK_RV store_save_state(CK_SLOT_ID slot, const gmt_token_state *st);
/* Cross-process lock on one token (flock); returns an fd or -1. */
int store_lock(CK_SLOT_ID slot);
void store_unlock(int fd);
/* Creates or re-creates the token: all objects removed, fresh state written. */
CK_RV store_init_token(CK_SLOT_ID slot, const gmt_token_state *st);
CK_RV store_obj_list(CK_SLOT_ID slot, CK_ULONG **nums, size_t *n);
CK_RV store_obj_load(CK_SLOT_ID slot, CK_ULONG num, gmt_attrs *out);
CK_RV store_obj_save(CK_SLOT_ID slot, CK_ULONG num, const gmt_attrs *a);
CK_RV store_obj_delete(CK_SLOT_ID slot, CK_ULONG num);

void pin_hash(const unsigned char *pin, size_t len, const unsigned char salt[GMT_SALT_LEN],
              unsigned char out[GMT_HASH_LEN]);
int pin_matches(const unsigned char *pin, size_t len, const unsigned char salt[GMT_SALT_LEN],
                const unsigned char hash[GMT_HASH_LEN]);
int pin_set(const unsigned char *pin, size_t len, unsigned char salt[GMT_SALT_LEN],
            unsigned char hash[GMT_HASH_LEN]); /* 0 ok */

/* ---- SM2 / EC / SM3 with OpenSSL 3 (crypto.c) ------------------------------------------ */

typedef enum { GMT_CURVE_SM2, GMT_CURVE_P256 } gmt_curve;

extern const unsigned char GMT_OID_SM2[10];
extern const unsigned char GMT_OID_P256[10];

/* d: 32-byte private scalar; pub: 65 bytes 04||x||y. */
CK_RV crypto_generate(gmt_curve curve, unsigned char d[32], unsigned char pub[65]);
/* Raw sign over a caller digest (SM2: e, 32 bytes; ECDSA: hash); sig = r||s (64 bytes). */
CK_RV crypto_sign_digest(gmt_curve curve, const unsigned char d[32], const unsigned char *dg,
                         size_t dglen, unsigned char sig[64]);
/* SM2-with-SM3 over a message with Z computed from the default ID; DER or r||s. */
CK_RV crypto_sm2_sign_message(const unsigned char d[32], const unsigned char *msg, size_t len, int der,
                              unsigned char *sig, size_t *siglen);
CK_RV crypto_sm3(const unsigned char *msg, size_t len, unsigned char out[32]);
CK_RV crypto_random(unsigned char *out, size_t len);

#endif

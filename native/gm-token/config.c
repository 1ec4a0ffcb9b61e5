/*
 * Configuration of the GM test token and the vendor profiles it can impersonate.
 *
 * PKCS#11 has no SM2 mechanism; vendors put SM2 under CKM_VENDOR_DEFINED numbers that clash
 * (gm-formats.md §7). The token serves one family's numbers at a time, chosen by config, so that
 * SealDesk's profile mechanism is exercised against more than one numbering:
 *   sansec (default): Sansec/三未 swpkcs11.h, also iTrus: CKK_SM2 = VD+4, keygen VD+0x8001,
 *                     CKM_SM3_SM2_APPID1 VD+0x8102 (token computes Z with ID 1234567812345678 and SM3
 *                     from the message, raw r||s), CKM_SM3_SM2_APPID1_DER VD+0x8103 (same, DER),
 *                     CKM_SM2_SIGN VD+0x8104 (caller passes e, raw r||s), CKM_SM3 VD+0x9000.
 *                     CKM_SM3_SM2(_DER) VD+0x8100/+0x8101 are not served: the header's notes do not
 *                     say which ID they use, and guessing would make signatures that verify nowhere.
 *   ibm:              CKK_IBM_SM2 0x80050002, CKM_IBM_SM2_KEY_PAIR_GEN 0x8005000A, CKM_IBM_SM2
 *                     0x8005000B (caller passes e, raw r||s), CKM_IBM_SM3 0x8005000E.
 * Both also serve standard CKM_EC_KEY_PAIR_GEN / CKM_ECDSA on P-256.
 *
 * Config: env SEALDESK_GMTOKEN_CONF names a file of "key = value" lines ('#' comments):
 *   directories.tokendir = /path   (or env SEALDESK_GMTOKEN_DIR, which wins)
 *   max_pin_tries = 5              (1..100)
 *   profile = sansec | ibm
 */
#include "gmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define VD CKM_VENDOR_DEFINED

static const gmt_profile SANSEC = {
    "sansec",
    CKK_VENDOR_DEFINED + 4,
    {{VD + 0x8001, GMT_MECH_SM2_KEYGEN},
     {VD + 0x8102, GMT_MECH_SM2_SIGN_MSG_RAW},
     {VD + 0x8103, GMT_MECH_SM2_SIGN_MSG_DER},
     {VD + 0x8104, GMT_MECH_SM2_SIGN_E_RAW},
     {VD + 0x9000, GMT_MECH_SM3},
     {CKM_EC_KEY_PAIR_GEN, GMT_MECH_EC_KEYGEN},
     {CKM_ECDSA, GMT_MECH_ECDSA}},
    7,
};

static const gmt_profile IBM = {
    "ibm",
    0x80050002UL,
    {{0x8005000AUL, GMT_MECH_SM2_KEYGEN},
     {0x8005000BUL, GMT_MECH_SM2_SIGN_E_RAW},
     {0x8005000EUL, GMT_MECH_SM3},
     {CKM_EC_KEY_PAIR_GEN, GMT_MECH_EC_KEYGEN},
     {CKM_ECDSA, GMT_MECH_ECDSA}},
    5,
};

gmt_mech_kind profile_mech_kind(const gmt_profile *p, CK_MECHANISM_TYPE t) {
  for (size_t i = 0; i < p->nmechs; i++)
    if (p->mechs[i].type == t) return p->mechs[i].kind;
  return GMT_MECH_NONE;
}

static void complain(const char *what) {
  /* C_Initialize can only return a code; say why on stderr so a misconfigured test is obvious. */
  fprintf(stderr, "sealdesk-gmtoken: %s\n", what);
}

static char *trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
  return s;
}

static CK_RV apply(gmt_config *cfg, const char *key, const char *val) {
  if (strcmp(key, "directories.tokendir") == 0 || strcmp(key, "tokendir") == 0) {
    if (strlen(val) >= sizeof cfg->tokendir) return CKR_GENERAL_ERROR;
    strcpy(cfg->tokendir, val);
  } else if (strcmp(key, "max_pin_tries") == 0) {
    char *end = NULL;
    errno = 0;
    long v = strtol(val, &end, 10);
    if (errno || !end || *end || v < 1 || v > 100) {
      complain("max_pin_tries must be a number from 1 to 100");
      return CKR_GENERAL_ERROR;
    }
    cfg->max_pin_tries = (unsigned)v;
  } else if (strcmp(key, "profile") == 0) {
    if (strcmp(val, "sansec") == 0) cfg->profile = &SANSEC;
    else if (strcmp(val, "ibm") == 0) cfg->profile = &IBM;
    else {
      complain("profile must be sansec or ibm");
      return CKR_GENERAL_ERROR;
    }
  }
  /* unknown keys are ignored so that newer config files work with older builds */
  return CKR_OK;
}

CK_RV config_load(gmt_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->max_pin_tries = 5;
  cfg->profile = &SANSEC;
  const char *conf = getenv("SEALDESK_GMTOKEN_CONF");
  if (conf && *conf) {
    FILE *f = fopen(conf, "r");
    if (!f) {
      complain("cannot read the file named by SEALDESK_GMTOKEN_CONF");
      return CKR_GENERAL_ERROR;
    }
    char line[PATH_MAX + 64];
    CK_RV rv = CKR_OK;
    while (rv == CKR_OK && fgets(line, sizeof line, f)) {
      char *s = trim(line);
      if (*s == '#' || *s == '\0') continue;
      char *eq = strchr(s, '=');
      if (!eq) continue;
      *eq = '\0';
      rv = apply(cfg, trim(s), trim(eq + 1));
    }
    fclose(f);
    if (rv != CKR_OK) return rv;
  }
  const char *dir = getenv("SEALDESK_GMTOKEN_DIR");
  if (dir && *dir) {
    if (strlen(dir) >= sizeof cfg->tokendir) return CKR_GENERAL_ERROR;
    strcpy(cfg->tokendir, dir);
  }
  if (!cfg->tokendir[0]) {
    complain("set SEALDESK_GMTOKEN_DIR or SEALDESK_GMTOKEN_CONF (directories.tokendir)");
    return CKR_GENERAL_ERROR;
  }
  if (mkdir(cfg->tokendir, 0700) != 0 && errno != EEXIST) {
    complain("cannot create the token directory");
    return CKR_GENERAL_ERROR;
  }
  return CKR_OK;
}

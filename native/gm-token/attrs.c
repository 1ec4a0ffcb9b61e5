/*
 * Attribute lists of token objects: a small growable array of (type, bytes), its matching
 * against a search template and its on-disk encoding.
 *
 * On-disk encoding (one object per file): "GMTO1\n" then records of
 * type (8 bytes LE) | length (4 bytes LE) | value. The parser checks every length against
 * what is left, so a damaged file is refused instead of read past its end.
 */
#include "gmt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char MAGIC[] = "GMTO1\n";
#define MAGIC_LEN 6
/* An object holds a certificate or a seal at most; anything bigger is damage, not data. */
#define MAX_ATTR_LEN (16u * 1024u * 1024u)

void attrs_free(gmt_attrs *a) {
  if (!a) return;
  for (size_t i = 0; i < a->n; i++) {
    if (a->v[i].val) {
      /* values may be private keys */
      memset(a->v[i].val, 0, a->v[i].len);
      free(a->v[i].val);
    }
  }
  free(a->v);
  a->v = NULL;
  a->n = a->cap = 0;
}

static gmt_attr *find(const gmt_attrs *a, CK_ATTRIBUTE_TYPE t) {
  for (size_t i = 0; i < a->n; i++)
    if (a->v[i].type == t) return &a->v[i];
  return NULL;
}

const gmt_attr *attrs_get(const gmt_attrs *a, CK_ATTRIBUTE_TYPE t) { return find(a, t); }

int attrs_set(gmt_attrs *a, CK_ATTRIBUTE_TYPE t, const void *val, CK_ULONG len) {
  unsigned char *copy = NULL;
  if (len > 0) {
    copy = malloc(len);
    if (!copy) return -1;
    memcpy(copy, val, len);
  }
  gmt_attr *cur = find(a, t);
  if (cur) {
    if (cur->val) {
      memset(cur->val, 0, cur->len);
      free(cur->val);
    }
    cur->val = copy;
    cur->len = len;
    return 0;
  }
  if (a->n == a->cap) {
    size_t ncap = a->cap ? a->cap * 2 : 16;
    gmt_attr *nv = realloc(a->v, ncap * sizeof(*nv));
    if (!nv) {
      free(copy);
      return -1;
    }
    a->v = nv;
    a->cap = ncap;
  }
  a->v[a->n].type = t;
  a->v[a->n].val = copy;
  a->v[a->n].len = len;
  a->n++;
  return 0;
}

int attrs_set_bool(gmt_attrs *a, CK_ATTRIBUTE_TYPE t, CK_BBOOL b) { return attrs_set(a, t, &b, sizeof b); }

int attrs_set_ulong(gmt_attrs *a, CK_ATTRIBUTE_TYPE t, CK_ULONG v) { return attrs_set(a, t, &v, sizeof v); }

int attrs_default_bool(gmt_attrs *a, CK_ATTRIBUTE_TYPE t, CK_BBOOL b) {
  return find(a, t) ? 0 : attrs_set_bool(a, t, b);
}

CK_BBOOL attrs_bool(const gmt_attrs *a, CK_ATTRIBUTE_TYPE t, CK_BBOOL dflt) {
  const gmt_attr *x = find(a, t);
  if (!x || x->len != sizeof(CK_BBOOL)) return dflt;
  return x->val[0] ? CK_TRUE : CK_FALSE;
}

int attrs_ulong(const gmt_attrs *a, CK_ATTRIBUTE_TYPE t, CK_ULONG *out) {
  const gmt_attr *x = find(a, t);
  if (!x || x->len != sizeof(CK_ULONG)) return 0;
  memcpy(out, x->val, sizeof(CK_ULONG));
  return 1;
}

int attrs_match(const gmt_attrs *a, const CK_ATTRIBUTE *tpl, CK_ULONG n) {
  for (CK_ULONG i = 0; i < n; i++) {
    const gmt_attr *x = find(a, tpl[i].type);
    if (!x || x->len != tpl[i].ulValueLen) return 0;
    if (x->len && memcmp(x->val, tpl[i].pValue, x->len) != 0) return 0;
  }
  return 1;
}

static int is_bool_attr(CK_ATTRIBUTE_TYPE t) {
  switch (t) {
  case CKA_TOKEN: case CKA_PRIVATE: case CKA_MODIFIABLE: case CKA_SENSITIVE: case CKA_EXTRACTABLE:
  case CKA_SIGN: case CKA_VERIFY: case CKA_ENCRYPT: case CKA_DECRYPT: case CKA_DERIVE: case CKA_WRAP:
  case CKA_UNWRAP: case CKA_SIGN_RECOVER: case CKA_VERIFY_RECOVER: case CKA_LOCAL: case CKA_TRUSTED:
  case CKA_ALWAYS_AUTHENTICATE: case CKA_ALWAYS_SENSITIVE: case CKA_NEVER_EXTRACTABLE:
    return 1;
  default:
    return 0;
  }
}

static int is_ulong_attr(CK_ATTRIBUTE_TYPE t) {
  return t == CKA_CLASS || t == CKA_KEY_TYPE || t == CKA_CERTIFICATE_TYPE || t == CKA_CERTIFICATE_CATEGORY ||
         t == CKA_KEY_GEN_MECHANISM;
}

CK_RV attrs_from_template(gmt_attrs *out, const CK_ATTRIBUTE *tpl, CK_ULONG n) {
  if (n > 0 && !tpl) return CKR_ARGUMENTS_BAD;
  for (CK_ULONG i = 0; i < n; i++) {
    if (tpl[i].ulValueLen > 0 && !tpl[i].pValue) return CKR_ARGUMENTS_BAD;
    if (tpl[i].ulValueLen > MAX_ATTR_LEN) return CKR_ATTRIBUTE_VALUE_INVALID;
    if (is_bool_attr(tpl[i].type) && tpl[i].ulValueLen != sizeof(CK_BBOOL)) return CKR_ATTRIBUTE_VALUE_INVALID;
    if (is_ulong_attr(tpl[i].type) && tpl[i].ulValueLen != sizeof(CK_ULONG)) return CKR_ATTRIBUTE_VALUE_INVALID;
    if (attrs_set(out, tpl[i].type, tpl[i].pValue, tpl[i].ulValueLen) != 0) return CKR_HOST_MEMORY;
  }
  return CKR_OK;
}

int attrs_serialize(const gmt_attrs *a, unsigned char **out, size_t *outlen) {
  size_t total = MAGIC_LEN;
  for (size_t i = 0; i < a->n; i++) total += 12 + a->v[i].len;
  unsigned char *buf = malloc(total);
  if (!buf) return -1;
  memcpy(buf, MAGIC, MAGIC_LEN);
  size_t p = MAGIC_LEN;
  for (size_t i = 0; i < a->n; i++) {
    uint64_t t = a->v[i].type;
    uint32_t l = (uint32_t)a->v[i].len;
    for (int k = 0; k < 8; k++) buf[p++] = (unsigned char)(t >> (8 * k));
    for (int k = 0; k < 4; k++) buf[p++] = (unsigned char)(l >> (8 * k));
    if (l) memcpy(buf + p, a->v[i].val, l);
    p += l;
  }
  *out = buf;
  *outlen = total;
  return 0;
}

int attrs_parse(const unsigned char *buf, size_t len, gmt_attrs *out) {
  if (len < MAGIC_LEN || memcmp(buf, MAGIC, MAGIC_LEN) != 0) return -1;
  size_t p = MAGIC_LEN;
  while (p < len) {
    if (len - p < 12) goto bad;
    uint64_t t = 0;
    uint32_t l = 0;
    for (int k = 0; k < 8; k++) t |= (uint64_t)buf[p + k] << (8 * k);
    for (int k = 0; k < 4; k++) l |= (uint32_t)buf[p + 8 + k] << (8 * k);
    p += 12;
    if (l > MAX_ATTR_LEN || l > len - p) goto bad;
    if (attrs_set(out, (CK_ATTRIBUTE_TYPE)t, buf + p, l) != 0) goto bad;
    p += l;
  }
  return 0;
bad:
  attrs_free(out);
  return -1;
}

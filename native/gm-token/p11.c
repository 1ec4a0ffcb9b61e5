/*
 * SealDesk GM test token: the PKCS#11 v2.40 entry points.
 *
 * A TEST token (see README.md): SM2/SM3 under a vendor profile's numbers (config.c), objects in
 * files (store.c), and a real PIN retry counter: every wrong PIN is counted on disk; after
 * max_pin_tries failures the token sets CKF_USER_PIN_LOCKED and C_Login answers CKR_PIN_LOCKED
 * even for the right PIN, until the SO runs C_InitPIN. The failure that reaches the limit itself
 * still answers CKR_PIN_INCORRECT (that PIN was wrong); every later attempt answers CKR_PIN_LOCKED.
 *
 * One process-wide mutex serialises all calls (pkcs11js runs some calls on worker threads).
 */
#include "gmt.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define MAX_SESSIONS 256
#define MAX_SOBJ 1024
#define SOBJ_FLAG 0x80000000UL
#define MAX_OP_DATA (16u * 1024u * 1024u)
#define MIN_PIN 4
#define MAX_PIN 255
#define LABEL_LEN 32

typedef struct {
  int active, multipart;
  unsigned char *buf;
  size_t len, cap;
  unsigned char out[80];
  size_t outlen; /* 0 until computed; kept so a retry after CKR_BUFFER_TOO_SMALL gets the same value */
} gmt_op;

typedef struct {
  CK_SLOT_ID slot;
  CK_FLAGS flags;
  int find_active;
  CK_OBJECT_HANDLE *found;
  size_t nfound, fpos;
  gmt_op sign;
  gmt_mech_kind sign_kind;
  gmt_curve sign_curve;
  unsigned char sign_d[32];
  int sign_needs_context_login;
  gmt_op digest;
} gmt_session;

typedef struct {
  int used;
  CK_SLOT_ID slot;
  CK_SESSION_HANDLE owner;
  gmt_attrs a;
} gmt_session_object;

typedef struct {
  int used;
  CK_SLOT_ID slot;
  CK_USER_TYPE user;
} gmt_login;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_ready;
static gmt_config g_cfg;
static gmt_session *g_sess[MAX_SESSIONS];
static gmt_session_object g_sobj[MAX_SOBJ];
static gmt_login g_login[GMT_MAX_SLOTS];

/* ---- small helpers ---------------------------------------------------------------------- */

static void pad(unsigned char *dst, size_t size, const char *src) {
  size_t n = strlen(src);
  memset(dst, ' ', size);
  memcpy(dst, src, n < size ? n : size);
}

static int attrs_copy(gmt_attrs *dst, const gmt_attrs *src) {
  for (size_t i = 0; i < src->n; i++)
    if (attrs_set(dst, src->v[i].type, src->v[i].val, src->v[i].len) != 0) return -1;
  return 0;
}

static void op_end(gmt_op *op) {
  if (op->buf) {
    OPENSSL_cleanse(op->buf, op->len);
    free(op->buf);
  }
  OPENSSL_cleanse(op, sizeof *op);
}

static CK_RV op_append(gmt_op *op, const unsigned char *data, size_t len) {
  if (len > MAX_OP_DATA || op->len > MAX_OP_DATA - len) return CKR_DATA_LEN_RANGE;
  if (op->len + len > op->cap) {
    size_t ncap = op->cap ? op->cap : 256;
    while (ncap < op->len + len) ncap *= 2;
    unsigned char *nb = malloc(ncap);
    if (!nb) return CKR_HOST_MEMORY;
    if (op->buf) {
      memcpy(nb, op->buf, op->len);
      OPENSSL_cleanse(op->buf, op->len);
      free(op->buf);
    }
    op->buf = nb;
    op->cap = ncap;
  }
  if (len) memcpy(op->buf + op->len, data, len);
  op->len += len;
  return CKR_OK;
}

/* Hands out a computed result with the PKCS#11 length protocol; ends the op when delivered. */
static CK_RV op_deliver(gmt_op *op, unsigned char *out, CK_ULONG *outlen) {
  if (*outlen < op->outlen) {
    *outlen = op->outlen;
    return CKR_BUFFER_TOO_SMALL;
  }
  memcpy(out, op->out, op->outlen);
  *outlen = op->outlen;
  op_end(op);
  return CKR_OK;
}

static gmt_login *login_of(CK_SLOT_ID slot) {
  for (size_t i = 0; i < GMT_MAX_SLOTS; i++)
    if (g_login[i].used && g_login[i].slot == slot) return &g_login[i];
  return NULL;
}

static CK_USER_TYPE logged_user(CK_SLOT_ID slot) {
  gmt_login *l = login_of(slot);
  return l ? l->user : (CK_USER_TYPE)-1;
}

static void set_login(CK_SLOT_ID slot, CK_USER_TYPE user) {
  for (size_t i = 0; i < GMT_MAX_SLOTS; i++)
    if (!g_login[i].used) {
      g_login[i].used = 1;
      g_login[i].slot = slot;
      g_login[i].user = user;
      return;
    }
}

static void clear_login(CK_SLOT_ID slot) {
  gmt_login *l = login_of(slot);
  if (l) memset(l, 0, sizeof *l);
}

static CK_RV get_session(CK_SESSION_HANDLE h, gmt_session **out) {
  if (h == 0 || h > MAX_SESSIONS || !g_sess[h - 1]) return CKR_SESSION_HANDLE_INVALID;
  *out = g_sess[h - 1];
  /* a token directory that vanished is a removed USB-Key */
  if (!store_slot_exists((*out)->slot)) return CKR_DEVICE_REMOVED;
  return CKR_OK;
}

static void free_session(CK_SESSION_HANDLE h) {
  gmt_session *s = g_sess[h - 1];
  if (!s) return;
  for (size_t i = 0; i < MAX_SOBJ; i++)
    if (g_sobj[i].used && g_sobj[i].owner == h) {
      attrs_free(&g_sobj[i].a);
      memset(&g_sobj[i], 0, sizeof g_sobj[i]);
    }
  free(s->found);
  op_end(&s->sign);
  op_end(&s->digest);
  OPENSSL_cleanse(s, sizeof *s);
  free(s);
  g_sess[h - 1] = NULL;
}

static size_t sessions_on(CK_SLOT_ID slot, int rw_only) {
  size_t n = 0;
  for (size_t i = 0; i < MAX_SESSIONS; i++)
    if (g_sess[i] && g_sess[i]->slot == slot && (!rw_only || (g_sess[i]->flags & CKF_RW_SESSION))) n++;
  return n;
}

static int slot_known(CK_SLOT_ID slot, int *initialized) {
  CK_SLOT_ID ids[GMT_MAX_SLOTS], free_slot;
  size_t n = store_list_slots(ids, GMT_MAX_SLOTS, &free_slot);
  for (size_t i = 0; i < n; i++)
    if (ids[i] == slot) {
      *initialized = 1;
      return 1;
    }
  *initialized = 0;
  return slot == free_slot;
}

static CK_FLAGS pin_flags(const gmt_token_state *st) {
  CK_FLAGS f = 0;
  unsigned max = g_cfg.max_pin_tries;
  if (st->user_fail > 0) f |= CKF_USER_PIN_COUNT_LOW;
  if (st->user_fail >= max) f |= CKF_USER_PIN_LOCKED;
  else if (max - st->user_fail == 1) f |= CKF_USER_PIN_FINAL_TRY;
  if (st->so_fail > 0) f |= CKF_SO_PIN_COUNT_LOW;
  if (st->so_fail >= max) f |= CKF_SO_PIN_LOCKED;
  else if (max - st->so_fail == 1) f |= CKF_SO_PIN_FINAL_TRY;
  return f;
}

typedef CK_RV (*state_edit_fn)(gmt_token_state *st, void *ctx, int *dirty);

/*
 * Read-modify-write of token.state under the cross-process token lock, so the PIN counter
 * survives restarts and two processes failing at once both count. The state is saved whenever
 * the edit marked it dirty, also when the edit fails: a counted wrong PIN must stick.
 */
static CK_RV edit_token_state(CK_SLOT_ID slot, state_edit_fn edit, void *ctx) {
  int fd = store_lock(slot);
  if (fd < 0) return CKR_DEVICE_ERROR;
  gmt_token_state st;
  int dirty = 0;
  CK_RV rv = store_load_state(slot, &st);
  if (rv == CKR_OK) {
    rv = edit(&st, ctx, &dirty);
    if (dirty) {
      CK_RV saved = store_save_state(slot, &st);
      if (saved != CKR_OK) rv = saved;
    }
  }
  store_unlock(fd);
  OPENSSL_cleanse(&st, sizeof st);
  return rv;
}

typedef struct {
  int so;
  const unsigned char *pin, *new_pin;
  CK_ULONG len, new_len;
} gmt_pin_edit;

/* One PIN attempt against the state, counted: a lock refuses without looking at the PIN. */
static CK_RV count_pin_attempt(gmt_token_state *st, int so, const unsigned char *pin, CK_ULONG len, int *dirty) {
  unsigned *fail = so ? &st->so_fail : &st->user_fail;
  if (!so && !st->user_set) return CKR_USER_PIN_NOT_INITIALIZED;
  if (*fail >= g_cfg.max_pin_tries) return CKR_PIN_LOCKED;
  if (pin_matches(pin, len, so ? st->so_salt : st->user_salt, so ? st->so_hash : st->user_hash)) {
    if (*fail) {
      *fail = 0;
      *dirty = 1;
    }
    return CKR_OK;
  }
  (*fail)++;
  *dirty = 1;
  return CKR_PIN_INCORRECT;
}

static CK_RV edit_check_pin(gmt_token_state *st, void *ctx, int *dirty) {
  const gmt_pin_edit *e = ctx;
  return count_pin_attempt(st, e->so, e->pin, e->len, dirty);
}

/* C_SetPIN: the old PIN is an attempt like any other, then the new one replaces it. */
static CK_RV edit_change_pin(gmt_token_state *st, void *ctx, int *dirty) {
  const gmt_pin_edit *e = ctx;
  CK_RV rv = count_pin_attempt(st, e->so, e->pin, e->len, dirty);
  if (rv != CKR_OK) return rv;
  if (pin_set(e->new_pin, e->new_len, e->so ? st->so_salt : st->user_salt,
              e->so ? st->so_hash : st->user_hash) != 0)
    return CKR_FUNCTION_FAILED;
  *dirty = 1;
  return CKR_OK;
}

/* C_InitPIN by the SO: a new user PIN, and the SO's reset is what lifts a lock. */
static CK_RV edit_init_user_pin(gmt_token_state *st, void *ctx, int *dirty) {
  const gmt_pin_edit *e = ctx;
  if (pin_set(e->new_pin, e->new_len, st->user_salt, st->user_hash) != 0) return CKR_FUNCTION_FAILED;
  st->user_set = 1;
  st->user_fail = 0;
  *dirty = 1;
  return CKR_OK;
}

static CK_RV edit_next_object_number(gmt_token_state *st, void *ctx, int *dirty) {
  if (st->next_obj >= 0xFFFFF) return CKR_DEVICE_MEMORY;
  *(CK_ULONG *)ctx = st->next_obj++;
  *dirty = 1;
  return CKR_OK;
}

static CK_RV check_pin_counted(CK_SLOT_ID slot, int so, const unsigned char *pin, CK_ULONG len) {
  if (len > MAX_PIN) return CKR_PIN_LEN_RANGE;
  gmt_pin_edit e = {so, pin, NULL, len, 0};
  return edit_token_state(slot, edit_check_pin, &e);
}

/* ---- object handles ------------------------------------------------------------------------
 * token object:   ((slot + 1) << 20) | num      (num = file number, < 2^20)
 * session object: SOBJ_FLAG | (index + 1)
 */

static CK_OBJECT_HANDLE token_handle(CK_SLOT_ID slot, CK_ULONG num) { return ((slot + 1) << 20) | num; }

typedef struct {
  int is_session;
  CK_SLOT_ID slot;
  CK_ULONG num;   /* token object */
  size_t index;   /* session object */
} gmt_objref;

static int decode_handle(CK_OBJECT_HANDLE h, gmt_objref *r) {
  memset(r, 0, sizeof *r);
  if (h & SOBJ_FLAG) {
    CK_ULONG i = h & ~SOBJ_FLAG;
    if (i == 0 || i > MAX_SOBJ || !g_sobj[i - 1].used) return 0;
    r->is_session = 1;
    r->index = i - 1;
    r->slot = g_sobj[i - 1].slot;
    return 1;
  }
  if ((h >> 20) == 0 || (h & 0xFFFFF) == 0 || (h >> 31) != 0) return 0;
  r->slot = (h >> 20) - 1;
  r->num = h & 0xFFFFF;
  return 1;
}

/* Loads a copy of an object visible to this session (private objects only after user login). */
static CK_RV obj_load(gmt_session *s, CK_OBJECT_HANDLE h, gmt_attrs *out, gmt_objref *ref) {
  if (!decode_handle(h, ref) || ref->slot != s->slot) return CKR_OBJECT_HANDLE_INVALID;
  if (ref->is_session) {
    if (attrs_copy(out, &g_sobj[ref->index].a) != 0) {
      attrs_free(out);
      return CKR_HOST_MEMORY;
    }
  } else {
    CK_RV rv = store_obj_load(s->slot, ref->num, out);
    if (rv != CKR_OK) return rv;
  }
  if (attrs_bool(out, CKA_PRIVATE, CK_TRUE) && logged_user(s->slot) != CKU_USER) {
    attrs_free(out);
    return CKR_OBJECT_HANDLE_INVALID;
  }
  return CKR_OK;
}

static CK_RV obj_save(gmt_session *s, const gmt_objref *ref, gmt_attrs *a) {
  if (ref->is_session) {
    attrs_free(&g_sobj[ref->index].a);
    g_sobj[ref->index].a = *a; /* takes ownership */
    memset(a, 0, sizeof *a);
    return CKR_OK;
  }
  return store_obj_save(s->slot, ref->num, a);
}

/* Stores a new object (token or session per CKA_TOKEN); takes ownership of *a on success. */
static CK_RV obj_create(CK_SESSION_HANDLE sh, gmt_session *s, gmt_attrs *a, CK_OBJECT_HANDLE *out) {
  if (attrs_bool(a, CKA_TOKEN, CK_FALSE)) {
    CK_ULONG num = 0;
    CK_RV rv = edit_token_state(s->slot, edit_next_object_number, &num);
    if (rv == CKR_OK) rv = store_obj_save(s->slot, num, a);
    if (rv != CKR_OK) return rv;
    attrs_free(a);
    *out = token_handle(s->slot, num);
    return CKR_OK;
  }
  for (size_t i = 0; i < MAX_SOBJ; i++)
    if (!g_sobj[i].used) {
      g_sobj[i].used = 1;
      g_sobj[i].slot = s->slot;
      g_sobj[i].owner = sh;
      g_sobj[i].a = *a;
      memset(a, 0, sizeof *a);
      *out = SOBJ_FLAG | (i + 1);
      return CKR_OK;
    }
  return CKR_DEVICE_MEMORY;
}

static CK_RV obj_destroy(const gmt_objref *ref) {
  if (ref->is_session) {
    attrs_free(&g_sobj[ref->index].a);
    memset(&g_sobj[ref->index], 0, sizeof g_sobj[ref->index]);
    return CKR_OK;
  }
  return store_obj_delete(ref->slot, ref->num);
}

/* Token objects need a R/W session; private objects need the user logged in. */
static CK_RV may_write(gmt_session *s, const gmt_attrs *a) {
  if (attrs_bool(a, CKA_TOKEN, CK_FALSE) && !(s->flags & CKF_RW_SESSION)) return CKR_SESSION_READ_ONLY;
  if (attrs_bool(a, CKA_PRIVATE, CK_TRUE) && logged_user(s->slot) != CKU_USER) return CKR_USER_NOT_LOGGED_IN;
  return CKR_OK;
}

static int is_sm2_type(CK_KEY_TYPE t) { return t == g_cfg.profile->ckk_sm2; }

/* ---- general ------------------------------------------------------------------------------ */

static CK_RV do_C_Initialize(CK_VOID_PTR args) {
  if (g_ready) return CKR_CRYPTOKI_ALREADY_INITIALIZED;
  if (args) {
    CK_C_INITIALIZE_ARGS *a = args;
    int some = a->CreateMutex || a->DestroyMutex || a->LockMutex || a->UnlockMutex;
    int all = a->CreateMutex && a->DestroyMutex && a->LockMutex && a->UnlockMutex;
    if (some && !all) return CKR_ARGUMENTS_BAD;
    /* we lock with pthreads: fine when the OS may be used, otherwise we cannot honour the caller's locks */
    if (all && !(a->flags & CKF_OS_LOCKING_OK)) return CKR_CANT_LOCK;
  }
  CK_RV rv = config_load(&g_cfg);
  if (rv != CKR_OK) return rv;
  store_set_root(g_cfg.tokendir);
  memset(g_sess, 0, sizeof g_sess);
  memset(g_sobj, 0, sizeof g_sobj);
  memset(g_login, 0, sizeof g_login);
  g_ready = 1;
  return CKR_OK;
}

static CK_RV do_C_Finalize(CK_VOID_PTR reserved) {
  if (reserved) return CKR_ARGUMENTS_BAD;
  for (CK_SESSION_HANDLE h = 1; h <= MAX_SESSIONS; h++) free_session(h);
  memset(g_login, 0, sizeof g_login);
  g_ready = 0;
  return CKR_OK;
}

static CK_RV do_C_GetInfo(CK_INFO_PTR info) {
  if (!info) return CKR_ARGUMENTS_BAD;
  memset(info, 0, sizeof *info);
  info->cryptokiVersion.major = 2;
  info->cryptokiVersion.minor = 40;
  pad(info->manufacturerID, sizeof info->manufacturerID, "SealDesk");
  pad(info->libraryDescription, sizeof info->libraryDescription, "SealDesk GM TEST token");
  info->libraryVersion.major = 1;
  info->libraryVersion.minor = 0;
  return CKR_OK;
}

static CK_RV do_C_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
  (void)present; /* every slot holds a token: N initialized ones and one free, like SoftHSM */
  if (!count) return CKR_ARGUMENTS_BAD;
  CK_SLOT_ID ids[GMT_MAX_SLOTS + 1], free_slot;
  size_t n = store_list_slots(ids, GMT_MAX_SLOTS, &free_slot);
  ids[n++] = free_slot;
  if (!list) {
    *count = n;
    return CKR_OK;
  }
  if (*count < n) {
    *count = n;
    return CKR_BUFFER_TOO_SMALL;
  }
  memcpy(list, ids, n * sizeof *ids);
  *count = n;
  return CKR_OK;
}

static CK_RV do_C_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info) {
  int init;
  if (!info) return CKR_ARGUMENTS_BAD;
  if (!slot_known(slot, &init)) return CKR_SLOT_ID_INVALID;
  char desc[64];
  snprintf(desc, sizeof desc, "SealDesk GM test token slot %lu", (unsigned long)slot);
  memset(info, 0, sizeof *info);
  pad(info->slotDescription, sizeof info->slotDescription, desc);
  pad(info->manufacturerID, sizeof info->manufacturerID, "SealDesk");
  info->flags = CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE;
  info->hardwareVersion.major = 1;
  info->firmwareVersion.major = 1;
  return CKR_OK;
}

static CK_RV do_C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  int init;
  if (!info) return CKR_ARGUMENTS_BAD;
  if (!slot_known(slot, &init)) return CKR_SLOT_ID_INVALID;
  memset(info, 0, sizeof *info);
  pad(info->manufacturerID, sizeof info->manufacturerID, "SealDesk");
  pad(info->model, sizeof info->model, "GM TEST TOKEN");
  pad(info->utcTime, sizeof info->utcTime, "");
  info->flags = CKF_RNG | CKF_LOGIN_REQUIRED;
  info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
  info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
  info->ulSessionCount = sessions_on(slot, 0);
  info->ulRwSessionCount = sessions_on(slot, 1);
  info->ulMaxPinLen = MAX_PIN;
  info->ulMinPinLen = MIN_PIN;
  info->ulTotalPublicMemory = info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
  info->ulTotalPrivateMemory = info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
  info->hardwareVersion.major = 1;
  info->firmwareVersion.major = 1;
  if (!init) {
    pad(info->label, sizeof info->label, "");
    pad(info->serialNumber, sizeof info->serialNumber, "");
    return CKR_OK;
  }
  gmt_token_state st;
  CK_RV rv = store_load_state(slot, &st);
  if (rv != CKR_OK) return rv;
  pad(info->label, sizeof info->label, st.label);
  pad(info->serialNumber, sizeof info->serialNumber, st.serial);
  info->flags |= CKF_TOKEN_INITIALIZED | pin_flags(&st);
  if (st.user_set) info->flags |= CKF_USER_PIN_INITIALIZED;
  OPENSSL_cleanse(&st, sizeof st);
  return CKR_OK;
}

static CK_RV do_C_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
  int init;
  if (!count) return CKR_ARGUMENTS_BAD;
  if (!slot_known(slot, &init)) return CKR_SLOT_ID_INVALID;
  const gmt_profile *p = g_cfg.profile;
  if (!list) {
    *count = p->nmechs;
    return CKR_OK;
  }
  if (*count < p->nmechs) {
    *count = p->nmechs;
    return CKR_BUFFER_TOO_SMALL;
  }
  for (size_t i = 0; i < p->nmechs; i++) list[i] = p->mechs[i].type;
  *count = p->nmechs;
  return CKR_OK;
}

static CK_RV do_C_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info) {
  int init;
  if (!info) return CKR_ARGUMENTS_BAD;
  if (!slot_known(slot, &init)) return CKR_SLOT_ID_INVALID;
  const CK_FLAGS ec = CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
  memset(info, 0, sizeof *info);
  switch (profile_mech_kind(g_cfg.profile, type)) {
  case GMT_MECH_SM2_KEYGEN:
  case GMT_MECH_EC_KEYGEN:
    info->flags = CKF_HW | CKF_GENERATE_KEY_PAIR | ec;
    break;
  case GMT_MECH_SM2_SIGN_E_RAW:
  case GMT_MECH_SM2_SIGN_MSG_RAW:
  case GMT_MECH_SM2_SIGN_MSG_DER:
  case GMT_MECH_ECDSA:
    info->flags = CKF_HW | CKF_SIGN | ec;
    break;
  case GMT_MECH_SM3:
    info->flags = CKF_HW | CKF_DIGEST;
    return CKR_OK;
  default:
    return CKR_MECHANISM_INVALID;
  }
  info->ulMinKeySize = info->ulMaxKeySize = 256;
  return CKR_OK;
}

static CK_RV do_C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR slot, CK_VOID_PTR reserved) {
  (void)flags;
  (void)slot;
  (void)reserved;
  return CKR_FUNCTION_NOT_SUPPORTED; /* like SoftHSM: SealDesk polls the slot list */
}

/* ---- token and PIN administration --------------------------------------------------------- */

static CK_RV check_new_pin(const unsigned char *pin, CK_ULONG len) {
  if (!pin) return CKR_ARGUMENTS_BAD; /* no protected authentication path on a test token */
  if (len < MIN_PIN || len > MAX_PIN) return CKR_PIN_LEN_RANGE;
  return CKR_OK;
}

static CK_RV do_C_InitToken(CK_SLOT_ID slot, CK_UTF8CHAR_PTR pin, CK_ULONG len, CK_UTF8CHAR_PTR label) {
  int init;
  if (!label) return CKR_ARGUMENTS_BAD;
  CK_RV rv = check_new_pin(pin, len);
  if (rv != CKR_OK) return rv;
  if (!slot_known(slot, &init)) return CKR_SLOT_ID_INVALID;
  if (sessions_on(slot, 0) > 0) return CKR_SESSION_EXISTS;
  if (init) {
    /* re-initialising destroys the token's objects: only the SO may, and the SO counter applies */
    rv = check_pin_counted(slot, 1, pin, len);
    if (rv != CKR_OK) return rv;
  }
  gmt_token_state st;
  memset(&st, 0, sizeof st);
  size_t n = 0;
  while (n < LABEL_LEN && label[n]) n++;
  while (n > 0 && label[n - 1] == ' ') n--;
  memcpy(st.label, label, n);
  unsigned char rnd[8];
  if (crypto_random(rnd, sizeof rnd) != CKR_OK || pin_set(pin, len, st.so_salt, st.so_hash) != 0)
    return CKR_FUNCTION_FAILED;
  for (size_t i = 0; i < sizeof rnd; i++) snprintf(st.serial + 2 * i, 3, "%02x", rnd[i]);
  st.so_set = 1;
  st.next_obj = 1;
  rv = store_init_token(slot, &st);
  OPENSSL_cleanse(&st, sizeof st);
  clear_login(slot);
  return rv;
}

static CK_RV do_C_InitPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (logged_user(s->slot) != CKU_SO) return CKR_USER_NOT_LOGGED_IN;
  if (!(s->flags & CKF_RW_SESSION)) return CKR_SESSION_READ_ONLY;
  rv = check_new_pin(pin, len);
  if (rv != CKR_OK) return rv;
  gmt_pin_edit e = {1, NULL, pin, 0, len};
  return edit_token_state(s->slot, edit_init_user_pin, &e);
}

static CK_RV do_C_SetPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR old, CK_ULONG oldlen, CK_UTF8CHAR_PTR pin,
                         CK_ULONG len) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!old) return CKR_ARGUMENTS_BAD;
  rv = check_new_pin(pin, len);
  if (rv != CKR_OK) return rv;
  if (!(s->flags & CKF_RW_SESSION)) return CKR_SESSION_READ_ONLY;
  if (oldlen > MAX_PIN) return CKR_PIN_LEN_RANGE;
  /* in an SO session the SO PIN changes, otherwise the user PIN */
  gmt_pin_edit e = {logged_user(s->slot) == CKU_SO, old, pin, oldlen, len};
  return edit_token_state(s->slot, edit_change_pin, &e);
}

/* ---- sessions and login ------------------------------------------------------------------- */

static CK_RV do_C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                              CK_SESSION_HANDLE_PTR out) {
  (void)app;
  (void)notify;
  int init;
  if (!out) return CKR_ARGUMENTS_BAD;
  if (!(flags & CKF_SERIAL_SESSION)) return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
  if (!slot_known(slot, &init)) return CKR_SLOT_ID_INVALID;
  if (!init) return CKR_TOKEN_NOT_RECOGNIZED;
  if (!(flags & CKF_RW_SESSION) && logged_user(slot) == CKU_SO) return CKR_SESSION_READ_WRITE_SO_EXISTS;
  for (CK_SESSION_HANDLE h = 1; h <= MAX_SESSIONS; h++)
    if (!g_sess[h - 1]) {
      gmt_session *s = calloc(1, sizeof *s);
      if (!s) return CKR_HOST_MEMORY;
      s->slot = slot;
      s->flags = flags & (CKF_RW_SESSION | CKF_SERIAL_SESSION);
      g_sess[h - 1] = s;
      *out = h;
      return CKR_OK;
    }
  return CKR_SESSION_COUNT;
}

static void close_session(CK_SESSION_HANDLE h) {
  CK_SLOT_ID slot = g_sess[h - 1]->slot;
  free_session(h);
  /* logging in is per token and application: the last session closing logs out */
  if (sessions_on(slot, 0) == 0) clear_login(slot);
}

static CK_RV do_C_CloseSession(CK_SESSION_HANDLE h) {
  if (h == 0 || h > MAX_SESSIONS || !g_sess[h - 1]) return CKR_SESSION_HANDLE_INVALID;
  close_session(h);
  return CKR_OK;
}

static CK_RV do_C_CloseAllSessions(CK_SLOT_ID slot) {
  int init;
  if (!slot_known(slot, &init)) return CKR_SLOT_ID_INVALID;
  for (CK_SESSION_HANDLE h = 1; h <= MAX_SESSIONS; h++)
    if (g_sess[h - 1] && g_sess[h - 1]->slot == slot) close_session(h);
  clear_login(slot);
  return CKR_OK;
}

static CK_RV do_C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info) {
  gmt_session *s;
  if (!info) return CKR_ARGUMENTS_BAD;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  int rw = (s->flags & CKF_RW_SESSION) != 0;
  CK_USER_TYPE u = logged_user(s->slot);
  memset(info, 0, sizeof *info);
  info->slotID = s->slot;
  info->flags = s->flags;
  if (u == CKU_SO) info->state = CKS_RW_SO_FUNCTIONS;
  else if (u == CKU_USER) info->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
  else info->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
  return CKR_OK;
}

static CK_RV do_C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!pin) return CKR_ARGUMENTS_BAD;
  CK_USER_TYPE cur = logged_user(s->slot);
  switch (user) {
  case CKU_CONTEXT_SPECIFIC:
    if (!s->sign.active) return CKR_OPERATION_NOT_INITIALIZED;
    if (cur != CKU_USER) return CKR_USER_NOT_LOGGED_IN;
    rv = check_pin_counted(s->slot, 0, pin, len);
    if (rv == CKR_OK) s->sign_needs_context_login = 0;
    return rv;
  case CKU_SO:
  case CKU_USER:
    if (cur == user) return CKR_USER_ALREADY_LOGGED_IN;
    if (cur != (CK_USER_TYPE)-1) return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
    if (user == CKU_SO && sessions_on(s->slot, 0) != sessions_on(s->slot, 1)) return CKR_SESSION_READ_ONLY_EXISTS;
    rv = check_pin_counted(s->slot, user == CKU_SO, pin, len);
    if (rv == CKR_OK) set_login(s->slot, user);
    return rv;
  default:
    return CKR_USER_TYPE_INVALID;
  }
}

static CK_RV do_C_Logout(CK_SESSION_HANDLE h) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (logged_user(s->slot) == (CK_USER_TYPE)-1) return CKR_USER_NOT_LOGGED_IN;
  clear_login(s->slot);
  /* private keys may no longer be used by any session of this token */
  for (size_t i = 0; i < MAX_SESSIONS; i++)
    if (g_sess[i] && g_sess[i]->slot == s->slot) {
      op_end(&g_sess[i]->sign);
      OPENSSL_cleanse(g_sess[i]->sign_d, sizeof g_sess[i]->sign_d);
    }
  return CKR_OK;
}

/* ---- objects -------------------------------------------------------------------------------- */

static CK_RV apply_object_defaults(gmt_attrs *a, CK_OBJECT_CLASS cls) {
  int e = attrs_default_bool(a, CKA_TOKEN, CK_FALSE) | attrs_default_bool(a, CKA_MODIFIABLE, CK_TRUE) |
          attrs_default_bool(a, CKA_PRIVATE, cls == CKO_PRIVATE_KEY ? CK_TRUE : CK_FALSE);
  if (!attrs_get(a, CKA_LABEL)) e |= attrs_set(a, CKA_LABEL, NULL, 0);
  if (cls == CKO_PRIVATE_KEY) {
    e |= attrs_default_bool(a, CKA_SENSITIVE, CK_TRUE) | attrs_default_bool(a, CKA_EXTRACTABLE, CK_FALSE) |
         attrs_default_bool(a, CKA_SIGN, CK_TRUE) | attrs_default_bool(a, CKA_DECRYPT, CK_FALSE) |
         attrs_default_bool(a, CKA_DERIVE, CK_FALSE) | attrs_default_bool(a, CKA_ALWAYS_AUTHENTICATE, CK_FALSE);
  } else if (cls == CKO_PUBLIC_KEY) {
    e |= attrs_default_bool(a, CKA_VERIFY, CK_TRUE) | attrs_default_bool(a, CKA_ENCRYPT, CK_FALSE) |
         attrs_default_bool(a, CKA_DERIVE, CK_FALSE);
  }
  if ((cls == CKO_PRIVATE_KEY || cls == CKO_PUBLIC_KEY) && !attrs_get(a, CKA_ID)) e |= attrs_set(a, CKA_ID, NULL, 0);
  return e ? CKR_HOST_MEMORY : CKR_OK;
}

static CK_RV check_key_template(const gmt_attrs *a, CK_OBJECT_CLASS cls) {
  CK_KEY_TYPE kt;
  if (!attrs_ulong(a, CKA_KEY_TYPE, &kt)) return CKR_TEMPLATE_INCOMPLETE;
  const gmt_attr *params = attrs_get(a, CKA_EC_PARAMS);
  if (is_sm2_type(kt)) {
    if (params && (params->len != sizeof GMT_OID_SM2 || memcmp(params->val, GMT_OID_SM2, params->len) != 0))
      return CKR_ATTRIBUTE_VALUE_INVALID;
  } else if (kt == CKK_EC) {
    if (!params) return CKR_TEMPLATE_INCOMPLETE;
    if (params->len != sizeof GMT_OID_P256 || memcmp(params->val, GMT_OID_P256, params->len) != 0)
      return CKR_CURVE_NOT_SUPPORTED;
  } else {
    return CKR_ATTRIBUTE_VALUE_INVALID;
  }
  const gmt_attr *v = attrs_get(a, cls == CKO_PRIVATE_KEY ? CKA_VALUE : CKA_EC_POINT);
  if (!v) return CKR_TEMPLATE_INCOMPLETE;
  if (cls == CKO_PRIVATE_KEY && v->len != 32) return CKR_ATTRIBUTE_VALUE_INVALID;
  if (cls == CKO_PUBLIC_KEY && (v->len != 67 || v->val[0] != 0x04 || v->val[1] != 65 || v->val[2] != 0x04))
    return CKR_ATTRIBUTE_VALUE_INVALID;
  if (attrs_get(a, CKA_LOCAL) || attrs_get(a, CKA_ALWAYS_SENSITIVE) || attrs_get(a, CKA_NEVER_EXTRACTABLE))
    return CKR_ATTRIBUTE_READ_ONLY;
  return CKR_OK;
}

static CK_RV do_C_CreateObject(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tpl, CK_ULONG n, CK_OBJECT_HANDLE_PTR out) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!out || (n > 0 && !tpl)) return CKR_ARGUMENTS_BAD;
  gmt_attrs a = {0};
  CK_OBJECT_CLASS cls;
  rv = attrs_from_template(&a, tpl, n);
  if (rv != CKR_OK) goto done;
  if (!attrs_ulong(&a, CKA_CLASS, &cls)) {
    rv = CKR_TEMPLATE_INCOMPLETE;
    goto done;
  }
  switch (cls) {
  case CKO_DATA:
    break;
  case CKO_CERTIFICATE: {
    CK_CERTIFICATE_TYPE ct;
    if (!attrs_ulong(&a, CKA_CERTIFICATE_TYPE, &ct) || !attrs_get(&a, CKA_VALUE)) rv = CKR_TEMPLATE_INCOMPLETE;
    else if (ct != CKC_X_509) rv = CKR_ATTRIBUTE_VALUE_INVALID;
    break;
  }
  case CKO_PUBLIC_KEY:
  case CKO_PRIVATE_KEY:
    rv = check_key_template(&a, cls);
    break;
  default:
    rv = CKR_ATTRIBUTE_VALUE_INVALID;
  }
  if (rv == CKR_OK) rv = apply_object_defaults(&a, cls);
  if (rv == CKR_OK && cls == CKO_PRIVATE_KEY) {
    int e = attrs_set_bool(&a, CKA_LOCAL, CK_FALSE) | attrs_set_bool(&a, CKA_ALWAYS_SENSITIVE, CK_FALSE) |
            attrs_set_bool(&a, CKA_NEVER_EXTRACTABLE, CK_FALSE);
    if (e) rv = CKR_HOST_MEMORY;
  }
  if (rv == CKR_OK) rv = may_write(s, &a);
  if (rv == CKR_OK) rv = obj_create(h, s, &a, out);
done:
  attrs_free(&a);
  return rv;
}

static CK_RV do_C_DestroyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  gmt_attrs a = {0};
  gmt_objref ref;
  rv = obj_load(s, obj, &a, &ref);
  if (rv != CKR_OK) return rv;
  if (!ref.is_session && !(s->flags & CKF_RW_SESSION)) rv = CKR_SESSION_READ_ONLY;
  else if (!attrs_bool(&a, CKA_DESTROYABLE, CK_TRUE)) rv = CKR_ACTION_PROHIBITED;
  else rv = obj_destroy(&ref);
  attrs_free(&a);
  return rv;
}

static CK_RV do_C_GetObjectSize(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ULONG_PTR size) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!size) return CKR_ARGUMENTS_BAD;
  gmt_attrs a = {0};
  gmt_objref ref;
  rv = obj_load(s, obj, &a, &ref);
  if (rv != CKR_OK) return rv;
  CK_ULONG total = 0;
  for (size_t i = 0; i < a.n; i++) total += a.v[i].len + 12;
  *size = total;
  attrs_free(&a);
  return CKR_OK;
}

/* The secret scalar never leaves the token unless the key was made extractable and not sensitive. */
static int is_sensitive(const gmt_attrs *a, CK_ATTRIBUTE_TYPE t) {
  CK_OBJECT_CLASS cls;
  if (!attrs_ulong(a, CKA_CLASS, &cls) || cls != CKO_PRIVATE_KEY || t != CKA_VALUE) return 0;
  return attrs_bool(a, CKA_SENSITIVE, CK_TRUE) || !attrs_bool(a, CKA_EXTRACTABLE, CK_FALSE);
}

static CK_RV do_C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR tpl, CK_ULONG n) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!tpl && n > 0) return CKR_ARGUMENTS_BAD;
  gmt_attrs a = {0};
  gmt_objref ref;
  rv = obj_load(s, obj, &a, &ref);
  if (rv != CKR_OK) return rv;
  for (CK_ULONG i = 0; i < n; i++) {
    const gmt_attr *x = attrs_get(&a, tpl[i].type);
    if (x && is_sensitive(&a, tpl[i].type)) {
      tpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
      rv = CKR_ATTRIBUTE_SENSITIVE;
    } else if (!x) {
      tpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
      if (rv == CKR_OK) rv = CKR_ATTRIBUTE_TYPE_INVALID;
    } else if (!tpl[i].pValue) {
      tpl[i].ulValueLen = x->len;
    } else if (tpl[i].ulValueLen >= x->len) {
      if (x->len) memcpy(tpl[i].pValue, x->val, x->len);
      tpl[i].ulValueLen = x->len;
    } else {
      tpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
      if (rv == CKR_OK) rv = CKR_BUFFER_TOO_SMALL;
    }
  }
  attrs_free(&a);
  return rv;
}

static int is_read_only_attr(CK_ATTRIBUTE_TYPE t, CK_OBJECT_CLASS cls) {
  switch (t) {
  case CKA_CLASS: case CKA_TOKEN: case CKA_PRIVATE: case CKA_MODIFIABLE: case CKA_KEY_TYPE:
  case CKA_CERTIFICATE_TYPE: case CKA_LOCAL: case CKA_ALWAYS_SENSITIVE: case CKA_NEVER_EXTRACTABLE:
  case CKA_KEY_GEN_MECHANISM: case CKA_EC_PARAMS: case CKA_EC_POINT: case CKA_DESTROYABLE:
    return 1;
  case CKA_VALUE:
    return cls != CKO_DATA;
  default:
    return 0;
  }
}

static CK_RV do_C_SetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR tpl, CK_ULONG n) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!tpl && n > 0) return CKR_ARGUMENTS_BAD;
  gmt_attrs a = {0}, upd = {0};
  gmt_objref ref;
  CK_OBJECT_CLASS cls = 0;
  rv = obj_load(s, obj, &a, &ref);
  if (rv != CKR_OK) return rv;
  attrs_ulong(&a, CKA_CLASS, &cls);
  if (!ref.is_session && !(s->flags & CKF_RW_SESSION)) rv = CKR_SESSION_READ_ONLY;
  else if (!attrs_bool(&a, CKA_MODIFIABLE, CK_TRUE)) rv = CKR_ACTION_PROHIBITED;
  else rv = attrs_from_template(&upd, tpl, n);
  /* validate everything first: a rejected template changes nothing */
  for (size_t i = 0; rv == CKR_OK && i < upd.n; i++) {
    CK_ATTRIBUTE_TYPE t = upd.v[i].type;
    if (is_read_only_attr(t, cls)) rv = CKR_ATTRIBUTE_READ_ONLY;
    else if (t == CKA_SENSITIVE && attrs_bool(&a, t, CK_FALSE) && !upd.v[i].val[0]) rv = CKR_ATTRIBUTE_READ_ONLY;
    else if (t == CKA_EXTRACTABLE && !attrs_bool(&a, t, CK_FALSE) && upd.v[i].val[0]) rv = CKR_ATTRIBUTE_READ_ONLY;
  }
  for (size_t i = 0; rv == CKR_OK && i < upd.n; i++)
    if (attrs_set(&a, upd.v[i].type, upd.v[i].val, upd.v[i].len) != 0) rv = CKR_HOST_MEMORY;
  if (rv == CKR_OK) rv = obj_save(s, &ref, &a);
  attrs_free(&upd);
  attrs_free(&a);
  return rv;
}

static CK_RV find_add(gmt_session *s, size_t *cap, CK_OBJECT_HANDLE h) {
  if (s->nfound == *cap) {
    size_t ncap = *cap ? *cap * 2 : 32;
    CK_OBJECT_HANDLE *nv = realloc(s->found, ncap * sizeof *nv);
    if (!nv) return CKR_HOST_MEMORY;
    s->found = nv;
    *cap = ncap;
  }
  s->found[s->nfound++] = h;
  return CKR_OK;
}

static CK_RV do_C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tpl, CK_ULONG n) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (s->find_active) return CKR_OPERATION_ACTIVE;
  gmt_attrs check = {0};
  rv = attrs_from_template(&check, tpl, n); /* rejects NULL values before attrs_match reads them */
  attrs_free(&check);
  if (rv != CKR_OK) return rv;
  int user = logged_user(s->slot) == CKU_USER;
  size_t cap = 0;
  CK_ULONG *nums = NULL;
  size_t nn = 0;
  rv = store_obj_list(s->slot, &nums, &nn);
  for (size_t i = 0; rv == CKR_OK && i < nn; i++) {
    gmt_attrs a = {0};
    if (store_obj_load(s->slot, nums[i], &a) != CKR_OK) continue; /* a damaged file is skipped, not fatal */
    if ((user || !attrs_bool(&a, CKA_PRIVATE, CK_TRUE)) && attrs_match(&a, tpl, n))
      rv = find_add(s, &cap, token_handle(s->slot, nums[i]));
    attrs_free(&a);
  }
  free(nums);
  for (size_t i = 0; rv == CKR_OK && i < MAX_SOBJ; i++) {
    gmt_session_object *o = &g_sobj[i];
    if (!o->used || o->slot != s->slot) continue;
    if ((user || !attrs_bool(&o->a, CKA_PRIVATE, CK_TRUE)) && attrs_match(&o->a, tpl, n))
      rv = find_add(s, &cap, SOBJ_FLAG | (i + 1));
  }
  if (rv != CKR_OK) {
    free(s->found);
    s->found = NULL;
    s->nfound = 0;
    return rv;
  }
  s->fpos = 0;
  s->find_active = 1;
  return CKR_OK;
}

static CK_RV do_C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max, CK_ULONG_PTR count) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!count || (!out && max > 0)) return CKR_ARGUMENTS_BAD;
  if (!s->find_active) return CKR_OPERATION_NOT_INITIALIZED;
  CK_ULONG k = 0;
  while (k < max && s->fpos < s->nfound) out[k++] = s->found[s->fpos++];
  *count = k;
  return CKR_OK;
}

static CK_RV do_C_FindObjectsFinal(CK_SESSION_HANDLE h) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!s->find_active) return CKR_OPERATION_NOT_INITIALIZED;
  free(s->found);
  s->found = NULL;
  s->nfound = s->fpos = 0;
  s->find_active = 0;
  return CKR_OK;
}

/* ---- key generation --------------------------------------------------------------------- */

static CK_RV check_class(const gmt_attrs *a, CK_OBJECT_CLASS want, CK_KEY_TYPE kt) {
  CK_ULONG v;
  if (attrs_get(a, CKA_CLASS) && (!attrs_ulong(a, CKA_CLASS, &v) || v != want)) return CKR_TEMPLATE_INCONSISTENT;
  if (attrs_get(a, CKA_KEY_TYPE) && (!attrs_ulong(a, CKA_KEY_TYPE, &v) || v != kt)) return CKR_TEMPLATE_INCONSISTENT;
  if (attrs_get(a, CKA_LOCAL) || attrs_get(a, CKA_ALWAYS_SENSITIVE) || attrs_get(a, CKA_NEVER_EXTRACTABLE) ||
      attrs_get(a, CKA_VALUE) || attrs_get(a, CKA_EC_POINT))
    return CKR_TEMPLATE_INCONSISTENT;
  return CKR_OK;
}

static CK_RV do_C_GenerateKeyPair(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_ATTRIBUTE_PTR pubTpl,
                                  CK_ULONG npub, CK_ATTRIBUTE_PTR privTpl, CK_ULONG npriv,
                                  CK_OBJECT_HANDLE_PTR phPub, CK_OBJECT_HANDLE_PTR phPriv) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!mech || !phPub || !phPriv || (npub && !pubTpl) || (npriv && !privTpl)) return CKR_ARGUMENTS_BAD;
  gmt_mech_kind kind = profile_mech_kind(g_cfg.profile, mech->mechanism);
  if (kind != GMT_MECH_SM2_KEYGEN && kind != GMT_MECH_EC_KEYGEN) return CKR_MECHANISM_INVALID;
  if (mech->ulParameterLen) return CKR_MECHANISM_PARAM_INVALID;
  gmt_curve curve = kind == GMT_MECH_SM2_KEYGEN ? GMT_CURVE_SM2 : GMT_CURVE_P256;
  CK_KEY_TYPE kt = curve == GMT_CURVE_SM2 ? g_cfg.profile->ckk_sm2 : CKK_EC;
  const unsigned char *oid = curve == GMT_CURVE_SM2 ? GMT_OID_SM2 : GMT_OID_P256;
  gmt_attrs pub = {0}, priv = {0};
  unsigned char d[32], point[67];
  CK_OBJECT_HANDLE hpub = 0;
  rv = attrs_from_template(&pub, pubTpl, npub);
  if (rv == CKR_OK) rv = attrs_from_template(&priv, privTpl, npriv);
  if (rv == CKR_OK) rv = check_class(&pub, CKO_PUBLIC_KEY, kt);
  if (rv == CKR_OK) rv = check_class(&priv, CKO_PRIVATE_KEY, kt);
  if (rv == CKR_OK) {
    const gmt_attr *params = attrs_get(&pub, CKA_EC_PARAMS);
    if (curve == GMT_CURVE_P256 && !params) rv = CKR_TEMPLATE_INCOMPLETE;
    else if (params && (params->len != sizeof GMT_OID_SM2 || memcmp(params->val, oid, params->len) != 0))
      rv = curve == GMT_CURVE_SM2 ? CKR_TEMPLATE_INCONSISTENT : CKR_CURVE_NOT_SUPPORTED;
  }
  if (rv == CKR_OK) rv = apply_object_defaults(&pub, CKO_PUBLIC_KEY);
  if (rv == CKR_OK) rv = apply_object_defaults(&priv, CKO_PRIVATE_KEY);
  if (rv == CKR_OK) rv = may_write(s, &pub);
  if (rv == CKR_OK) rv = may_write(s, &priv);
  if (rv == CKR_OK) rv = crypto_generate(curve, d, point + 2);
  if (rv == CKR_OK) {
    point[0] = 0x04; /* CKA_EC_POINT is the DER OCTET STRING around 04||x||y */
    point[1] = 65;
    CK_BBOOL sens = attrs_bool(&priv, CKA_SENSITIVE, CK_TRUE), extr = attrs_bool(&priv, CKA_EXTRACTABLE, CK_FALSE);
    int e = 0;
    e |= attrs_set_ulong(&pub, CKA_CLASS, CKO_PUBLIC_KEY) | attrs_set_ulong(&pub, CKA_KEY_TYPE, kt) |
         attrs_set(&pub, CKA_EC_PARAMS, oid, 10) | attrs_set(&pub, CKA_EC_POINT, point, sizeof point) |
         attrs_set_bool(&pub, CKA_LOCAL, CK_TRUE) | attrs_set_ulong(&pub, CKA_KEY_GEN_MECHANISM, mech->mechanism);
    e |= attrs_set_ulong(&priv, CKA_CLASS, CKO_PRIVATE_KEY) | attrs_set_ulong(&priv, CKA_KEY_TYPE, kt) |
         attrs_set(&priv, CKA_EC_PARAMS, oid, 10) | attrs_set(&priv, CKA_VALUE, d, sizeof d) |
         attrs_set_bool(&priv, CKA_LOCAL, CK_TRUE) | attrs_set_ulong(&priv, CKA_KEY_GEN_MECHANISM, mech->mechanism) |
         attrs_set_bool(&priv, CKA_ALWAYS_SENSITIVE, sens) | attrs_set_bool(&priv, CKA_NEVER_EXTRACTABLE, !extr);
    if (e) rv = CKR_HOST_MEMORY;
  }
  if (rv == CKR_OK) rv = obj_create(h, s, &pub, &hpub);
  if (rv == CKR_OK) {
    rv = obj_create(h, s, &priv, phPriv);
    if (rv != CKR_OK) {
      gmt_objref ref;
      if (decode_handle(hpub, &ref)) obj_destroy(&ref);
    } else {
      *phPub = hpub;
    }
  }
  OPENSSL_cleanse(d, sizeof d);
  attrs_free(&pub);
  attrs_free(&priv);
  return rv;
}

/* ---- signing ------------------------------------------------------------------------------ */

static size_t sig_max_len(gmt_mech_kind k) { return k == GMT_MECH_SM2_SIGN_MSG_DER ? 72 : 64; }

static void sign_end(gmt_session *s) {
  op_end(&s->sign);
  OPENSSL_cleanse(s->sign_d, sizeof s->sign_d);
  s->sign_needs_context_login = 0;
}

static CK_RV do_C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!mech) return CKR_ARGUMENTS_BAD;
  if (s->sign.active) return CKR_OPERATION_ACTIVE;
  gmt_mech_kind kind = profile_mech_kind(g_cfg.profile, mech->mechanism);
  if (kind != GMT_MECH_SM2_SIGN_E_RAW && kind != GMT_MECH_SM2_SIGN_MSG_RAW && kind != GMT_MECH_SM2_SIGN_MSG_DER &&
      kind != GMT_MECH_ECDSA)
    return CKR_MECHANISM_INVALID;
  /* APPID1 fixes the ID to 1234567812345678; no mechanism takes a parameter */
  if (mech->ulParameterLen) return CKR_MECHANISM_PARAM_INVALID;
  if (logged_user(s->slot) != CKU_USER) return CKR_USER_NOT_LOGGED_IN;
  gmt_attrs a = {0};
  gmt_objref ref;
  rv = obj_load(s, key, &a, &ref);
  if (rv != CKR_OK) return rv == CKR_OBJECT_HANDLE_INVALID ? CKR_KEY_HANDLE_INVALID : rv;
  CK_OBJECT_CLASS cls;
  CK_KEY_TYPE kt;
  const gmt_attr *d = attrs_get(&a, CKA_VALUE);
  if (!attrs_ulong(&a, CKA_CLASS, &cls) || cls != CKO_PRIVATE_KEY || !attrs_ulong(&a, CKA_KEY_TYPE, &kt))
    rv = CKR_KEY_TYPE_INCONSISTENT;
  else if (kind == GMT_MECH_ECDSA ? kt != CKK_EC : !is_sm2_type(kt))
    rv = CKR_KEY_TYPE_INCONSISTENT;
  else if (!attrs_bool(&a, CKA_SIGN, CK_FALSE))
    rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
  else if (!d || d->len != 32)
    rv = CKR_KEY_HANDLE_INVALID;
  if (rv == CKR_OK) {
    memcpy(s->sign_d, d->val, 32);
    s->sign_kind = kind;
    s->sign_curve = kind == GMT_MECH_ECDSA ? GMT_CURVE_P256 : GMT_CURVE_SM2;
    s->sign_needs_context_login = attrs_bool(&a, CKA_ALWAYS_AUTHENTICATE, CK_FALSE);
    s->sign.active = 1;
  }
  attrs_free(&a);
  return rv;
}

static CK_RV sign_compute(gmt_session *s, const unsigned char *data, size_t len) {
  size_t outlen = sizeof s->sign.out;
  switch (s->sign_kind) {
  case GMT_MECH_SM2_SIGN_E_RAW:
    if (len != 32) return CKR_DATA_LEN_RANGE; /* e = SM3(Z||M) is exactly 32 bytes */
    break;
  case GMT_MECH_ECDSA:
    if (len == 0 || len > 64) return CKR_DATA_LEN_RANGE;
    break;
  default:
    break;
  }
  CK_RV rv;
  if (s->sign_kind == GMT_MECH_SM2_SIGN_E_RAW || s->sign_kind == GMT_MECH_ECDSA) {
    rv = crypto_sign_digest(s->sign_curve, s->sign_d, data, len, s->sign.out);
    outlen = 64;
  } else {
    rv = crypto_sm2_sign_message(s->sign_d, data, len, s->sign_kind == GMT_MECH_SM2_SIGN_MSG_DER, s->sign.out,
                                 &outlen);
  }
  if (rv == CKR_OK) s->sign.outlen = outlen;
  return rv;
}

/* Shared tail of C_Sign and C_SignFinal: length query, compute once, deliver. */
static CK_RV sign_finish(gmt_session *s, const unsigned char *data, size_t len, CK_BYTE_PTR sig, CK_ULONG_PTR siglen) {
  if (s->sign_needs_context_login) {
    sign_end(s);
    return CKR_USER_NOT_LOGGED_IN;
  }
  if (!sig && !s->sign.outlen) {
    *siglen = sig_max_len(s->sign_kind);
    return CKR_OK;
  }
  if (!s->sign.outlen) {
    CK_RV rv = sign_compute(s, data, len);
    if (rv != CKR_OK) {
      sign_end(s);
      return rv;
    }
  }
  if (!sig) {
    *siglen = s->sign.outlen;
    return CKR_OK;
  }
  CK_RV rv = op_deliver(&s->sign, sig, siglen);
  if (rv == CKR_OK) sign_end(s);
  return rv;
}

static CK_RV do_C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG_PTR siglen) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!s->sign.active) return CKR_OPERATION_NOT_INITIALIZED;
  if (!siglen || (!data && len > 0)) {
    sign_end(s);
    return CKR_ARGUMENTS_BAD;
  }
  if (s->sign.multipart) return CKR_OPERATION_ACTIVE;
  if (len > MAX_OP_DATA) {
    sign_end(s);
    return CKR_DATA_LEN_RANGE;
  }
  return sign_finish(s, data, len, sig, siglen);
}

static CK_RV do_C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!s->sign.active) return CKR_OPERATION_NOT_INITIALIZED;
  if (!part && len > 0) rv = CKR_ARGUMENTS_BAD;
  else if (s->sign.outlen) rv = CKR_OPERATION_ACTIVE;
  else rv = op_append(&s->sign, part, len);
  if (rv != CKR_OK) sign_end(s);
  else s->sign.multipart = 1;
  return rv;
}

static CK_RV do_C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR siglen) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!s->sign.active) return CKR_OPERATION_NOT_INITIALIZED;
  if (!siglen) {
    sign_end(s);
    return CKR_ARGUMENTS_BAD;
  }
  return sign_finish(s, s->sign.buf, s->sign.len, sig, siglen);
}

/* ---- digest (SM3) ------------------------------------------------------------------------- */

static CK_RV do_C_DigestInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!mech) return CKR_ARGUMENTS_BAD;
  if (s->digest.active) return CKR_OPERATION_ACTIVE;
  if (profile_mech_kind(g_cfg.profile, mech->mechanism) != GMT_MECH_SM3) return CKR_MECHANISM_INVALID;
  if (mech->ulParameterLen) return CKR_MECHANISM_PARAM_INVALID;
  s->digest.active = 1;
  return CKR_OK;
}

static CK_RV digest_finish(gmt_session *s, const unsigned char *data, size_t len, CK_BYTE_PTR out, CK_ULONG_PTR outlen) {
  if (!out) {
    *outlen = 32;
    return CKR_OK;
  }
  if (!s->digest.outlen) {
    if (*outlen < 32) {
      *outlen = 32;
      return CKR_BUFFER_TOO_SMALL;
    }
    CK_RV rv = crypto_sm3(data, len, s->digest.out);
    if (rv != CKR_OK) {
      op_end(&s->digest);
      return rv;
    }
    s->digest.outlen = 32;
  }
  return op_deliver(&s->digest, out, outlen);
}

static CK_RV do_C_Digest(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR out, CK_ULONG_PTR outlen) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!s->digest.active) return CKR_OPERATION_NOT_INITIALIZED;
  if (!outlen || (!data && len > 0)) {
    op_end(&s->digest);
    return CKR_ARGUMENTS_BAD;
  }
  if (s->digest.multipart) return CKR_OPERATION_ACTIVE;
  return digest_finish(s, data, len, out, outlen);
}

static CK_RV do_C_DigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!s->digest.active) return CKR_OPERATION_NOT_INITIALIZED;
  if (!part && len > 0) rv = CKR_ARGUMENTS_BAD;
  else rv = op_append(&s->digest, part, len);
  if (rv != CKR_OK) op_end(&s->digest);
  else s->digest.multipart = 1;
  return rv;
}

static CK_RV do_C_DigestFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR outlen) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!s->digest.active) return CKR_OPERATION_NOT_INITIALIZED;
  if (!outlen) {
    op_end(&s->digest);
    return CKR_ARGUMENTS_BAD;
  }
  return digest_finish(s, s->digest.buf, s->digest.len, out, outlen);
}

/* ---- random ------------------------------------------------------------------------------- */

static CK_RV do_C_GenerateRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG len) {
  gmt_session *s;
  CK_RV rv = get_session(h, &s);
  if (rv != CKR_OK) return rv;
  if (!out && len > 0) return CKR_ARGUMENTS_BAD;
  if (len > MAX_OP_DATA) return CKR_DATA_LEN_RANGE;
  return len ? crypto_random(out, len) : CKR_OK;
}

static CK_RV do_C_SeedRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR seed, CK_ULONG len) {
  gmt_session *s;
  (void)seed;
  (void)len;
  CK_RV rv = get_session(h, &s);
  return rv != CKR_OK ? rv : CKR_RANDOM_SEED_NOT_SUPPORTED;
}

/* ---- exported entry points: one lock around each ---------------------------------------- */

#define API(name, params, args)                                                 \
  GMT_EXPORT CK_RV name params {                                               \
    pthread_mutex_lock(&g_mu);                                                  \
    CK_RV rv_ = g_ready ? do_##name args : CKR_CRYPTOKI_NOT_INITIALIZED;        \
    pthread_mutex_unlock(&g_mu);                                                \
    return rv_;                                                                 \
  }

GMT_EXPORT CK_RV C_Initialize(CK_VOID_PTR args) {
  pthread_mutex_lock(&g_mu);
  CK_RV rv = do_C_Initialize(args);
  pthread_mutex_unlock(&g_mu);
  return rv;
}

API(C_Finalize, (CK_VOID_PTR r), (r))
API(C_GetInfo, (CK_INFO_PTR i), (i))
API(C_GetSlotList, (CK_BBOOL p, CK_SLOT_ID_PTR l, CK_ULONG_PTR c), (p, l, c))
API(C_GetSlotInfo, (CK_SLOT_ID s, CK_SLOT_INFO_PTR i), (s, i))
API(C_GetTokenInfo, (CK_SLOT_ID s, CK_TOKEN_INFO_PTR i), (s, i))
API(C_GetMechanismList, (CK_SLOT_ID s, CK_MECHANISM_TYPE_PTR l, CK_ULONG_PTR c), (s, l, c))
API(C_GetMechanismInfo, (CK_SLOT_ID s, CK_MECHANISM_TYPE t, CK_MECHANISM_INFO_PTR i), (s, t, i))
API(C_WaitForSlotEvent, (CK_FLAGS f, CK_SLOT_ID_PTR s, CK_VOID_PTR r), (f, s, r))
API(C_InitToken, (CK_SLOT_ID s, CK_UTF8CHAR_PTR p, CK_ULONG n, CK_UTF8CHAR_PTR l), (s, p, n, l))
API(C_InitPIN, (CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR p, CK_ULONG n), (h, p, n))
API(C_SetPIN, (CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR o, CK_ULONG on, CK_UTF8CHAR_PTR p, CK_ULONG n), (h, o, on, p, n))
API(C_OpenSession, (CK_SLOT_ID s, CK_FLAGS f, CK_VOID_PTR a, CK_NOTIFY n, CK_SESSION_HANDLE_PTR h), (s, f, a, n, h))
API(C_CloseSession, (CK_SESSION_HANDLE h), (h))
API(C_CloseAllSessions, (CK_SLOT_ID s), (s))
API(C_GetSessionInfo, (CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR i), (h, i))
API(C_Login, (CK_SESSION_HANDLE h, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG n), (h, u, p, n))
API(C_Logout, (CK_SESSION_HANDLE h), (h))
API(C_CreateObject, (CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR o), (h, t, n, o))
API(C_DestroyObject, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o), (h, o))
API(C_GetObjectSize, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ULONG_PTR z), (h, o, z))
API(C_GetAttributeValue, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n), (h, o, t, n))
API(C_SetAttributeValue, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n), (h, o, t, n))
API(C_FindObjectsInit, (CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n), (h, t, n))
API(C_FindObjects, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR o, CK_ULONG m, CK_ULONG_PTR c), (h, o, m, c))
API(C_FindObjectsFinal, (CK_SESSION_HANDLE h), (h))
API(C_GenerateKeyPair,
    (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pn, CK_ATTRIBUTE_PTR kt, CK_ULONG kn,
     CK_OBJECT_HANDLE_PTR ph, CK_OBJECT_HANDLE_PTR kh),
    (h, m, pt, pn, kt, kn, ph, kh))
API(C_SignInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (h, m, k))
API(C_Sign, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR s, CK_ULONG_PTR sn), (h, d, n, s, sn))
API(C_SignUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n), (h, d, n))
API(C_SignFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG_PTR sn), (h, s, sn))
API(C_DigestInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m), (h, m))
API(C_Digest, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR o, CK_ULONG_PTR on), (h, d, n, o, on))
API(C_DigestUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n), (h, d, n))
API(C_DigestFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG_PTR on), (h, o, on))
API(C_GenerateRandom, (CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG n), (h, o, n))
API(C_SeedRandom, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n), (h, d, n))

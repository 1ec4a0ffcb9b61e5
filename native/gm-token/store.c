/*
 * Persistent token storage: <tokendir>/slot-<N>/ per initialized token, holding
 *   token.state     label, serial, PIN hashes (PBKDF2-SHA256) and the PIN failure counters
 *   obj-<num>.bin   one token object each (attrs.c encoding; private keys in clear: TEST token)
 *   .lock           flock()ed while state is read-modified-written, so two processes failing a
 *                   login at once both count.
 * Everything is re-read from disk on use, so a second process sees what the first one wrote.
 * Files are replaced by write-temp + fsync + rename, never rewritten in place.
 */
#include "gmt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define PIN_ITERATIONS 10000
#define MAX_STATE_FILE 4096
#define MAX_OBJ_FILE (64u * 1024u * 1024u)

static char g_root[PATH_MAX];

void store_set_root(const char *root) { snprintf(g_root, sizeof g_root, "%s", root); }

static int slot_path(char *out, size_t n, CK_SLOT_ID slot, const char *file) {
  int r = file ? snprintf(out, n, "%s/slot-%lu/%s", g_root, (unsigned long)slot, file)
               : snprintf(out, n, "%s/slot-%lu", g_root, (unsigned long)slot);
  return (r < 0 || (size_t)r >= n) ? -1 : 0;
}

static int parse_slot_name(const char *name, CK_SLOT_ID *out) {
  if (strncmp(name, "slot-", 5) != 0) return 0;
  const char *p = name + 5;
  if (!*p) return 0;
  CK_SLOT_ID v = 0;
  for (; *p; p++) {
    if (*p < '0' || *p > '9') return 0;
    v = v * 10 + (CK_SLOT_ID)(*p - '0');
    if (v >= 2000) return 0; /* keeps object handles within 31 bits */
  }
  *out = v;
  return 1;
}

int store_slot_exists(CK_SLOT_ID slot) {
  char p[PATH_MAX];
  struct stat st;
  if (slot_path(p, sizeof p, slot, "token.state") != 0) return 0;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_slot(const void *a, const void *b) {
  CK_SLOT_ID x = *(const CK_SLOT_ID *)a, y = *(const CK_SLOT_ID *)b;
  return x < y ? -1 : x > y;
}

size_t store_list_slots(CK_SLOT_ID *ids, size_t max, CK_SLOT_ID *free_slot) {
  size_t n = 0;
  CK_SLOT_ID top = 0;
  int any = 0;
  DIR *d = opendir(g_root);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      CK_SLOT_ID s;
      if (!parse_slot_name(e->d_name, &s) || !store_slot_exists(s)) continue;
      if (n < max) ids[n++] = s;
      if (!any || s > top) top = s;
      any = 1;
    }
    closedir(d);
  }
  qsort(ids, n, sizeof *ids, cmp_slot);
  *free_slot = any ? top + 1 : 0;
  return n;
}

/* ---- small helpers ---- */

static int write_atomic(const char *path, const unsigned char *data, size_t len) {
  char tmp[PATH_MAX + 32];
  if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) return -1;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return -1;
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, data + off, len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      close(fd);
      unlink(tmp);
      return -1;
    }
    off += (size_t)w;
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(tmp);
    return -1;
  }
  if (rename(tmp, path) != 0) {
    unlink(tmp);
    return -1;
  }
  return 0;
}

/* Reads a whole file of at most max bytes; -1 missing/unreadable, -2 too big. */
static int read_file(const char *path, size_t max, unsigned char **out, size_t *outlen) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return -1;
  }
  if ((size_t)st.st_size > max) {
    close(fd);
    return -2;
  }
  size_t len = (size_t)st.st_size;
  unsigned char *buf = malloc(len + 1);
  if (!buf) {
    close(fd);
    return -1;
  }
  size_t off = 0;
  while (off < len) {
    ssize_t r = read(fd, buf + off, len - off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    off += (size_t)r;
  }
  close(fd);
  buf[off] = '\0';
  *out = buf;
  *outlen = off;
  return 0;
}

static void hex_encode(const unsigned char *in, size_t n, char *out) {
  static const char H[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = H[in[i] >> 4];
    out[2 * i + 1] = H[in[i] & 15];
  }
  out[2 * n] = '\0';
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes exactly n bytes of hex; -1 on anything else. */
static int hex_decode(const char *in, unsigned char *out, size_t n) {
  if (strlen(in) != 2 * n) return -1;
  for (size_t i = 0; i < n; i++) {
    int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    out[i] = (unsigned char)(hi << 4 | lo);
  }
  return 0;
}

/* ---- PINs ---- */

void pin_hash(const unsigned char *pin, size_t len, const unsigned char salt[GMT_SALT_LEN],
              unsigned char out[GMT_HASH_LEN]) {
  PKCS5_PBKDF2_HMAC((const char *)pin, (int)len, salt, GMT_SALT_LEN, PIN_ITERATIONS, EVP_sha256(), GMT_HASH_LEN,
                    out);
}

int pin_matches(const unsigned char *pin, size_t len, const unsigned char salt[GMT_SALT_LEN],
                const unsigned char hash[GMT_HASH_LEN]) {
  unsigned char h[GMT_HASH_LEN];
  pin_hash(pin, len, salt, h);
  int ok = CRYPTO_memcmp(h, hash, GMT_HASH_LEN) == 0;
  OPENSSL_cleanse(h, sizeof h);
  return ok;
}

int pin_set(const unsigned char *pin, size_t len, unsigned char salt[GMT_SALT_LEN],
            unsigned char hash[GMT_HASH_LEN]) {
  if (RAND_bytes(salt, GMT_SALT_LEN) != 1) return -1;
  pin_hash(pin, len, salt, hash);
  return 0;
}

/* ---- token state ---- */

CK_RV store_load_state(CK_SLOT_ID slot, gmt_token_state *st) {
  char path[PATH_MAX];
  unsigned char *buf = NULL;
  size_t len = 0;
  memset(st, 0, sizeof *st);
  if (slot_path(path, sizeof path, slot, "token.state") != 0) return CKR_SLOT_ID_INVALID;
  int r = read_file(path, MAX_STATE_FILE, &buf, &len);
  if (r == -1) return CKR_TOKEN_NOT_PRESENT;
  if (r != 0) return CKR_DEVICE_ERROR;
  int ok_label = 0, ok_serial = 0, ok_so = 0, ok_next = 0;
  char *save = NULL;
  for (char *line = strtok_r((char *)buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *eq = strchr(line, '=');
    if (!eq) continue;
    *eq = '\0';
    const char *k = line, *v = eq + 1;
    if (strcmp(k, "label") == 0) {
      size_t n = strlen(v) / 2;
      if (n > 32 || hex_decode(v, (unsigned char *)st->label, n) != 0) break;
      st->label[n] = '\0';
      ok_label = 1;
    } else if (strcmp(k, "serial") == 0) {
      if (strlen(v) != 16) break;
      memcpy(st->serial, v, 17);
      ok_serial = 1;
    } else if (strcmp(k, "so_pin") == 0 || strcmp(k, "user_pin") == 0) {
      int so = k[0] == 's';
      const char *colon = strchr(v, ':');
      char saltHex[2 * GMT_SALT_LEN + 1];
      if (!colon || (size_t)(colon - v) != 2 * GMT_SALT_LEN) break;
      memcpy(saltHex, v, 2 * GMT_SALT_LEN);
      saltHex[2 * GMT_SALT_LEN] = '\0';
      if (hex_decode(saltHex, so ? st->so_salt : st->user_salt, GMT_SALT_LEN) != 0 ||
          hex_decode(colon + 1, so ? st->so_hash : st->user_hash, GMT_HASH_LEN) != 0)
        break;
      if (so) {
        st->so_set = 1;
        ok_so = 1;
      } else {
        st->user_set = 1;
      }
    } else if (strcmp(k, "user_fail") == 0 || strcmp(k, "so_fail") == 0 || strcmp(k, "next_obj") == 0) {
      char *end = NULL;
      unsigned long x = strtoul(v, &end, 10);
      if (!*v || *end || x > 0xFFFFF) break;
      if (k[0] == 'u') st->user_fail = (unsigned)x;
      else if (k[0] == 's') st->so_fail = (unsigned)x;
      else {
        st->next_obj = x;
        ok_next = 1;
      }
    }
  }
  free(buf);
  /* a damaged state file is a broken device, never a fresh token with no PIN */
  if (!ok_label || !ok_serial || !ok_so || !ok_next) return CKR_DEVICE_ERROR;
  return CKR_OK;
}

CK_RV store_save_state(CK_SLOT_ID slot, const gmt_token_state *st) {
  char path[PATH_MAX];
  char labelHex[65], soSalt[33], soHash[65], uSalt[33], uHash[65];
  char buf[1024];
  if (slot_path(path, sizeof path, slot, "token.state") != 0) return CKR_SLOT_ID_INVALID;
  hex_encode((const unsigned char *)st->label, strlen(st->label), labelHex);
  hex_encode(st->so_salt, GMT_SALT_LEN, soSalt);
  hex_encode(st->so_hash, GMT_HASH_LEN, soHash);
  int n = snprintf(buf, sizeof buf, "version=1\nlabel=%s\nserial=%s\nso_pin=%s:%s\nuser_fail=%u\nso_fail=%u\nnext_obj=%lu\n",
                   labelHex, st->serial, soSalt, soHash, st->user_fail, st->so_fail, (unsigned long)st->next_obj);
  if (n < 0 || (size_t)n >= sizeof buf) return CKR_GENERAL_ERROR;
  if (st->user_set) {
    hex_encode(st->user_salt, GMT_SALT_LEN, uSalt);
    hex_encode(st->user_hash, GMT_HASH_LEN, uHash);
    int m = snprintf(buf + n, sizeof buf - (size_t)n, "user_pin=%s:%s\n", uSalt, uHash);
    if (m < 0 || (size_t)m >= sizeof buf - (size_t)n) return CKR_GENERAL_ERROR;
    n += m;
  }
  return write_atomic(path, (const unsigned char *)buf, (size_t)n) == 0 ? CKR_OK : CKR_DEVICE_ERROR;
}

int store_lock(CK_SLOT_ID slot) {
  char path[PATH_MAX];
  if (slot_path(path, sizeof path, slot, ".lock") != 0) return -1;
  int fd = open(path, O_RDWR | O_CREAT, 0600);
  if (fd < 0) return -1;
  while (flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      close(fd);
      return -1;
    }
  }
  return fd;
}

void store_unlock(int fd) {
  if (fd >= 0) {
    flock(fd, LOCK_UN);
    close(fd);
  }
}

static int parse_obj_name(const char *name, CK_ULONG *num) {
  unsigned long v = 0;
  char tail[8];
  if (sscanf(name, "obj-%lu.%7s", &v, tail) != 2 || strcmp(tail, "bin") != 0) return 0;
  *num = v;
  return v > 0;
}

CK_RV store_init_token(CK_SLOT_ID slot, const gmt_token_state *st) {
  char dir[PATH_MAX];
  if (slot_path(dir, sizeof dir, slot, NULL) != 0) return CKR_SLOT_ID_INVALID;
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) return CKR_DEVICE_ERROR;
  DIR *d = opendir(dir);
  if (!d) return CKR_DEVICE_ERROR;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    CK_ULONG num;
    if (!parse_obj_name(e->d_name, &num)) continue;
    char p[PATH_MAX];
    if (slot_path(p, sizeof p, slot, e->d_name) == 0) unlink(p);
  }
  closedir(d);
  return store_save_state(slot, st);
}

CK_RV store_obj_list(CK_SLOT_ID slot, CK_ULONG **nums, size_t *n) {
  char dir[PATH_MAX];
  *nums = NULL;
  *n = 0;
  if (slot_path(dir, sizeof dir, slot, NULL) != 0) return CKR_SLOT_ID_INVALID;
  DIR *d = opendir(dir);
  if (!d) return CKR_TOKEN_NOT_PRESENT;
  size_t cap = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    CK_ULONG num;
    if (!parse_obj_name(e->d_name, &num)) continue;
    if (*n == cap) {
      size_t ncap = cap ? cap * 2 : 32;
      CK_ULONG *nv = realloc(*nums, ncap * sizeof *nv);
      if (!nv) {
        closedir(d);
        free(*nums);
        *nums = NULL;
        *n = 0;
        return CKR_HOST_MEMORY;
      }
      *nums = nv;
      cap = ncap;
    }
    (*nums)[(*n)++] = num;
  }
  closedir(d);
  return CKR_OK;
}

static int obj_path(char *out, size_t n, CK_SLOT_ID slot, CK_ULONG num) {
  char name[64];
  snprintf(name, sizeof name, "obj-%lu.bin", (unsigned long)num);
  return slot_path(out, n, slot, name);
}

CK_RV store_obj_load(CK_SLOT_ID slot, CK_ULONG num, gmt_attrs *out) {
  char path[PATH_MAX];
  unsigned char *buf = NULL;
  size_t len = 0;
  if (obj_path(path, sizeof path, slot, num) != 0) return CKR_OBJECT_HANDLE_INVALID;
  int r = read_file(path, MAX_OBJ_FILE, &buf, &len);
  if (r == -1) return CKR_OBJECT_HANDLE_INVALID;
  if (r != 0) return CKR_DEVICE_ERROR;
  int p = attrs_parse(buf, len, out);
  OPENSSL_cleanse(buf, len);
  free(buf);
  return p == 0 ? CKR_OK : CKR_DEVICE_ERROR;
}

CK_RV store_obj_save(CK_SLOT_ID slot, CK_ULONG num, const gmt_attrs *a) {
  char path[PATH_MAX];
  unsigned char *buf = NULL;
  size_t len = 0;
  if (obj_path(path, sizeof path, slot, num) != 0) return CKR_OBJECT_HANDLE_INVALID;
  if (attrs_serialize(a, &buf, &len) != 0) return CKR_HOST_MEMORY;
  int r = write_atomic(path, buf, len);
  OPENSSL_cleanse(buf, len);
  free(buf);
  return r == 0 ? CKR_OK : CKR_DEVICE_ERROR;
}

CK_RV store_obj_delete(CK_SLOT_ID slot, CK_ULONG num) {
  char path[PATH_MAX];
  if (obj_path(path, sizeof path, slot, num) != 0) return CKR_OBJECT_HANDLE_INVALID;
  if (unlink(path) != 0) return errno == ENOENT ? CKR_OBJECT_HANDLE_INVALID : CKR_DEVICE_ERROR;
  return CKR_OK;
}

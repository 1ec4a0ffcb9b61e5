/*
 * Robustness check of the GM test token, driven the way a careless caller would: NULL pointers,
 * wrong handles, buffers too small, operations never started, damaged files on disk. pkcs11js
 * validates its arguments in JS, so these cases can only be reached from C.
 *
 * usage: robustness-check /path/libsealdesk-gmtoken.so   (SEALDESK_GMTOKEN_DIR must name an
 * empty scratch directory). Prints one line per check; exit 0 only when every check passed.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

static int failures, checks;
static CK_FUNCTION_LIST_PTR f;

static const char *rvname(CK_RV rv) {
  static char buf[32];
  snprintf(buf, sizeof buf, "0x%lx", (unsigned long)rv);
  return buf;
}

#define EXPECT(call, want)                                                                         \
  do {                                                                                             \
    CK_RV got_ = (call);                                                                           \
    checks++;                                                                                      \
    if (got_ != (CK_RV)(want)) {                                                                   \
      failures++;                                                                                  \
      printf("FAIL %s:%d %s -> %s, want %s\n", __FILE__, __LINE__, #call, rvname(got_), #want);    \
    } else {                                                                                       \
      printf("ok   %s == %s\n", #call, #want);                                                     \
    }                                                                                              \
  } while (0)

#define TRUTH(cond)                                                                                \
  do {                                                                                             \
    checks++;                                                                                      \
    if (!(cond)) {                                                                                 \
      failures++;                                                                                  \
      printf("FAIL %s:%d %s\n", __FILE__, __LINE__, #cond);                                        \
    } else {                                                                                       \
      printf("ok   %s\n", #cond);                                                                  \
    }                                                                                              \
  } while (0)

static void pad_label(CK_UTF8CHAR out[32], const char *s) {
  memset(out, ' ', 32);
  memcpy(out, s, strlen(s));
}

int main(int argc, char **argv) {
  if (argc != 2 || !getenv("SEALDESK_GMTOKEN_DIR")) {
    fprintf(stderr, "usage: SEALDESK_GMTOKEN_DIR=<empty dir> %s <module.so>\n", argv[0]);
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 2;
  }
  CK_C_GetFunctionList gfl = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
  if (!gfl) return 2;
  EXPECT(gfl(NULL), CKR_ARGUMENTS_BAD);
  EXPECT(gfl(&f), CKR_OK);
  TRUTH(f->version.major == 2 && f->version.minor == 40);

  CK_INFO info;
  CK_ULONG n = 0;
  CK_SLOT_ID slots[8];
  EXPECT(f->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
  EXPECT(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);

  CK_C_INITIALIZE_ARGS half = {0};
  half.CreateMutex = (CK_CREATEMUTEX)1; /* some but not all callbacks */
  EXPECT(f->C_Initialize(&half), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_Initialize(NULL), CKR_OK);
  EXPECT(f->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
  EXPECT(f->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_GetInfo(&info), CKR_OK);

  EXPECT(f->C_GetSlotList(CK_TRUE, NULL, NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
  TRUTH(n == 1); /* an empty token dir: just the free slot */
  n = 0;
  EXPECT(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_BUFFER_TOO_SMALL);
  TRUTH(n == 1);
  n = 8;
  EXPECT(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
  CK_SLOT_ID slot = slots[0];

  CK_SLOT_INFO si;
  CK_TOKEN_INFO ti;
  CK_MECHANISM_INFO mi;
  EXPECT(f->C_GetSlotInfo(9999, &si), CKR_SLOT_ID_INVALID);
  EXPECT(f->C_GetSlotInfo(slot, NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_GetTokenInfo(slot, NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_GetTokenInfo(slot, &ti), CKR_OK);
  TRUTH(!(ti.flags & CKF_TOKEN_INITIALIZED));
  EXPECT(f->C_GetMechanismList(slot, NULL, NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_GetMechanismInfo(slot, 0x12345, &mi), CKR_MECHANISM_INVALID);
  EXPECT(f->C_GetMechanismInfo(slot, CKM_VENDOR_DEFINED + 0x9000, NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_WaitForSlotEvent(0, &slot, NULL), CKR_FUNCTION_NOT_SUPPORTED);

  CK_SESSION_HANDLE h = 0;
  CK_UTF8CHAR label[32];
  pad_label(label, "robustness");
  EXPECT(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_TOKEN_NOT_RECOGNIZED);
  EXPECT(f->C_InitToken(slot, NULL, 8, label), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_InitToken(slot, (CK_UTF8CHAR_PTR) "12345678", 8, NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_InitToken(slot, (CK_UTF8CHAR_PTR) "12", 2, label), CKR_PIN_LEN_RANGE);
  EXPECT(f->C_InitToken(9999, (CK_UTF8CHAR_PTR) "12345678", 8, label), CKR_SLOT_ID_INVALID);
  EXPECT(f->C_InitToken(slot, (CK_UTF8CHAR_PTR) "12345678", 8, label), CKR_OK);

  EXPECT(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_OpenSession(slot, 0, NULL, NULL, &h), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
  EXPECT(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
  EXPECT(f->C_Login(h, CKU_SO, (CK_UTF8CHAR_PTR) "12345678", 8), CKR_SESSION_READ_ONLY_EXISTS);
  EXPECT(f->C_Login(h, CKU_USER, NULL, 4), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_Login(h, 7, (CK_UTF8CHAR_PTR) "1234", 4), CKR_USER_TYPE_INVALID);
  EXPECT(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "1234", 4), CKR_USER_PIN_NOT_INITIALIZED);
  EXPECT(f->C_Login(h, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR) "1234", 4), CKR_OPERATION_NOT_INITIALIZED);
  EXPECT(f->C_Logout(h), CKR_USER_NOT_LOGGED_IN);
  EXPECT(f->C_CloseSession(h), CKR_OK);
  EXPECT(f->C_CloseSession(h), CKR_SESSION_HANDLE_INVALID);
  EXPECT(f->C_CloseSession(0), CKR_SESSION_HANDLE_INVALID);
  EXPECT(f->C_CloseSession((CK_SESSION_HANDLE)-1), CKR_SESSION_HANDLE_INVALID);

  EXPECT(f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
  EXPECT(f->C_Login(h, CKU_SO, (CK_UTF8CHAR_PTR) "12345678", 8), CKR_OK);
  EXPECT(f->C_InitPIN(h, NULL, 6), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_InitPIN(h, (CK_UTF8CHAR_PTR) "123", 3), CKR_PIN_LEN_RANGE);
  EXPECT(f->C_InitPIN(h, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
  EXPECT(f->C_Logout(h), CKR_OK);
  EXPECT(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_OK);
  EXPECT(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_USER_ALREADY_LOGGED_IN);
  EXPECT(f->C_SetPIN(h, NULL, 6, (CK_UTF8CHAR_PTR) "654321", 6), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_SetPIN(h, (CK_UTF8CHAR_PTR) "123456", 6, NULL, 6), CKR_ARGUMENTS_BAD);

  CK_SESSION_INFO sinfo;
  EXPECT(f->C_GetSessionInfo(h, NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_GetSessionInfo(4242, &sinfo), CKR_SESSION_HANDLE_INVALID);
  EXPECT(f->C_GetSessionInfo(h, &sinfo), CKR_OK);
  TRUTH(sinfo.state == CKS_RW_USER_FUNCTIONS);

  /* objects */
  CK_OBJECT_CLASS data = CKO_DATA;
  CK_BBOOL yes = CK_TRUE;
  CK_ULONG wrong_size_bool = 1;
  CK_OBJECT_HANDLE obj = 0;
  CK_ATTRIBUTE no_class[] = {{CKA_LABEL, "x", 1}};
  CK_ATTRIBUTE bad_bool[] = {{CKA_CLASS, &data, sizeof data}, {CKA_TOKEN, &wrong_size_bool, sizeof wrong_size_bool}};
  CK_ATTRIBUTE null_value[] = {{CKA_CLASS, &data, sizeof data}, {CKA_LABEL, NULL, 5}};
  CK_ATTRIBUTE good[] = {{CKA_CLASS, &data, sizeof data}, {CKA_TOKEN, &yes, 1}, {CKA_LABEL, "robust", 6},
                         {CKA_VALUE, "hello", 5}};
  EXPECT(f->C_CreateObject(h, NULL, 2, &obj), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_CreateObject(h, good, 4, NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_CreateObject(h, no_class, 1, &obj), CKR_TEMPLATE_INCOMPLETE);
  EXPECT(f->C_CreateObject(h, bad_bool, 2, &obj), CKR_ATTRIBUTE_VALUE_INVALID);
  EXPECT(f->C_CreateObject(h, null_value, 2, &obj), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_CreateObject(h, good, 4, &obj), CKR_OK);

  unsigned char small[2];
  CK_ATTRIBUTE get[] = {{CKA_VALUE, small, sizeof small}};
  EXPECT(f->C_GetAttributeValue(h, obj, NULL, 1), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_GetAttributeValue(h, 0, get, 1), CKR_OBJECT_HANDLE_INVALID);
  EXPECT(f->C_GetAttributeValue(h, 0x7FFFFFFF, get, 1), CKR_OBJECT_HANDLE_INVALID);
  EXPECT(f->C_GetAttributeValue(h, 0x80000fff, get, 1), CKR_OBJECT_HANDLE_INVALID);
  EXPECT(f->C_GetAttributeValue(h, obj, get, 1), CKR_BUFFER_TOO_SMALL);
  TRUTH(get[0].ulValueLen == CK_UNAVAILABLE_INFORMATION);
  get[0].pValue = NULL;
  EXPECT(f->C_GetAttributeValue(h, obj, get, 1), CKR_OK);
  TRUTH(get[0].ulValueLen == 5);
  CK_ATTRIBUTE unknown[] = {{CKA_MODULUS, NULL, 0}};
  EXPECT(f->C_GetAttributeValue(h, obj, unknown, 1), CKR_ATTRIBUTE_TYPE_INVALID);
  CK_ATTRIBUTE ro[] = {{CKA_CLASS, &data, sizeof data}};
  EXPECT(f->C_SetAttributeValue(h, obj, ro, 1), CKR_ATTRIBUTE_READ_ONLY);
  EXPECT(f->C_SetAttributeValue(h, obj, NULL, 1), CKR_ARGUMENTS_BAD);

  CK_OBJECT_HANDLE found[4];
  CK_ULONG nfound = 0;
  EXPECT(f->C_FindObjects(h, found, 4, &nfound), CKR_OPERATION_NOT_INITIALIZED);
  EXPECT(f->C_FindObjectsFinal(h), CKR_OPERATION_NOT_INITIALIZED);
  EXPECT(f->C_FindObjectsInit(h, null_value, 2), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_FindObjectsInit(h, good, 3), CKR_OK);
  EXPECT(f->C_FindObjectsInit(h, good, 3), CKR_OPERATION_ACTIVE);
  EXPECT(f->C_FindObjects(h, NULL, 4, &nfound), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_FindObjects(h, found, 4, NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_FindObjects(h, found, 4, &nfound), CKR_OK);
  TRUTH(nfound == 1 && found[0] == obj);
  EXPECT(f->C_FindObjectsFinal(h), CKR_OK);

  /* digest: too-small buffer reports the length and keeps the operation */
  CK_MECHANISM sm3 = {CKM_VENDOR_DEFINED + 0x9000, NULL, 0};
  CK_MECHANISM bogus = {0x12345, NULL, 0};
  unsigned char dg[32];
  CK_ULONG dglen = 10;
  EXPECT(f->C_Digest(h, (CK_BYTE_PTR) "abc", 3, dg, &dglen), CKR_OPERATION_NOT_INITIALIZED);
  EXPECT(f->C_DigestInit(h, NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_DigestInit(h, &bogus), CKR_MECHANISM_INVALID);
  EXPECT(f->C_DigestInit(h, &sm3), CKR_OK);
  EXPECT(f->C_DigestInit(h, &sm3), CKR_OPERATION_ACTIVE);
  EXPECT(f->C_Digest(h, (CK_BYTE_PTR) "abc", 3, dg, &dglen), CKR_BUFFER_TOO_SMALL);
  TRUTH(dglen == 32);
  EXPECT(f->C_Digest(h, (CK_BYTE_PTR) "abc", 3, dg, &dglen), CKR_OK);
  static const unsigned char abc[4] = {0x66, 0xc7, 0xf0, 0xf4};
  TRUTH(memcmp(dg, abc, 4) == 0);

  /* SM2 key pair (session objects) and CKM_SM2_SIGN over e */
  CK_MECHANISM gen = {CKM_VENDOR_DEFINED + 0x8001, NULL, 0};
  CK_MECHANISM sign_e = {CKM_VENDOR_DEFINED + 0x8104, NULL, 0};
  CK_MECHANISM sign_param = {CKM_VENDOR_DEFINED + 0x8103, "1234", 4};
  CK_OBJECT_HANDLE pub = 0, priv = 0;
  EXPECT(f->C_GenerateKeyPair(h, NULL, NULL, 0, NULL, 0, &pub, &priv), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_GenerateKeyPair(h, &gen, NULL, 0, NULL, 0, NULL, &priv), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_GenerateKeyPair(h, &bogus, NULL, 0, NULL, 0, &pub, &priv), CKR_MECHANISM_INVALID);
  EXPECT(f->C_GenerateKeyPair(h, &gen, NULL, 0, NULL, 0, &pub, &priv), CKR_OK);
  unsigned char e[32] = {1}, sig[64];
  CK_ULONG siglen = sizeof sig;
  EXPECT(f->C_Sign(h, e, 32, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);
  EXPECT(f->C_SignInit(h, NULL, priv), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_SignInit(h, &bogus, priv), CKR_MECHANISM_INVALID);
  EXPECT(f->C_SignInit(h, &sign_param, priv), CKR_MECHANISM_PARAM_INVALID);
  EXPECT(f->C_SignInit(h, &sign_e, 0xdead), CKR_KEY_HANDLE_INVALID);
  EXPECT(f->C_SignInit(h, &sign_e, pub), CKR_KEY_TYPE_INCONSISTENT);
  EXPECT(f->C_SignInit(h, &sign_e, priv), CKR_OK);
  EXPECT(f->C_SignInit(h, &sign_e, priv), CKR_OPERATION_ACTIVE);
  EXPECT(f->C_Sign(h, e, 31, sig, &siglen), CKR_DATA_LEN_RANGE); /* ends the operation */
  EXPECT(f->C_Sign(h, e, 32, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);
  EXPECT(f->C_SignInit(h, &sign_e, priv), CKR_OK);
  EXPECT(f->C_Sign(h, e, 32, sig, NULL), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_SignInit(h, &sign_e, priv), CKR_OK);
  siglen = 0;
  EXPECT(f->C_Sign(h, e, 32, NULL, &siglen), CKR_OK);
  TRUTH(siglen == 64);
  siglen = 10;
  EXPECT(f->C_Sign(h, e, 32, sig, &siglen), CKR_BUFFER_TOO_SMALL);
  TRUTH(siglen == 64);
  EXPECT(f->C_Sign(h, e, 32, sig, &siglen), CKR_OK);
  EXPECT(f->C_SignUpdate(h, e, 32), CKR_OPERATION_NOT_INITIALIZED);
  EXPECT(f->C_SignFinal(h, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);

  /* multi-part SM3-with-SM2 (APPID1, DER): the length query gives an upper bound, a short
     buffer gets the exact length and the same signature on retry */
  CK_MECHANISM appid_der = {CKM_VENDOR_DEFINED + 0x8103, NULL, 0};
  unsigned char der[80];
  CK_ULONG derlen = 0;
  EXPECT(f->C_SignInit(h, &appid_der, priv), CKR_OK);
  EXPECT(f->C_SignUpdate(h, NULL, 3), CKR_ARGUMENTS_BAD); /* ends the operation */
  EXPECT(f->C_SignFinal(h, der, &derlen), CKR_OPERATION_NOT_INITIALIZED);
  EXPECT(f->C_SignInit(h, &appid_der, priv), CKR_OK);
  EXPECT(f->C_SignUpdate(h, (CK_BYTE_PTR) "message ", 8), CKR_OK);
  EXPECT(f->C_SignUpdate(h, (CK_BYTE_PTR) "digest", 6), CKR_OK);
  EXPECT(f->C_Sign(h, e, 32, der, &derlen), CKR_OPERATION_ACTIVE);
  EXPECT(f->C_SignFinal(h, NULL, &derlen), CKR_OK);
  TRUTH(derlen == 72);
  derlen = 8;
  EXPECT(f->C_SignFinal(h, der, &derlen), CKR_BUFFER_TOO_SMALL);
  TRUTH(derlen >= 70 && derlen <= 72);
  CK_ULONG exact = derlen;
  EXPECT(f->C_SignFinal(h, der, &derlen), CKR_OK);
  TRUTH(derlen == exact && der[0] == 0x30);

  CK_MECHANISM ecgen = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
  CK_MECHANISM ecdsa = {CKM_ECDSA, NULL, 0};
  static const unsigned char p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
  static const unsigned char secp384[] = {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22};
  CK_ATTRIBUTE ecpub[] = {{CKA_EC_PARAMS, (void *)p256, sizeof p256}};
  CK_ATTRIBUTE ecbad[] = {{CKA_EC_PARAMS, (void *)secp384, sizeof secp384}};
  CK_OBJECT_HANDLE ecp = 0, eck = 0;
  EXPECT(f->C_GenerateKeyPair(h, &ecgen, NULL, 0, NULL, 0, &ecp, &eck), CKR_TEMPLATE_INCOMPLETE);
  EXPECT(f->C_GenerateKeyPair(h, &ecgen, ecbad, 1, NULL, 0, &ecp, &eck), CKR_CURVE_NOT_SUPPORTED);
  EXPECT(f->C_GenerateKeyPair(h, &ecgen, ecpub, 1, NULL, 0, &ecp, &eck), CKR_OK);
  EXPECT(f->C_SignInit(h, &sign_e, eck), CKR_KEY_TYPE_INCONSISTENT);
  EXPECT(f->C_SignInit(h, &ecdsa, priv), CKR_KEY_TYPE_INCONSISTENT);
  EXPECT(f->C_SignInit(h, &ecdsa, eck), CKR_OK);
  siglen = sizeof sig;
  EXPECT(f->C_Sign(h, e, 32, sig, &siglen), CKR_OK);
  TRUTH(siglen == 64);

  CK_ATTRIBUTE secret[] = {{CKA_VALUE, NULL, 0}};
  EXPECT(f->C_GetAttributeValue(h, priv, secret, 1), CKR_ATTRIBUTE_SENSITIVE);
  TRUTH(secret[0].ulValueLen == CK_UNAVAILABLE_INFORMATION);

  EXPECT(f->C_GenerateRandom(h, NULL, 5), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_GenerateRandom(h, dg, sizeof dg), CKR_OK);
  EXPECT(f->C_EncryptInit(h, &sm3, priv), CKR_FUNCTION_NOT_SUPPORTED);
  EXPECT(f->C_VerifyInit(h, &sm3, pub), CKR_FUNCTION_NOT_SUPPORTED);

  /* damaged files: an object file that is garbage is skipped, a garbage token.state is a device error */
  char path[4096];
  snprintf(path, sizeof path, "%s/slot-%lu/obj-999.bin", getenv("SEALDESK_GMTOKEN_DIR"), (unsigned long)slot);
  FILE *fp = fopen(path, "wb");
  if (fp) {
    fputs("GMTO1\n\x01\x02\x03\xff\xff\xff\xff\xff\xff\xff\xff", fp);
    fclose(fp);
  }
  CK_ATTRIBUTE all[] = {{CKA_CLASS, &data, sizeof data}};
  EXPECT(f->C_FindObjectsInit(h, all, 1), CKR_OK);
  EXPECT(f->C_FindObjects(h, found, 4, &nfound), CKR_OK);
  TRUTH(nfound == 1);
  EXPECT(f->C_FindObjectsFinal(h), CKR_OK);
  EXPECT(f->C_GetAttributeValue(h, ((slot + 1) << 20) | 999, get, 1), CKR_DEVICE_ERROR);

  EXPECT(f->C_CloseAllSessions(9999), CKR_SLOT_ID_INVALID);
  EXPECT(f->C_CloseAllSessions(slot), CKR_OK);
  EXPECT(f->C_Logout(h), CKR_SESSION_HANDLE_INVALID);

  snprintf(path, sizeof path, "%s/slot-%lu/token.state", getenv("SEALDESK_GMTOKEN_DIR"), (unsigned long)slot);
  fp = fopen(path, "wb");
  if (fp) {
    fputs("label=zz\nserial=short\n", fp);
    fclose(fp);
  }
  EXPECT(f->C_GetTokenInfo(slot, &ti), CKR_DEVICE_ERROR);
  EXPECT(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
  EXPECT(f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6), CKR_DEVICE_ERROR);

  EXPECT(f->C_Finalize((CK_VOID_PTR)1), CKR_ARGUMENTS_BAD);
  EXPECT(f->C_Finalize(NULL), CKR_OK);
  EXPECT(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
  dlclose(lib);
  printf("%d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}

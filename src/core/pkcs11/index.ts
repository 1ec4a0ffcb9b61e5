/**
 * Token access through PKCS#11 (graphene-pk11 over pkcs11js): module loading, tokens, sessions,
 * login through the PIN guard, key pairs and signing, seal data objects, vendor profiles,
 * provisioning. Everything a caller outside this folder needs is exported here.
 */
export { Pkcs11Module, openModule, closeModule, resolveModulePath, type ModulePathOptions } from './module';
export { listTokens, findToken, decodeTokenFlags, type TokenInfo, type TokenFlags, type ListTokensOptions } from './tokens';
export { watchTokens, probeTokens, type TokenChange, type WatchOptions } from './token-watch';
export { withSession, type TokenSession, type SessionOptions } from './session';
export { withUserLogin, unlockUserPin, changeUserPin, pinStatus, resetPinGuard, type LoginOptions, type PinStatus } from './login';
export { PinGuard, MAX_PIN_FAILURES, type PinGuardStatus } from './pin-guard';
export { listKeyPairs, findCertificate, type KeyPairInfo } from './key-objects';
export { tokenSigner, type TokenSigner } from './token-signer';
export { readSealObjects, writeSealObject, deleteSealObject, SEAL_APPLICATION, type SealObject } from './seal-objects';
export { loadVendorProfile, parseVendorProfile, STANDARD_PROFILE, type VendorProfile } from './vendor-profile';
export { initToken, generateKeyPair, importCertificate, type InitTokenOptions, type GenerateKeyPairOptions, type ImportCertificateOptions } from './provision';
export { mapPkcs11Error } from './pkcs11-errors';
export { sm2Z, sm2E } from './sm2-digest';

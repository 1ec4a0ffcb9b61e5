/**
 * SM4 (GB/T 32907) through node:crypto: CBC with PKCS#7 padding for data at rest (seals kept
 * encrypted in a registry, domain.md), ECB on single blocks for known-answer checks.
 */
import crypto from 'node:crypto';
import { SealDeskError } from '../errors';

function checkKey(key: Uint8Array, iv?: Uint8Array): void {
  if (key.length !== 16 || (iv !== undefined && iv.length !== 16)) {
    throw new SealDeskError('SM4_KEY_INVALID', 'SM4 密钥和初始向量必须为 16 字节', 'SM4 keys and IVs are 16 bytes');
  }
}

export function sm4EncryptCbc(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  checkKey(key, iv);
  const c = crypto.createCipheriv('sm4-cbc', key, iv);
  return new Uint8Array(Buffer.concat([c.update(plaintext), c.final()]));
}

export function sm4DecryptCbc(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  checkKey(key, iv);
  try {
    const d = crypto.createDecipheriv('sm4-cbc', key, iv);
    return new Uint8Array(Buffer.concat([d.update(ciphertext), d.final()]));
  } catch (e) {
    throw new SealDeskError('SM4_DECRYPT_FAILED', 'SM4 解密失败（密钥错误或数据损坏）', 'SM4 decryption failed (wrong key or damaged data)', { cause: e });
  }
}

/** One 16-byte block, no padding (the GB/T 32907 known-answer form). */
export function sm4EncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  checkKey(key);
  if (block.length !== 16) throw new SealDeskError('SM4_BLOCK_INVALID', 'SM4 分组必须为 16 字节', 'An SM4 block is 16 bytes');
  const c = crypto.createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(block), c.final()]));
}

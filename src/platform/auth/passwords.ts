/**
 * Console passwords: scrypt (node:crypto) with a random salt, kept as
 * `scrypt$N$r$p$salt$hash` (base64). The password Buffer is zeroed after use.
 */
import crypto from 'node:crypto';

const N = 1 << 14;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scrypt(password: Buffer, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(password, salt, KEY_LENGTH, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (e, key) => (e ? reject(e) : resolve(key)));
  });
}

export async function hashPassword(password: Buffer): Promise<string> {
  try {
    const salt = crypto.randomBytes(16);
    const key = await scrypt(password, salt, N, R, P);
    return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
  } finally {
    password.fill(0);
  }
}

export async function checkPassword(password: Buffer, stored: string): Promise<boolean> {
  try {
    const [tag, n, r, p, salt, hash] = stored.split('$');
    if (tag !== 'scrypt' || !salt || !hash) return false;
    const key = await scrypt(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p));
    const expected = Buffer.from(hash, 'base64');
    return expected.length === key.length && crypto.timingSafeEqual(expected, key);
  } finally {
    password.fill(0);
  }
}

/** A password's minimum: long enough that the lock-out and scrypt matter. */
export const MIN_PASSWORD_LENGTH = 10;

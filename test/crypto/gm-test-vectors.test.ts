import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sm3 } from '../../src/core/crypto/digest';
import { sm2Verify } from '../../src/core/crypto/sm2';
import { sm4EncryptBlock, sm4EncryptCbc, sm4DecryptCbc } from '../../src/core/crypto/sm4';
import { derSequence, tlv } from '../../src/core/asn1/der';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

test('SM3 of "abc" is the GB/T 32905 value', () => {
  assert.equal(toHex(sm3(utf8('abc'))), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
});

test('SM3 of "abcd" repeated 16 times is the GB/T 32905 value', () => {
  assert.equal(toHex(sm3(utf8('abcd'.repeat(16)))), 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
});

test('SM4 encrypts the GB/T 32907 block and a million rounds give the second vector', () => {
  const key = hex('0123456789abcdeffedcba9876543210');
  assert.equal(toHex(sm4EncryptBlock(key, key)), '681edf34d206965e86b3e94f536e4246');
  let block = key;
  for (let i = 0; i < 1_000_000; i++) block = sm4EncryptBlock(key, block);
  assert.equal(toHex(block), '595298c7c6fd271f0402f804c33d3f66');
});

test('SM4-CBC round-trips and a wrong key fails clearly', () => {
  const key = hex('0123456789abcdeffedcba9876543210');
  const iv = hex('00112233445566778899aabbccddeeff');
  const data = utf8('电子印章 sealed at rest');
  const ct = sm4EncryptCbc(key, iv, data);
  assert.deepEqual(sm4DecryptCbc(key, iv, ct), data);
  const wrong = new Uint8Array(key);
  wrong[0] ^= 1;
  let out: Uint8Array | undefined;
  try {
    out = sm4DecryptCbc(wrong, iv, ct);
  } catch (e) {
    assert.equal((e as { code?: string }).code, 'SM4_DECRYPT_FAILED');
  }
  // A wrong key almost always breaks the padding; if it happens not to, the data must still differ.
  if (out) assert.notDeepEqual(out, data);
});

// GM/T 0003.5-2012 Annex A: recommended curve, ID 1234567812345678, M = "message digest".
const P = '04' + '09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020'
  + 'CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13';
const R = 'F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3';
const S = 'B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA';
const int = (h: string): Uint8Array => {
  const b = hex(h);
  return tlv(0x02, b[0]! & 0x80 ? Uint8Array.of(0, ...b) : b);
};

test('the GM/T 0003.5 SM2 signature of "message digest" verifies with the default ID', () => {
  const sig = derSequence(int(R), int(S));
  assert.equal(toHex(sig).slice(0, 12), '3046022100f5');
  assert.equal(sm2Verify(utf8('message digest'), sig, hex(P)), true);
});

test('the GM/T 0003.5 SM2 signature fails for another message, another s, or a key without the 04 prefix', () => {
  const sig = derSequence(int(R), int(S));
  assert.equal(sm2Verify(utf8('message digesT'), sig, hex(P)), false);
  const badS = S.slice(0, -1) + 'B';
  assert.equal(sm2Verify(utf8('message digest'), derSequence(int(R), int(badS)), hex(P)), false);
  assert.equal(sm2Verify(utf8('message digest'), sig, hex(P).subarray(1)), false);
});

// The example Fp-256 curve of GM/T 0003.2 Annex A cannot be tested: sm-crypto (and OpenSSL's SM2
// key type) are fixed to sm2p256v1, so that vector needs a generic-curve implementation.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSeal } from '../../src/core/asn1/ses-seal';
import { decodeSesSignature } from '../../src/core/asn1/ses-signature';
import { SealDeskError } from '../../src/core/errors';
import { gmFile, ofdSignature } from './support/gm-fixtures';

/** Small deterministic PRNG so a failure can be reproduced. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Decoding either succeeds or fails with the expected SealDeskError code; anything else fails the test. */
function decodesOrRefuses(decode: (b: Uint8Array) => unknown, input: Uint8Array, code: string, label: string): 'ok' | 'refused' {
  try {
    decode(input);
    return 'ok';
  } catch (e) {
    if (!(e instanceof SealDeskError)) assert.fail(`${label}: threw ${String(e)} instead of a SealDeskError`);
    assert.equal(e.code, code, label);
    assert.ok(e.zh.length > 0 && e.en.length > 0, `${label}: has zh and en messages`);
    return 'refused';
  }
}

const corpora = [
  { name: 'the HebeiGede seal', bytes: gmFile('SESealData.DER'), decode: decodeSeal, code: 'SEAL_MALFORMED' },
  { name: 'the v4signed.ofd signature', bytes: ofdSignature('v4signed.ofd').signedValue, decode: decodeSesSignature, code: 'SIGNATURE_MALFORMED' },
  { name: 'the signedFile.ofd signature', bytes: ofdSignature('signedFile.ofd').signedValue, decode: decodeSesSignature, code: 'SIGNATURE_MALFORMED' },
];

for (const c of corpora) {
  test(`${c.name} truncated at any of hundreds of offsets is refused cleanly`, () => {
    const offsets = new Set<number>();
    for (let i = 0; i < 64; i++) offsets.add(i);
    for (let i = 64; i < c.bytes.length; i += 13) offsets.add(i);
    for (let i = 1; i <= 64; i++) offsets.add(c.bytes.length - i);
    for (const n of offsets) {
      assert.equal(decodesOrRefuses(c.decode, c.bytes.subarray(0, n), c.code, `truncated to ${n}`), 'refused', `truncated to ${n}`);
    }
  });

  test(`${c.name} with flipped bytes never crashes`, () => {
    const rnd = prng(c.bytes.length);
    let refused = 0;
    for (let i = 0; i < 600; i++) {
      const copy = new Uint8Array(c.bytes);
      const at = Math.floor(rnd() * copy.length);
      copy[at] = copy[at]! ^ (1 + Math.floor(rnd() * 255));
      if (decodesOrRefuses(c.decode, copy, c.code, `flip at ${at}`) === 'refused') refused++;
    }
    // Most flips land in picture or certificate bytes and still parse; some must hit the structure.
    assert.ok(refused > 0);
  });

  test(`${c.name} with trailing bytes is refused`, () => {
    const longer = new Uint8Array(c.bytes.length + 1);
    longer.set(c.bytes);
    assert.equal(decodesOrRefuses(c.decode, longer, c.code, 'trailing byte'), 'refused');
  });
}

test('absurd lengths, deep nesting, empty input, wrong types and random garbage are refused quickly', () => {
  const nested = (depth: number): Uint8Array => {
    // 30 82 hh ll repeated: each level declares exactly the rest, so only the depth is wrong.
    const out = new Uint8Array(depth * 4);
    for (let i = 0; i < depth; i++) {
      const len = (depth - i - 1) * 4;
      out.set([0x30, 0x82, len >> 8, len & 0xff], i * 4);
    }
    return out;
  };
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['4 GiB length', Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00)],
    ['length of length 9', Uint8Array.of(0x30, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1)],
    ['indefinite length', Uint8Array.of(0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00)],
    ['10000 levels deep', nested(10000)],
    ['an INTEGER', Uint8Array.of(0x02, 0x01, 0x05)],
    ['an empty SEQUENCE', Uint8Array.of(0x30, 0x00)],
    ['a SEQUENCE of four NULLs', Uint8Array.of(0x30, 0x08, 5, 0, 5, 0, 5, 0, 5, 0)],
    ['high tag number', Uint8Array.of(0x1f, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00)],
  ];
  const rnd = prng(42);
  for (let i = 0; i < 200; i++) cases.push([`garbage ${i}`, Uint8Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256))]);
  const started = Date.now();
  for (const [label, bytes] of cases) {
    assert.equal(decodesOrRefuses(decodeSeal, bytes, 'SEAL_MALFORMED', label), 'refused', label);
    assert.equal(decodesOrRefuses(decodeSesSignature, bytes, 'SIGNATURE_MALFORMED', label), 'refused', label);
  }
  assert.ok(Date.now() - started < 5000, 'no input makes decoding slow');
});

test('a seal is not a signature and a signature is not a seal', () => {
  assert.throws(() => decodeSesSignature(gmFile('SESealData.DER')), { code: 'SIGNATURE_MALFORMED' });
  assert.throws(() => decodeSeal(ofdSignature('v4signed.ofd').signedValue), { code: 'SEAL_MALFORMED' });
});

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeSeal } from '../../src/core/asn1/ses-seal';
import { decodeSesSignature } from '../../src/core/asn1/ses-signature';
import { sm3 } from '../../src/core/crypto/digest';
import { buildSesPdfSignature } from '../../src/core/gm/build-ses-pdf-signature';
import { VENDOR_PICTURE_LIMIT_BYTES, makeSeal } from '../../src/core/seal/make-seal';
import { makeGmPki, type GmPki } from '../ofd/support/ofd-files';
import { asn1Tree, at, bitStringPayload, contentOf, opensslSm2Verifies, tlvOf } from './support/independent-asn1';

/**
 * SealDesk's own SM2 seals (makeSeal) and GB/T 38540 stamps (buildSesPdfSignature, what goes into a
 * PDF's /Contents) are read by two other implementations: OpenSSL 3 (pkeyutl, default ID) and
 * BouncyCastle from Debian's libbcprov-java, through test/gm/java/GmInterop.java compiled here with
 * javac into a temporary directory. Their seal pictures stay within what vendor readers accept.
 */
const BCPROV = '/usr/share/java/bcprov.jar';
const DEMO_PNG = new Uint8Array(fs.readFileSync(path.resolve(__dirname, '../../resources/seals/demo-seal.png')));
let g: GmPki;
let dir: string;
let sealDer: Uint8Array;
let stampDer: Uint8Array;
const ORIGINAL = new TextEncoder().encode('%PDF-1.7 the bytes of the ByteRange');

before(async () => {
  g = makeGmPki();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-interop-'));
  const now = new Date(Date.now() + 2000);
  const made = await makeSeal({
    maker: g.maker.signer(), keeper: { certificate: g.keeper.der, seals: [] }, trustRoots: [g.root.der], now,
    name: 'SealDesk 互通测试章', type: 1, validStart: now, validEnd: new Date(now.getTime() + 86_400_000 * 365),
    image: { bytes: DEMO_PNG, widthMm: 42, heightMm: 42 }, vendorId: 'SealDesk',
  });
  sealDer = made.der;
  stampDer = await buildSesPdfSignature({ sealDer, signer: g.keeper.signer(), dataHash: sm3(ORIGINAL), byteRange: [0, 100, 200, 300], signingTime: now });
  execFileSync('javac', ['-cp', BCPROV, '-d', dir, path.join(__dirname, 'java', 'GmInterop.java')]);
});
after(() => {
  g.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

function bouncyCastle(seal: Uint8Array, stamp: Uint8Array, original: Uint8Array): { status: number | null; out: string } {
  fs.writeFileSync(path.join(dir, 'seal.der'), seal);
  fs.writeFileSync(path.join(dir, 'stamp.der'), stamp);
  fs.writeFileSync(path.join(dir, 'original.bin'), original);
  const r = spawnSync('java', ['-cp', `${dir}${path.delimiter}${BCPROV}`, 'GmInterop', path.join(dir, 'seal.der'), path.join(dir, 'stamp.der'), path.join(dir, 'original.bin')]);
  return { status: r.status, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

test('BouncyCastle reads a SealDesk seal and stamp: maker and signer SM2 signatures, the seal inside, the keeper listed, SM3 data hash', () => {
  const r = bouncyCastle(sealDer, stampDer, ORIGINAL);
  assert.equal(r.status, 0, r.out);
  assert.equal(r.out.split('\n').filter((l) => l.startsWith('OK ')).length, 5, r.out);
});

test('BouncyCastle notices a changed byte: in the signed seal name, and in the original', () => {
  const seal = decodeSeal(sealDer);
  const at = Buffer.from(sealDer).indexOf(Buffer.from('互通'));
  const bad = new Uint8Array(sealDer);
  bad[at + 2]! ^= 0x01;
  const r1 = bouncyCastle(bad, stampDer, ORIGINAL);
  assert.notEqual(r1.status, 0);
  assert.match(r1.out, /FAIL seal maker signature/);
  const r2 = bouncyCastle(sealDer, stampDer, new TextEncoder().encode('%PDF-1.7 other bytes'));
  assert.match(r2.out, /FAIL dataHash/);
  assert.equal(seal.eSealInfo.header.version, 4);
});

test('OpenSSL verifies the SealDesk seal over its SES_SealInfo and the stamp over its TBS_Sign (default ID)', () => {
  const s = asn1Tree(sealDer);
  assert.equal(opensslSm2Verifies(contentOf(sealDer, at(s, 1)), tlvOf(sealDer, at(s, 0)), bitStringPayload(sealDer, at(s, 3)).payload), true);
  const t = asn1Tree(stampDer);
  assert.equal(opensslSm2Verifies(contentOf(stampDer, at(t, 1)), tlvOf(stampDer, at(t, 0)), bitStringPayload(stampDer, at(t, 3)).payload), true);
  // All BIT STRINGs SealDesk writes start with a zero unused-bits byte; the stamp reads without any vendor habit.
  assert.equal(bitStringPayload(stampDer, at(t, 3)).unusedBits, 0);
  assert.deepEqual(decodeSesSignature(stampDer).deviations, []);
});

test('seal pictures stay small: the demo picture is under the 50 KB vendor buffer; a larger one makes a seal with a warning', async () => {
  assert.ok(DEMO_PNG.length < VENDOR_PICTURE_LIMIT_BYTES, `${DEMO_PNG.length} bytes`);
  assert.ok(decodeSeal(sealDer).eSealInfo.picture.data.length < VENDOR_PICTURE_LIMIT_BYTES);
  // A valid PNG padded past 50 KB with an ancillary chunk (readers skip it).
  const pad = new Uint8Array(60 * 1024);
  const chunk = Buffer.concat([Buffer.from([(pad.length >>> 24) & 0xff, (pad.length >> 16) & 0xff, (pad.length >> 8) & 0xff, pad.length & 0xff]), Buffer.from('tEXt'), pad, Buffer.alloc(4)]);
  const big = new Uint8Array(Buffer.concat([Buffer.from(DEMO_PNG.subarray(0, 33)), chunk, Buffer.from(DEMO_PNG.subarray(33))]));
  const now = new Date(Date.now() + 2000);
  const made = await makeSeal({
    maker: g.maker.signer(), keeper: { certificate: g.keeper.der, seals: [] }, trustRoots: [g.root.der], now,
    name: '大图章', type: 1, validStart: now, validEnd: new Date(now.getTime() + 86_400_000),
    image: { bytes: big, widthMm: 42, heightMm: 42 }, vendorId: 'SealDesk',
  });
  assert.equal(made.warnings.length, 1);
  assert.equal(made.warnings[0]!.code, 'SEAL_PICTURE_LARGE');
  assert.match(made.warnings[0]!.en, /above the 50 KB many vendor readers accept/);
  assert.deepEqual((await makeSeal({
    maker: g.maker.signer(), keeper: { certificate: g.keeper.der, seals: [] }, trustRoots: [g.root.der], now,
    name: '小图章', type: 1, validStart: now, validEnd: new Date(now.getTime() + 86_400_000),
    image: { bytes: DEMO_PNG, widthMm: 42, heightMm: 42 }, vendorId: 'SealDesk',
  })).warnings, []);
});

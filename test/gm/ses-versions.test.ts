import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { derBitString, derIa5, derInteger, derOctetString, derOid, derSequence, tlv } from '../../src/core/asn1/der';
import { OID_SM2_WITH_SM3 } from '../../src/core/asn1/oids';
import { decodeSesSignature } from '../../src/core/asn1/ses-signature';
import { byteRangePropertyInfo, isGmSignature } from '../../src/core/gm/pdf-profile';
import { openPdf } from '../../src/core/pdf/document';
import { IncrementalUpdate } from '../../src/core/pdf/incremental-writer';
import { addSealAppearance } from '../../src/core/pdf/seal-appearance';
import { embedSignature, prepareSignature, type PreparedSignature } from '../../src/core/pdf/signature-placeholder';
import { ofdSignature } from '../asn1/support/gm-fixtures';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { describe, makeGmWorld, sealPng, status, verifyGmSignatures, type GmWorld } from './support/gm-world';

/**
 * SES_Signature versions other than SealDesk's own v4 in a PDF: a GM/T 0031-2014 (v1) stamp made
 * with OpenSSL-issued SM2 keys, and a real vendor's GB/T 38540 v4 SES_Signature (from the ofdrw
 * test OFD) dropped into a PDF the way some vendors do (adbe.pkcs7.detached around an SES_Signature).
 */
let w: GmWorld;
let input: string;
before(async () => {
  w = await makeGmWorld('versions');
  input = await classicPdf(w.file('contract.pdf'), 1);
});
after(() => w.cleanup());

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const utc = (d: Date): Uint8Array => tlv(0x17, utf8(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));

/** A PDF with an empty signature under `subFilter` and the test seal's picture on the widget. */
function placeholder(subFilter: string, size: number): PreparedSignature {
  const doc = openPdf(fs.readFileSync(input));
  const update = new IncrementalUpdate(doc);
  const ap = addSealAppearance(update, { picture: { type: 'PNG', data: sealPng }, widthMm: 40, heightMm: 40, pageRotate: 0 });
  return prepareSignature(doc, update, { pageIndex: 0, rect: [100, 100, 100 + ap.rectWidth, 100 + ap.rectHeight], appearance: ap.ref, signingTime: new Date(), contentsSize: size, subFilter });
}

function sm3Range(p: PreparedSignature): Uint8Array {
  const [, b, c, d] = p.byteRange;
  return new Uint8Array(crypto.createHash('sm3').update(p.bytes.subarray(0, b)).update(p.bytes.subarray(c, c + d)).digest());
}

test('a GM/T 0031-2014 (v1) SES_Signature with SM2 keys verifies: maker signature over SEQUENCE{SealInfo, cert, alg}, time as UTCTime in a BIT STRING', async () => {
  const now = new Date();
  const sealInfo = derSequence(
    derSequence(derIa5('ES'), derInteger(1), derIa5('TestVendor')),
    derIa5('V1-0001'),
    derSequence(derInteger(1), tlv(0x0c, utf8('旧版测试专用章')), derSequence(derOctetString(w.keeper.der)),
      utc(new Date(now.getTime() - 86400_000)), utc(new Date(now.getTime() - 86400_000)), utc(new Date(now.getTime() + 86400_000 * 30))),
    derSequence(derIa5('PNG'), derOctetString(sealPng), derInteger(40), derInteger(40)),
  );
  const makerSigned = derSequence(sealInfo, derOctetString(w.maker.der), derOid(OID_SM2_WITH_SM3));
  const makerSignature = await w.maker.signer().sign(makerSigned);
  const v1Seal = derSequence(sealInfo, derSequence(derOctetString(w.maker.der), derOid(OID_SM2_WITH_SM3), derBitString(makerSignature)));

  const p = placeholder('GBT38540.SES_Signature', 8192 + sealPng.length);
  const tbs = derSequence(derInteger(1), v1Seal, derBitString(utc(now)), derBitString(sm3Range(p)), derIa5(byteRangePropertyInfo(p.byteRange)),
    derOctetString(w.keeper.der), derOid(OID_SM2_WITH_SM3));
  const ses = derSequence(tbs, derBitString(await w.keeper.signer().sign(tbs)));
  assert.equal(decodeSesSignature(ses).version, 1);
  embedSignature(p, ses);

  const [r] = verifyGmSignatures(p.bytes, [w.root.der]);
  assert.ok(r);
  assert.equal(r.verdict, 'valid', describe(r));
  assert.equal(r.seal?.name, '旧版测试专用章');
  assert.equal(status(r, 'impression'), 'ok');

  // the same stamp with the v1 signing time moved after the seal's validity fails the seal check
  const late = placeholder('GBT38540.SES_Signature', 8192 + sealPng.length);
  const lateTbs = derSequence(derInteger(1), v1Seal, derBitString(utc(new Date(now.getTime() + 86400_000 * 60))), derBitString(sm3Range(late)),
    derIa5(byteRangePropertyInfo(late.byteRange)), derOctetString(w.keeper.der), derOid(OID_SM2_WITH_SM3));
  embedSignature(late, derSequence(lateTbs, derBitString(await w.keeper.signer().sign(lateTbs))));
  const [lr] = verifyGmSignatures(late.bytes, [w.root.der]);
  assert.equal(status(lr!, 'seal'), 'failed', describe(lr!));
  assert.match(lr!.checks.find((c) => c.id === 'seal')!.message.en, /expired/);
});

test('a real vendor v4 SES_Signature under adbe.pkcs7.detached is read as GM: its signature and seal are genuine, but it protects an OFD, not this PDF', () => {
  const vendor = ofdSignature('v4signed.ofd').signedValue;
  const p = placeholder('adbe.pkcs7.detached', vendor.length + 64);
  embedSignature(p, vendor);
  const v = openPdf(p.bytes).signatureFields()[0]!.value!;
  assert.ok(isGmSignature(v), 'recognised by its content under a PKCS#7 SubFilter');
  const [r] = verifyGmSignatures(p.bytes, []);
  assert.ok(r);
  assert.equal(status(r, 'signature'), 'ok', describe(r));
  assert.equal(status(r, 'seal_signer'), 'ok', describe(r));
  assert.notEqual(status(r, 'seal'), 'failed', describe(r));
  assert.equal(status(r, 'digest'), 'failed', 'its dataHash is SM3 of the OFD\'s Signature.xml');
  assert.match(r.checks.find((c) => c.id === 'digest')!.message.en, /propertyInfo|another document/);
  assert.equal(r.verdict, 'invalid');
  assert.equal(r.signer !== null, true);
});

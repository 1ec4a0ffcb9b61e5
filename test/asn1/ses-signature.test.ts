import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSesSignature, encodeSesSignature, encodeTbsSign } from '../../src/core/asn1/ses-signature';
import { encodeSeal, encodeSealInfo } from '../../src/core/asn1/ses-seal';
import { derBitString, derExplicit, derGeneralizedTime, derIa5, derInteger, derOctetString, derOid, derSequence, tlv } from '../../src/core/asn1/der';
import { parseCertificate } from '../../src/core/crypto/certificate';
import { sm3 } from '../../src/core/crypto/digest';
import { verifySignature } from '../../src/core/crypto/verify-signature';
import { ofdSignature } from './support/gm-fixtures';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

for (const file of ['v4signed.ofd', 'signedFile.ofd'] as const) {
  test(`${file}: the vendor SES_Signature decodes, its dataHash is SM3(Signature.xml) and the signer's SM2 signature over the received TBS_Sign verifies`, () => {
    const { signedValue, signatureXml } = ofdSignature(file);
    const sig = decodeSesSignature(signedValue);
    assert.equal(sig.version, 4);
    assert.equal(sig.toSign.version, 4);
    assert.equal(sig.toSign.propertyInfo, '/Doc_0/Signs/Sign_0/Signature.xml');
    assert.deepEqual(sig.toSign.dataHash, sm3(signatureXml));
    assert.equal(sig.signatureAlgID, '1.2.156.10197.1.501');
    assert.deepEqual(sig.der, signedValue);
    const signer = parseCertificate(sig.cert);
    assert.equal(signer.publicKey.kind, 'SM2');
    assert.equal(verifySignature({ algorithm: sig.signatureAlgID, publicKey: signer.publicKey, data: sig.tbsSignDer, signature: sig.signature }).ok, true);
    const tampered = new Uint8Array(sig.tbsSignDer);
    tampered[tampered.length - 3] ^= 1;
    assert.equal(verifySignature({ algorithm: sig.signatureAlgID, publicKey: signer.publicKey, data: tampered, signature: sig.signature }).ok, false);
  });
}

test('v4signed.ofd carries the documented signing time and dataHash', () => {
  const sig = decodeSesSignature(ofdSignature('v4signed.ofd').signedValue);
  assert.equal(sig.toSign.timeInfo?.toISOString(), '2020-10-10T07:11:20.000Z');
  assert.equal(toHex(sig.toSign.dataHash), '14859b925039a50fe268d40e4a903da44d64cc56b1eebd0902d45a5a41a134b5');
});

function sampleSeal(): Uint8Array {
  const sealInfoDer = encodeSealInfo({
    header: { ID: 'ES', version: 4, Vid: 'SealDesk' }, esID: 'e1',
    property: { type: 1, name: 'n', certListType: 1, certList: [utf8('c')], createDate: new Date(0), validStart: new Date(0), validEnd: new Date(1e12) },
    picture: { type: 'PNG', data: utf8('p'), width: 40, height: 40 },
  });
  return encodeSeal({ sealInfoDer, cert: utf8('maker'), signAlgID: '1.2.156.10197.1.501', signedValue: utf8('sv') });
}

test('an SES_Signature v4 encodes and decodes, extDatas and timestamp written [0] EXPLICIT', () => {
  const esealDer = sampleSeal();
  const ext = [{ extnID: '1.2.3.4.5', critical: false, extnValue: utf8('range=0-100') }];
  const tbsSignDer = encodeTbsSign({ esealDer, timeInfo: new Date('2025-01-02T03:04:05.678Z'), dataHash: new Uint8Array(32).fill(1), propertyInfo: '/ByteRange [0 10 20 30]', extDatas: ext });
  const der = encodeSesSignature({ tbsSignDer, cert: utf8('signer'), signatureAlgID: '1.2.156.10197.1.501', signature: utf8('sig'), timeStamp: utf8('tst') });
  const sig = decodeSesSignature(der);
  assert.equal(sig.version, 4);
  assert.deepEqual(sig.tbsSignDer, tbsSignDer);
  assert.deepEqual(sig.toSign.eseal.der, esealDer);
  assert.equal(sig.toSign.timeInfo?.toISOString(), '2025-01-02T03:04:05.000Z');
  assert.equal(sig.toSign.propertyInfo, '/ByteRange [0 10 20 30]');
  assert.deepEqual(sig.toSign.extDatas, ext);
  assert.deepEqual(sig.timeStamp, utf8('tst'));
  assert.deepEqual(sig.cert, utf8('signer'));
  assert.equal(der[der.length - 8], 0xa0, 'timeStamp is [0] EXPLICIT');
  assert.ok(toHex(tbsSignDer).includes('a0'), 'extDatas is [0]');
});

test('TBS_Sign extDatas and the timeStamp are read whether tagged explicit, implicit or not at all', () => {
  const head = [derInteger(4), sampleSeal(), derGeneralizedTime(new Date(0)), derBitString(new Uint8Array(32)), derIa5('p')];
  const extData = derSequence(derOid('1.2.9'), derOctetString(utf8('v')));
  const tail = [derOctetString(utf8('cert')), derOid('1.2.156.10197.1.501'), derBitString(utf8('s'))];
  for (const ext of [derExplicit(0, derSequence(extData)), derExplicit(0, extData), derSequence(extData)]) {
    for (const ts of [derExplicit(0, derBitString(utf8('T'))), tlv(0x80, Uint8Array.of(0, ...utf8('T'))), derBitString(utf8('T'))]) {
      const sig = decodeSesSignature(derSequence(derSequence(...head, ext), ...tail, ts));
      assert.deepEqual(sig.toSign.extDatas.map((e) => e.extnID), ['1.2.9']);
      assert.deepEqual(sig.timeStamp, utf8('T'));
    }
  }
});

test('a GM/T 0031-2014 (v1) SES_Signature decodes: cert and algorithm inside TBS_Sign, time as text in a BIT STRING', () => {
  const v1Seal = derSequence(
    derSequence(derSequence(derIa5('ES'), derInteger(1), derIa5('V')), derIa5('id'),
      derSequence(derInteger(1), tlv(0x0c, utf8('单位')), derSequence(derOctetString(utf8('c'))),
        tlv(0x17, utf8('200101000000Z')), tlv(0x17, utf8('200101000000Z')), tlv(0x17, utf8('300101000000Z'))),
      derSequence(derIa5('GIF'), derOctetString(utf8('g')), derInteger(1), derInteger(1))),
    derSequence(derOctetString(utf8('maker')), derOid('1.2.156.10197.1.501'), derBitString(utf8('sv'))),
  );
  const tbs = derSequence(derInteger(1), v1Seal, derBitString(utf8('2020-10-10 15:11:20')), derBitString(new Uint8Array(32).fill(2)),
    derIa5('/Doc_0/Signs/Sign_0/Signature.xml'), derOctetString(utf8('signer-cert')), derOid('1.2.156.10197.1.501'));
  const sig = decodeSesSignature(derSequence(tbs, derBitString(utf8('signature'))));
  assert.equal(sig.version, 1);
  assert.equal(sig.toSign.eseal.version, 1);
  assert.deepEqual(sig.cert, utf8('signer-cert'));
  assert.equal(sig.signatureAlgID, '1.2.156.10197.1.501');
  assert.deepEqual(sig.tbsSignDer, tbs);
  assert.equal(sig.toSign.timeInfo?.toISOString(), '2020-10-10T07:11:20.000Z', 'text without zone is Beijing time');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSeal, encodeSeal, encodeSealInfo, type SealInfoInput } from '../../src/core/asn1/ses-seal';
import { decodeSesSignature } from '../../src/core/asn1/ses-signature';
import { derBitString, derExplicit, derIa5, derInteger, derOctetString, derOid, derSequence, derUtf8, tlv } from '../../src/core/asn1/der';
import { gmFile, ofdSignature } from './support/gm-fixtures';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const cert1 = utf8('keeper-cert-1 (DER in real life)');
const cert2 = utf8('keeper-cert-2');

function sampleInfo(): SealInfoInput {
  return {
    header: { ID: 'ES', version: 4, Vid: 'SealDesk' },
    esID: '2024SD0000000001',
    property: {
      type: 1, name: 'SealDesk 演示有限公司', certListType: 1, certList: [cert1, cert2],
      createDate: new Date('2024-05-01T08:00:00Z'), validStart: new Date('2024-05-01T08:00:00Z'), validEnd: new Date('2027-05-01T08:00:00Z'),
    },
    picture: { type: 'PNG', data: Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2, 3), width: 42, height: 42 },
    extDatas: [{ extnID: '1.2.156.112600.7.1', critical: false, extnValue: utf8('x') }, { extnID: '1.2.3.4', critical: true, extnValue: utf8('y') }],
  };
}

test('an SESeal v4 encodes and decodes back to the same fields, keeping the signed SES_SealInfo bytes', () => {
  const info = sampleInfo();
  const sealInfoDer = encodeSealInfo(info);
  const makerCert = utf8('maker-cert');
  const signedValue = Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02);
  const der = encodeSeal({ sealInfoDer, cert: makerCert, signAlgID: '1.2.156.10197.1.501', signedValue });
  const seal = decodeSeal(der);
  assert.equal(seal.version, 4);
  assert.deepEqual(seal.sealInfoDer, sealInfoDer);
  assert.deepEqual(seal.der, der);
  assert.deepEqual(seal.eSealInfo.header, info.header);
  assert.equal(seal.eSealInfo.esID, info.esID);
  assert.deepEqual(seal.eSealInfo.property, info.property);
  assert.deepEqual(seal.eSealInfo.picture, info.picture);
  assert.deepEqual(seal.eSealInfo.extDatas, info.extDatas);
  assert.deepEqual(seal.cert, makerCert);
  assert.equal(seal.signAlgID, '1.2.156.10197.1.501');
  assert.deepEqual(seal.signedValue, signedValue);
  // Re-assembling from the decoded parts is byte-identical.
  assert.deepEqual(encodeSeal(seal), der);
});

test('a seal listing certificate digests (certListType 2) round-trips', () => {
  const info = sampleInfo();
  info.property = { ...info.property, certListType: 2, certList: [{ type: 'sm3', value: new Uint8Array(32).fill(7) }] };
  const seal = decodeSeal(encodeSeal({ sealInfoDer: encodeSealInfo(info), cert: cert1, signAlgID: '1.2.3', signedValue: Uint8Array.of(1) }));
  assert.equal(seal.eSealInfo.property.certListType, 2);
  assert.deepEqual(seal.eSealInfo.property.certList, info.property.certList);
});

test('a seal with a timestamp decodes as v5, whichever way the [0] is tagged', () => {
  const sealInfoDer = encodeSealInfo({ ...sampleInfo(), header: { ID: 'ES', version: 5, Vid: 'X' } });
  const base = [sealInfoDer, derOctetString(cert1), derOid('1.2.156.10197.1.501'), derBitString(Uint8Array.of(9))];
  const token = utf8('tst');
  for (const ts of [derExplicit(0, derBitString(token)), tlv(0x80, Uint8Array.of(0, ...token)), derBitString(token)]) {
    const seal = decodeSeal(derSequence(...base, ts));
    assert.equal(seal.version, 5);
    assert.deepEqual(seal.timeStamp, token);
  }
  assert.equal(decodeSeal(derSequence(...base)).version, 5, 'header version 5 with four elements is v5 too');
});

test('a GM/T 0031-2014 (v1) seal decodes, with the SEQUENCE{SealInfo, cert, alg} its maker signed', () => {
  const utc = (s: string): Uint8Array => tlv(0x17, utf8(s));
  const sealInfo = derSequence(
    derSequence(derIa5('ES'), derInteger(1), derIa5('OLDVENDOR')),
    derIa5('v1-0001'),
    derSequence(derInteger(2), derUtf8('张三'), derSequence(derOctetString(cert1)), utc('140101000000Z'), utc('140101000000Z'), utc('240101000000Z')),
    derSequence(derIa5('GIF'), derOctetString(utf8('GIF89a')), derInteger(20), derInteger(20)),
  );
  const certTlv = derOctetString(cert2);
  const algTlv = derOid('1.2.156.10197.1.501');
  const der = derSequence(sealInfo, derSequence(certTlv, algTlv, derBitString(Uint8Array.of(5, 6))));
  const seal = decodeSeal(der);
  assert.equal(seal.version, 1);
  assert.equal(seal.eSealInfo.property.certListType, 1);
  assert.deepEqual(seal.eSealInfo.property.certList, [cert1]);
  assert.equal(seal.eSealInfo.property.name, '张三');
  assert.equal(seal.eSealInfo.property.validEnd.toISOString(), '2024-01-01T00:00:00.000Z');
  assert.deepEqual(seal.cert, cert2);
  assert.deepEqual(seal.sealInfoDer, sealInfo);
  assert.deepEqual(seal.v1SignedContentDer, derSequence(sealInfo, certTlv, algTlv));
});

test('the real HebeiGede seal (SESealData.DER) decodes', () => {
  const seal = decodeSeal(gmFile('SESealData.DER'));
  assert.equal(seal.version, 4);
  assert.deepEqual(seal.eSealInfo.header, { ID: 'ES', version: 4, Vid: 'Vid HebeiGede' });
  assert.equal(seal.eSealInfo.esID, 'esID130600');
  assert.equal(seal.eSealInfo.property.name, '测试单位名称 合同专用章');
  assert.equal(seal.eSealInfo.property.certListType, 1);
  assert.equal(seal.eSealInfo.property.certList.length, 2);
  assert.equal(seal.eSealInfo.property.validEnd.toISOString(), '2021-04-16T09:45:58.000Z');
  assert.equal(seal.eSealInfo.picture.type, 'GIF');
  assert.deepEqual([...seal.eSealInfo.picture.data.subarray(0, 6)], [...utf8('GIF89a')]);
  assert.deepEqual([seal.eSealInfo.picture.width, seal.eSealInfo.picture.height], [42, 42]);
  assert.deepEqual(seal.eSealInfo.extDatas.map((e) => [e.extnID, e.critical]),
    [['1.2.156.112600.7.1', false], ['1.2.156.112600.7.2', true], ['1.2.156.112600.7.3', false]]);
  assert.equal(seal.signAlgID, '1.2.156.10197.1.501');
  assert.equal(seal.signedValue[0], 0x30);
});

for (const [file, esID, name] of [
  ['v4signed.ofd', '50011200000399', '测试全国统一发票监制章国家税务总局重庆市税务局'],
  ['signedFile.ofd', '32010600000001', '国家税务总局江苏省税务局'],
] as const) {
  test(`the seal inside ${file}'s SignedValue.dat decodes and re-assembles byte for byte`, () => {
    const sig = decodeSesSignature(ofdSignature(file).signedValue);
    const seal = sig.toSign.eseal;
    assert.equal(seal.version, 4);
    assert.equal(seal.eSealInfo.header.Vid, 'GOMAIN');
    assert.equal(seal.eSealInfo.esID, esID);
    assert.equal(seal.eSealInfo.property.name, name);
    assert.equal(seal.eSealInfo.property.type, 3);
    assert.equal(seal.eSealInfo.picture.type, 'ofd');
    assert.deepEqual([seal.eSealInfo.picture.width, seal.eSealInfo.picture.height], [30, 20]);
    assert.deepEqual(decodeSeal(seal.der), seal);
    assert.deepEqual(encodeSeal(seal), seal.der);
  });
}

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifySeal, sealListsCertificate, type SealVerification } from '../../src/core/seal/verify-seal';
import { makeSeal } from '../../src/core/seal/make-seal';
import { decodeSeal, encodeSeal, encodeSealInfo, type SESeal } from '../../src/core/asn1/ses-seal';
import { decodeSesSignature } from '../../src/core/asn1/ses-signature';
import { derBitString, derIa5, derInteger, derOctetString, derOid, derSequence, derUtf8, tlv } from '../../src/core/asn1/der';
import { sm3, sha256 } from '../../src/core/crypto/digest';
import { gmFile, ofdSignature } from '../asn1/support/gm-fixtures';
import { DAY, TestPki, type TestCert } from '../crypto/support/test-pki';

const demoPng = new Uint8Array(fs.readFileSync(path.resolve(__dirname, '../../resources/seals/demo-seal.png')));
const pki = new TestPki('sealdesk-verify-seal-');
after(() => pki.cleanup());
const statusOf = (v: SealVerification): Record<string, string> => Object.fromEntries(v.checks.map((c) => [c.id, c.status]));

describe('the real GB/T 38540 seals from vendor OFD files', () => {
  for (const file of ['v4signed.ofd', 'signedFile.ofd'] as const) {
    test(`${file}: the maker's SM2 signature over the received SES_SealInfo verifies; the unknown root is a warning`, () => {
      const sig = decodeSesSignature(ofdSignature(file).signedValue);
      const at = sig.toSign.timeInfo!;
      const v = verifySeal(sig.toSign.eseal, { trustRoots: [], at });
      assert.deepEqual(statusOf(v), { format: 'ok', 'maker-signature': 'ok', 'maker-chain': 'warning', validity: 'ok' });
      assert.equal(v.verdict, 'warning');
      // Trusting the maker certificate itself (offline trust) makes the seal fully valid at signing time.
      assert.equal(verifySeal(sig.toSign.eseal.der, { trustRoots: [sig.toSign.eseal.cert], at }).verdict, 'valid');
      // The signer of the document is one of the keepers the seal lists.
      assert.equal(sealListsCertificate(sig.toSign.eseal, sig.cert), true);
    });

    test(`${file}: one changed byte in the seal's name breaks the maker signature`, () => {
      const seal = decodeSesSignature(ofdSignature(file).signedValue).toSign.eseal;
      const der = new Uint8Array(seal.der);
      const at = Buffer.from(der).indexOf(Buffer.from('国家税务总局'));
      // The last byte of a 3-byte UTF-8 character: flipping its low bit keeps the text valid UTF-8.
      der[at + 2] ^= 0x01;
      const v = verifySeal(der, { trustRoots: [seal.cert], at: new Date('2021-01-01') });
      assert.equal(statusOf(v).format, 'ok');
      assert.equal(statusOf(v)['maker-signature'], 'failed');
      assert.equal(v.verdict, 'invalid');
    });
  }

  test('SESealData.DER parses but its maker signature does not verify (a known parse-only fixture)', () => {
    const v = verifySeal(gmFile('SESealData.DER'), { trustRoots: [], at: new Date('2020-12-01T00:00:00Z') });
    assert.equal(statusOf(v).format, 'ok');
    assert.equal(statusOf(v)['maker-signature'], 'failed');
    assert.equal(v.checks.find((c) => c.id === 'maker-signature')?.code, 'SEAL_SIGNATURE_INVALID');
  });
});

describe('seals SealDesk makes', () => {
  let root: TestCert;
  let ca: TestCert;
  let maker: TestCert;
  let keeper: TestCert;
  let made: { der: Uint8Array; seal: SESeal };
  let start: Date;
  before(async () => {
    root = pki.root('sm2', 'v-root');
    ca = pki.issue(root, 'sm2', 'v-ca', { ca: true, days: 3650 });
    maker = pki.issue(ca, 'sm2', 'v-maker');
    keeper = pki.issue(root, 'sm2', 'v-keeper');
    start = new Date();
    made = await makeSeal({
      maker: maker.signer(), keeper: { certificate: keeper.der, seals: [] }, trustRoots: [root.der], now: start,
      name: '合同专用章', type: 4, validStart: start, validEnd: new Date(start.getTime() + 30 * DAY), image: { bytes: demoPng }, vendorId: 'SealDesk',
    });
  });

  test('a fresh seal is valid now with its maker chain through an intermediate', () => {
    const v = verifySeal(made.der, { trustRoots: [root.der], intermediates: [ca.der], at: new Date() });
    assert.equal(v.verdict, 'valid', JSON.stringify(v.checks));
    assert.equal(v.makerChain?.chain.length, 3);
  });

  test('without the intermediate the maker is not trusted', () => {
    const v = verifySeal(made.der, { trustRoots: [root.der], at: new Date() });
    assert.equal(statusOf(v)['maker-chain'], 'warning');
  });

  test('after its validity window the seal has expired; before it, it is not yet valid', () => {
    const late = verifySeal(made.der, { trustRoots: [root.der], intermediates: [ca.der], at: new Date(start.getTime() + 31 * DAY) });
    assert.equal(late.verdict, 'invalid');
    assert.equal(late.checks.find((c) => c.id === 'validity')?.code, 'SEAL_EXPIRED');
    const early = verifySeal(made.der, { trustRoots: [root.der], intermediates: [ca.der], at: new Date(start.getTime() - 1000) });
    assert.equal(early.checks.find((c) => c.id === 'validity')?.code, 'SEAL_NOT_YET_VALID');
  });

  test('a seal whose picture was swapped after making fails the maker signature', () => {
    const seal = decodeSeal(made.der);
    const forged = encodeSealInfo({ ...seal.eSealInfo, picture: { ...seal.eSealInfo.picture, data: demoPng.subarray(0, demoPng.length - 1) } });
    const der = encodeSeal({ ...seal, sealInfoDer: forged });
    const v = verifySeal(der, { trustRoots: [root.der], intermediates: [ca.der], at: new Date() });
    assert.equal(v.verdict, 'invalid');
    assert.equal(statusOf(v)['maker-signature'], 'failed');
  });

  test('the keeper is listed, another certificate is not', () => {
    assert.equal(sealListsCertificate(made.seal, keeper.der), true);
    assert.equal(sealListsCertificate(made.seal, maker.der), false);
  });
});

test('garbage is reported as a format failure with the other checks not run', () => {
  const v = verifySeal(new Uint8Array([0x30, 0x03, 1, 2, 3]), { trustRoots: [], at: new Date() });
  assert.equal(v.verdict, 'invalid');
  assert.deepEqual(statusOf(v), { format: 'failed', 'maker-signature': 'not-checked', 'maker-chain': 'not-checked', validity: 'not-checked' });
  assert.equal(v.checks[0]?.code, 'SEAL_MALFORMED');
});

test('a v1 seal verifies whether its maker signed SEQUENCE{SealInfo, cert, alg} or SealInfo alone', async () => {
  const root = pki.root('sm2', 'v1-root');
  const maker = root.signer();
  const utc = (s: string): Uint8Array => tlv(0x17, new TextEncoder().encode(s));
  const sealInfo = derSequence(
    derSequence(derIa5('ES'), derInteger(1), derIa5('OLD')), derIa5('v1'),
    derSequence(derInteger(1), derUtf8('旧章'), derSequence(derOctetString(root.der)), utc('200101000000Z'), utc('200101000000Z'), utc('400101000000Z')),
    derSequence(derIa5('PNG'), derOctetString(demoPng), derInteger(40), derInteger(40)),
  );
  const certTlv = derOctetString(root.der);
  const algTlv = derOid('1.2.156.10197.1.501');
  const at = new Date();
  for (const [signed, label] of [[derSequence(sealInfo, certTlv, algTlv), 'SEQUENCE{SES_SealInfo,cert,alg}'], [sealInfo, 'SES_SealInfo']] as const) {
    const signature = await maker.sign(signed);
    const der = derSequence(sealInfo, derSequence(certTlv, algTlv, derBitString(signature)));
    const v = verifySeal(der, { trustRoots: [root.der], at });
    assert.equal(v.verdict, 'valid', JSON.stringify(v.checks));
    assert.equal(v.signedContent, label);
  }
});

test('a seal that lists certificate digests matches the keeper by SM3 or SHA-256', () => {
  const keeperDer = new TextEncoder().encode('keeper certificate DER');
  const build = (type: string, value: Uint8Array): SESeal => decodeSeal(encodeSeal({
    sealInfoDer: encodeSealInfo({
      header: { ID: 'ES', version: 4, Vid: 'X' }, esID: '1',
      property: { type: 1, name: 'n', certListType: 2, certList: [{ type, value }], createDate: new Date(0), validStart: new Date(0), validEnd: new Date(1e12) },
      picture: { type: 'PNG', data: demoPng, width: 40, height: 40 },
    }),
    cert: new Uint8Array(1), signAlgID: '1.2.156.10197.1.501', signedValue: new Uint8Array(1),
  }));
  assert.equal(sealListsCertificate(build('sm3', sm3(keeperDer)), keeperDer), true);
  assert.equal(sealListsCertificate(build('SHA-256', sha256(keeperDer)), keeperDer), true);
  assert.equal(sealListsCertificate(build('vendor-digest', sm3(keeperDer)), keeperDer), true);
  assert.equal(sealListsCertificate(build('sm3', sha256(keeperDer)), keeperDer), false);
  assert.equal(sealListsCertificate(build('sm3', sm3(keeperDer)), new Uint8Array(3)), false);
});

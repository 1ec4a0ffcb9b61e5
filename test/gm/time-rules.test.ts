import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSesSignature, encodeSesSignature, encodeTbsSign } from '../../src/core/asn1/ses-signature';
import { OID_SM2_WITH_SM3 } from '../../src/core/asn1/oids';
import { sm3 } from '../../src/core/crypto/digest';
import { checkSesSignature } from '../../src/core/ses/ses-checks';
import { makeSeal } from '../../src/core/seal/make-seal';
import { encodeSeal, encodeSealInfo } from '../../src/core/asn1/ses-seal';
import { SEAL_PNG } from '../ofd/support/ofd-files';
import { TestPki, type TestCert } from '../crypto/support/test-pki';

/**
 * The time rules (GM/T 0031-2025, issue 11): the maker certificate is judged at the seal's making
 * time (createDate), the signer certificate at the signing time, and the report says which times
 * were trusted and which only claimed. A maker certificate that expired after the seal was made
 * does not break later stamps; a seal "made" after its maker certificate expired is invalid.
 */
const DAY = 86_400_000;
const ORIGINAL = new TextEncoder().encode('protected bytes');
let pki: TestPki;
let root: TestCert;
let maker: TestCert;
let keeper: TestCert;

before(() => {
  pki = new TestPki('sealdesk-time-rules-');
  root = pki.root('sm2', 'Time Rules Root');
  maker = pki.issue(root, 'sm2', 'Short-lived Maker', { days: 2 });
  keeper = pki.issue(root, 'sm2', 'Keeper', { days: 400 });
});
after(() => pki.cleanup());

/** A seal as another maker might write it: SES_SealInfo with this createDate, signed by the maker's key. */
async function vendorSeal(createDate: Date): Promise<Uint8Array> {
  const sealInfoDer = encodeSealInfo({
    header: { ID: 'ES', version: 4, Vid: 'OtherVendor' }, esID: 'T-1',
    property: { type: 1, name: '时间规则章', certListType: 1, certList: [keeper.der], createDate, validStart: createDate, validEnd: new Date(createDate.getTime() + 300 * DAY) },
    picture: { type: 'PNG', data: SEAL_PNG, width: 40, height: 40 },
  });
  return encodeSeal({ sealInfoDer, cert: maker.der, signAlgID: OID_SM2_WITH_SM3, signedValue: await maker.signer().sign(sealInfoDer, 'sm2-sm3') });
}

async function stampAt(createDate: Date, signingTime: Date, how: 'sealdesk' | 'vendor' = 'sealdesk') {
  const sealDer = how === 'vendor' ? await vendorSeal(createDate) : (await makeSeal({
    maker: maker.signer(), keeper: { certificate: keeper.der, seals: [] }, trustRoots: [root.der], now: createDate,
    name: '时间规则章', type: 1, validStart: createDate, validEnd: new Date(createDate.getTime() + 300 * DAY),
    image: { bytes: SEAL_PNG, widthMm: 40, heightMm: 40 }, vendorId: 'SealDesk',
  })).der;
  const tbsSignDer = encodeTbsSign({ esealDer: sealDer, timeInfo: signingTime, dataHash: sm3(ORIGINAL), propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml' });
  const signature = await keeper.signer().sign(tbsSignDer, 'sm2-sm3');
  const der = encodeSesSignature({ tbsSignDer, cert: keeper.der, signatureAlgID: OID_SM2_WITH_SM3, signature });
  return checkSesSignature(decodeSesSignature(der), ORIGINAL, { trustRoots: [root.der], now: new Date(signingTime.getTime() + DAY) });
}

test('a seal made while its maker certificate was valid still verifies a stamp made after that certificate expired', async () => {
  const created = new Date(Date.now() + 60_000);
  const signed = new Date(Date.now() + 10 * DAY);
  const o = await stampAt(created, signed);
  assert.equal(o.checks.find((c) => c.id === 'seal')?.status, 'ok', JSON.stringify(o.checks));
  assert.equal(o.timeBasis.makerCertificateAt, created.toISOString().replace(/\.\d{3}Z$/, '.000Z'));
  assert.equal(o.timeBasis.signerCertificateAt, signed.toISOString().replace(/\.\d{3}Z$/, '.000Z'));
  assert.deepEqual(o.timeBasis.times.map((t) => [t.what, t.trusted]), [['signing_time', false], ['seal_created', false]]);
  assert.match(o.timeBasis.message.en, /signer certificate was judged at the signing time .* from the time the signer claims .* the maker certificate at the seal's making time/);
});

test('a seal whose createDate falls after its maker certificate expired is invalid', async () => {
  const created = new Date(Date.now() + 5 * DAY);
  const o = await stampAt(created, new Date(Date.now() + 6 * DAY), 'vendor');
  const seal = o.checks.find((c) => c.id === 'seal')!;
  assert.equal(seal.status, 'failed');
  assert.match(seal.message.en, /judged at the seal's making time/);
  assert.equal(o.checks.find((c) => c.id === 'signature')?.status, 'ok');
});

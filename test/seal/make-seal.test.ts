import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeSeal, type MakeSealInput } from '../../src/core/seal/make-seal';
import { verifySeal, sealListsCertificate } from '../../src/core/seal/verify-seal';
import { decodeSeal } from '../../src/core/asn1/ses-seal';
import { DAY, DISTID, TestPki, openssl, type TestCert, type TestKeyKind } from '../crypto/support/test-pki';

const demoPng = new Uint8Array(fs.readFileSync(path.resolve(__dirname, '../../resources/seals/demo-seal.png')));
const pki = new TestPki('sealdesk-make-seal-');
after(() => pki.cleanup());

let root: TestCert;
let keeper: TestCert;
const makers = {} as Record<TestKeyKind, TestCert>;
let strangerRoot: TestCert;
let stranger: TestCert;

before(() => {
  root = pki.root('sm2', 'seal-center-root');
  keeper = pki.issue(root, 'sm2', 'keeper');
  for (const kind of ['sm2', 'rsa', 'ec'] as TestKeyKind[]) makers[kind] = pki.issue(root, kind, `maker-${kind}`);
  strangerRoot = pki.root('sm2', 'unknown-root');
  stranger = pki.issue(strangerRoot, 'sm2', 'keeper-from-unknown-ca');
});

function input(over: Partial<MakeSealInput> = {}): MakeSealInput {
  const now = new Date();
  return {
    maker: makers.sm2.signer(),
    keeper: { certificate: keeper.der, seals: [] },
    trustRoots: [root.der],
    now,
    name: 'SealDesk 演示有限公司',
    type: 1,
    validStart: now,
    validEnd: new Date(now.getTime() + 365 * DAY),
    image: { bytes: demoPng },
    vendorId: 'SealDesk',
    ...over,
  };
}

/** The first element of a DER SEQUENCE, cut out by reading the TLV headers (independent of the decoder). */
function firstElement(der: Uint8Array): Uint8Array {
  const headerLen = (at: number): [number, number] => {
    const b = der[at + 1]!;
    if (b < 0x80) return [2, b];
    const n = b & 0x7f;
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i]!;
    return [2 + n, len];
  };
  const [outerHead] = headerLen(0);
  const [innerHead, innerLen] = headerLen(outerHead);
  return der.subarray(outerHead, outerHead + innerHead + innerLen);
}

describe('the refusals of flow 2, in order', () => {
  test('without the authorization card: 未插制章授权卡,制章失败', async () => {
    await assert.rejects(makeSeal(input({ maker: undefined })), { code: 'MAKER_CARD_MISSING', zh: '未插制章授权卡,制章失败' });
    // The card is checked first, even when everything else is wrong too.
    await assert.rejects(makeSeal(input({ maker: undefined, keeper: { seals: [] }, image: { bytes: new Uint8Array(3) } })), { code: 'MAKER_CARD_MISSING' });
  });

  test('a target key without a certificate: 数字证书不合法或无数字证书,制章失败', async () => {
    await assert.rejects(makeSeal(input({ keeper: { seals: [] } })), { code: 'KEEPER_CERT_INVALID', zh: '数字证书不合法或无数字证书,制章失败' });
  });

  test('a keeper certificate from a CA outside the trust store is refused', async () => {
    await assert.rejects(makeSeal(input({ keeper: { certificate: stranger.der, seals: [] } })), (e: { code: string; zh: string; details: { problems: { code: string }[] } }) => {
      assert.equal(e.code, 'KEEPER_CERT_INVALID');
      assert.equal(e.zh, '数字证书不合法或无数字证书,制章失败');
      assert.equal(e.details.problems[0]?.code, 'CHAIN_UNTRUSTED');
      return true;
    });
  });

  test('a keeper certificate outside its validity is refused', async () => {
    const later = new Date(Date.now() + 1000 * DAY);
    await assert.rejects(makeSeal(input({ now: later, validStart: later, validEnd: new Date(later.getTime() + DAY) })), { code: 'KEEPER_CERT_INVALID' });
    await assert.rejects(makeSeal(input({ keeper: { certificate: new Uint8Array([1, 2, 3]), seals: [] } })), { code: 'KEEPER_CERT_INVALID' });
  });

  test('a keeper certificate only for encryption is refused; one only for non-repudiation is accepted', async () => {
    const encOnly = pki.issue(root, 'sm2', 'keeper-enc-only', { keyUsage: 'critical,keyEncipherment,dataEncipherment' });
    await assert.rejects(makeSeal(input({ keeper: { certificate: encOnly.der, seals: [] } })), { code: 'KEEPER_CERT_INVALID' });
    const nrOnly = pki.issue(root, 'sm2', 'keeper-nr-only', { keyUsage: 'critical,nonRepudiation' });
    const made = await makeSeal(input({ keeper: { certificate: nrOnly.der, seals: [] } }));
    assert.deepEqual(made.seal.eSealInfo.property.certList, [nrOnly.der]);
  });

  test('a key already carrying a seal in use: USBkey正在被某个电子印章使用', async () => {
    const first = await makeSeal(input());
    await assert.rejects(makeSeal(input({ keeper: { certificate: keeper.der, seals: [first.der] } })), { code: 'TOKEN_SEAL_IN_USE', zh: 'USBkey正在被某个电子印章使用' });
    // The certificate is checked before the seals on the key.
    await assert.rejects(makeSeal(input({ keeper: { certificate: stranger.der, seals: [first.der] } })), { code: 'KEEPER_CERT_INVALID' });
  });

  test('an expired seal or an unreadable object on the key does not block a new seal', async () => {
    const now = new Date();
    const old = await makeSeal(input({ validStart: new Date(now.getTime() - 10 * DAY), validEnd: new Date(now.getTime() - DAY) }));
    const made = await makeSeal(input({ keeper: { certificate: keeper.der, seals: [old.der, new Uint8Array([0x30, 0x01])] } }));
    assert.notEqual(made.seal.eSealInfo.esID, old.seal.eSealInfo.esID);
  });

  test('a picture that is not PNG or JPEG is refused and no seal is made', async () => {
    await assert.rejects(makeSeal(input({ image: { bytes: new TextEncoder().encode('%PDF-1.7 not an image') } })), { code: 'SEAL_IMAGE_INVALID' });
  });

  test('a validity that ends before it starts is refused', async () => {
    const now = new Date();
    await assert.rejects(makeSeal(input({ validStart: now, validEnd: new Date(now.getTime() - 1000) })), { code: 'SEAL_INPUT_INVALID' });
  });
});

for (const kind of ['sm2', 'rsa', 'ec'] as TestKeyKind[]) {
  test(`a ${kind.toUpperCase()} maker makes an SESeal v4 that decodes to what was asked and whose maker signature verifies`, async () => {
    const { der, seal } = await makeSeal(input({ maker: makers[kind].signer() }));
    const back = decodeSeal(der);
    assert.deepEqual(back, seal);
    assert.equal(back.version, 4);
    assert.deepEqual(back.eSealInfo.header, { ID: 'ES', version: 4, Vid: 'SealDesk' });
    assert.match(back.eSealInfo.esID, /^\d{20}$/);
    assert.equal(back.eSealInfo.property.name, 'SealDesk 演示有限公司');
    assert.equal(back.eSealInfo.property.certListType, 1);
    assert.deepEqual(back.eSealInfo.property.certList, [keeper.der]);
    assert.deepEqual(back.eSealInfo.picture, { type: 'PNG', data: demoPng, width: 42, height: 42 });
    assert.deepEqual(back.cert, makers[kind].der);
    assert.equal(back.signAlgID, { sm2: '1.2.156.10197.1.501', rsa: '1.2.840.113549.1.1.11', ec: '1.2.840.10045.4.3.2' }[kind]);
    assert.ok(sealListsCertificate(back, keeper.der));
    const v = verifySeal(der, { trustRoots: [root.der], at: new Date() });
    assert.equal(v.verdict, 'valid', JSON.stringify(v.checks));
  });
}

test('OpenSSL verifies the SM2 maker signature over the SES_SealInfo cut out of the seal', async () => {
  const { der, seal } = await makeSeal(input());
  const dir = pki.dir;
  fs.writeFileSync(path.join(dir, 'sealinfo.der'), firstElement(der));
  fs.writeFileSync(path.join(dir, 'seal.sig'), seal.signedValue);
  fs.writeFileSync(path.join(dir, 'maker.pub'), openssl(['x509', '-in', makers.sm2.certPath, '-pubkey', '-noout']));
  const out = openssl(['dgst', '-sm3', '-verify', path.join(dir, 'maker.pub'), '-sigopt', DISTID, '-signature', path.join(dir, 'seal.sig'), path.join(dir, 'sealinfo.der')]);
  assert.match(out.toString(), /Verified OK/);
});

test('two seals made in the same second get different ids', async () => {
  const now = new Date();
  const a = await makeSeal(input({ now }));
  const b = await makeSeal(input({ now }));
  assert.notEqual(a.seal.eSealInfo.esID, b.seal.eSealInfo.esID);
});

test("a maker card whose certificate has expired, or is not for signing, makes no seal (MAKER_CERT_INVALID)", async () => {
  const expiring = pki.issue(root, 'sm2', 'maker-one-day', { days: 1 });
  const later = new Date(Date.now() + 3 * DAY);
  await assert.rejects(makeSeal(input({ maker: expiring.signer(), now: later, validStart: later, validEnd: new Date(later.getTime() + DAY) })), (e: { code: string; zh: string; en: string; details: { reason: string } }) => {
    assert.equal(e.code, 'MAKER_CERT_INVALID');
    assert.equal(e.details.reason, 'expired');
    assert.match(e.zh, /制章人证书无效/);
    assert.match(e.en, /maker's certificate .* invalid/);
    return true;
  });
  // The same card today makes the seal: only the date differs.
  assert.ok((await makeSeal(input({ maker: expiring.signer() }))).der.length > 0);
  const encOnly = pki.issue(root, 'sm2', 'maker-enc-only', { keyUsage: 'critical,keyEncipherment' });
  await assert.rejects(makeSeal(input({ maker: encOnly.signer() })), { code: 'MAKER_CERT_INVALID' });
  await assert.rejects(makeSeal(input({ maker: { ...makers.sm2.signer(), certificate: new Uint8Array([0x30, 0x03, 1, 2, 3]) } })), { code: 'MAKER_CERT_INVALID' });
});

test('a maker card whose key does not match its certificate makes no seal', async () => {
  const wrong = { ...makers.sm2.signer(), certificate: makers.ec.der };
  await assert.rejects(makeSeal(input({ maker: wrong })), { code: 'SEAL_SIGNATURE_FAILED' });
});

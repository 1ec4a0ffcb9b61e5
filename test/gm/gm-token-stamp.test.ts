import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AppContext } from '../../src/core/app/context';
import { stampDocument } from '../../src/core/app/stamping';
import { decodeSesSignature } from '../../src/core/asn1/ses-signature';
import { sm2GenerateKeyPair } from '../../src/core/crypto/sm2';
import { sm2SoftwareSigner } from '../../src/core/crypto/software-signer';
import { SealDeskError } from '../../src/core/errors';
import { withSession, writeSealObject } from '../../src/core/pkcs11';
import { sm2Spki } from '../../src/core/pkcs11/key-encoding';
import { createSm2RootCa, issueSm2Certificate } from '../../src/core/pki/sm2-certificate-authority';
import { makeSeal } from '../../src/core/seal/make-seal';
import { createGmTestToken, type GmTestToken } from '../support/tokens';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { contentsOf, describe, opensslVerifiesWithCert, sealPng, verifyGmSignatures } from './support/gm-world';
import { toPem } from '../../src/core/pki/certificate-authority';

/**
 * Stamping through the app layer (stampDocument: pre-checks, PIN at the last moment, the token's
 * Signer) with the keeper's SM2 key on the native GM token (Sansec profile numbers), which locks
 * itself after 3 wrong PINs here — before SealDesk's own guard (5) would.
 */
const TOKEN_TRIES = 3;
let t: GmTestToken;
let ctx: AppContext;
let makerRoot: Uint8Array;
let input: string;

before(async () => {
  t = await createGmTestToken({ maxPinTries: TOKEN_TRIES, label: 'GM-KEEPER', userPin: '24681357' });
  const home = path.join(t.world.dir, 'home');
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ modules: [t.world.module], vendorProfile: 'sansec', language: 'zh' }));
  ctx = new AppContext({ home, module: t.world.module, env: { SEALDESK_HOME: home } });
  // The seal center: a software SM2 maker under SealDesk's own SM2 CA.
  const ca = createSm2RootCa('CN=GM Seal Center Root,O=SealDesk Test,C=CN');
  const makerKey = sm2GenerateKeyPair();
  const makerCert = issueSm2Certificate(ca, { publicKeySpki: sm2Spki(Buffer.from(makerKey.publicPoint)), subject: 'CN=GM Seal Maker,O=SealDesk Test' });
  makerRoot = ca.certificate;
  const now = new Date();
  const made = await makeSeal({
    maker: sm2SoftwareSigner(makerKey.privateKeyHex, makerCert), keeper: { certificate: t.certificate, seals: [] },
    trustRoots: [ca.certificate, t.caCertificate], now, name: '国密令牌测试专用章', type: 1,
    validStart: new Date(now.getTime() - 86400_000), validEnd: new Date(now.getTime() + 30 * 86400_000),
    image: { bytes: sealPng, widthMm: 40, heightMm: 40 }, vendorId: 'SealDesk',
  });
  await withSession(t.mod, t.token, { readWrite: true }, (s) => writeSealObject(s, { ckaId: t.ckaId, label: 'GM seal', der: made.der }));
  fs.writeFileSync(path.join(t.world.dir, 'maker-root.pem'), toPem(ca.certificate));
  fs.writeFileSync(path.join(t.world.dir, 'keeper-root.pem'), toPem(t.caCertificate));
  ctx.trust.add(path.join(t.world.dir, 'maker-root.pem'));
  ctx.trust.add(path.join(t.world.dir, 'keeper-root.pem'));
  input = await classicPdf(path.join(t.world.dir, 'contract.pdf'), 1);
});
after(() => t?.world.cleanup());

function stamp(output: string, pin: string): ReturnType<typeof stampDocument> {
  return stampDocument(ctx, { input, output, token: 'GM-KEEPER', placement: { kind: 'point', page: 1, x: 300, y: 300 }, askPin: async () => Buffer.from(pin) });
}

test('stamping with the keeper\'s SM2 key on the native GM token gives a GB/T 38540 stamp that verifies, and OpenSSL agrees', async () => {
  const out = path.join(t.world.dir, 'stamped.pdf');
  await stamp(out, '24681357');
  const bytes = fs.readFileSync(out);
  const [r] = verifyGmSignatures(bytes, [makerRoot, t.caCertificate]);
  assert.ok(r);
  assert.equal(r.verdict, 'valid', describe(r));
  assert.equal(r.seal?.name, '国密令牌测试专用章');
  const ses = decodeSesSignature(contentsOf(bytes).der);
  assert.deepEqual(Buffer.from(ses.cert), Buffer.from(t.certificate), 'signed by the token key\'s certificate');
  assert.ok(opensslVerifiesWithCert(t.world.dir, toPem(t.certificate), ses.tbsSignDer, ses.signature), 'OpenSSL verifies the token\'s SM2 signature over TBS_Sign');
});

test('the token\'s own PIN lock shows as PIN_LOCKED when stamping: wrong PINs, then even the right one, and no output file', async () => {
  const codes: string[] = [];
  for (let i = 0; i < TOKEN_TRIES + 1; i++) {
    const out = path.join(t.world.dir, `locked-${i}.pdf`);
    const pin = i < TOKEN_TRIES ? '97531864' : '24681357';
    try {
      await stamp(out, pin);
      codes.push('OK');
    } catch (e) {
      assert.ok(e instanceof SealDeskError, String(e));
      codes.push(e.code === 'PIN_LOCKED' ? `PIN_LOCKED:${String(e.details.reason ?? '')}` : e.code);
      assert.ok(!e.message.includes(pin), 'no PIN in the message');
    }
    assert.ok(!fs.existsSync(out), 'no output file on failure');
  }
  assert.equal(codes.slice(0, TOKEN_TRIES - 1).every((c) => c === 'PIN_INCORRECT'), true, codes.join(','));
  // the token's own counter (3) locks before SealDesk's guard (5) would: the lock reported is the token's
  assert.equal(codes[TOKEN_TRIES - 1], 'PIN_LOCKED:token', codes.join(','));
  assert.equal(codes[TOKEN_TRIES], 'PIN_LOCKED:token', `the right PIN does not open a locked token: ${codes.join(',')}`);
  const log = fs.readFileSync(path.join(ctx.home, 'audit.log'), 'utf8');
  assert.match(log, /PIN_LOCKED/, 'the locked attempts are logged');
  assert.ok(!log.includes('24681357') && !log.includes('97531864'), 'no PIN in the audit log');
});

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDemoWorld, DEMO, type DemoWorld } from '../../src/core/app/demo-world';
import { AppContext } from '../../src/core/app/context';
import { stampDocument } from '../../src/core/app/stamping';
import { makeSealOnToken } from '../../src/core/app/seal-making';
import { selectToken, tokenOverview } from '../../src/core/app/token-overview';
import { generateKeyPair, importCertificate, initToken, PinGuard, withSession, withUserLogin, writeSealObject } from '../../src/core/pkcs11';
import { issueCertificate, loadCa } from '../../src/core/pki/certificate-authority';
import { homePaths } from '../../src/core/config/paths';
import type { SealDeskError } from '../../src/core/errors';

const CONTRACT = path.resolve(__dirname, '../../resources/samples/contract.pdf');
const IMAGE = path.resolve(__dirname, '../../resources/seals/demo-seal.png');
let world: DemoWorld;
let ctx: AppContext;

/** A PIN prompt that records whether it was asked: the pre-checks must refuse before it is. */
function pinSpy(pin: string) {
  const calls: number[] = [];
  return { calls, ask: async () => { calls.push(1); return Buffer.from(pin); } };
}

async function keeperToken(label: string): Promise<string> {
  const ca = await loadCa(
    new Uint8Array(new crypto.X509Certificate(fs.readFileSync(world.rootPem)).raw),
    new Uint8Array(Buffer.from(fs.readFileSync(path.join(world.dir, 'trust/demo-root.key'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64')),
  );
  const token = await initToken(ctx.module(), { label, soPin: Buffer.from(DEMO.soPin), userPin: Buffer.from('222222') });
  const ckaId = crypto.randomBytes(8).toString('hex');
  await withUserLogin(ctx.module(), token, Buffer.from('222222'), async (s) => {
    const spki = generateKeyPair(s, { algorithm: 'EC-P256', ckaId, label });
    importCertificate(s, { ckaId, label, der: await issueCertificate(ca, { publicKeySpki: spki, subject: `CN=${label}` }) });
  }, { home: ctx.home, readWrite: true });
  return ckaId;
}

async function refusedBeforePin(token: string, code: RegExp) {
  const out = path.join(world.dir, `${token}-${Date.now()}.pdf`);
  const spy = pinSpy('222222');
  await assert.rejects(
    stampDocument(ctx, { input: CONTRACT, output: out, token, placement: { kind: 'point', page: 1, x: 200, y: 200 }, askPin: spy.ask }),
    (e: SealDeskError) => code.test(e.code),
  );
  assert.equal(spy.calls.length, 0, 'the PIN must not be asked');
  assert.equal(fs.existsSync(out), false);
  assert.match(String(ctx.audit.entries().at(-1)!.code), code);
}

before(async () => {
  world = await buildDemoWorld(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-precheck-')), 'world'));
  ctx = new AppContext({ home: world.home, module: fs.readFileSync(world.envFile, 'utf8').match(/SEALDESK_PKCS11_MODULE='(.*)'/)![1] });
});

test('a seal whose validity window has ended is refused before the PIN is asked', async () => {
  await keeperToken('EXPIRED-SEAL');
  const t0 = Date.now();
  await makeSealOnToken(ctx, {
    makerToken: DEMO.makerLabel, keeperToken: 'EXPIRED-SEAL', name: '过期印章', type: 4, imagePath: IMAGE,
    now: new Date(t0 - 30 * 60_000), validStart: new Date(t0 - 30 * 60_000), validEnd: new Date(t0 - 60_000),
    askPin: async () => Buffer.from(DEMO.makerPin),
  });
  await refusedBeforePin('EXPIRED-SEAL', /^SEAL_INVALID$/);
});

test('a seal that does not list the keeper certificate is refused before the PIN is asked', async () => {
  const ckaId = await keeperToken('FOREIGN-SEAL');
  const demoSeal = (await tokenOverview(ctx, selectToken(ctx, DEMO.keeperLabel))).seals[0];
  await withSession(ctx.module(), selectToken(ctx, 'FOREIGN-SEAL'), { readWrite: true }, (s) => writeSealObject(s, { ckaId, label: 'copied seal', der: demoSeal.der }));
  await refusedBeforePin('FOREIGN-SEAL', /^SIGNER_NOT_IN_SEAL$/);
});

test('a token whose seal object is damaged is refused before the PIN is asked, saying so', async () => {
  const ckaId = await keeperToken('DAMAGED-SEAL');
  const demoSeal = (await tokenOverview(ctx, selectToken(ctx, DEMO.keeperLabel))).seals[0];
  const broken = Uint8Array.from(demoSeal.der.subarray(0, 200));
  await withSession(ctx.module(), selectToken(ctx, 'DAMAGED-SEAL'), { readWrite: true }, (s) => writeSealObject(s, { ckaId, label: 'damaged seal', der: broken }));
  await refusedBeforePin('DAMAGED-SEAL', /^SEAL_MALFORMED$/);
});

test('a token without any seal is refused before the PIN is asked', async () => {
  await keeperToken('NO-SEAL');
  await refusedBeforePin('NO-SEAL', /^SEAL_NOT_ON_TOKEN$/);
});

test('an output folder that does not exist is refused before the PIN is asked', async () => {
  const spy = pinSpy(DEMO.keeperPin);
  await assert.rejects(
    stampDocument(ctx, { input: CONTRACT, output: path.join(world.dir, 'no-such-dir', 'out.pdf'), token: DEMO.keeperLabel, placement: { kind: 'point', page: 1, x: 200, y: 200 }, askPin: spy.ask }),
    (e: SealDeskError) => e.code === 'OUTPUT_DIR_UNWRITABLE',
  );
  assert.equal(spy.calls.length, 0);
});

test('an audit log that cannot be written refuses the stamp before the PIN is asked', async () => {
  const spy = pinSpy(DEMO.keeperPin);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-nolog-'));
  fs.mkdirSync(path.join(home, 'audit.log'));
  const broken = new AppContext({ home, module: ctx.options.module });
  const out = path.join(world.dir, 'nolog.pdf');
  await assert.rejects(
    stampDocument(broken, { input: CONTRACT, output: out, token: DEMO.keeperLabel, placement: { kind: 'point', page: 1, x: 200, y: 200 }, askPin: spy.ask }),
    (e: SealDeskError) => e.code === 'AUDIT_LOG_UNWRITABLE',
  );
  assert.equal(spy.calls.length, 0);
  assert.equal(fs.existsSync(out), false);
});

test('stamping every 盖章处 asks for the PIN once and signs each occurrence', async () => {
  const out = path.join(world.dir, 'every.pdf');
  const spy = pinSpy(DEMO.keeperPin);
  const r = await stampDocument(ctx, { input: CONTRACT, output: out, token: DEMO.keeperLabel, placement: { kind: 'keyword', text: DEMO.keyword, occurrence: 'all' }, askPin: spy.ask });
  assert.equal(r.stamps.length, 2);
  assert.equal(spy.calls.length, 1);
});

test('a key the PIN guard has locked is refused before the PIN is asked', async () => {
  const guard = new PinGuard(homePaths(ctx.home).pinGuardDir);
  const serial = selectToken(ctx, DEMO.keeperLabel).serial;
  for (let i = 0; i < 5; i++) guard.recordFailure(serial);
  assert.equal((await tokenOverview(ctx, selectToken(ctx, DEMO.keeperLabel))).pin.locked, true);
  await refusedBeforePin(DEMO.keeperLabel, /^PIN_LOCKED$/);
});

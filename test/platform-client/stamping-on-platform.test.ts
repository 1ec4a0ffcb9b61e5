import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import crypto from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { verifyDocument, verifyDocumentWithStatus } from '../../src/core/app/verification';
import { syncSealCatalog } from '../../src/core/platform-client/seal-catalog-sync';
import { parseCms } from '../../src/core/cms/parse-cms';
import type { SealDeskError } from '../../src/core/errors';
import { openPdf } from '../../src/core/pdf/document';
import { checkPermit, parsePermitBytes } from '../../src/core/platform-client/permit';
import type { PlatformSettings } from '../../src/core/platform-client/platform-settings';
import type { Check, VerificationReport } from '../../src/api/verification-report';
import { platformKeyId } from '../../src/platform/client-verify';
import { BACKENDS, createPlatformWorld, PASSWORDS, type PlatformWorld } from '../platform/support/platform-world';
import { createTestToken } from '../support/tokens';
import { fileSealApplication, makeSealForApplication } from '../../src/core/platform-client/seal-application';
import { postgresAvailable } from '../support/postgres';
import { CONTRACT, configure, dataDir, keeperWithSeal, pinSpy, stamp, stateEvent } from './support';


const statusOf = (r: VerificationReport): Check => r.signatures[0]!.checks.find((c) => c.id === 'seal_status')!;
const permitIn = (file: string) => {
  const f = openPdf(new Uint8Array(fs.readFileSync(file))).signatureFields().find((x) => x.value)!;
  const cms = parseCms(f.value!.contents);
  return { envelope: parsePermitBytes(cms.permit!), certificate: cms.signerCertificate! };
};
/** A port where nothing listens. */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** The seal platform on SQLite and on PostgreSQL, with SoftHSM2 USB-Keys; the client stamps and verifies through it. */
for (const backend of BACKENDS) {
  describe(`the client with the seal platform on ${backend}`, { timeout: 600_000, skip: backend === 'postgres' && !postgresAvailable() ? 'PostgreSQL 15 is not installed' : false }, () => {
    let w: PlatformWorld;
    let settings: PlatformSettings;
    let out: string;
    before(async () => {
      w = await createPlatformWorld(backend);
      settings = await configure(w);
      out = path.join(w.hsm.dir, 'out');
      fs.mkdirSync(out);
    });
    after(async () => { await w?.close(); });

    describe('without a seal platform', () => {
      test('a stamp and its verification say that no seal platform is configured, and SealDesk works offline', async () => {
        const ctx = dataDir(w, 'offline-home');
        const k = await keeperWithSeal(w, 'KEEPER-OFFLINE');
        // A PDF's claimed time has whole seconds: let it be clearly after the registration.
        await new Promise((r) => setTimeout(r, 1100));
        const file = path.join(out, 'offline.pdf');
        const r = await stamp(ctx, k.token, file, pinSpy(k.token.userPin).ask);
        assert.deepEqual(r.platform.note, { zh: '未配置电子印章管理平台,未核验印章状态', en: 'no seal platform configured; seal status not checked' });
        const report = await verifyDocumentWithStatus(ctx, file);
        assert.equal(statusOf(report).status, 'not_checked');
        assert.equal(statusOf(report).message.zh, '未配置电子印章管理平台,未核验印章状态');
        assert.equal(report.verdict, 'valid', 'offline verification keeps its verdict');
        // The same stamp read by a client that has the platform: the seal was in use, but the stamp has no permit.
        const online = statusOf(await verifyDocumentWithStatus(dataDir(w, 'online-reader', settings), file));
        assert.equal(online.status, 'warning', JSON.stringify(online));
        assert.match(online.message.en, /in use at the signing time .*; the stamp carries no stamping permit/);
        assert.match(online.message.zh, /该签章中没有用印许可/);
      });
    });

    describe('stamping with a seal platform configured', () => {
      test('a valid stamp carries a permit for this seal, signer and document that verifies, and its record is in the log', async () => {
        const ctx = dataDir(w, 'home-ok', settings);
        const k = await keeperWithSeal(w, 'KEEPER-OK');
        const file = path.join(out, 'ok.pdf');
        const spy = pinSpy(k.token.userPin);
        const r = await stamp(ctx, k.token, file, spy.ask);
        assert.equal(spy.calls.length, 1);
        assert.equal(r.platform.checked, true);
        assert.ok(r.platform.receipt, JSON.stringify(r.platform));
        assert.equal(r.platform.recordQueued, false);

        const { envelope, certificate } = permitIn(file);
        const documentDigest = { alg: 'sha256' as const, hex: crypto.createHash('sha256').update(fs.readFileSync(CONTRACT)).digest('hex') };
        const permit = checkPermit(envelope, settings, { esID: k.esID, certificate, documentDigest });
        assert.equal(permit.permitId, r.platform.permitId);
        assert.equal(permit.state, 'in_use');

        const logged = ctx.audit.entries().find((e) => e.action === 'platform.record' && e.outcome === 'ok');
        assert.ok(logged, 'the receipt is kept in the local audit log');
        assert.equal(JSON.parse(logged.detail!).logIndex, r.platform.receipt.logIndex);

        const report = await verifyDocumentWithStatus(ctx, file);
        assert.equal(statusOf(report).status, 'ok', JSON.stringify(statusOf(report)));
        assert.equal(report.verdict, 'valid');
        assert.match(statusOf(report).message.en, /in use at the signing time \(permit's time/);

        // The platform down when verifying: the permit's offline answer, labelled "as of" its time.
        const down = dataDir(w, 'home-down-verify', { ...settings, url: `https://127.0.0.1:${await deadPort()}` });
        const offline = statusOf(await verifyDocumentWithStatus(down, file));
        assert.equal(offline.status, 'warning');
        assert.match(offline.message.en, new RegExp(`^Offline: as of ${permit.producedAt.replace(/\./g, '\\.')} the seal platform said the seal was in use`));
        assert.match(offline.message.zh, /无法连接电子印章管理平台,请检查系统设置/);
      });

      test('a permit for another document or from another key is refused', async () => {
        const ctx = dataDir(w, 'home-permit', settings);
        const k = await keeperWithSeal(w, 'KEEPER-PERMIT');
        const file = path.join(out, 'permit.pdf');
        await stamp(ctx, k.token, file, pinSpy(k.token.userPin).ask);
        const { envelope, certificate } = permitIn(file);
        assert.throws(() => checkPermit(envelope, settings, { esID: k.esID, certificate, documentDigest: { alg: 'sha256', hex: '0'.repeat(64) } }),
          (e: SealDeskError) => e.code === 'PERMIT_WRONG_DOCUMENT');
        assert.throws(() => checkPermit(envelope, settings, { esID: 'OTHER-SEAL', certificate }), (e: SealDeskError) => e.code === 'PERMIT_WRONG_SEAL');
        // The same permit text signed by a key that is not the platform's.
        const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const spki = other.publicKey.export({ type: 'spki', format: 'der' });
        const payload = (envelope as { payload: string }).payload;
        const forged = { payload, signature: { keyId: platformKeyId(spki), alg: 'ecdsa-p256-sha256', value: crypto.sign('sha256', Buffer.from(payload), other.privateKey).toString('base64') } };
        assert.throws(() => checkPermit(forged, settings, { esID: k.esID, certificate }), (e: SealDeskError) => e.code === 'PERMIT_UNKNOWN_KEY');
        // A verifier that trusts another key set refuses the stamp's permit.
        const otherKeys = { ...settings, keys: [{ keyId: platformKeyId(spki), alg: 'ecdsa-p256-sha256' as const, spki: spki.toString('base64') }] };
        const elsewhere = dataDir(w, 'home-other-keys', otherKeys);
        const st = statusOf(await verifyDocumentWithStatus(elsewhere, file));
        assert.equal(st.status, 'failed');
        assert.match(st.message.en, /permit is not valid/);
      });

      for (const [action, code, zh] of [['suspend', 'SEAL_SUSPENDED', '印章已暂停使用'], ['lost', 'SEAL_LOST', '印章已挂失'], ['cancel', 'SEAL_CANCELLED', '印章已注销']] as const) {
        test(`a ${action} seal is refused before the PIN is asked, with the reason, logged, and no file`, async () => {
          const ctx = dataDir(w, `home-${action}`, settings);
          const k = await keeperWithSeal(w, `KEEPER-${action.toUpperCase()}`);
          await stateEvent(w, k.esID, { action, reason: `测试${action}` });
          const file = path.join(out, `${action}.pdf`);
          const spy = pinSpy(k.token.userPin);
          await assert.rejects(stamp(ctx, k.token, file, spy.ask), (e: SealDeskError) => e.code === code && e.zh.startsWith(zh) && e.zh.includes(`测试${action}`));
          assert.equal(spy.calls.length, 0, 'the PIN is not asked');
          assert.equal(fs.existsSync(file), false);
          assert.equal(ctx.audit.entries().at(-1)!.code, code);
          const state = { suspend: 'suspended', lost: 'lost', cancel: 'cancelled' }[action];
          assert.ok(w.logLines.some((l) => l.includes('"event":"status_answered"') && l.includes(`"esID":"${k.esID}"`) && l.includes(`"state":"${state}"`)), 'the platform logged the answer the client refused on');
        });
      }

      test('申请 → 审批 → 制章 → 签章 → 验章 in the core: the application approved on the platform becomes a registered seal that stamps with a permit', async () => {
        const ctx = dataDir(w, 'home-flow', settings);
        const keeper = await createTestToken({ world: w.hsm, label: 'KEEPER-FLOW', ca: w.maker.token.ca });
        // A maker's card of its own: the world's MAKER-CARD is held open by this process for its helpers.
        const card = await createTestToken({ world: w.hsm, label: 'MAKER-CARD-FLOW', ca: w.maker.token.ca, subject: 'CN=制章中心二,O=SealDesk Test' });
        const now = Date.now();
        const filed = await fileSealApplication(ctx, { user: 'applicant', password: Buffer.from(PASSWORDS.applicant!) }, {
          sealName: '合同专用章(流程)', kind: '04', keeperName: '李四', keeperToken: 'KEEPER-FLOW', impressionPng: w.impression(21), widthMm: 40, heightMm: 40,
          validFrom: new Date(now - 60_000), validTo: new Date(now + 365 * 86400_000),
        });
        assert.equal(filed.state, 'pending');
        const makeIt = () => makeSealForApplication(ctx, { applicationId: filed.id, makerToken: 'MAKER-CARD-FLOW', keeperToken: 'KEEPER-FLOW', account: { user: 'maker', password: Buffer.from(PASSWORDS.maker!) }, askPin: async () => card.pin() });
        await assert.rejects(makeIt(), (e: SealDeskError) => e.code === 'APPLICATION_NOT_APPROVED');
        const approver = await w.as('approver');
        assert.equal((await approver.call('decision', { params: { id: filed.id }, body: { decision: 'approve', reason: '同意' } })).status, 200);
        const made = await makeIt();
        assert.equal(made.registered.state, 'in_use');
        assert.equal(made.registered.applicationId, filed.id);
        await assert.rejects(makeIt(), (e: SealDeskError) => e.code === 'APPLICATION_USED');
        await new Promise((r) => setTimeout(r, 1100));
        const file = path.join(out, 'flow.pdf');
        const r = await stamp(ctx, keeper, file, pinSpy(keeper.userPin).ask);
        assert.ok(r.platform.receipt);
        const report = await verifyDocumentWithStatus(ctx, file);
        assert.equal(report.verdict, 'valid', JSON.stringify(report.signatures[0]!.checks));
        assert.equal(statusOf(report).status, 'ok');
        assert.equal(report.signatures[0]!.seal?.esID, made.esID);
      });

      test('the registered seals fetched from the platform name a seal picture pasted into a page that holds no signature', async () => {
        const ctx = dataDir(w, 'home-catalog', settings);
        const png = fs.readFileSync(path.resolve(__dirname, '../fixtures/pdf/seal-red.png'));
        const k = await keeperWithSeal(w, 'KEEPER-CATALOG', { png });
        const d = await PDFDocument.create();
        d.addPage([595, 842]).drawImage(await d.embedPng(png), { x: 400, y: 80, width: 120, height: 120 });
        const file = path.join(out, 'pasted.pdf');
        fs.writeFileSync(file, await d.save());
        const copiedOf = (r: VerificationReport) => r.warnings.find((x) => x.id === 'copied_seal_image')?.copiedSeal;
        assert.notEqual(copiedOf(verifyDocument(ctx, file))?.match, 'known_seal', 'not named before the catalog knows it');
        const synced = await syncSealCatalog(ctx, { user: 'auditor', password: Buffer.from(PASSWORDS.auditor!) });
        assert.ok(synced.written.includes(k.esID), JSON.stringify(synced));
        assert.deepEqual(synced.refused, []);
        const named = copiedOf(verifyDocument(ctx, file));
        assert.equal(named?.match, 'known_seal');
        assert.equal(named?.esID, k.esID);
      });

      test('verifying stamps made offline: one made while the seal was suspended is invalid, one with a seal the platform does not know is a warning', async () => {
        const offline = dataDir(w, 'home-offline-stamps');
        const reader = dataDir(w, 'home-offline-reader', settings);
        const suspended = await keeperWithSeal(w, 'KEEPER-SUSPENDED-OFFLINE');
        await stateEvent(w, suspended.esID, { action: 'suspend', reason: '暂停' });
        const unknown = await keeperWithSeal(w, 'KEEPER-UNKNOWN-OFFLINE', { register: false });
        await new Promise((r) => setTimeout(r, 1100));
        for (const [k, name, status, pattern] of [
          [suspended, 'offline-suspended.pdf', 'failed', /suspended at the signing time/],
          [unknown, 'offline-unknown.pdf', 'warning', /unknown to the seal platform/],
        ] as const) {
          const file = path.join(out, name);
          await stamp(offline, k.token, file, pinSpy(k.token.userPin).ask);
          const report = await verifyDocumentWithStatus(reader, file);
          assert.equal(statusOf(report).status, status, JSON.stringify(statusOf(report)));
          assert.match(statusOf(report).message.en, pattern);
          assert.equal(report.verdict, status === 'failed' ? 'invalid' : 'warning');
        }
      });

      test('a seal not registered on this platform, and one past its validity, are refused before the PIN, with the reason, and no file', async () => {
        const ctx = dataDir(w, 'home-unregistered', settings);
        const day = 86400_000;
        for (const [label, o, code, zh] of [
          ['KEEPER-UNREG', { register: false }, 'SEAL_NOT_REGISTERED', '印章未在电子印章管理平台备案'],
          ['KEEPER-EXPIRED', { validStart: new Date(Date.now() - 3 * day), validEnd: new Date(Date.now() - day) }, 'SEAL_EXPIRED', '印章已过有效期'],
        ] as const) {
          const k = await keeperWithSeal(w, label, o);
          const file = path.join(out, `${label}.pdf`);
          const spy = pinSpy(k.token.userPin);
          await assert.rejects(stamp(ctx, k.token, file, spy.ask), (e: SealDeskError) => e.code === code && e.zh.startsWith(zh));
          assert.equal(spy.calls.length, 0, 'the PIN is not asked');
          assert.equal(fs.existsSync(file), false);
          assert.equal(ctx.audit.entries().at(-1)!.code, code);
        }
      });

      test('挂失 with a loss time in the past: a stamp made before stays valid (with a note), one made after is invalid, a new one is refused', async () => {
        const ctx = dataDir(w, 'home-lost-later', settings);
        const k = await keeperWithSeal(w, 'KEEPER-LOSTLATER');
        const before = path.join(out, 'before-loss.pdf');
        const afterLoss = path.join(out, 'after-loss.pdf');
        await stamp(ctx, k.token, before, pinSpy(k.token.userPin).ask);
        await new Promise((r) => setTimeout(r, 1200));
        const lossTime = new Date();
        await new Promise((r) => setTimeout(r, 1200));
        await stamp(ctx, k.token, afterLoss, pinSpy(k.token.userPin).ask);
        await stateEvent(w, k.esID, { action: 'lost', effectiveAt: lossTime.toISOString(), reason: 'USB-Key 遗失' });

        const early = await verifyDocumentWithStatus(ctx, before);
        assert.equal(statusOf(early).status, 'ok', JSON.stringify(statusOf(early)));
        assert.match(statusOf(early).message.en, /reported lost from .* after the signing time/);
        const late = await verifyDocumentWithStatus(ctx, afterLoss);
        assert.equal(statusOf(late).status, 'failed');
        assert.match(statusOf(late).message.zh, /^印章已挂失/);
        assert.equal(late.verdict, 'invalid');
        const spy = pinSpy(k.token.userPin);
        await assert.rejects(stamp(ctx, k.token, path.join(out, 'new.pdf'), spy.ask), (e: SealDeskError) => e.code === 'SEAL_LOST');
        assert.equal(spy.calls.length, 0);
      });

      test('the platform down during stamping (nothing listening, or no answer in time): refused with the settings hint, no PIN, no file', async () => {
        const k = await keeperWithSeal(w, 'KEEPER-DOWN');
        // Accepts the connection and never answers (not even the TLS handshake).
        const held = new Set<net.Socket>();
        const silent = net.createServer((sock) => { held.add(sock); sock.on('error', () => undefined); });
        await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
        try {
          for (const [name, url] of [['refused', `https://127.0.0.1:${await deadPort()}`], ['silent', `https://127.0.0.1:${(silent.address() as net.AddressInfo).port}`]] as const) {
            const ctx = dataDir(w, `home-down-${name}`, { ...settings, url, timeoutMs: 800 });
            const file = path.join(out, `down-${name}.pdf`);
            const spy = pinSpy(k.token.userPin);
            await assert.rejects(stamp(ctx, k.token, file, spy.ask), (e: SealDeskError) => e.code === 'PLATFORM_UNREACHABLE' && e.zh.startsWith('无法连接电子印章管理平台,请检查系统设置'));
            assert.equal(spy.calls.length, 0);
            assert.equal(fs.existsSync(file), false);
          }
        } finally {
          for (const sock of held) sock.destroy();
          await new Promise((r) => silent.close(r));
        }
      });
    });
  });
}

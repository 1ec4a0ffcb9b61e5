import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { verifyDocumentWithStatus } from '../../src/core/app/verification';
import type { SealDeskError } from '../../src/core/errors';
import { queuedRecordLines, queuedRecords } from '../../src/core/platform-client/stamping-records';
import { fetchPlatformSettings } from '../../src/core/platform-client/trust-bundle';
import type { PlatformSettings } from '../../src/core/platform-client/platform-settings';
import type { Check, VerificationReport } from '../../src/api/verification-report';
import type { PermitPayload, RecordView, SignedEnvelope } from '../../src/platform/api/contract';
import { platformKeyId } from '../../src/platform/client-verify';
import { BACKENDS, createPlatformWorld, type PlatformWorld } from '../platform/support/platform-world';
import { postgresAvailable } from '../support/postgres';
import { cli } from '../platform/support/cli';
import { anotherDocument, configure, dataDir, keeperWithSeal, pinSpy, pointAt, sha256Of, stamp } from './support';
import { startPlatformProxy, type PlatformProxy } from './platform-proxy';

const statusOf = (r: VerificationReport): Check => r.signatures[0]!.checks.find((c) => c.id === 'seal_status')!;
const isPost = (url: string, p: string) => url.split('?')[0] === `/api/v1${p}`;

for (const backend of BACKENDS) {
  describe(`the client against a misbehaving or strict platform (${backend})`, { timeout: 600_000, skip: backend === 'postgres' && !postgresAvailable() ? 'PostgreSQL 15 is not installed' : false }, () => {
    let w: PlatformWorld;
    let settings: PlatformSettings;
    let proxy: PlatformProxy;
    let out: string;
    before(async () => {
      w = await createPlatformWorld(backend);
      settings = await configure(w);
      proxy = await startPlatformProxy(w);
      out = path.join(w.hsm.dir, 'out');
      fs.mkdirSync(out);
    });
    after(async () => {
      await proxy?.close();
      await w?.close();
    });

    test('platform use pins the TLS root: a platform whose certificate does not chain to the given root is refused with the settings hint', async () => {
      const other = fs.readFileSync(path.join(w.hsm.dir, 'ca.pem'), 'utf8'); // a real CA, not the platform's TLS root
      await assert.rejects(fetchPlatformSettings(w.running.url, other, { timeoutMs: 3000 }),
        (e: SealDeskError) => e.code === 'PLATFORM_UNREACHABLE' && e.zh.startsWith('无法连接电子印章管理平台,请检查系统设置'));
      await assert.rejects(fetchPlatformSettings(w.running.url.replace('https:', 'http:'), w.rootPem), (e: SealDeskError) => e.code === 'PLATFORM_URL_INVALID');
    });

    test('where the unit requires 用印审批, a stamp without an approved use is refused ("用印未经审批"), and one with it carries the approval', async () => {
      const ctx = dataDir(w, 'home-approval', settings);
      const k = await keeperWithSeal(w, 'KEEPER-STRICT', { applicant: 'applicant2', approver: 'approver2' });
      const file = path.join(out, 'unapproved.pdf');
      await assert.rejects(stamp(ctx, k.token, file, pinSpy(k.token.userPin).ask), (e: SealDeskError) => e.code === 'USE_APPROVAL_REQUIRED' && e.zh.startsWith('用印未经审批'));
      assert.equal(fs.existsSync(file), false);
      assert.equal(ctx.audit.entries().at(-1)!.code, 'USE_APPROVAL_REQUIRED');

      const approver = await w.as('approver2');
      const input = anotherDocument(out, 'approved-input.pdf');
      const a = await approver.call('useApprovalCreate', { body: { esID: k.esID, scope: { kind: 'document', documentDigest: sha256Of(input) }, reason: '合同已审' } });
      assert.equal(a.status, 201, a.text);
      const ok = path.join(out, 'approved.pdf');
      const r = await stamp(ctx, k.token, ok, pinSpy(k.token.userPin).ask, input);
      assert.ok(r.platform.receipt);
      const report = await verifyDocumentWithStatus(ctx, ok);
      assert.equal(statusOf(report).status, 'ok', JSON.stringify(statusOf(report)));
      // The approval covers that document only: the contract itself is still refused.
      await assert.rejects(stamp(ctx, k.token, path.join(out, 'unapproved-2.pdf'), pinSpy(k.token.userPin).ask), (e: SealDeskError) => e.code === 'USE_APPROVAL_REQUIRED');
    });

    test('a stamping record that cannot be sent is queued, listed by `log show`, and sent with the next stamp; none is lost', async () => {
      const ctx = dataDir(w, 'home-queue', settings);
      pointAt(ctx, settings, proxy.url);
      const k = await keeperWithSeal(w, 'KEEPER-QUEUE');
      proxy.decide = (r) => (r.method === 'POST' && isPost(r.url, '/records/stamping') ? 'cut' : 'forward');
      const first = path.join(out, 'queued.pdf');
      const r1 = await stamp(ctx, k.token, first, pinSpy(k.token.userPin).ask);
      assert.ok(fs.existsSync(first), 'the stamp is made and saved');
      assert.equal(r1.platform.recordQueued, true);
      assert.equal(r1.platform.receipt, undefined);
      const waiting = queuedRecords(ctx.home);
      assert.deepEqual(waiting.map((q) => q.permitId), [r1.platform.permitId]);
      const shown = cli(['log', 'show'], { env: { SEALDESK_HOME: ctx.home } });
      assert.equal(shown.status, 0, shown.stderr);
      assert.match(shown.stdout, /stamping records waiting to be sent to the seal platform: 1/);
      assert.match(shown.stdout, new RegExp(`permit ${r1.platform.permitId}  esID ${k.esID}`));
      assert.deepEqual(queuedRecordLines(ctx.home).length, 3);

      proxy.decide = () => 'forward';
      const r2 = await stamp(ctx, k.token, path.join(out, 'after-queue.pdf'), pinSpy(k.token.userPin).ask);
      assert.ok(r2.platform.receipt);
      assert.deepEqual(queuedRecords(ctx.home), [], 'the queue is empty once the platform acknowledged');
      assert.equal(cli(['log', 'show'], { env: { SEALDESK_HOME: ctx.home } }).stdout.includes('waiting to be sent'), false);
      const auditor = await w.as('auditor');
      const records = (await auditor.call<{ records: RecordView[] }>('records', { query: { kind: 'stamping', esID: k.esID } })).body.records;
      assert.deepEqual(records.map((x) => x.body.permitId).sort(), [r1.platform.permitId, r2.platform.permitId].sort());
      const sent = ctx.audit.entries().filter((e) => e.action === 'platform.record' && e.outcome === 'ok');
      assert.equal(sent.length, 2, 'both receipts are kept in the local audit log');
    });

    test('a replayed permit, one for another document, and one signed by another key are refused: nothing is stamped', async () => {
      const ctx = dataDir(w, 'home-replay', settings);
      pointAt(ctx, settings, proxy.url);
      const k = await keeperWithSeal(w, 'KEEPER-REPLAY');
      proxy.decide = () => 'forward';
      await stamp(ctx, k.token, path.join(out, 'replay-source.pdf'), pinSpy(k.token.userPin).ask);
      const old = proxy.seen.filter((s) => isPost(s.req.url, '/permits') && s.status === 200).at(-1)!;
      const other = anotherDocument(out, 'replay-input.pdf');

      // The same answer again (its nonce is the earlier request's; its digest is the contract's).
      proxy.decide = (r) => (isPost(r.url, '/permits') ? { status: 200, body: old.body } : 'forward');
      for (const [input, name] of [[undefined, 'replayed.pdf'], [other, 'other-document.pdf']] as const) {
        const file = path.join(out, name);
        await assert.rejects(stamp(ctx, k.token, file, pinSpy(k.token.userPin).ask, input), (e: SealDeskError) => e.code.startsWith('PERMIT_') || e.code.startsWith('ENVELOPE_'));
        assert.equal(fs.existsSync(file), false);
      }
      // A fresh permit for this request, re-signed with a key that is not the platform's.
      const forger = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const spki = forger.publicKey.export({ type: 'spki', format: 'der' });
      proxy.decide = (r) => {
        if (!isPost(r.url, '/permits')) return 'forward';
        const asked = JSON.parse(r.body) as { esID: string; documentDigest: PermitPayload['documentDigest']; nonce: string };
        const p = { ...(JSON.parse((JSON.parse(old.body) as SignedEnvelope).payload) as PermitPayload), nonce: asked.nonce, documentDigest: asked.documentDigest, producedAt: new Date().toISOString() };
        const payload = JSON.stringify(p);
        return { status: 200, body: JSON.stringify({ payload, signature: { keyId: platformKeyId(spki), alg: 'ecdsa-p256-sha256', value: crypto.sign('sha256', Buffer.from(payload), forger.privateKey).toString('base64') } }) };
      };
      const forged = path.join(out, 'forged.pdf');
      await assert.rejects(stamp(ctx, k.token, forged, pinSpy(k.token.userPin).ask), (e: SealDeskError) => e.code === 'PERMIT_UNKNOWN_KEY');
      assert.equal(fs.existsSync(forged), false);
      proxy.decide = () => 'forward';
    });

    if (backend === 'sqlite') {
      test('a rolled-back log (an old copy of the database restored) is reported loudly: verification fails the status check and stamping is refused', async () => {
        const ctx = dataDir(w, 'home-rollback', settings);
        const k = await keeperWithSeal(w, 'KEEPER-ROLLBACK');
        const backup = path.join(w.hsm.dir, 'platform-backup.db');
        const live = path.join(w.dir, 'platform.db');
        // The administrator's backup, taken online.
        const db = new Database(live, { readonly: true });
        try { await db.backup(backup); } finally { db.close(); }
        const file = path.join(out, 'before-rollback.pdf');
        await stamp(ctx, k.token, file, pinSpy(k.token.userPin).ask);
        assert.equal(statusOf(await verifyDocumentWithStatus(ctx, file)).status, 'ok');

        await w.running.close();
        for (const f of ['', '-wal', '-shm']) fs.rmSync(live + f, { force: true });
        fs.copyFileSync(backup, live);
        await w.restart();
        pointAt(ctx, settings, w.running.url);

        const st = statusOf(await verifyDocumentWithStatus(ctx, file));
        assert.equal(st.status, 'failed');
        assert.match(st.message.zh, /^警告:电子印章管理平台的日志已回退/);
        assert.match(st.message.en, /rolled back.*not trusted/);
        const spy = pinSpy(k.token.userPin);
        const refused = path.join(out, 'after-rollback.pdf');
        await assert.rejects(stamp(ctx, k.token, refused, spy.ask), (e: SealDeskError) => e.code === 'LOG_ROLLED_BACK');
        assert.equal(spy.calls.length, 0);
        assert.equal(fs.existsSync(refused), false);

        // The restored log grows past the size seen: now it shows another history for the entries seen.
        const applicant = await w.as('applicant');
        for (let i = 0; i < 12; i++) {
          const r = await applicant.call('applicationCreate', { body: {
            sealName: `填充-${i}`, kind: '04', keeper: { name: 'x' }, impression: { png: Buffer.from(w.impression(i + 3)).toString('base64'), widthMm: 40, heightMm: 40 },
            validFrom: new Date().toISOString(), validTo: new Date(Date.now() + 86400_000).toISOString(),
          } });
          assert.equal(r.status, 201, r.text);
        }
        const forked = statusOf(await verifyDocumentWithStatus(ctx, file));
        assert.equal(forked.status, 'failed');
        assert.match(forked.message.en, /does not extend the one seen before|forked/);
      });
    }
  });
}

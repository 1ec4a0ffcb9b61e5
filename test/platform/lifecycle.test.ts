import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { ApplicationView, SealView, StatusPayload } from '../../src/platform/api/contract';
import { verifyEnvelope } from '../../src/platform/client-verify';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { BACKENDS, createPlatformWorld, sealInUse, type Keeper, type PlatformWorld } from './support/platform-world';

let pg: TestPostgres;
before(async () => { pg = await startPostgres(); });
after(() => pg?.cleanup());

for (const backend of BACKENDS) {
  describe(`seal lifecycle on ${backend}`, () => {
    let w: PlatformWorld;
    let keeper: Keeper;
    before(async () => {
      w = await createPlatformWorld(backend, { pg });
      keeper = await w.newKeeper('KEEPER-A');
    });
    after(async () => { await w?.close(); });

    const fileApplication = async (user = 'applicant', keeperCert?: Uint8Array, name = '合同专用章') => {
      const c = await w.as(user);
      const now = Date.now();
      return c.call<ApplicationView>('applicationCreate', { body: {
        sealName: name, kind: '04', keeper: { name: '张三', ...(keeperCert ? { certificate: Buffer.from(keeperCert).toString('base64') } : {}) },
        impression: { png: Buffer.from(w.impression(7)).toString('base64'), widthMm: 40, heightMm: 40 },
        validFrom: new Date(now - 86400_000).toISOString(), validTo: new Date(now + 86400_000 * 365).toISOString(),
      } });
    };

    test('an application is filed, approved by an approver and a seal registered against it is in use', async () => {
      const filed = await fileApplication();
      assert.equal(filed.status, 201, filed.text);
      assert.equal(filed.body.state, 'pending');
      const approver = await w.as('approver');
      const decided = await approver.call<ApplicationView>('decision', { params: { id: filed.body.id }, body: { decision: 'approve', reason: '同意刻制' } });
      assert.equal(decided.status, 200, decided.text);
      assert.equal(decided.body.state, 'approved');
      assert.equal(decided.body.decision?.actor, 'approver');
      const der = await w.makeSealDer({ name: '合同专用章', kind: '04', keeper, png: w.impression(7) });
      const maker = await w.as('maker');
      const reg = await maker.call<SealView>('sealRegister', { body: { applicationId: filed.body.id, seal: Buffer.from(der).toString('base64') } });
      assert.equal(reg.status, 201, reg.text);
      assert.equal(reg.body.state, 'in_use');
      assert.equal(reg.body.history.length, 1);
      const derBack = await w.client().call('sealDer', { params: { esID: reg.body.esID } });
      assert.deepEqual(new Uint8Array(derBack.body as Buffer), der, 'the SESeal is kept byte for byte');
      const again = await (await w.as('applicant')).call<ApplicationView>('application', { params: { id: filed.body.id } });
      assert.equal(again.body.state, 'registered');
      assert.equal(again.body.esID, reg.body.esID);
    });

    test('a seal is registered only against an approved application and only by a maker', async () => {
      const filed = await fileApplication('applicant', undefined, '财务章');
      const der = await w.makeSealDer({ name: '财务章', kind: '04', keeper: await w.newKeeper(`K-${backend}-1`), png: w.impression(7) });
      const maker = await w.as('maker');
      const pending = await maker.call<{ error: { code: string; zh: string; en: string } }>('sealRegister', { body: { applicationId: filed.body.id, seal: Buffer.from(der).toString('base64') } });
      assert.equal(pending.status, 409);
      assert.equal(pending.body.error.code, 'APPLICATION_NOT_APPROVED');
      assert.match(pending.body.error.zh, /未获批准/);
      assert.match(pending.body.error.en, /not approved/);
      const approver = await w.as('approver');
      await approver.call('decision', { params: { id: filed.body.id }, body: { decision: 'reject', reason: '印章名称不规范' } });
      const rejected = await maker.call<{ error: { code: string } }>('sealRegister', { body: { applicationId: filed.body.id, seal: Buffer.from(der).toString('base64') } });
      assert.equal(rejected.body.error.code, 'APPLICATION_NOT_APPROVED');
      const byApprover = await approver.call<{ error: { code: string } }>('sealRegister', { body: { applicationId: filed.body.id, seal: Buffer.from(der).toString('base64') } });
      assert.equal(byApprover.status, 403);
      assert.equal(byApprover.body.error.code, 'ROLE_REQUIRED');
      assert.ok(w.logLines.some((l) => l.includes('"refused":"APPLICATION_NOT_APPROVED"')), 'the refusal is logged with its code');
    });

    test('an applicant cannot approve its own application, and a decision is given only once', async () => {
      const multi = await w.as('multi');
      const filed = await fileApplication('multi');
      const own = await multi.call<{ error: { code: string } }>('decision', { params: { id: filed.body.id }, body: { decision: 'approve', reason: '自批' } });
      assert.equal(own.status, 403);
      assert.equal(own.body.error.code, 'SELF_APPROVAL');
      const approver = await w.as('approver');
      assert.equal((await approver.call('decision', { params: { id: filed.body.id }, body: { decision: 'approve', reason: 'ok' } })).status, 200);
      const twice = await approver.call<{ error: { code: string } }>('decision', { params: { id: filed.body.id }, body: { decision: 'reject', reason: 'changed my mind' } });
      assert.equal(twice.body.error.code, 'APPLICATION_DECIDED');
    });

    test('a keeper certificate bound to a seal in use cannot take a second seal', async () => {
      const k = await w.newKeeper(`K-${backend}-bound`);
      await sealInUse(w, k);
      await assert.rejects(sealInUse(w, k), /KEEPER_CERT_BOUND/);
    });

    test('suspend, resume, then lost is final; status at past times shows each state', async () => {
      const k = await w.newKeeper(`K-${backend}-life`);
      const { esID } = await sealInUse(w, k);
      const admin = await w.as('unitadmin');
      const t0 = new Date();
      await new Promise((r) => setTimeout(r, 30));
      const s1 = await admin.call<SealView>('stateEvent', { params: { esID }, body: { action: 'suspend', reason: '保管人休假' } });
      assert.equal(s1.status, 200, s1.text);
      assert.equal(s1.body.state, 'suspended');
      await new Promise((r) => setTimeout(r, 30));
      const t1 = new Date();
      await new Promise((r) => setTimeout(r, 30));
      const s2 = await admin.call<SealView>('stateEvent', { params: { esID }, body: { action: 'resume', reason: '返岗' } });
      assert.equal(s2.body.state, 'in_use');
      // t2 must lie clearly after the resume the server recorded, so that t2 - 5 ms is "in use again".
      await new Promise((r) => setTimeout(r, 30));
      const t2 = new Date();
      await new Promise((r) => setTimeout(r, 30));
      // The key went missing before anyone noticed: 挂失 effective at t2, reported later.
      const lost = await admin.call<SealView>('stateEvent', { params: { esID }, body: { action: 'lost', reason: 'UKey 遗失', effectiveAt: t2.toISOString() } });
      assert.equal(lost.status, 200, lost.text);
      assert.equal(lost.body.state, 'lost');
      const resumeLost = await admin.call<{ error: { code: string } }>('stateEvent', { params: { esID }, body: { action: 'resume', reason: '找到了' } });
      assert.equal(resumeLost.status, 409);
      assert.equal(resumeLost.body.error.code, 'STATE_FINAL');
      const cancelLost = await admin.call<{ error: { code: string } }>('stateEvent', { params: { esID }, body: { action: 'cancel', reason: '注销' } });
      assert.equal(cancelLost.body.error.code, 'STATE_FINAL');

      const key = (await w.client().call<{ payload: string }>('trustBundle')).body;
      const bundle = JSON.parse(key.payload) as { platformKeys: Parameters<typeof verifyEnvelope>[1] };
      const statusAt = async (at: Date) => {
        const r = await w.client().call('status', { params: { esID }, query: { at: at.toISOString(), nonce: 'nonce-12345678' } });
        const v = verifyEnvelope<StatusPayload>(r.body, bundle.platformKeys, { type: 'status', nonce: 'nonce-12345678' });
        assert.ok(v.ok, JSON.stringify(v));
        return v.payload;
      };
      assert.equal((await statusAt(new Date(t0.getTime() + 1))).state, 'in_use');
      assert.equal((await statusAt(t1)).state, 'suspended');
      assert.equal((await statusAt(new Date(t2.getTime() - 5))).state, 'in_use');
      const atLoss = await statusAt(new Date(t2.getTime() + 1));
      assert.equal(atLoss.state, 'lost');
      assert.equal(atLoss.decidingEvent?.action, 'lost');
      assert.equal(atLoss.decidingEvent?.effectiveAt, t2.toISOString());
      assert.equal((await statusAt(new Date(Date.now() - 24 * 3600_000 * 400))).state, 'not_yet_registered');
      const unknown = await w.client().call('status', { params: { esID: 'NO-SUCH-SEAL' } });
      const u = verifyEnvelope<StatusPayload>(unknown.body, bundle.platformKeys, { type: 'status' });
      assert.ok(u.ok);
      assert.equal(u.payload.state, 'unknown');
    });

    test('a lost key can be reported as lost before its last suspension, never before registration or in the future', async () => {
      const k = await w.newKeeper(`K-${backend}-retro`);
      const { esID } = await sealInUse(w, k);
      const admin = await w.as('unitadmin');
      const future = await admin.call<{ error: { code: string } }>('stateEvent', { params: { esID }, body: { action: 'suspend', reason: 'x', effectiveAt: new Date(Date.now() + 3600_000).toISOString() } });
      assert.equal(future.body.error.code, 'EFFECTIVE_IN_FUTURE');
      const before = await admin.call<{ error: { code: string } }>('stateEvent', { params: { esID }, body: { action: 'lost', reason: 'x', effectiveAt: new Date(Date.now() - 7 * 86400_000).toISOString() } });
      assert.equal(before.body.error.code, 'EFFECTIVE_BEFORE_PREVIOUS');
      const other = await w.as('approver2');
      const wrongUnit = await other.call<{ error: { code: string } }>('stateEvent', { params: { esID }, body: { action: 'suspend', reason: 'not mine' } });
      assert.equal(wrongUnit.body.error.code, 'OTHER_UNIT');
    });

    test('the database itself refuses to change or delete history', async () => {
      const db = w.running.ctx.db;
      await sealInUse(w, await w.newKeeper(`K-${backend}-db`));
      assert.equal((await w.client().call('checkpoint')).status, 200);
      for (const table of ['seal_events', 'log_leaves', 'checkpoints', 'applications']) {
        const n = await sql.raw<{ n: number }>(`select count(*) as n from ${table}`).execute(db);
        assert.ok(Number(n.rows[0]!.n) > 0, `${table} has rows to refuse changes to`);
      }
      for (const stmt of ['update seal_events set state = \'in_use\'', 'delete from seal_events', 'update log_leaves set leaf = leaf', 'delete from checkpoints', 'delete from applications']) {
        await assert.rejects(sql.raw(stmt).execute(db), /append-only|permission denied/, stmt);
      }
      if (backend === 'postgres') {
        await assert.rejects(sql.raw('truncate log_leaves cascade').execute(db), /permission denied|append-only/);
      }
    });
  });
}

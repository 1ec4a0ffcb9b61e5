import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROUTES, SESSION_COOKIE, type RouteName } from '../../src/platform/api/contract';
import { logSize } from '../../src/platform/log/log-store';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { BACKENDS, createPlatformWorld, PASSWORDS, sealInUse, type PlatformWorld } from './support/platform-world';

let pg: TestPostgres;
before(async () => { pg = await startPostgres(); });
after(() => pg?.cleanup());

type Failure = { error: { code: string; zh: string; en: string } };
const POST_ROUTES = (Object.keys(ROUTES) as RouteName[]).filter((n) => ROUTES[n].method === 'POST');

for (const backend of BACKENDS) {
  describe(`bad input and sessions on ${backend}`, () => {
    let w: PlatformWorld;
    let esID: string;
    before(async () => {
      w = await createPlatformWorld(backend, { pg });
      ({ esID } = await sealInUse(w, await w.newKeeper('KEEPER-B')));
    });
    after(async () => { await w?.close(); });

    const pathOf = (n: RouteName) => ROUTES[n].path.replace(':id', '1').replace(':esID', encodeURIComponent(esID));

    test('malformed JSON, wrong types, unknown fields and oversize bodies on every POST route: 4xx with a clear message, nothing written', async () => {
      const c = await w.as('admin');
      const all = await w.as('multi');
      const before = await logSize(w.running.ctx.db);
      const bodies: [string, string | Uint8Array][] = [
        ['malformed JSON', '{"sealName": "x",'],
        ['not an object', '[1,2,3]'],
        ['wrong types', '{"user": 12, "password": false, "esID": [], "applicationId": {}, "action": 3, "decision": null}'],
        ['unknown field', '{"surprise": true}'],
        ['prototype key', '{"__proto__": {"admin": true}}'],
        ['oversize body', `{"x":"${'A'.repeat(1_100_000)}"}`],
        ['not UTF-8 JSON', new Uint8Array([0xff, 0xfe, 0x00, 0x7b])],
      ];
      for (const route of POST_ROUTES) {
        for (const [what, body] of bodies) {
          for (const client of [c, all]) {
            const r = await client.raw('POST', pathOf(route), body);
            assert.ok(r.status >= 400 && r.status < 500, `${route} / ${what}: ${r.status} ${r.text.slice(0, 200)}`);
            const f = r.body as Failure;
            assert.ok(f.error && f.error.code && f.error.zh && f.error.en, `${route} / ${what}: a code and both messages (${r.text.slice(0, 200)})`);
          }
        }
      }
      const wrongType = await c.raw('POST', pathOf('login'), 'user=admin', { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(wrongType.status, 415);
      assert.equal(await logSize(w.running.ctx.db), before, 'no log leaf was written by any bad request');
    });

    test('impression files that are not PNG, are huge, or lie about their size are refused', async () => {
      const applicant = await w.as('applicant');
      const base = (png: string) => ({ sealName: '测试章', kind: '01', keeper: { name: '李四' }, impression: { png, widthMm: 40, heightMm: 40 }, validFrom: new Date().toISOString(), validTo: new Date(Date.now() + 86400_000).toISOString() });
      const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);
      const pngHeaderOnly = Buffer.from(w.impression(3)).subarray(0, 40);
      const bomb = Buffer.from(w.impression(3));
      bomb.writeUInt32BE(100_000, 16); // IHDR width 100000: a decompression bomb by its header
      const cases: [string, string, string][] = [
        ['a JPEG', jpeg.toString('base64'), 'IMPRESSION_INVALID'],
        ['text', Buffer.from('<svg onload=alert(1)>').toString('base64'), 'IMPRESSION_INVALID'],
        ['a cut PNG', pngHeaderOnly.toString('base64'), 'IMPRESSION_INVALID'],
        ['a PNG header claiming 100000 px', bomb.toString('base64'), 'IMPRESSION_INVALID'],
        ['not base64', '!!!not-base64!!!', 'REQUEST_INVALID'],
        ['over 512 KiB', Buffer.alloc(600 * 1024, 1).toString('base64'), 'REQUEST_INVALID'],
      ];
      for (const [what, png, code] of cases) {
        const r = await applicant.call<Failure>('applicationCreate', { body: base(png) });
        assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status}`);
        assert.equal(r.body.error.code, code, `${what}: ${r.text.slice(0, 300)}`);
      }
      const rev = await applicant.call<Failure>('applicationCreate', { body: { ...base(Buffer.from(w.impression(3)).toString('base64')), validTo: new Date(Date.now() - 86400_000).toISOString() } });
      assert.equal(rev.body.error.code, 'VALIDITY_INVALID');
      const kind = await applicant.call<Failure>('applicationCreate', { body: { ...base(Buffer.from(w.impression(3)).toString('base64')), kind: '07' } });
      assert.equal(kind.body.error.code, 'REQUEST_INVALID');
      assert.match(kind.body.error.en, /kind/);
    });

    test('SQL-looking strings are data: refused where the format forbids them, kept verbatim where text is allowed', async () => {
      const sqlText = "x'); DROP TABLE seals; --";
      const c = w.client();
      const login = await c.raw('POST', '/session/login', JSON.stringify({ user: "admin' OR '1'='1", password: "' OR 1=1 --" }));
      assert.equal(login.status, 400);
      const status = await c.raw('GET', `/seals/${encodeURIComponent("' OR 1=1 --")}/status`);
      assert.equal(status.status, 400);
      const leaves = await c.raw('GET', '/log/leaves?start=0;DROP%20TABLE%20log_leaves&end=2');
      assert.equal(leaves.status, 400);
      const at = await c.raw('GET', `/seals/${encodeURIComponent(esID)}/status?at=${encodeURIComponent("2020-01-01' OR '1'='1")}`);
      assert.equal(at.status, 400);
      const applicant = await w.as('applicant');
      const filed = await applicant.call<{ id: string; sealName: string }>('applicationCreate', { body: {
        sealName: sqlText, kind: '99', keeper: { name: 'Robert"); DROP TABLE accounts;--' }, impression: { png: Buffer.from(w.impression(9)).toString('base64'), widthMm: 30, heightMm: 30 },
        validFrom: new Date().toISOString(), validTo: new Date(Date.now() + 86400_000).toISOString(),
      } });
      assert.equal(filed.status, 201, filed.text);
      const back = await applicant.call<{ sealName: string }>('application', { params: { id: filed.body.id } });
      assert.equal(back.body.sealName, sqlText);
      assert.equal((await w.client().call('seal', { params: { esID } })).status, 401, 'seals table still there; reading it needs a session');
      assert.equal((await applicant.call('seal', { params: { esID } })).status, 200);
    });

    test('bad queries on the log and status routes are 4xx, never 500', async () => {
      const c = w.client();
      for (const p of ['/log/leaves?start=-1&end=2', '/log/leaves?start=5&end=2', '/log/leaves?start=0&end=5000', '/log/leaves', '/log/proof/inclusion?index=999999&size=1',
        '/log/proof/inclusion?index=abc', '/log/proof/consistency?from=5&to=2', '/log/proof/consistency?from=1&to=999999', '/log/checkpoint?extra=1',
        `/seals/${encodeURIComponent(esID)}/status?at=yesterday`, `/seals/${encodeURIComponent(esID)}/status?nonce=<script>`, '/seals/%00/status', '/nope', '/log/leaves?start=1e400&end=2']) {
        const r = await c.raw('GET', p);
        assert.ok(r.status >= 400 && r.status < 500, `${p}: ${r.status} ${r.text.slice(0, 200)}`);
        assert.ok((r.body as Failure).error?.code, p);
      }
    });

    test('sessions: cookie flags, CSRF required, logout ends the session, five wrong passwords lock the account', async () => {
      const c = w.client();
      const login = await c.login('auditor', Buffer.from(PASSWORDS.auditor!));
      const cookie = String(login.headers['set-cookie']);
      assert.match(cookie, new RegExp(`${SESSION_COOKIE}=`));
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /Secure/i);
      assert.match(cookie, /SameSite=Strict/i);
      const admin = await w.as('unitadmin');
      const noCsrf = await admin.raw('POST', `/seals/${encodeURIComponent(esID)}/events`, JSON.stringify({ action: 'suspend', reason: 'x' }), { 'x-csrf-token': 'forged' });
      assert.equal(noCsrf.status, 403);
      assert.equal((noCsrf.body as Failure).error.code, 'CSRF_FAILED');
      assert.equal((await w.client().call('applications')).status, 401);
      assert.equal((await c.call('session')).status, 200);
      assert.equal((await c.call('logout')).status, 200);
      assert.equal((await c.call('session')).status, 401, 'the session ended');
      const victim = w.client();
      for (let i = 0; i < 5; i++) assert.notEqual((await victim.login('approver2', Buffer.from('wrong-password-' + i))).status, 200);
      const locked = await victim.login('approver2', Buffer.from(PASSWORDS.approver2!));
      assert.equal(locked.status, 423);
      assert.equal((locked.body as unknown as Failure).error.code, 'ACCOUNT_LOCKED');
    });

    test('no log line carries a password, a session token, a CSRF token or a signature', async () => {
      const c = w.client();
      const r = await c.login('maker', Buffer.from(PASSWORDS.maker!));
      await c.call('applications');
      await w.client().login('maker', Buffer.from('a-wrong-password-xyz'));
      const token = /sealdesk_session=([^;]+)/.exec(String(r.headers['set-cookie']))![1]!;
      const all = w.logLines.join('\n');
      assert.ok(w.logLines.length > 20, 'the server did log');
      for (const secret of [...Object.values(PASSWORDS), 'a-wrong-password-xyz', token, r.body.csrfToken]) {
        assert.ok(!all.includes(secret), `a log line carries ${secret.slice(0, 4)}…`);
      }
      assert.ok(all.includes('"refused":"LOGIN_FAILED"'), 'the failed login is logged by its code');
    });
  });
}

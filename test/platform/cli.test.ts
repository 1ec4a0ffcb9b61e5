import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { PlatformKey, StatusPayload } from '../../src/platform/api/contract';
import { verifyEnvelope } from '../../src/platform/client-verify';
import { loadPlatformConfig } from '../../src/platform/config';
import { freshSoftHsm, type SoftHsmWorld } from '../support/softhsm';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { createTestToken } from '../support/tokens';
import { BACKENDS, impressionPng } from './support/platform-world';
import { cli, exited, serveProcess } from './support/cli';
import { makeSeal } from '../../src/core/seal/make-seal';
import { holdTokenSigner } from '../../src/platform/signing/platform-signer';
import { openModule } from '../../src/core/pkcs11';

let pg: TestPostgres;
before(async () => { pg = await startPostgres(); });
after(() => pg?.cleanup());

for (const backend of BACKENDS) {
  describe(`sealdesk platform CLI on ${backend}`, () => {
    let hsm: SoftHsmWorld;
    let dir: string;
    let server: Awaited<ReturnType<typeof serveProcess>>;
    const env = () => ({ SOFTHSM2_CONF: hsm.conf, SEALDESK_HOME: hsm.home });
    const as = (user: string, password: string, args: string[]) => cli(['platform', ...args, '--dir', dir, '--user', user, '--password-stdin'], { stdin: `${password}\n${password}-new-account\n`, env: env() });
    before(async () => {
      hsm = freshSoftHsm('sealdesk-platform-cli-');
      dir = path.join(hsm.dir, 'platform');
    });
    after(async () => {
      if (server) { server.child.kill('SIGKILL'); await exited(server.child); }
      hsm?.cleanup();
    });

    test('init reads the password from stdin, never argv, and refuses an existing platform', () => {
      const db = backend === 'postgres' ? ['--db', pg.newDatabase(`cli_${process.pid}`)] : [];
      const r = cli(['platform', 'init', '--dir', dir, '--new-token', '--password-stdin', '--admin', 'root', ...db], { stdin: 'root-password-1\n', env: env() });
      assert.equal(r.status, 0, r.stderr);
      const config = loadPlatformConfig(dir);
      assert.equal(config.database.startsWith('postgres://'), backend === 'postgres');
      assert.ok(!fs.readFileSync(path.join(dir, 'platform.json'), 'utf8').includes('root-password-1'));
      const again = cli(['platform', 'init', '--dir', dir, '--new-token', '--password-stdin'], { stdin: 'root-password-1\n', env: env() });
      assert.equal(again.status, 1);
      assert.match(again.stderr, /PLATFORM_EXISTS/);
    });

    test('serve, then every console action from the command line; status --json is the signed answer as sent; stop', async () => {
      server = await serveProcess(dir, env());
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const unit = as('root', 'root-password-1', ['unit', 'add', '城关镇人民政府']);
      assert.equal(unit.status, 0, unit.stderr);
      for (const [user, role, u] of [['alice', 'applicant', '城关镇人民政府'], ['bob', 'approver', '城关镇人民政府'], ['mia', 'maker', ''], ['uma', 'unit_admin', '城关镇人民政府']]) {
        const a = as('root', 'root-password-1', ['account', 'add', user!, '--role', role!, ...(u ? ['--unit', u] : [])]);
        assert.equal(a.status, 0, a.stderr);
      }
      // `as` feeds the caller's password, then the new account's: 'root-password-1-new-account'.
      const pw = (_user: string) => 'root-password-1-new-account';
      const keeper = await createTestToken({ world: hsm, label: 'CLI-KEEPER' });
      const makerTok = await createTestToken({ world: hsm, label: 'CLI-MAKER', ca: keeper.ca });
      const png = impressionPng(5);
      fs.writeFileSync(path.join(hsm.dir, 'seal.png'), png);
      fs.writeFileSync(path.join(hsm.dir, 'keeper.der'), keeper.certificate!);
      const applied = as('alice', pw('alice'), ['apply', '--seal-name', '城关镇人民政府', '--kind', '01', '--keeper-name', '王五', '--keeper-cert', path.join(hsm.dir, 'keeper.der'),
        '--image', path.join(hsm.dir, 'seal.png'), '--valid-from', new Date(Date.now() - 3600_000).toISOString(), '--valid-to', new Date(Date.now() + 86400_000 * 30).toISOString(), '--json']);
      assert.equal(applied.status, 0, applied.stderr);
      const appId = (JSON.parse(applied.stdout) as { id: string }).id;
      const selfApprove = as('alice', pw('alice'), ['approve', appId, '--reason', 'ok']);
      assert.equal(selfApprove.status, 1);
      assert.match(selfApprove.stderr, /ROLE_REQUIRED/);
      assert.equal(as('bob', pw('bob'), ['approve', appId, '--reason', '同意']).status, 0);
      const mod = openModule(hsm.module);
      const makerKey = await holdTokenSigner(mod, makerTok.label, makerTok.pin(), makerTok.ckaId, hsm.home);
      const made = await makeSeal({
        maker: { certificate: makerKey.certificate, keyAlgorithm: 'EC-P256', defaultScheme: 'ecdsa-sha256', sign: (m) => makerKey.sign(m) },
        keeper: { certificate: keeper.certificate, seals: [] }, trustRoots: [keeper.ca.certificate], now: new Date(), name: '城关镇人民政府', type: 1,
        validStart: new Date(Date.now() - 3600_000), validEnd: new Date(Date.now() + 86400_000 * 30), image: { bytes: png }, vendorId: 'SDCLI',
      });
      await makerKey.close();
      fs.writeFileSync(path.join(hsm.dir, 'seal.der'), made.der);
      const reg = as('mia', pw('mia'), ['seal', 'register', '--application', appId, '--seal', path.join(hsm.dir, 'seal.der'), '--json']);
      assert.equal(reg.status, 0, reg.stderr);
      const esID = (JSON.parse(reg.stdout) as { esID: string }).esID;
      const before = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
      const lost = as('uma', pw('uma'), ['seal', 'lost', esID, '--reason', 'UKey 遗失']);
      assert.equal(lost.status, 0, lost.stderr);
      assert.match(lost.stdout, /lost/);
      const status = cli(['platform', 'seal', 'status', esID, '--dir', dir, '--json', '--nonce', 'cli-nonce-0001'], { env: env() });
      assert.equal(status.status, 2, 'not in use: exit 2');
      const envelope = JSON.parse(status.stdout) as unknown;
      const keys: PlatformKey[] = [loadPlatformConfig(dir).platformKey];
      const v = verifyEnvelope<StatusPayload>(envelope, keys, { type: 'status', nonce: 'cli-nonce-0001' });
      assert.ok(v.ok);
      assert.equal(v.payload.state, 'lost');
      const past = cli(['platform', 'seal', 'status', esID, '--dir', dir, '--at', before], { env: env() });
      assert.equal(past.status, 0, past.stderr);
      assert.match(past.stdout, /in_use/);
      const cp = cli(['platform', 'log', 'checkpoint', '--dir', dir], { env: env() });
      assert.equal(cp.status, 0, cp.stderr);
      assert.match(cp.stdout, /^sealdesk\.local\/platform-[0-9a-f]+\n\d+\n/);
      const verified = cli(['platform', 'log', 'verify', '--dir', dir], { env: env() });
      assert.equal(verified.status, 0, verified.stdout + verified.stderr);
      assert.match(verified.stdout, /log verified: \d+ 条 entries/);
      const stop = cli(['platform', 'stop', '--dir', dir], { env: env() });
      assert.equal(stop.status, 0, stop.stderr);
      await exited(server.child);
      assert.ok(!fs.existsSync(path.join(dir, 'server.pid')));
    });

    if (backend === 'sqlite') {
      test('log verify names the first entry changed behind the database’s back', async () => {
        const db = new BetterSqlite3(path.join(dir, 'platform.db'));
        // Someone with the file drops the guard and rewrites entry 3.
        db.exec('DROP TRIGGER log_leaves_no_update');
        const row = db.prepare('select leaf from log_leaves where idx = 3').get() as { leaf: Buffer };
        const changed = Buffer.from(row.leaf.toString('utf8').replace(/"at":"[^"]+"/, '"at":"2020-01-01T00:00:00.000Z"'));
        db.prepare('update log_leaves set leaf = ? where idx = 3').run(changed);
        db.close();
        server = await serveProcess(dir, env());
        const r = cli(['platform', 'log', 'verify', '--dir', dir], { env: env() });
        assert.equal(r.status, 1);
        assert.match(r.stdout, /first bad entry: 3/);
        server.child.kill('SIGTERM');
        await exited(server.child);
      });
    }
  });
}

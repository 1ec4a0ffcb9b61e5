import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readSealObjects, withSession, deleteSealObject } from '../../src/core/pkcs11';
import { createPlatformWorld, PASSWORDS, type PlatformWorld } from '../platform/support/platform-world';
import { SOFTHSM_MODULE } from '../support/softhsm';
import { createTestToken } from '../support/tokens';
import { CONTRACT, cliAsync, dataDir, keeperWithSeal } from './support';

/**
 * 申请 → 审批 → 制章 → 签章 → 验章 with the real `sealdesk` CLI (child processes), SoftHSM2 USB-Keys
 * and the platform serving over HTTPS; the data dir is configured with `sealdesk platform use`.
 */
// One backend here: every step is a child process (slow); the same flow runs in-process on both in stamping-on-platform.test.ts.
for (const backend of ['sqlite'] as const) {
  describe(`the whole flow through the CLI and the platform on ${backend}`, { timeout: 600_000 }, () => {
    let w: PlatformWorld;
    let home: string;
    let env: NodeJS.ProcessEnv;
    const run = (args: string[], stdin = '') => cliAsync(args, { env, stdin });
    const console = () => ['--url', w.running.url, '--root', path.join(w.dir, 'tls', 'root.pem')];
    before(async () => {
      w = await createPlatformWorld(backend);
      home = dataDir(w, 'cli-home').home;
      env = { SEALDESK_HOME: home, SEALDESK_PKCS11_MODULE: SOFTHSM_MODULE, SOFTHSM2_CONF: process.env.SOFTHSM2_CONF };
      fs.writeFileSync(path.join(w.hsm.dir, 'impression.png'), w.impression(11));
      const use = await run(['platform', 'use', w.running.url, '--ca', path.join(w.dir, 'tls', 'root.pem')]);
      assert.equal(use.status, 0, use.stderr);
      assert.match(use.stdout, /seal platform configured: Test Platform/);
    });
    after(async () => { await w?.close(); });

    const apply = async (label: string, name: string) => {
      const r = await run(['seal', 'apply', '--name', name, '--type', '04', '--image', path.join(w.hsm.dir, 'impression.png'), '--keeper-name', '张三', '--token', label,
        '--user', 'applicant', '--password-stdin'], `${PASSWORDS.applicant}\n`);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      return /application filed: (\d+)/.exec(r.stdout)![1]!;
    };
    const approve = async (id: string) => {
      const r = await run(['platform', 'approve', id, '--reason', '同意', ...console(), '--user', 'approver', '--password-stdin'], `${PASSWORDS.approver}\n`);
      assert.equal(r.status, 0, r.stderr + r.stdout);
    };
    const make = (id: string, label: string) => run(['seal', 'make', '--application', id, '--maker', 'MAKER-CARD', '--token', label, '--user', 'maker', '--password-stdin', '--pin-stdin'],
      `${PASSWORDS.maker}\n${w.maker.token.userPin}\n`);

    test('申请 → 审批 → 制章 → 签章 → 验章: the seal is made from the approved application, registered, stamps with a permit and verifies with its status', async () => {
      const keeper = await createTestToken({ world: w.hsm, label: 'CLI-KEEPER', ca: w.maker.token.ca });

      // With a platform configured, no seal is made outside an approved application.
      const direct = await run(['seal', 'make', '--maker', 'MAKER-CARD', '--token', 'CLI-KEEPER', '--name', '私刻章', '--image', path.join(w.hsm.dir, 'impression.png'), '--pin-stdin'], `${w.maker.token.userPin}\n`);
      assert.notEqual(direct.status, 0);
      assert.match(direct.stderr, /--application/);
      const id = await apply('CLI-KEEPER', '合同专用章(命令行)');
      // Not approved yet: refused at the first step, before any PIN, nothing on the token.
      const early = await make(id, 'CLI-KEEPER');
      assert.equal(early.status, 1, early.stdout);
      assert.match(early.stderr, /制章失败,步骤「核对申请」.*未获批准/);
      await approve(id);
      const made = await make(id, 'CLI-KEEPER');
      assert.equal(made.status, 0, made.stderr + made.stdout);
      const esID = /registered: (\S+) \(in_use\)/.exec(made.stdout)![1]!;
      const again = await make(id, 'CLI-KEEPER');
      assert.notEqual(again.status, 0);
      assert.match(again.stderr, /APPLICATION_USED|已制作并备案过印章/);

      const out = path.join(w.hsm.dir, 'cli-stamped.pdf');
      const signed = await run(['sign', CONTRACT, '-o', out, '--token', 'CLI-KEEPER', '--page', '1', '--at', '300,300', '--pin-stdin'], `${keeper.userPin}\n`);
      assert.equal(signed.status, 0, signed.stderr + signed.stdout);
      assert.match(signed.stdout, /stamping record logged: index \d+/);
      const verified = await run(['verify', out]);
      assert.equal(verified.status, 0, verified.stdout + verified.stderr);
      assert.match(verified.stdout, /印章状态/);
      assert.match(verified.stdout, /in use at the signing time/);

      // 挂失 through the platform's command line: a new stamp is refused with the reason, before the PIN.
      const lost = await run(['platform', 'seal', 'lost', esID, '--reason', 'USB-Key 遗失', ...console(), '--user', 'unitadmin', '--password-stdin'], `${PASSWORDS.unitadmin}\n`);
      assert.equal(lost.status, 0, lost.stderr);
      const refused = await run(['sign', CONTRACT, '-o', path.join(w.hsm.dir, 'cli-refused.pdf'), '--token', 'CLI-KEEPER', '--page', '1', '--at', '300,300', '--pin-stdin'], '');
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /印章已挂失/);
      assert.equal(fs.existsSync(path.join(w.hsm.dir, 'cli-refused.pdf')), false);
    });

    test('when registration fails the new seal is removed from the keeper\'s USB-Key and the user is told the step', async () => {
      // The keeper's certificate is bound to a seal in use on the platform whose object is no longer on the key.
      const k = await keeperWithSeal(w, 'CLI-BOUND');
      await withSession(k.token.mod, k.token.token, { readWrite: true }, (s) => deleteSealObject(s, { ckaId: k.token.ckaId }));
      const id = await apply('CLI-BOUND', '合同专用章(第二枚)');
      await approve(id);
      const r = await make(id, 'CLI-BOUND');
      assert.notEqual(r.status, 0, r.stdout);
      assert.match(r.stderr, /制章失败,步骤「向平台备案」/);
      assert.match(r.stderr, /KEEPER_CERT_BOUND|已绑定一枚在用印章/);
      assert.match(r.stderr, /印章已从印章卡上删除|the seal was removed from the USB-Key/);
      const left = await withSession(k.token.mod, k.token.token, {}, (s) => readSealObjects(s));
      assert.deepEqual(left, [], 'no seal is left on the USB-Key');
      const log = await run(['log', 'show']);
      assert.match(log.stdout, /seal\.register.*failed.*KEEPER_CERT_BOUND.*seal removed from the token/);
    });
  });
}

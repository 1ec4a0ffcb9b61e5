/**
 * The web console in Debian's Chromium against a real platform (SQLite, its key on SoftHSM2, HTTPS on
 * loopback): every role's flow, one after the other on the same platform, each checked on screen and
 * through the API. The log check at the end runs in the browser (Web Crypto) over the real log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { ApplicationView, SealView } from '../../src/platform/api/contract';
import { ACCOUNTS, UNIT, apiAs, demoSealPng, makeAndRegisterSeal, startConsolePlatform, type ConsolePlatform } from './support/console-platform';
import { fillApplication, logIn, logOut, startConsoleBrowser, type ConsoleBrowser } from './support/console-browser';

let platform: ConsolePlatform;
let browser: ConsoleBrowser;
let files: string;
const state: { approvedId?: string; rejectedId?: string; esID?: string } = {};

before(async () => {
  platform = await startConsolePlatform();
  browser = await startConsoleBrowser(platform.url);
  files = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-console-files-'));
});
after(async () => {
  await browser?.close();
  await platform?.close();
  fs.rmSync(files, { recursive: true, force: true });
});

const text = (page: Page, sel: string): Promise<string> => page.locator(sel).first().innerText();

async function fileApplication(page: Page, name: string, kind: string, keeper: string): Promise<void> {
  await fillApplication(page, name, kind, keeper);
  await page.click('[data-testid=app-submit]');
  await page.locator('[data-testid=app-message].ok').waitFor();
}

describe('the web console, role by role', () => {
  test('log-in: a wrong password is refused with the reason; five wrong passwords lock the account, and then the right one is refused with the lock shown', async () => {
    const page = await browser.open();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await page.click('[data-testid=login-submit]');
    assert.equal(await text(page, '[data-testid=login-error]'), '请填写用户名和密码。');
    const acct = ACCOUNTS.lockable;
    for (let i = 1; i <= 4; i++) {
      await page.fill('[data-testid=login-user]', acct.user);
      await page.fill('[data-testid=login-password]', `wrong-password-${i}`);
      await page.click('[data-testid=login-submit]');
      await page.locator(`[data-testid=login-error][data-locked=no]`).waitFor();
      assert.match(await text(page, '[data-testid=login-error]'), /用户名或密码错误/);
      assert.equal(await page.inputValue('[data-testid=login-password]'), '', 'the password field is emptied after a failure');
    }
    await page.fill('[data-testid=login-password]', 'wrong-password-5');
    await page.click('[data-testid=login-submit]');
    await page.locator('[data-testid=login-error][data-locked=yes]').waitFor();
    assert.match(await text(page, '[data-testid=login-error]'), /^密码错误次数过多，账号已锁定/);
    await page.fill('[data-testid=login-password]', acct.password);
    await page.click('[data-testid=login-submit]');
    await page.locator('[data-testid=login-error][data-locked=yes]').waitFor();
    assert.equal(await page.locator('[data-testid=who]').count(), 0, 'the locked account is not logged in, even with the right password');
    // Another account is not touched by the lock.
    await logIn(page, ACCOUNTS.applicant.user, ACCOUNTS.applicant.password);
    assert.match(await text(page, '[data-testid=who]'), /张三（申请人）/);
  });

  test('applicant: a non-PNG or too large image is refused in the browser before anything is sent; a PNG shows its preview and the application is filed, awaiting approval', async () => {
    const page = await browser.open();
    await logIn(page, ACCOUNTS.applicant.user, ACCOUNTS.applicant.password);
    const fake = path.join(files, '公章.png');
    fs.writeFileSync(fake, '%PDF-1.7 not an image at all');
    const big = path.join(files, 'big.png');
    execFileSync('convert', ['-size', '900x900', 'xc:', '+noise', 'Random', big]);
    assert.ok(fs.statSync(big).size > 512 * 1024);
    const posts: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
    await page.fill('[data-testid=app-seal-name]', '星河科技有限公司合同专用章');
    await page.fill('[data-testid=app-keeper]', '周九');
    await page.setInputFiles('[data-testid=app-impression]', fake);
    await page.locator('[data-testid=app-image-problem].error').waitFor();
    assert.equal(await text(page, '[data-testid=app-image-problem]'), '印模图片须为 PNG 格式。');
    assert.ok(await page.locator('[data-testid=app-submit]').isDisabled());
    await page.setInputFiles('[data-testid=app-impression]', big);
    await page.locator('[data-testid=app-image-problem]', { hasText: 'KB，超过上限' }).waitFor();
    assert.match(await text(page, '[data-testid=app-image-problem]'), /^印模图片 \d+ KB，超过上限 512 KB。$/);
    assert.deepEqual(posts, [], 'nothing was sent for the refused files');
    assert.equal((await apiAs<{ applications: ApplicationView[] }>(page, 'GET', '/applications')).json.applications.length, 0);

    await fileApplication(page, '星河科技有限公司合同专用章', '04', '周九');
    assert.match(await text(page, '[data-testid=app-message]'), /^申请已提交，编号 \d+，等待审批。$/);
    const card = page.locator('[data-testid=application]').first();
    assert.equal(await card.getAttribute('data-state'), 'pending');
    assert.equal(await card.locator('[data-testid=application-state]').innerText(), '待审批');
    // The impression shown is the one stored, fetched back from the platform.
    await page.waitForFunction(() => { const img = document.querySelector<HTMLImageElement>('[data-testid=application] img.impression'); return !!img && img.complete && img.naturalWidth > 0; });
    await fileApplication(page, '星河科技有限公司财务专用章', '02', '吴十');
    const apps = (await apiAs<{ applications: ApplicationView[] }>(page, 'GET', '/applications')).json.applications;
    assert.equal(apps.length, 2);
    const stored = await page.request.get(`${platform.url}/api/v1/applications/${apps[0]!.id}/impression`);
    assert.ok(Buffer.from(await stored.body()).equals(demoSealPng()), 'the platform keeps the impression byte for byte');
  });

  test('approver: sees what waits, a rejection needs a reason; approves one and rejects the other with its reason, which the applicant then sees', async () => {
    const page = await browser.open();
    await logIn(page, ACCOUNTS.approver.user, ACCOUNTS.approver.password);
    assert.equal(await page.locator('[data-testid=tab-apply]').count(), 0, 'an approver has no application form');
    const cards = page.locator('[data-testid=application]');
    await cards.first().waitFor();
    assert.equal(await cards.count(), 2);
    const contract = cards.filter({ hasText: '合同专用章' });
    const finance = cards.filter({ hasText: '财务专用章' });
    state.approvedId = (await contract.getAttribute('data-id'))!;
    state.rejectedId = (await finance.getAttribute('data-id'))!;
    await finance.locator('[data-testid=reject]').click();
    assert.equal(await finance.locator('[data-testid=approval-message]').innerText(), '驳回须填写理由。');
    await finance.locator('[data-testid=approval-opinion]').fill('印模图片与备案样式不符，请重新提交。');
    await finance.locator('[data-testid=reject]').click();
    await page.locator('[data-testid=approval-message].ok').waitFor();
    assert.equal(await text(page, '[data-testid=approval-message]'), `申请 ${state.rejectedId} 已驳回。`);
    await contract.locator('[data-testid=approve]').click();
    await page.locator(`[data-testid=approval-message].ok:has-text("申请 ${state.approvedId} 已批准。")`).waitFor();
    await page.locator('[data-testid=approvals-empty]').waitFor();

    const applicant = await browser.open();
    await logIn(applicant, ACCOUNTS.applicant.user, ACCOUNTS.applicant.password);
    const rejected = applicant.locator(`[data-testid=application][data-id="${state.rejectedId}"]`);
    await rejected.waitFor();
    assert.equal(await rejected.getAttribute('data-state'), 'rejected');
    assert.match(await rejected.locator('[data-testid=application-decision]').innerText(), /^li.si 于 .+ 已驳回，理由：印模图片与备案样式不符，请重新提交。$/);
    assert.equal(await applicant.locator(`[data-testid=application][data-id="${state.approvedId}"]`).getAttribute('data-state'), 'approved');
  });

  test('maker: sees the approved application (not the rejected one) with the command that makes its seal', async () => {
    const page = await browser.open();
    await logIn(page, ACCOUNTS.maker.user, ACCOUNTS.maker.password);
    const cards = page.locator('[data-testid=application]');
    await cards.first().waitFor();
    assert.equal(await cards.count(), 1);
    assert.equal(await cards.first().getAttribute('data-id'), state.approvedId);
    assert.equal(await text(page, '[data-testid=make-hint]'), `在制章终端插入保管人的印章卡后执行：sealdesk seal make --application ${state.approvedId}`);
    // The seal center makes the seal off the console and registers it; the console then lists nothing to make.
    const seal = await makeAndRegisterSeal(page, state.approvedId!);
    state.esID = seal.esID;
    await page.reload();
    await page.locator('[data-testid=making-empty]').waitFor();
  });

  test('unit admin: suspends and resumes the seal, reports it lost with the time of loss (before the report; not in the future, not before the last change); each event is in the history and a lost seal offers no more actions', async () => {
    const page = await browser.open();
    await logIn(page, ACCOUNTS.unitAdmin.user, ACCOUNTS.unitAdmin.password);
    const seal = page.locator(`[data-testid=seal][data-esid="${state.esID}"]`);
    await seal.waitFor();
    assert.equal(await seal.locator('[data-testid=seal-state]').innerText(), '启用');
    const act = async (action: string, reason: string, expectState: string): Promise<void> => {
      await seal.locator(`[data-testid=action-${action}]`).click();
      await seal.locator('[data-testid=action-reason]').fill(reason);
      await seal.locator('[data-testid=action-confirm]').click();
      await page.locator(`[data-testid=seal][data-esid="${state.esID}"][data-state=${expectState}]`).waitFor();
    };
    await seal.locator('[data-testid=action-suspend]').click();
    await seal.locator('[data-testid=action-confirm]').click();
    assert.equal(await seal.locator('[data-testid=action-error]').innerText(), '请填写原因。');
    await act('suspend', '保管人休假，暂停用印', 'suspended');
    assert.equal(await text(page, '[data-testid=seal-message]'), `印章 ${state.esID} 已停用。`);
    assert.equal(await seal.locator('[data-testid=action-suspend]').count(), 0, 'a suspended seal cannot be suspended again');
    await act('resume', '保管人返岗', 'in_use');

    // 挂失 with the time the key was lost, which is before the report. The platform refuses a time in
    // the future (the console already does) and one before the seal's previous state change.
    const local = (d: Date): string => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await seal.locator('[data-testid=action-lost]').click();
    assert.match(await seal.locator('.notice').innerText(), /挂失后不能撤销。/);
    await seal.locator('[data-testid=lost-at]').fill(local(new Date(Date.now() + 3 * 3600_000)));
    await seal.locator('[data-testid=action-reason]').fill('印章卡遗失');
    await seal.locator('[data-testid=action-confirm]').click();
    assert.equal(await seal.locator('[data-testid=action-error]').innerText(), '时间不能晚于现在。');
    await seal.locator('[data-testid=lost-at]').fill(local(new Date(Date.now() - 2 * 3600_000)));
    await seal.locator('[data-testid=action-confirm]').click();
    await seal.locator('[data-testid=action-error]', { hasText: '生效时间早于该印章上一次状态变更' }).waitFor();
    const resumedAt = new Date((await apiAs<SealView>(page, 'GET', `/seals/${state.esID}`)).json.history.at(-1)!.effectiveAt);
    const lostAt = new Date(Math.floor(resumedAt.getTime() / 1000) * 1000 + 1000);
    while (Date.now() < lostAt.getTime() + 3000) await page.waitForTimeout(250); // the report comes a few seconds after the loss
    await seal.locator('[data-testid=lost-at]').fill(local(lostAt));
    await seal.locator('[data-testid=action-confirm]').click();
    await page.locator(`[data-testid=seal][data-esid="${state.esID}"][data-state=lost]`).waitFor();
    assert.equal(await seal.locator('[data-testid=seal-state]').innerText(), '已挂失');
    assert.equal(await seal.locator('[data-testid=seal-actions]').count(), 0, 'lost is final: no action is offered');
    const rows = await seal.locator('[data-testid=seal-history] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
    assert.deepEqual(rows, ['register', 'suspend', 'resume', 'lost']);
    // The platform holds the time of loss as given, not the time of the report.
    const stored = (await apiAs<SealView>(page, 'GET', `/seals/${state.esID}`)).json;
    const lost = stored.history.find((h) => h.action === 'lost')!;
    assert.equal(lost.effectiveAt, lostAt.toISOString());
    assert.ok(new Date(lost.reportedAt).getTime() - lostAt.getTime() >= 3000, `reported ${lost.reportedAt}, lost ${lost.effectiveAt}`);
  });

  test('auditor: reads seals and histories without any action, checks the checkpoint signature and an entry\'s inclusion proof in the browser; a changed proof is refused', async () => {
    const page = await browser.open();
    await logIn(page, ACCOUNTS.auditor.user, ACCOUNTS.auditor.password);
    await page.click('[data-testid=tab-seals]');
    const seal = page.locator(`[data-testid=seal][data-esid="${state.esID}"]`);
    await seal.waitFor();
    assert.equal(await seal.locator('[data-testid=seal-history] tbody tr').count(), 4);
    assert.equal(await page.locator('[data-testid=seal-actions]').count(), 0, 'an auditor changes nothing');

    await page.click('[data-testid=tab-log]');
    await page.locator('[data-testid=checkpoint][data-signature=ok]').waitFor();
    assert.match(await text(page, '[data-testid=checkpoint-verdict]'), /^检查点签名有效（平台密钥 .+）。$/);
    const size = Number(await text(page, '[data-testid=checkpoint-size]'));
    // Applications (2), decisions (2), registration and its first state (2), three state changes.
    assert.ok(size >= 9, `log size ${size}`);
    const leaves = page.locator('[data-testid=leaf]');
    assert.equal(await leaves.count(), Math.min(size, 20));
    for (const index of [0, size - 1, Math.floor(size / 2)]) {
      const row = page.locator(`[data-testid=leaf][data-index="${index}"]`);
      await row.locator('[data-testid=check-inclusion]').click();
      await row.locator('[data-testid=inclusion-result]').waitFor();
      assert.equal(await row.locator('[data-testid=inclusion-result]').getAttribute('data-result'), 'ok', await row.innerText());
      assert.match(await row.locator('[data-testid=inclusion-result]').innerText(), new RegExp(`^条目 ${index} 包含在大小为 ${size} 的树中（证明含 \\d+ 个哈希，已在浏览器中验证）。$`));
    }
    // A server that lied about the proof (a test stand-in on the wire: one hash changed) is caught.
    await page.route('**/api/v1/log/proof/inclusion**', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { proof: string[] };
      const first = Buffer.from(body.proof[0]!, 'base64'); first[0]! ^= 1;
      body.proof[0] = first.toString('base64');
      await route.fulfill({ response: res, json: body });
    });
    const row = page.locator(`[data-testid=leaf][data-index="1"]`);
    await row.locator('[data-testid=check-inclusion]').click();
    await row.locator('[data-testid=inclusion-result][data-result=bad]').waitFor();
    assert.match(await row.locator('[data-testid=inclusion-result]').innerText(), /^条目 1 的包含证明验证失败：由证明算出的根哈希与给定的根哈希不同。$/);
  });

  test('the language switch shows the console in English and is remembered; log-out ends the session on the server too', async () => {
    const page = await browser.open();
    await logIn(page, ACCOUNTS.auditor.user, ACCOUNTS.auditor.password);
    await page.click('[data-testid=lang]');
    assert.equal(await text(page, '[data-testid=tab-seals]'), 'Seals');
    assert.equal(await text(page, '[data-testid=tab-log]'), 'Transparency log');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.reload();
    await page.locator('[data-testid=who]').waitFor();
    assert.equal(await text(page, '[data-testid=logout]'), 'Log out');
    assert.match(await text(page, '[data-testid=who]'), /^钱七 \(Auditor\) · 星河科技有限公司$/);
    const before = await apiAs(page, 'GET', '/seals');
    assert.equal(before.status, 200);
    await logOut(page);
    assert.equal(await text(page, '[data-testid=login-notice]'), 'You have logged out.');
    assert.equal((await apiAs(page, 'GET', '/seals')).status, 401, 'the old session cookie no longer works');
    await page.click('[data-testid=lang]');
    assert.equal(await text(page, '[data-testid=login-submit]'), '登录');
    assert.ok(UNIT.length > 0);
  });

  test('an account that both files and approves sees its own application without the approve button, and the platform refuses the approval anyway', async () => {
    const page = await browser.open();
    await logIn(page, ACCOUNTS.dual.user, ACCOUNTS.dual.password);
    assert.match(await text(page, '[data-testid=who]'), /郑十一（申请人、审批人）/);
    await fileApplication(page, '星河科技有限公司发票专用章', '03', '郑十一');
    const id = /编号 (\d+)，/.exec(await text(page, '[data-testid=app-message]'))![1]!;
    await page.click('[data-testid=tab-approve]');
    const own = page.locator(`[data-testid=application][data-id="${id}"]`);
    await own.waitFor();
    assert.equal(await own.locator('.notice').innerText(), '这是您本人提交的申请，申请人不能审批自己的申请。');
    assert.equal(await own.locator('[data-testid=approve]').count(), 0);
    const r = await apiAs<{ error: { code: string } }>(page, 'POST', `/applications/${id}/decision`, { decision: 'approve', reason: '同意。' });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'SELF_APPROVAL');
  });

  test('a session ended elsewhere (log-out in another tab) brings the console back to log-in with a notice, not a broken page', async () => {
    const page = await browser.open();
    await logIn(page, ACCOUNTS.auditor.user, ACCOUNTS.auditor.password);
    await page.locator('[data-testid=seal]').first().waitFor();
    const other = await page.context().newPage();
    await other.goto(platform.url);
    await other.locator('[data-testid=who]').waitFor();
    await logOut(other);
    await page.locator('button.link', { hasText: '刷新' }).click();
    await page.locator('[data-testid=login-form]').waitFor();
    assert.equal(await text(page, '[data-testid=login-notice]'), '登录已过期，请重新登录。');
  });

  test('auditor: the browser keeps the largest checkpoint it saw; a newer one must prove it extends it, and a changed consistency proof raises the alarm without replacing the kept one', async () => {
    const page = await browser.open();
    await logIn(page, ACCOUNTS.auditor.user, ACCOUNTS.auditor.password);
    await page.click('[data-testid=tab-log]');
    await page.locator('[data-testid=consistency][data-result=first]').waitFor();
    const first = Number(await text(page, '[data-testid=checkpoint-size]'));
    // More events arrive (verification records, which anyone may file).
    const record = async (): Promise<void> => {
      const r = await page.request.post(`${platform.url}/api/v1/records/verification`, { data: { documentDigest: { alg: 'sha256', hex: 'ab'.repeat(32) }, signatureDigests: [], result: 'valid' } });
      assert.ok(r.ok(), `record: ${r.status()}`);
    };
    await record();
    await record();
    const reloadLog = async (): Promise<void> => {
      await page.reload();
      await page.click('[data-testid=tab-log]');
      await page.locator('[data-testid=consistency]').waitFor();
    };
    await reloadLog();
    assert.equal(await page.locator('[data-testid=consistency]').getAttribute('data-result'), 'ok');
    const second = Number(await text(page, '[data-testid=checkpoint-size]'));
    assert.equal(second, first + 2);
    assert.equal(await text(page, '[data-testid=consistency]'), `新检查点（大小 ${second}）与上次所见检查点（大小 ${first}）一致（一致性证明已在浏览器中验证）。`);

    // A consistency proof changed on the wire (a test stand-in for a log that rewrote its history).
    await record();
    await page.route('**/api/v1/log/proof/consistency**', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { proof: string[] };
      const h = Buffer.from(body.proof.at(-1)!, 'base64'); h[5]! ^= 0x10;
      body.proof[body.proof.length - 1] = h.toString('base64');
      await route.fulfill({ response: res, json: body });
    });
    await reloadLog();
    assert.equal(await page.locator('[data-testid=consistency]').getAttribute('data-result'), 'bad');
    assert.match(await text(page, '[data-testid=consistency]'), new RegExp(`^警告：检查点（大小 ${second + 1}）与上次所见检查点（大小 ${second}）不一致，日志可能被回滚或篡改：`));
    await page.unroute('**/api/v1/log/proof/consistency**');
    await reloadLog();
    assert.equal(await text(page, '[data-testid=consistency]'), `新检查点（大小 ${second + 1}）与上次所见检查点（大小 ${second}）一致（一致性证明已在浏览器中验证）。`, 'the kept checkpoint was not replaced by the one that failed');
  });
});

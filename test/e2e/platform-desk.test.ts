// The desktop client on the seal platform (issue #9), end to end: a real platform server on loopback
// (SQLite, its key on SoftHSM2, HTTPS with its own root, the web console it serves), keepers' SoftHSM2
// USB-Keys with seals filed, approved, made and registered, the built renderer in Debian's Chromium
// over the real core, and the console in a second Chromium page. Between client and platform a
// loopback TCP relay stands for the network (slowed to watch the online steps, cut to take the
// platform away while the console keeps running). The tests run in order, as one afternoon at a desk.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { PASSWORDS } from '../platform/support/platform-world';
import { logIn, startConsoleBrowser, type ConsoleBrowser } from '../platform/support/console-browser';
import { CONTRACT, stateEvent } from '../platform-client/support';
import { openInUi, startUi, type Ui } from './support/ui';
import { checkInCard, createDeskWorld, placeSeal, registryBadge, screenshotDir, stampPlaced, type DeskWorld } from './support/platform-desk';

let d: DeskWorld;
let ui: Ui;
let consoles: ConsoleBrowser | undefined;
let out: string;
before(async () => {
  d = await createDeskWorld();
  out = path.join(d.w.hsm.dir, 'stamped');
  fs.mkdirSync(out);
  ui = await startUi(d.home);
});
after(async () => {
  await consoles?.close();
  await ui?.close();
  await d?.close();
});

const shots = screenshotDir();
const shot = async (page: Page, name: string) => {
  if (!shots) return;
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(shots, name) });
};
const pinOf = (k: DeskWorld['keeperA']) => k.token.userPin;
const result = () => ui.page.locator('[data-testid=stamp-result]');
const openSettings = async () => {
  await ui.page.click('[data-testid=settings-open]');
  await ui.page.locator('[data-testid=platform-section]:not([data-configured=pending])').waitFor({ timeout: 30_000 });
};
const closeSettings = async () => {
  await ui.page.locator('[data-testid=settings] .buttons button').first().click();
  await ui.page.locator('[data-testid=settings]').waitFor({ state: 'detached' });
};
/** The stamp ended with a notice; returns its text. */
const stampNotice = async () => {
  const n = ui.page.locator('[data-testid=stamp-notice]');
  await n.waitFor({ timeout: 90_000 });
  const text = await n.innerText();
  const checked = await n.getAttribute('data-checked');
  await ui.page.click('[data-testid=stamp-notice-close]');
  return { text, checked };
};
/** The stamped file opened after a stamp, verified, with its card showing. */
const verifiedCard = async () => {
  await ui.page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 90_000 });
  await ui.page.locator('.seal-item').first().waitFor();
};
let stampedOnline = '';

test('without a seal platform the seals show 未核验, the settings say so, and the stamp and its card say the seal status was not checked', async () => {
  const badge = registryBadge(ui, d.keeperA.esID);
  await registryBadge(ui, d.keeperA.esID, 'unchecked').waitFor({ timeout: 60_000 });
  assert.equal(await badge.innerText(), '未核验');
  assert.match((await badge.getAttribute('title'))!, /未配置电子印章管理平台/);

  await openSettings();
  assert.equal(await ui.page.locator('[data-testid=platform-section]').getAttribute('data-configured'), 'no');
  assert.match(await ui.page.locator('[data-testid=platform-none]').innerText(), /未配置电子印章管理平台/);
  await closeSettings();

  await openInUi(ui, CONTRACT);
  await placeSeal(ui, d.keeperA.esID);
  const file = path.join(out, 'offline.pdf');
  await stampPlaced(ui, file, pinOf(d.keeperA));
  const notice = await stampNotice();
  assert.match(notice.text, /未配置电子印章管理平台,未核验印章状态/);
  assert.equal(notice.checked, 'no');
  assert.ok(fs.existsSync(file), 'offline, SealDesk stamps as before');
  await verifiedCard();
  const st = checkInCard(ui, 'seal_status');
  assert.equal(await st.getAttribute('data-status'), 'not_checked');
  assert.match(await st.innerText(), /印章状态.*未配置电子印章管理平台,未核验印章状态/);
});

test('the platform is configured in the settings with its root CA file: a wrong root is refused, the right one shows its name, reachable, last contact and no records waiting; the seals then show 在用', async () => {
  await openSettings();
  await ui.page.fill('[data-testid=platform-url]', d.relay.url);
  // The keepers' CA is not the platform's TLS root: the TLS connection itself is refused.
  ui.server.dialogs.platformRoot.push(path.join(d.w.hsm.dir, 'ca.pem'));
  await ui.page.click('[data-testid=platform-use]');
  await ui.page.locator('[data-testid=platform-error]').waitFor({ timeout: 30_000 });
  assert.match(await ui.page.locator('[data-testid=platform-error]').innerText(), /无法连接电子印章管理平台/);
  assert.equal(await ui.page.locator('[data-testid=platform-section]').getAttribute('data-configured'), 'no');

  ui.server.dialogs.platformRoot.push(d.rootFile);
  await ui.page.click('[data-testid=platform-use]');
  await ui.page.locator('[data-testid=platform-state][data-state=reachable]').waitFor({ timeout: 30_000 });
  assert.equal(await ui.page.locator('[data-testid=platform-name]').innerText(), 'Test Platform');
  assert.equal(await ui.page.locator('[data-testid=platform-address]').innerText(), d.relay.url);
  assert.match(await ui.page.locator('[data-testid=platform-state]').innerText(), /可连接/);
  assert.doesNotMatch(await ui.page.locator('[data-testid=platform-last-contact]').innerText(), /尚未联系/);
  assert.equal(await ui.page.locator('[data-testid=platform-waiting]').innerText(), '0');
  assert.equal(await ui.page.locator('[data-testid=platform-error]').count(), 0);
  await shot(ui.page, 'platform-client-settings.png');
  await closeSettings();

  await registryBadge(ui, d.keeperA.esID, 'in_use').waitFor({ timeout: 30_000 });
  assert.equal(await registryBadge(ui, d.keeperA.esID).innerText(), '在用');
  await registryBadge(ui, d.keeperB.esID, 'in_use').waitFor({ timeout: 30_000 });
  assert.equal(await registryBadge(ui, d.keeperB.esID).innerText(), '在用');
  // The client's copy of the platform's log checkpoint is kept from now on (a later rollback would show).
  await d.backUpDatabase();
});

test('stamping names the online steps (核验印章状态, 申请用印许可, 发送用印记录), the record is logged, and the card shows 印章状态 checked with the platform', async () => {
  await openInUi(ui, CONTRACT);
  await placeSeal(ui, d.keeperA.esID);
  // Every stage the progress dialog shows, as the person sees it (the line is slowed so none flies by).
  await ui.page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __stages: string[] }).__stages = seen;
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid=stamp-progress-text]');
      const s = el?.textContent ?? '';
      if (s && seen[seen.length - 1] !== s) seen.push(s);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  d.relay.delayMs = 400;
  const file = path.join(out, 'online.pdf');
  try {
    await stampPlaced(ui, file, pinOf(d.keeperA));
    const notice = await stampNotice();
    assert.match(notice.text, /用印记录已上链（日志序号 \d+）/);
    assert.equal(notice.checked, 'yes');
  } finally {
    d.relay.delayMs = 0;
  }
  const stages = (await ui.page.evaluate(() => (window as unknown as { __stages: string[] }).__stages)).join(' | ');
  for (const step of ['核验印章状态', '申请用印许可', '发送用印记录']) assert.match(stages, new RegExp(step), `the progress named ${step}: ${stages}`);
  assert.ok(stages.indexOf('核验印章状态') < stages.indexOf('申请用印许可') && stages.indexOf('申请用印许可') < stages.indexOf('发送用印记录'), stages);
  stampedOnline = file;

  await verifiedCard();
  assert.equal(await ui.page.locator('[data-testid=banner]').getAttribute('data-verdict'), 'valid');
  const st = checkInCard(ui, 'seal_status');
  assert.equal(await st.getAttribute('data-status'), 'ok');
  assert.match(await st.innerText(), /印章状态.*签章时\(用印许可时间 .*\)印章在用,经电子印章管理平台核验/);
  await shot(ui.page, 'platform-client-status-check.png');
});

test('the console and the client side by side: a unit admin suspends the seal in the console; the token panel shows 已暂停 and refuses it before any PIN; resumed, it is 在用 again', async () => {
  await openInUi(ui, CONTRACT);
  await placeSeal(ui, d.keeperA.esID);

  consoles = await startConsoleBrowser(d.w.running.url);
  const con = await consoles.open({ viewport: { width: 1000, height: 800 } });
  await logIn(con, 'unitadmin', PASSWORDS.unitadmin!);
  await con.click('[data-testid=tab-seals]');
  const card = con.locator(`[data-testid=seal][data-esid="${d.keeperA.esID}"]`);
  await card.waitFor({ timeout: 30_000 });
  await card.locator('[data-testid=action-suspend]').click();
  await card.locator('[data-testid=action-reason]').fill('印章卡送修');
  await card.locator('[data-testid=action-confirm]').click();
  await con.locator(`[data-testid=seal][data-esid="${d.keeperA.esID}"][data-state=suspended]`).waitFor({ timeout: 30_000 });

  const badge = registryBadge(ui, d.keeperA.esID);
  await registryBadge(ui, d.keeperA.esID, 'suspended').waitFor({ timeout: 30_000 });
  assert.equal(await badge.innerText(), '已暂停');
  const sample = ui.page.locator(`.seal-sample[data-esid="${d.keeperA.esID}"]`);
  assert.equal(await sample.getAttribute('data-may-stamp'), 'no');
  assert.match(await sample.locator('[data-testid=seal-why]').innerText(), /此印章不能签章.*印章已暂停使用\(印章卡送修\)/);

  // The sample placed before the suspension: 文档签章 is refused with the reason; no save dialog, no PIN.
  const callsBefore = ui.server.calls.length;
  const file = path.join(out, 'suspended.pdf');
  ui.server.dialogs.save.push(file);
  await ui.page.click('[data-testid=stamp-button]');
  await result().waitFor({ timeout: 30_000 });
  assert.equal(await result().getAttribute('data-code'), 'SEAL_SUSPENDED');
  assert.equal(await result().locator('h3').innerText(), '未签章');
  assert.match(await result().innerText(), /此印章不能签章.*印章已暂停使用\(印章卡送修\)/);
  assert.equal(await ui.page.locator('[data-testid=pin-dialog]').count(), 0, 'no PIN dialog opened');
  const called = ui.server.calls.slice(callsBefore);
  assert.ok(!called.includes('chooseStampOutput') && !called.includes('stamp'), called.join(','));
  assert.equal(ui.server.dialogs.save.length, 1, 'the save dialog was not shown');
  ui.server.dialogs.save.length = 0;
  assert.ok(!fs.existsSync(file));
  if (shots) {
    await ui.page.setViewportSize({ width: 1000, height: 800 });
    await shot(ui.page, 'platform-client-suspended.png');
    await shot(con, 'platform-console-suspended.png');
    execFileSync('convert', [path.join(shots, 'platform-console-suspended.png'), path.join(shots, 'platform-client-suspended.png'), '+append', path.join(shots, 'platform-console-and-client.png')]);
    fs.rmSync(path.join(shots, 'platform-console-suspended.png'));
    await ui.page.setViewportSize({ width: 1400, height: 900 });
  }
  await ui.page.locator('[data-testid=stamp-result] button').last().click();

  await card.locator('[data-testid=action-resume]').click();
  await card.locator('[data-testid=action-reason]').fill('送修完毕');
  await card.locator('[data-testid=action-confirm]').click();
  await registryBadge(ui, d.keeperA.esID, 'in_use').waitFor({ timeout: 30_000 });
  assert.equal(await sample.getAttribute('data-may-stamp'), 'yes');
});

test('a seal reported lost after a stamp: the card keeps that stamp valid and notes the loss came afterwards; the panel shows 已挂失 and the seal cannot be picked up', async () => {
  await openInUi(ui, CONTRACT);
  await placeSeal(ui, d.keeperB.esID);
  const file = path.join(out, 'before-loss.pdf');
  await stampPlaced(ui, file, pinOf(d.keeperB));
  await stampNotice();
  await verifiedCard();

  await stateEvent(d.w, d.keeperB.esID, { action: 'lost', reason: '印章卡遗失', effectiveAt: new Date().toISOString() });
  await openInUi(ui, file);
  await verifiedCard();
  const st = checkInCard(ui, 'seal_status');
  assert.equal(await st.getAttribute('data-status'), 'ok');
  assert.match(await st.innerText(), /印章在用.*挂失\(在签章之后\)/);
  assert.equal(await ui.page.locator('[data-testid=banner]').getAttribute('data-verdict'), 'valid');

  const badge = registryBadge(ui, d.keeperB.esID);
  await registryBadge(ui, d.keeperB.esID, 'lost').waitFor({ timeout: 30_000 });
  assert.equal(await badge.innerText(), '已挂失');
  const sample = ui.page.locator(`.seal-sample[data-esid="${d.keeperB.esID}"]`);
  assert.equal(await sample.getAttribute('data-may-stamp'), 'no');
  assert.equal(await sample.locator('[data-testid=place-here]').count(), 0, 'a lost seal offers no placement');
  assert.match(await sample.locator('[data-testid=seal-why]').innerText(), /印章已挂失/);
  await shot(ui.page, 'platform-client-token-panel.png');
});

test('the platform unreachable: the panel says 未核验 with the reason; 文档签章 is refused before the PIN with 无法连接电子印章管理平台,请检查系统设置 and a way to the settings; nothing is stamped; a stamp verifies offline from its permit, labelled as of its time', async () => {
  await openInUi(ui, CONTRACT);
  await placeSeal(ui, d.keeperA.esID);
  await d.relay.cut();
  try {
    const sample = ui.page.locator(`.seal-sample[data-esid="${d.keeperA.esID}"]`);
    await registryBadge(ui, d.keeperA.esID, 'unchecked').waitFor({ timeout: 30_000 });
    assert.match(await sample.locator('[data-testid=seal-why]').innerText(), /无法连接电子印章管理平台,请检查系统设置/);

    const file = path.join(out, 'unreachable.pdf');
    ui.server.dialogs.save.push(file);
    await ui.page.click('[data-testid=stamp-button]');
    await result().waitFor({ timeout: 30_000 });
    assert.equal(await result().getAttribute('data-code'), 'PLATFORM_UNREACHABLE');
    assert.match(await result().innerText(), /无法连接电子印章管理平台,请检查系统设置/);
    assert.equal(await ui.page.locator('[data-testid=pin-dialog]').count(), 0);
    ui.server.dialogs.save.length = 0;
    assert.ok(!fs.existsSync(file), 'nothing stamped');
    await shot(ui.page, 'platform-client-unreachable.png');
    await ui.page.click('[data-testid=open-settings]');
    await ui.page.locator('[data-testid=platform-state][data-state=unreachable]').waitFor({ timeout: 30_000 });
    assert.match(await ui.page.locator('[data-testid=platform-state]').innerText(), /无法连接/);
    await closeSettings();

    await openInUi(ui, stampedOnline);
    await verifiedCard();
    const st = checkInCard(ui, 'seal_status');
    assert.equal(await st.getAttribute('data-status'), 'warning');
    assert.match(await st.innerText(), /离线核验:截至 \S+,电子印章管理平台确认印章在用\(签章中的用印许可\)/);
  } finally {
    await d.relay.restore();
  }
});

test('the line cut while the permit is asked (after the PIN): the stamp is refused with the settings hint and no file is written', async () => {
  await openInUi(ui, CONTRACT);
  await placeSeal(ui, d.keeperA.esID);
  const file = path.join(out, 'cut-at-permit.pdf');
  d.relay.delayMs = 1200;
  try {
    await stampPlaced(ui, file, pinOf(d.keeperA));
    await ui.page.locator('[data-testid=stamp-progress][data-stage=permit]').waitFor({ timeout: 120_000 });
    assert.match(await ui.page.locator('[data-testid=stamp-progress-text]').innerText(), /申请用印许可/);
    await d.relay.cut();
    await result().waitFor({ timeout: 60_000 });
  } finally {
    d.relay.delayMs = 0;
    await d.relay.restore();
  }
  assert.equal(await result().getAttribute('data-code'), 'PLATFORM_UNREACHABLE');
  assert.match(await result().innerText(), /无法连接电子印章管理平台,请检查系统设置/);
  assert.equal(await ui.page.locator('[data-testid=open-settings]').count(), 1);
  assert.ok(!fs.existsSync(file), 'nothing stamped');
  assert.deepEqual(fs.readdirSync(out).filter((f) => f.includes('cut-at-permit')), [], 'no partial file either');
  await ui.page.locator('[data-testid=stamp-result] button').last().click();
});

test('a stamping record that cannot be sent waits in the queue: the stamp notice and the settings say so, and the next stamp sends it', async () => {
  await openInUi(ui, CONTRACT);
  await placeSeal(ui, d.keeperA.esID);
  d.relay.delayMs = 1200;
  try {
    await stampPlaced(ui, path.join(out, 'queued.pdf'), pinOf(d.keeperA));
    // The line goes down once the stamp is signed and its record is on its way.
    await ui.page.locator('[data-testid=stamp-progress][data-stage=record]').waitFor({ timeout: 120_000 });
    await d.relay.cut();
    const notice = await stampNotice();
    assert.match(notice.text, /用印记录暂未发送，已排队/);
  } finally {
    d.relay.delayMs = 0;
    await d.relay.restore();
  }
  assert.ok(fs.existsSync(path.join(out, 'queued.pdf')), 'the stamp itself is made');
  await openSettings();
  await ui.page.locator('[data-testid=platform-state][data-state=reachable]').waitFor({ timeout: 30_000 });
  assert.equal(await ui.page.locator('[data-testid=platform-waiting]').innerText(), '1');
  await closeSettings();

  await verifiedCard();
  await placeSeal(ui, d.keeperA.esID);
  await stampPlaced(ui, path.join(out, 'after-queue.pdf'), pinOf(d.keeperA));
  assert.match((await stampNotice()).text, /用印记录已上链/);
  await openSettings();
  await ui.page.locator('[data-testid=platform-state][data-state=reachable]').waitFor({ timeout: 30_000 });
  assert.equal(await ui.page.locator('[data-testid=platform-waiting]').innerText(), '0', 'the queued record went with the next stamp');
  await closeSettings();
});

test('a seal never registered on the platform shows 未登记, one past its validity 已过期, one cancelled 已注销: none can be picked up, and each says why', async () => {
  await registryBadge(ui, d.keeperD.esID, 'expired').waitFor({ timeout: 30_000 });
  assert.equal(await registryBadge(ui, d.keeperD.esID).innerText(), '已过期');
  const dd = ui.page.locator(`.seal-sample[data-esid="${d.keeperD.esID}"]`);
  assert.equal(await dd.getAttribute('data-may-stamp'), 'no');
  assert.match(await dd.locator('[data-testid=seal-why]').innerText(), /印章已过有效期/);

  await registryBadge(ui, d.keeperC.esID, 'not_registered').waitFor({ timeout: 30_000 });
  assert.equal(await registryBadge(ui, d.keeperC.esID).innerText(), '未登记');
  const c = ui.page.locator(`.seal-sample[data-esid="${d.keeperC.esID}"]`);
  assert.equal(await c.getAttribute('data-may-stamp'), 'no');
  assert.equal(await c.locator('[data-testid=place-here]').count(), 0);
  assert.match(await c.locator('[data-testid=seal-why]').innerText(), /印章未在电子印章管理平台备案/);

  await stateEvent(d.w, d.keeperA.esID, { action: 'cancel', reason: '单位更名' });
  await registryBadge(ui, d.keeperA.esID, 'cancelled').waitFor({ timeout: 30_000 });
  assert.equal(await registryBadge(ui, d.keeperA.esID).innerText(), '已注销');
  const a = ui.page.locator(`.seal-sample[data-esid="${d.keeperA.esID}"]`);
  assert.equal(await a.getAttribute('data-may-stamp'), 'no');
  assert.match(await a.locator('[data-testid=seal-why]').innerText(), /印章已注销\(单位更名\)/);
});

test("the platform's log rolled back (an old database copy restored): the banner says so loudly, the status check fails, and the settings do not trust the platform", async () => {
  await d.restoreDatabase();
  await openInUi(ui, stampedOnline);
  const alarm = ui.page.locator('[data-testid=platform-log-alarm]');
  await alarm.waitFor({ timeout: 90_000 });
  assert.match(await alarm.innerText(), /警告:电子印章管理平台的日志已回退.*平台的应答不可信/);
  const st = checkInCard(ui, 'seal_status');
  assert.equal(await st.getAttribute('data-status'), 'failed');
  assert.match(await st.innerText(), /日志已回退/);
  assert.equal(await ui.page.locator('[data-testid=banner]').getAttribute('data-verdict'), 'invalid');
  // Nor does the token panel take its answers: the seal whose loss was rolled back is not shown 在用.
  await registryBadge(ui, d.keeperB.esID, 'unchecked').waitFor({ timeout: 30_000 });
  const sampleB = ui.page.locator(`.seal-sample[data-esid="${d.keeperB.esID}"]`);
  assert.match(await sampleB.locator('[data-testid=seal-why]').innerText(), /日志已回退/);
  await shot(ui.page, 'platform-client-log-rolled-back.png');
  await openInUi(ui, CONTRACT);
  await placeSeal(ui, d.keeperB.esID);
  await ui.page.click('[data-testid=stamp-button]');
  await result().waitFor({ timeout: 30_000 });
  assert.equal(await result().getAttribute('data-code'), 'LOG_ROLLED_BACK');
  assert.equal(await ui.page.locator('[data-testid=pin-dialog]').count(), 0);
  assert.equal(await ui.page.locator('[data-testid=open-settings]').count(), 1);
  await ui.page.click('[data-testid=open-settings]');
  await ui.page.locator('[data-testid=platform-section]:not([data-configured=pending])').waitFor({ timeout: 30_000 });
  await ui.page.locator('[data-testid=platform-state][data-state=untrusted]').waitFor({ timeout: 30_000 });
  assert.match(await ui.page.locator('[data-testid=platform-state]').innerText(), /平台日志不可信.*已回退/);
  await closeSettings();
});

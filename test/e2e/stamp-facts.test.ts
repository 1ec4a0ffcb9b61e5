// What a stamp is made of, on the seal card and in the exported report (issues 10 and 11): a
// document timestamp is named as one (its signer is the TSA, not a seal keeper), the stamp before
// it says how far the document changed after it (LTV data only), a GM stamp gives its format,
// algorithms, seal version and time basis, and an accepted vendor encoding (a GM/T 0010 SM2 value
// stored as 64 raw bytes r‖s) is listed as a non-standard encoding, never silently.
// The files are made by the GM test PKI (OpenSSL SM2 keys and certificates), a loopback OpenSSL TSA
// and SealDesk's stamping; Playwright drives Debian's Chromium over the BUILT renderer, window.sealdesk
// an HTTP shim over the real handler table and core; the report PDF is printed by Chromium and read
// with pdftotext.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { requestTimestamp } from '../../src/core/timestamp/tsa-client';
import { signPdfWith } from '../cms/support/sign-pdf-with';
import { makeGmWorld, type GmWorld } from '../gm/support/gm-world';
import { vendorSignedPdf } from '../gm/support/vendor-signed-pdf';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { startTestTsa, type TestTsa } from '../support/tsa';
import { openInUi, screenshotForDocs, startUi, type Ui } from './support/ui';

let w: GmWorld;
let tsa: TestTsa;
let ui: Ui;

before(async () => {
  w = await makeGmWorld('e2e-facts');
  tsa = await startTestTsa();
  process.env.SEALDESK_HOME = w.file('home');
  ui = await startUi(w.file('home'), { viewport: { width: 1280, height: 800 } });
});
after(async () => {
  await ui?.close();
  await tsa?.close();
  w?.cleanup();
});

const settled = (ui: Ui) => ui.page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 60_000 });
const fact = (item: ReturnType<Ui['page']['locator']>, key: string) => item.locator(`[data-fact=${key}] dd`);

async function exportedReportText(name: string): Promise<string> {
  const target = w.file(name);
  ui.server.dialogs.report.push(target);
  await ui.page.click('[data-testid=export]');
  // The toast of an earlier export may still show: wait for this file itself.
  for (let i = 0; i < 600 && !fs.existsSync(target); i++) await ui.page.waitForTimeout(100);
  await ui.page.locator('[data-testid=toast]', { hasText: '验证报告已保存' }).waitFor({ timeout: 60_000 });
  return execFileSync('pdftotext', ['-layout', target, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

test('a document timestamp is shown as one, and the GM stamp before it gives its format, algorithms, seal version and an LTV-only change level — on screen and in the exported report', async () => {
  const stamped = await w.stamp(await classicPdf(w.file('in.pdf'), 1), w.file('stamped.pdf'));
  const file = w.file('stamped-and-timestamped.pdf');
  fs.writeFileSync(file, await signPdfWith(fs.readFileSync(stamped), 'ETSI.RFC3161', (signed) => requestTimestamp(signed, { url: tsa.url })));
  await openInUi(ui, file);
  await settled(ui);

  const items = ui.page.locator('[data-testid=seal-list] .seal-item');
  assert.equal(await items.count(), 2);
  const stamp = items.filter({ has: ui.page.locator('[data-fact=seal_version]') });
  const docTs = items.filter({ has: ui.page.locator('[data-fact=kind]') });
  assert.match(await fact(docTs, 'kind').innerText(), /文档时间戳/);
  assert.match(await fact(docTs, 'format').innerText(), /ETSI\.RFC3161/);

  assert.match(await fact(stamp, 'format').innerText(), /GB\/T 38540 SES_Signature v4/);
  assert.match(await fact(stamp, 'algorithms').innerText(), /SM2-with-SM3 · SM3/);
  assert.equal(await fact(stamp, 'seal_version').innerText(), '4');
  assert.match(await fact(stamp, 'modification_level').innerText(), /仅验证数据与签章软件记录/);
  assert.ok((await fact(stamp, 'time_basis').innerText()).length > 4, 'the time basis is said');
  assert.ok((await stamp.locator('[data-fact=digest]').count()) >= 1, 'the SM3 digests a reader can recompute are listed');
  assert.equal(await stamp.locator('[data-fact=encoding]').count(), 0, "SealDesk's own stamp uses no vendor habit");

  const text = await exportedReportText('facts-report.pdf');
  assert.match(text, /类型 文档时间戳/);
  assert.match(text, /签章后修改级别 仅验证数据与签章软件记录/);
  assert.match(text, /印章版本 4/);
  assert.match(text, /签名算法与摘要 SM2-with-SM3 · SM3/);
});

test('a vendor PDF stamp whose SM2 value is raw r‖s lists that non-standard encoding on its card and in the exported report', async () => {
  const file = w.file('vendor-raw.pdf');
  vendorSignedPdf({ dir: w.dir, der: w.keeper.der, keyPath: w.keeper.keyPath }, await classicPdf(w.file('in2.pdf'), 1), file, { sealDer: w.sealDer, rawSignature: true });
  await openInUi(ui, file);
  await settled(ui);
  const item = ui.page.locator('[data-testid=seal-list] .seal-item').first();
  const encoding = item.locator('[data-fact=encoding]');
  assert.equal(await encoding.count(), 1);
  assert.match(await encoding.locator('dt').innerText(), /非标准编码/);
  assert.match(await encoding.locator('dd').innerText(), /r‖s/);
  assert.equal(await encoding.evaluate((e) => e.classList.contains('stamp-fact-warn')), true, 'shown as something to notice');
  assert.notEqual(await item.getAttribute('data-verdict'), 'valid', 'an accepted habit is a warning, never silently valid');
  assert.match(await fact(item, 'format').innerText(), /GM\/T 0010/);
  await screenshotForDocs(ui, 'verify-stamp-facts.png');

  const text = await exportedReportText('vendor-report.pdf');
  assert.match(text, /非标准编码 .*r‖s/);
});


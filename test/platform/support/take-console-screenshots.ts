/**
 * The README screenshots of the platform's web console (Chinese UI, Noto CJK) from a real platform:
 * SQLite, its key on SoftHSM2, HTTPS on loopback, the console built from this tree, Debian's Chromium.
 * Run: node --import tsx test/platform/support/take-console-screenshots.ts   → docs/screenshots/platform-*.png
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ACCOUNTS, makeAndRegisterSeal, startConsolePlatform } from './console-platform';
import { fillApplication, logIn, startConsoleBrowser } from './console-browser';

const out = path.resolve(__dirname, '../../../docs/screenshots');
const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: path.join(out, `platform-${name}.png`) });

async function main(): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  const platform = await startConsolePlatform();
  const browser = await startConsoleBrowser(platform.url);
  const viewport = { width: 1280, height: 820 };
  try {
    // 1. Log-in, and the lock-out after five wrong passwords.
    const login = await browser.open({ viewport });
    await shot(login, 'login');
    for (let i = 0; i < 5; i++) {
      await login.fill('[data-testid=login-user]', ACCOUNTS.lockable.user);
      await login.fill('[data-testid=login-password]', `wrong-${i}`);
      await login.click('[data-testid=login-submit]');
      await login.locator('[data-testid=login-error]').waitFor();
      await login.waitForTimeout(150);
    }
    await login.locator('[data-testid=login-error][data-locked=yes]').waitFor();
    await shot(login, 'login-locked');

    // 2. An applicant files two applications; the form shows the picked impression.
    const applicant = await browser.open({ viewport });
    await logIn(applicant, ACCOUNTS.applicant.user, ACCOUNTS.applicant.password);
    await fillApplication(applicant, '星河科技有限公司财务专用章', '02', '吴十');
    await applicant.click('[data-testid=app-submit]');
    await applicant.locator('[data-testid=app-message].ok').waitFor();
    await fillApplication(applicant, '星河科技有限公司合同专用章', '04', '周九');
    await applicant.fill('textarea', '用于对外签订合同。');
    await shot(applicant, 'apply');
    await applicant.click('[data-testid=app-submit]');
    await applicant.locator('[data-testid=application]').nth(1).waitFor();

    // 3. The approver's queue; one is rejected with a reason.
    const approver = await browser.open({ viewport });
    await logIn(approver, ACCOUNTS.approver.user, ACCOUNTS.approver.password);
    const finance = approver.locator('[data-testid=application]').filter({ hasText: '财务专用章' });
    await finance.waitFor();
    await approver.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('img.impression')].every((i) => i.complete && i.naturalWidth > 0));
    await finance.locator('[data-testid=approval-opinion]').fill('财务专用章已有一枚在用，不予重复制作。');
    await shot(approver, 'approve');
    await finance.locator('[data-testid=reject]').click();
    await approver.locator('[data-testid=approval-message].ok').waitFor();
    const contract = approver.locator('[data-testid=application]').filter({ hasText: '合同专用章' });
    await contract.locator('[data-testid=approval-opinion]').fill('同意刻制。');
    await contract.locator('[data-testid=approve]').click();
    await approver.locator('[data-testid=approvals-empty]').waitFor();

    // 4. The maker's list, then the seal is made and registered.
    const maker = await browser.open({ viewport });
    await logIn(maker, ACCOUNTS.maker.user, ACCOUNTS.maker.password);
    await maker.locator('[data-testid=make-hint]').waitFor();
    await shot(maker, 'make');
    const id = await maker.locator('[data-testid=application]').first().getAttribute('data-id');
    const seal = await makeAndRegisterSeal(maker, id!);

    // 5. The unit admin suspends, resumes and is about to report the loss.
    const admin = await browser.open({ viewport: { width: 1280, height: 980 } });
    await logIn(admin, ACCOUNTS.unitAdmin.user, ACCOUNTS.unitAdmin.password);
    const card = admin.locator(`[data-testid=seal][data-esid="${seal.esID}"]`);
    await card.waitFor();
    for (const [action, reason, next] of [['suspend', '保管人休假，暂停用印', 'suspended'], ['resume', '保管人返岗', 'in_use']] as const) {
      await card.locator(`[data-testid=action-${action}]`).click();
      await card.locator('[data-testid=action-reason]').fill(reason);
      await card.locator('[data-testid=action-confirm]').click();
      await admin.locator(`[data-testid=seal][data-esid="${seal.esID}"][data-state=${next}]`).waitFor();
    }
    await card.locator('[data-testid=action-lost]').click();
    await card.locator('[data-testid=action-reason]').fill('印章卡遗失，疑似被盗');
    await shot(admin, 'seal-report-loss');
    await admin.waitForTimeout(1500);
    await card.locator('[data-testid=action-confirm]').click();
    await admin.locator(`[data-testid=seal][data-esid="${seal.esID}"][data-state=lost]`).waitFor();
    await shot(admin, 'seal-lost');

    // 6. The auditor checks an entry's inclusion proof in the browser.
    const auditor = await browser.open({ viewport: { width: 1280, height: 1100 } });
    await logIn(auditor, ACCOUNTS.auditor.user, ACCOUNTS.auditor.password);
    await auditor.click('[data-testid=tab-log]');
    await auditor.locator('[data-testid=checkpoint][data-signature=ok]').waitFor();
    const row = auditor.locator('[data-testid=leaf]').nth(2);
    await row.locator('[data-testid=check-inclusion]').click();
    await row.locator('[data-testid=inclusion-result]').waitFor();
    await shot(auditor, 'log-inclusion');

    // 7. English.
    const en = await browser.open({ viewport });
    await en.click('[data-testid=lang]');
    await logIn(en, ACCOUNTS.auditor.user, ACCOUNTS.auditor.password);
    await en.click('[data-testid=tab-seals]');
    await en.locator('[data-testid=seal]').first().waitFor();
    await shot(en, 'seals-en');
  } finally {
    await browser.close();
    await platform.close();
  }
  console.log(`screenshots written to ${path.relative(process.cwd(), out)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

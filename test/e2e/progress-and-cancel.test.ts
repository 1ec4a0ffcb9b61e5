// Stamping a large file (a 60 MB generated scan, from bench/generated-pdf.ts): the progress dialog
// shows while the stamp runs, and Cancel before the token signs leaves no file, never reaches the
// token, and says so. Playwright drives Debian's Chromium over the BUILT renderer; window.sealdesk is
// an HTTP shim replacing only Electron's IPC transport; behind it the real handler table and core
// stamp with the demo world's SoftHSM2 keeper token.
//
// The one stand-in: to cancel "before the token signs" at a moment the test controls, the job is
// held where a real one waits when the key is busy: in front of the gateway's per-token queue, as a
// token host answering late would. Everything after is real. (Core's own pipeline gives the event
// loop a turn at every stage before signing, so a cancel that arrives mid-stamp is seen too; that is
// tested without timing games in test/sign/cancel.test.ts.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeGeneratedPdf } from '../../bench/generated-pdf';
import type { CoreGateway } from '../../src/main/core-gateway';
import { dragSealOnto, openInUi, type Ui, startUi } from './support/ui';
import { KEEPER_PIN, buildDemoWorld, type DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
let big: string;
/** What the server saw of each stamp job: the stages core reported, in order. */
const jobs: { stages: string[]; cancelledBeforeCore: boolean }[] = [];
/** While set, a stamp job waits in front of the token's queue (a busy key) until cancelled or released. */
let hold: { release(): void } | null = null;
let core: CoreGateway;

function heldGateway(real: CoreGateway): CoreGateway {
  return {
    ...real,
    stamp: async (job, hooks) => {
      const seen = { stages: [] as string[], cancelledBeforeCore: false };
      jobs.push(seen);
      if (hold) {
        await new Promise<void>((resolve) => {
          hooks.signal?.addEventListener('abort', () => resolve(), { once: true });
          hold = { release: resolve };
        });
        seen.cancelledBeforeCore = hooks.signal?.aborted ?? false;
      }
      // The real gateway: it checks the signal first, then runs core on the token's queue.
      return real.stamp(job, { ...hooks, onProgress: (stage, fraction) => { seen.stages.push(stage); hooks.onProgress?.(stage, fraction); } });
    },
  };
}

before(async () => {
  world = buildDemoWorld('sealdesk-e2e-progress-');
  big = path.join(world.dir, '扫描件-60MB.pdf');
  writeGeneratedPdf(big, { name: 'e2e-60MB', pages: 60, targetBytes: 60_000_000 });
  ui = await startUi(world.home, { wrapCore: heldGateway });
  core = ui.core;
});
after(async () => {
  await ui?.close();
  world?.cleanup();
});

/** Stamp attempts on the large file in the audit log (the demo world's own stamp is not one). */
async function stampsLogged(): Promise<{ outcome: string; document?: string }[]> {
  const entries = await core.auditList(1000);
  return entries.filter((e) => e.action === 'stamp' && e.document?.includes('扫描件')).map((e) => ({ outcome: e.outcome, document: e.document }));
}

async function startStamp(output: string, beforeOk?: () => Promise<void>): Promise<void> {
  await openInUi(ui, big);
  await dragSealOnto(ui, 0.5, 0.4);
  ui.server.dialogs.save.push(output);
  await ui.page.click('[data-testid=stamp-button]');
  await ui.page.locator('[data-testid=pin-dialog]').waitFor();
  await ui.page.fill('[data-testid=pin-input]', KEEPER_PIN);
  await beforeOk?.();
  await ui.page.click('[data-testid=pin-ok]');
}

test('cancelling a large stamp before the token signs: the UI says it was cancelled, no file is written, the token is never asked', async () => {
  const output = path.join(world.dir, '扫描件-已签章.pdf');
  hold = { release: () => undefined };
  await startStamp(output);

  const progress = ui.page.locator('[data-testid=stamp-progress]');
  await progress.waitFor({ timeout: 10_000 });
  assert.ok(await progress.locator('progress').isVisible(), 'a progress bar is on screen');
  assert.match(await ui.page.locator('[data-testid=stamp-progress-text]').innerText(), /进度/);
  await ui.page.click('[data-testid=stamp-cancel]');

  const result = ui.page.locator('[data-testid=stamp-result][data-cancelled=yes]');
  await result.waitFor({ timeout: 30_000 });
  assert.match(await result.innerText(), /已取消签章\uff0c未生成签章文件/);
  assert.equal(await progress.count(), 0, 'the progress dialog is gone');
  hold = null;

  assert.equal(fs.existsSync(output), false, 'no stamped file');
  assert.deepEqual(fs.readdirSync(world.dir).filter((f) => f.includes('已签章')), [], 'no temporary file left beside it either');
  assert.ok(ui.server.calls.includes('cancelStamp'), 'the Cancel button reached the server');
  const job = jobs.at(-1)!;
  assert.equal(job.cancelledBeforeCore, true);
  assert.deepEqual(job.stages, [], 'core never started, so the token was never asked to sign');
  assert.deepEqual(await stampsLogged(), [], 'no stamp of the large file in the audit log');
  // The key is untouched: no wrong PIN counted, not locked.
  const keeper = (await core.listTokens()).find((t) => t.seals.length > 0)!;
  assert.equal(keeper.locked, false);
  assert.equal(keeper.triesLeft, 5);
  await result.locator('button').click();
});

test('stamping the same large file without cancelling shows the progress dialog until the stamped file opens and verifies', async () => {
  const output = path.join(world.dir, '扫描件-盖章完成.pdf');
  await startStamp(output, () =>
    ui.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => {
        const dialog = document.querySelector('[data-testid=stamp-progress]');
        if (dialog?.querySelector('progress')) seen.push((dialog as HTMLElement).innerText);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    }),
  );
  // The stamp takes about a second: record what the progress dialog shows while it is up.

  await ui.page.locator('[data-testid=docname]', { hasText: path.basename(output) }).waitFor({ timeout: 120_000 });
  // The stamp itself is valid. (The file-wide verdict may carry a warning: core's copied-seal scan
  // has a time budget, and on 60 pages of scanned images it says some pictures were not checked.)
  await ui.page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 120_000 });
  await ui.page.locator('[data-testid=seal-list] .seal-item[data-verdict=valid]').waitFor({ timeout: 10_000 });
  assert.notEqual(await ui.page.locator('[data-testid=banner]').getAttribute('data-verdict'), 'invalid');
  assert.equal(await ui.page.locator('[data-testid=stamp-progress]').count(), 0, 'the progress dialog closed');
  const seen = await ui.page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
  assert.ok(seen.length > 0 && seen.every((text) => /正在签章/.test(text) && /进度/.test(text)), `the progress dialog was on screen while the stamp ran: ${JSON.stringify(seen)}`);
  assert.ok(fs.statSync(output).size > fs.statSync(big).size, 'the stamped file is the original plus an update');
  // Core reported each stage of the pipeline, in order, to the handler the progress dialog polls.
  const stages = jobs.at(-1)!.stages.filter((s, i, all) => all.indexOf(s) === i);
  assert.deepEqual(stages, ['reading', 'placing', 'preparing', 'hashing', 'signing', 'writing', 'done']);
  assert.deepEqual(await stampsLogged(), [{ outcome: 'ok', document: output }], 'one stamp, logged');
});

/**
 * 骑缝章 and several pages through the keeper's flow on the demo's real SoftHSM2 USB-Key: the PIN
 * is asked once for all strips, the audit log names every page, and a one-page range is refused
 * before the PIN is asked (and logged as failed).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDemoWorld, DEMO, type DemoWorld } from '../../src/core/app/demo-world';
import { AppContext } from '../../src/core/app/context';
import { stampDocument } from '../../src/core/app/stamping';
import { verifyDocument } from '../../src/core/app/verification';
import type { SealDeskError } from '../../src/core/errors';

const CONTRACT = path.resolve(__dirname, '../../resources/samples/contract.pdf');
let world: DemoWorld;
let ctx: AppContext;

function pinSpy(pin: string) {
  const calls: number[] = [];
  return { calls, ask: async () => { calls.push(1); return Buffer.from(pin); } };
}

before(async () => {
  world = await buildDemoWorld(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-straddle-app-')), 'world'));
  ctx = new AppContext({ home: world.home, module: fs.readFileSync(world.envFile, 'utf8').match(/SEALDESK_PKCS11_MODULE='(.*)'/)![1] });
});

test('a straddle seal over the four pages of the contract asks for the PIN once, and the log names every page', async () => {
  const out = path.join(world.dir, 'straddle.pdf');
  const spy = pinSpy(DEMO.keeperPin);
  const r = await stampDocument(ctx, { input: CONTRACT, output: out, token: DEMO.keeperLabel, placement: { kind: 'straddle', pages: 'all', edge: 'right' }, askPin: spy.ask });
  assert.equal(spy.calls.length, 1);
  assert.deepEqual(r.stamps.map((s) => s.page), [1, 2, 3, 4]);
  const entry = ctx.audit.entries().reverse().find((e) => e.action === 'stamp' && e.outcome === 'ok');
  assert.match(String(entry?.detail), /p1, .*p2, .*p3, .*p4/);
  const report = verifyDocument(ctx, out);
  assert.equal(report.verdict, 'valid');
});

test('a straddle range of one page is refused before the PIN is asked, and the refusal is logged', async () => {
  const out = path.join(world.dir, 'one.pdf');
  const spy = pinSpy(DEMO.keeperPin);
  await assert.rejects(
    stampDocument(ctx, { input: CONTRACT, output: out, token: DEMO.keeperLabel, placement: { kind: 'straddle', pages: '1', edge: 'right' }, askPin: spy.ask }),
    (e: SealDeskError) => e.code === 'STRADDLE_NEEDS_TWO_PAGES',
  );
  assert.equal(spy.calls.length, 0);
  assert.equal(fs.existsSync(out), false);
  const entry = ctx.audit.entries().reverse().find((e) => e.action === 'stamp' && e.code === 'STRADDLE_NEEDS_TWO_PAGES');
  assert.equal(entry?.outcome, 'failed');
});

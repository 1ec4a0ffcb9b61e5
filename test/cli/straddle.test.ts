/**
 * `sealdesk sign --straddle` and `--pages` on the demo's real SoftHSM2 USB-Key: one PIN entry for
 * all strips or pages, pdfsig and `sealdesk verify` accept the result, a one-page range is refused
 * with its reason before the PIN is asked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { demoWorld } from './support/demo-world';

const world = demoWorld();
const CONTRACT = path.resolve(__dirname, '../../resources/samples/contract.pdf');
const PIN = '123456';

function sign(out: string, extra: string[], stdin = `${PIN}\n`) {
  return world.run(['sign', CONTRACT, '-o', out, '--token', 'DEMO-KEEPER', '--pin-stdin', ...extra], stdin);
}

test('a straddle seal across the four pages of the contract: one signature, pdfsig valid, sealdesk verify names it a straddle seal', () => {
  const out = path.join(world.dir, 'straddle.pdf');
  const r = sign(out, ['--straddle', 'all', '--edge', 'right', '--at-offset', '80']);
  assert.equal(r.code, 0, r.err);
  assert.equal((r.out.match(/签章成功/g) ?? []).length, 4, r.out);
  const ps = spawnSync('pdfsig', [out], { encoding: 'utf8' }).stdout;
  assert.equal((ps.match(/^Signature #\d+:/gm) ?? []).length, 1, ps);
  assert.match(ps, /Signature is Valid\./);
  const v = world.run(['verify', out, '--json']);
  const sig = JSON.parse(v.out).signatures[0];
  assert.equal(sig.checks.find((c: { id: string }) => c.id === 'straddle').status, 'ok');
  assert.deepEqual(sig.impressions.map((i: { page: number }) => i.page), [1, 2, 3, 4]);
  // 80 mm from the top of the page to the seal's centre.
  const top = 841.92; // the contract's page height
  for (const i of sig.impressions) assert.ok(Math.abs(top - (i.rect[1] + i.rect[3]) / 2 - 80 * 72 / 25.4) < 1, `${i.rect}`);
  const text = world.run(['verify', out]);
  assert.match(text.out, /pages 1, 2, 3, 4 \(4 impressions\)/);
  assert.match(text.out, /骑缝校验 \/ Straddle seal pages/);
  const stamps = world.auditLines().filter((l) => l.action === 'stamp' && l.outcome === 'ok');
  assert.match(String(stamps.at(-1)!.detail), /p1, .* p4/);
});

test('a straddle range of one page is refused with code and reason before the PIN is asked; nothing is written', () => {
  const out = path.join(world.dir, 'one.pdf');
  const r = sign(out, ['--straddle', '2'], '');
  assert.equal(r.code, 1);
  assert.match(r.err, /STRADDLE_NEEDS_TWO_PAGES/);
  assert.match(r.err, /骑缝章至少要盖在两页上/);
  assert.equal(fs.existsSync(out), false);
});

test('--pages odd stamps pages 1 and 3 in one signature with one PIN; usage mistakes are refused', () => {
  const out = path.join(world.dir, 'pages.pdf');
  const r = sign(out, ['--pages', 'odd', '--at', '300,200']);
  assert.equal(r.code, 0, r.err);
  const v = world.run(['verify', out, '--json']);
  assert.equal(v.code, 0, v.out);
  const report = JSON.parse(v.out);
  assert.equal(report.signatures.length, 1);
  assert.deepEqual(report.signatures[0].impressions.map((i: { page: number }) => i.page), [1, 3]);
  for (const bad of [['--straddle', 'all', '--at', '1,2'], ['--pages', 'all'], ['--edge', 'left', '--page', '1', '--at', '1,2'], ['--straddle', 'all', '--edge', 'middle'], ['--keyword', '盖章处', '--offset', 'ten']]) {
    const b = sign(path.join(world.dir, 'bad.pdf'), bad, '');
    assert.notEqual(b.code, 0, bad.join(' '));
  }
});

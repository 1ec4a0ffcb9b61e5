import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { demoWorld } from './support/demo-world';

const world = demoWorld();
const CONTRACT = path.resolve(__dirname, '../../resources/samples/contract.pdf');
const PIN = '123456';

function sign(out: string, stdin: string, extra: string[] = ['--keyword', '盖章处']) {
  return world.run(['sign', CONTRACT, '-o', out, '--token', 'DEMO-KEEPER', '--pin-stdin', ...extra], stdin);
}

function everythingWritten(): string {
  const home = world.env.SEALDESK_HOME!;
  return fs.readdirSync(home, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())
    .map((d) => fs.readFileSync(path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name), 'latin1')).join('\n');
}

test('a keeper stamps at a point with the PIN on stdin; pdfsig and sealdesk verify accept it, the input is untouched', () => {
  const before = fs.readFileSync(CONTRACT);
  const out = path.join(world.dir, 'point.pdf');
  const r = sign(out, `${PIN}\n`, ['--page', '1', '--at', '300,400']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /签章成功/);
  assert.ok(fs.readFileSync(CONTRACT).equals(before));
  assert.ok(fs.readFileSync(out).subarray(0, before.length).equals(before), 'incremental update');
  assert.match(spawnSync('pdfsig', [out], { encoding: 'utf8' }).stdout, /Signature is Valid\./);
  const v = world.run(['verify', out, '--json']);
  assert.equal(v.code, 0);
  const sig = JSON.parse(v.out).signatures[0];
  assert.equal(sig.page, 1);
  assert.ok(Math.abs((sig.rect[0] + sig.rect[2]) / 2 - 300) < 0.5 && Math.abs((sig.rect[1] + sig.rect[3]) / 2 - 400) < 0.5, `centre at 300,400: ${sig.rect}`);
  const e = world.auditLines().filter((l) => l.action === 'stamp').at(-1)!;
  assert.equal(e.outcome, 'ok');
  assert.match(String(e.esID), /^\d{20}$/);
});

test('a second stamp on another page of a real PDF (fractional /MediaBox) leaves the first one valid', () => {
  const first = path.join(world.dir, 'stamped.pdf');
  assert.match(spawnSync('pdfinfo', ['-box', first], { encoding: 'utf8' }).stdout, /MediaBox:\s+0\.00\s+0\.00\s+594\.96/, 'the contract has a non-integer page size');
  const out = path.join(world.dir, 'second.pdf');
  const r = world.run(['sign', first, '-o', out, '--token', 'DEMO-KEEPER', '--pin-stdin', '--page', '1', '--at', '300,400'], `${PIN}\n`);
  assert.equal(r.code, 0, r.err);
  const v = world.run(['verify', out, '--json']);
  const report = JSON.parse(v.out);
  assert.deepEqual(report.signatures.map((s: { verdict: string }) => s.verdict), ['valid', 'valid'], JSON.stringify(report.signatures.map((s: { checks: unknown }) => s.checks)));
  assert.equal(v.code, 0);
  assert.match(spawnSync('pdfsig', [out], { encoding: 'utf8' }).stdout, /Signature #2:[\s\S]*Signature is Valid\./);
});

test('a wrong PIN fails the stamp with tries left, leaves no output, is logged, and the PIN appears nowhere', () => {
  const out = path.join(world.dir, 'wrong.pdf');
  const r = sign(out, '999999\n');
  assert.equal(r.code, 1);
  assert.match(r.err, /PIN_INCORRECT/);
  assert.match(r.err, /4/);
  assert.equal(fs.existsSync(out), false);
  assert.equal(world.auditLines().filter((l) => l.action === 'stamp').at(-1)!.code, 'PIN_INCORRECT');
  assert.ok(!(r.out + r.err).includes('999999'));
  assert.ok(!everythingWritten().includes('999999'), 'the wrong PIN is in the data dir');
  assert.ok(!everythingWritten().includes(PIN), 'the right PIN is in the data dir');
  assert.equal(sign(out, `${PIN}\n`).code, 0, 'a correct PIN resets the count and stamps');
});

test('five wrong PINs lock the key: 密码错误,签章失败; the right PIN is refused after; the SO unlock lets the keeper stamp again', () => {
  const out = path.join(world.dir, 'locked.pdf');
  for (let i = 0; i < 5; i++) assert.equal(sign(out, '000000\n').code, 1);
  const refused = sign(out, `${PIN}\n`);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /PIN_LOCKED/);
  assert.match(refused.err, /密码错误,签章失败/);
  assert.equal(fs.existsSync(out), false);
  assert.match(world.run(['token', 'list']).out, /已锁定 locked/);
  const mismatch = world.run(['token', 'unlock', '--token', 'DEMO-KEEPER', '--pin-stdin'], `12345678\n${PIN}\n654321\n`);
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.err, /PIN_MISMATCH/);
  assert.match(world.run(['token', 'list']).out, /已锁定 locked/, 'a mismatched new PIN changes nothing');
  const unlock = world.run(['token', 'unlock', '--token', 'DEMO-KEEPER', '--pin-stdin'], `12345678\n${PIN}\n${PIN}\n`);
  assert.equal(unlock.code, 0, unlock.err);
  assert.equal(sign(out, `${PIN}\n`).code, 0);
  assert.ok(world.auditLines().some((l) => l.action === 'token.unlock' && l.outcome === 'ok'));
});

test('no USB-Key with that label: 请插入电子印章卡, no output, logged', () => {
  const out = path.join(world.dir, 'nokey.pdf');
  const r = world.run(['sign', CONTRACT, '-o', out, '--token', 'NOT-INSERTED', '--pin-stdin', '--keyword', '盖章处'], `${PIN}\n`);
  assert.equal(r.code, 1);
  assert.match(r.err, /请插入电子印章卡/);
  assert.equal(fs.existsSync(out), false);
  assert.equal(world.auditLines().at(-1)!.code, 'TOKEN_NOT_PRESENT');
});

test('a keyword that is not in the document is an error, not a silent default', () => {
  const out = path.join(world.dir, 'nokeyword.pdf');
  const r = sign(out, `${PIN}\n`, ['--keyword', '不存在的文字']);
  assert.equal(r.code, 1);
  assert.match(r.err, /KEYWORD_NOT_FOUND/);
  assert.equal(fs.existsSync(out), false);
});

test('the PIN is never taken from the command line', () => {
  const r = world.run(['sign', CONTRACT, '-o', path.join(world.dir, 'argv.pdf'), '--token', 'DEMO-KEEPER', '--pin', PIN, '--keyword', '盖章处']);
  assert.notEqual(r.code, 0);
  assert.equal(fs.existsSync(path.join(world.dir, 'argv.pdf')), false);
});

test('sealdesk token change-pin asks the new PIN twice; afterwards only the new PIN stamps', () => {
  const out = path.join(world.dir, 'newpin.pdf');
  const r = world.run(['token', 'change-pin', '--token', 'DEMO-KEEPER', '--pin-stdin'], `${PIN}\n88888888\n88888888\n`);
  assert.equal(r.code, 0, r.err);
  assert.equal(sign(out, `${PIN}\n`).code, 1, 'the old PIN no longer works');
  assert.equal(sign(out, '88888888\n').code, 0);
  assert.equal(world.run(['token', 'change-pin', '--token', 'DEMO-KEEPER', '--pin-stdin'], `88888888\n${PIN}\n${PIN}\n`).code, 0);
});

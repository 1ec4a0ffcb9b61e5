import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { AuditLog } from '../../src/core/audit/audit-log';

function freshLog(): AuditLog {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-audit-'));
  const log = new AuditLog(path.join(dir, 'audit.log'));
  for (let i = 1; i <= 5; i++) log.append({ action: 'stamp', outcome: i % 2 ? 'ok' : 'failed', tokenSerial: `SN${i}`, esID: `ES-${i}`, documentHash: 'ab'.repeat(32), code: i % 2 ? undefined : 'PIN_INCORRECT' });
  return log;
}

function lines(log: AuditLog): string[] {
  return fs.readFileSync(log.file, 'utf8').split('\n').filter(Boolean);
}

test('an untouched audit log verifies, every entry chained to the one before', () => {
  const log = freshLog();
  assert.deepEqual(log.verify(), { ok: true, count: 5 });
  const entries = log.entries();
  for (let i = 1; i < entries.length; i++) assert.equal(entries[i].prev, entries[i - 1].hash);
});

test('an edited line is found, and it is the first bad line', () => {
  const log = freshLog();
  const l = lines(log);
  l[2] = l[2].replace('"outcome":"ok"', '"outcome":"failed"');
  fs.writeFileSync(log.file, l.join('\n') + '\n');
  const r = log.verify();
  assert.equal(r.ok, false);
  assert.equal(r.badLine, 3);
  assert.match(r.reason ?? '', /edited/);
});

test('a removed line is found', () => {
  const log = freshLog();
  const l = lines(log);
  l.splice(1, 1);
  fs.writeFileSync(log.file, l.join('\n') + '\n');
  const r = log.verify();
  assert.equal(r.ok, false);
  assert.equal(r.badLine, 2);
});

test('two swapped lines are found', () => {
  const log = freshLog();
  const l = lines(log);
  [l[3], l[4]] = [l[4], l[3]];
  fs.writeFileSync(log.file, l.join('\n') + '\n');
  const r = log.verify();
  assert.equal(r.ok, false);
  assert.equal(r.badLine, 4);
});

test('lines cut off the end are found through the head record', () => {
  const log = freshLog();
  const l = lines(log);
  fs.writeFileSync(log.file, l.slice(0, 3).join('\n') + '\n');
  const r = log.verify();
  assert.equal(r.ok, false);
  assert.match(r.reason ?? '', /cut off/);
});

test('a PIN-free event is all the log keeps: no field carries anything but what was recorded', () => {
  const log = freshLog();
  const keys = new Set(log.entries().flatMap((e) => Object.keys(e)));
  for (const k of keys) assert.ok(['seq', 'time', 'action', 'outcome', 'tokenSerial', 'esID', 'documentHash', 'code', 'prev', 'hash'].includes(k), `unexpected field ${k}`);
});

test('appends from concurrent processes lose nothing and keep the chain intact', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-audit-'));
  const file = path.join(dir, 'audit.log');
  const script = `const { AuditLog } = require(${JSON.stringify(path.resolve(__dirname, '../../src/core/audit/audit-log.ts'))});
    const log = new AuditLog(${JSON.stringify(file)});
    for (let i = 0; i < 25; i++) log.append({ action: 'verify', outcome: 'ok', detail: process.pid + ':' + i });`;
  await Promise.all([0, 1, 2, 3].map(() => new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}`))));
  })));
  const log = new AuditLog(file);
  assert.deepEqual(log.verify(), { ok: true, count: 100 });
});

test('a damaged head record does not stop logging, and verify reports it', () => {
  const log = freshLog();
  fs.writeFileSync(`${log.file}.head`, 'garbage');
  const e = log.append({ action: 'stamp', outcome: 'ok' });
  assert.equal(e.seq, 6, 'the chain goes on from the last entry of the log');
  assert.equal(e.prev, log.entries()[4].hash);
  fs.writeFileSync(`${log.file}.head`, 'garbage');
  const r = log.verify();
  assert.equal(r.ok, false);
  assert.match(r.reason ?? '', /head record/);
});

test('a deleted log file is found through the head record', () => {
  const log = freshLog();
  fs.rmSync(log.file);
  const r = log.verify();
  assert.equal(r.ok, false);
  assert.match(r.reason ?? '', /missing but 5 entries/);
});

test('a log that cannot be written refuses with AUDIT_LOG_UNWRITABLE', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-audit-'));
  fs.mkdirSync(path.join(dir, 'audit.log')); // a directory where the log should be: not appendable, even for root
  const log = new AuditLog(path.join(dir, 'audit.log'));
  assert.throws(() => log.assertWritable(), (e: { code?: string }) => e.code === 'AUDIT_LOG_UNWRITABLE');
});

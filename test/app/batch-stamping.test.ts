import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pkcs11js from 'pkcs11js';
import { buildDemoWorld, DEMO, type DemoWorld } from '../../src/core/app/demo-world';
import { AppContext } from '../../src/core/app/context';
import { batchInputs, stampBatch } from '../../src/core/app/batch-stamping';
import type { SealDeskError } from '../../src/core/errors';
import { selectToken } from '../../src/core/app/token-overview';
import { pinStatus } from '../../src/core/pkcs11';
import { batchFolder } from './support/batch-files';

let world: DemoWorld;
let ctx: AppContext;
const userLogins: number[] = [];

before(async () => {
  world = await buildDemoWorld(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-batch-')), 'world'));
  ctx = new AppContext({ home: world.home, module: fs.readFileSync(world.envFile, 'utf8').match(/SEALDESK_PKCS11_MODULE='(.*)'/)![1] });
  // Count the C_Login calls that reach the real SoftHSM2 module (the call itself goes through).
  const lib = ctx.module().lib;
  const real = lib.C_Login.bind(lib);
  lib.C_Login = (session: Buffer, userType: number, pin?: string) => {
    if (userType === pkcs11js.CKU_USER) userLogins.push(Date.now());
    return real(session, userType, pin);
  };
});

function pinSpy(pin: string) {
  const asked: number[] = [];
  return { asked, ask: async () => { asked.push(1); return Buffer.from(pin); } };
}

test('a batch logs in to the token once and asks for the PIN once, whatever the number of documents', async () => {
  const { files, broken } = await batchFolder(path.join(world.dir, 'in-once'), 12, { notPdf: 5 });
  const spy = pinSpy(DEMO.keeperPin);
  const loginsBefore = userLogins.length;
  const s = await stampBatch(ctx, { inputs: files, outDir: path.join(world.dir, 'out-once'), token: DEMO.keeperLabel, placement: { kind: 'point', page: 1, x: 300, y: 400 }, askPin: spy.ask });
  assert.equal(s.stamped, 11);
  assert.deepEqual(s.results.filter((r) => r.status === 'failed').map((r) => r.input), broken);
  assert.equal(spy.asked.length, 1, 'one PIN prompt');
  assert.equal(userLogins.length - loginsBefore, 1, 'one C_Login on the token');
  assert.equal(s.logins, 1);
});

test('a wrong PIN ends the batch at once: counted by the PIN guard, asked once, the rest left for a resume', async () => {
  const { files } = await batchFolder(path.join(world.dir, 'in-wrong'), 6);
  const outDir = path.join(world.dir, 'out-wrong');
  const token = selectToken(ctx, DEMO.keeperLabel);
  const triesBefore = pinStatus(ctx.module(), token, { home: ctx.home }).triesLeft;
  const wrong = pinSpy('000000');
  const s = await stampBatch(ctx, { inputs: files, outDir, token: DEMO.keeperLabel, placement: { kind: 'point', page: 1, x: 300, y: 400 }, askPin: wrong.ask });
  assert.equal(wrong.asked.length, 1, 'a refused PIN is not asked again within the batch');
  assert.equal(s.stoppedBy?.code, 'PIN_INCORRECT');
  assert.deepEqual(s.results.map((r) => r.status), ['failed', 'not-attempted', 'not-attempted', 'not-attempted', 'not-attempted', 'not-attempted']);
  assert.equal(pinStatus(ctx.module(), token, { home: ctx.home }).triesLeft, triesBefore - 1, 'the PIN guard counted the wrong PIN');
  assert.deepEqual(fs.readdirSync(outDir).filter((n) => n.endsWith('.pdf')), []);

  const right = pinSpy(DEMO.keeperPin);
  const resumed = await stampBatch(ctx, { inputs: files, outDir, token: DEMO.keeperLabel, placement: { kind: 'point', page: 1, x: 300, y: 400 }, askPin: right.ask });
  assert.equal(resumed.stamped, 6);
  assert.equal(right.asked.length, 1);
  assert.equal(pinStatus(ctx.module(), token, { home: ctx.home }).triesLeft, 5, 'the good login reset the count');
});

test('a batch cancelled between documents stops with the rest not attempted and no partial output', async () => {
  const { files } = await batchFolder(path.join(world.dir, 'in-cancel'), 5);
  const outDir = path.join(world.dir, 'out-cancel');
  const abort = new AbortController();
  const s = await stampBatch(ctx, {
    inputs: files, outDir, token: DEMO.keeperLabel, placement: { kind: 'point', page: 1, x: 300, y: 400 }, askPin: pinSpy(DEMO.keeperPin).ask,
    signal: abort.signal, onFile: (_r, { index }) => { if (index === 1) abort.abort(); },
  });
  assert.deepEqual(s.results.map((r) => r.status), ['stamped', 'stamped', 'not-attempted', 'not-attempted', 'not-attempted']);
  assert.equal(s.stoppedBy?.code, 'CANCELLED');
  assert.deepEqual(fs.readdirSync(outDir).filter((n) => !n.startsWith('.')).sort(), ['doc-001.pdf', 'doc-002.pdf']);
});

test('a batch list file names documents relative to itself, skipping blanks and # comments; a folder gives its PDFs by name', async () => {
  const dir = path.join(world.dir, 'list-case');
  const { files } = await batchFolder(path.join(dir, 'docs'), 3);
  fs.writeFileSync(path.join(dir, 'docs', 'notes.txt'), 'not a PDF');
  const list = path.join(dir, 'batch.txt');
  fs.writeFileSync(list, `# this week's contracts\n\ndocs/doc-002.pdf\r\n  ${files[0]}  \n`);
  assert.deepEqual(batchInputs(list), [files[1], files[0]]);
  assert.deepEqual(batchInputs(path.join(dir, 'docs')), files, 'the folder: its PDFs only, sorted');
  assert.throws(() => batchInputs(path.join(dir, 'missing.txt')), (e: SealDeskError) => e.code === 'BATCH_LIST_UNREADABLE');
});

test('a batch refuses up front two documents with one output name, and an output folder holding the inputs', async () => {
  const a = await batchFolder(path.join(world.dir, 'clash-a'), 1);
  const b = await batchFolder(path.join(world.dir, 'clash-b'), 1);
  const spy = pinSpy(DEMO.keeperPin);
  const req = { token: DEMO.keeperLabel, placement: { kind: 'point', page: 1, x: 300, y: 400 } as const, askPin: spy.ask };
  await assert.rejects(stampBatch(ctx, { ...req, inputs: [...a.files, ...b.files], outDir: path.join(world.dir, 'clash-out') }), (e: SealDeskError) => e.code === 'BATCH_NAME_CLASH' && e.en.includes('doc-001.pdf'));
  await assert.rejects(stampBatch(ctx, { ...req, inputs: a.files, outDir: path.join(world.dir, 'clash-a') }), (e: SealDeskError) => e.code === 'BATCH_OUTPUT_IS_INPUT');
  assert.equal(spy.asked.length, 0, 'refused before the PIN is asked');
  assert.equal(fs.existsSync(path.join(world.dir, 'clash-out')), false, 'nothing was created');
});

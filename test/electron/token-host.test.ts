// The token host runs the real core in its own process. Electron's utilityProcess is not available
// without the binary, so the host script runs in a plain Node child (child_process.fork with
// structured-clone serialization) and a shim provides process.parentPort; main's side is the real
// token-host-client. The tokens are the demo world's SoftHSM2 tokens.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { CoreGateway } from '../../src/main/core-gateway';
import { createTokenHostClient, type HostProcessLike } from '../../src/main/token-host-client';
import { KEEPER_LABEL, KEEPER_PIN, buildDemoWorld, type DemoWorld } from '../e2e/support/world';

let world: DemoWorld;
let host: CoreGateway;
const children: ChildProcess[] = [];

before(() => {
  world = buildDemoWorld('sealdesk-host-');
  host = createTokenHostClient(() => {
    const child = fork(path.join(__dirname, '../../src/main/token-host.ts'), [], {
      execArgv: ['--import', 'tsx', '--require', path.join(__dirname, 'support/parent-port-shim.cjs')],
      serialization: 'advanced',
      env: { ...process.env, ...world.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    // A ChildProcess speaks send(); a UtilityProcess speaks postMessage(): the one difference.
    return Object.assign(child, { postMessage: (m: unknown) => child.send(m as never) }) as unknown as HostProcessLike;
  });
});
after(() => {
  host?.close?.();
  world?.cleanup();
});

test('the token host lists the keeper key and its seal from its own process', async () => {
  const tokens = await host.listTokens();
  const keeper = tokens.find((t) => t.label === KEEPER_LABEL);
  assert.ok(keeper, JSON.stringify(tokens.map((t) => t.label)));
  assert.equal(keeper.seals.length, 1);
  assert.ok(keeper.seals[0].picture instanceof Uint8Array && keeper.seals[0].picture.length > 100, 'the seal picture crosses the process boundary as bytes');
  assert.equal(keeper.triesLeft, 5);
  assert.equal(children.length, 1);
  assert.notEqual(children[0].pid, process.pid);
});

test('a wrong PIN comes back from the host as PIN_INCORRECT with tries left, no file, and the PIN wiped in main', async () => {
  const tokens = await host.listTokens();
  const keeper = tokens.find((t) => t.label === KEEPER_LABEL)!;
  const output = path.join(world.dir, 'host-wrong.pdf');
  const pin = Buffer.from('999999');
  await assert.rejects(
    host.stamp({ input: world.contractPdf, output, tokenSerial: keeper.serial, esID: keeper.seals[0].esID, placement: { kind: 'keyword', text: '盖章处', occurrence: 1 }, pin }, {}),
    (e: { code: string; details: { triesLeft?: number } }) => e.code === 'PIN_INCORRECT' && e.details.triesLeft === 4,
  );
  assert.ok(pin.every((b) => b === 0));
  assert.equal(fs.existsSync(output), false);
});

test('the right PIN stamps through the host, with progress reported back', async () => {
  const tokens = await host.listTokens();
  const keeper = tokens.find((t) => t.label === KEEPER_LABEL)!;
  const output = path.join(world.dir, 'host-ok.pdf');
  const stages: string[] = [];
  const r = await host.stamp(
    { input: world.contractPdf, output, tokenSerial: keeper.serial, esID: keeper.seals[0].esID, placement: { kind: 'keyword', text: '盖章处', occurrence: 1 }, pin: Buffer.from(KEEPER_PIN) },
    { onProgress: (s) => stages.push(s) },
  );
  assert.equal(r.output, output);
  assert.equal(r.fields.length, 1);
  assert.ok(stages.includes('signing'), stages.join(','));
  const report = await host.verify(output);
  assert.equal(report.verdict, 'valid');
  assert.equal((await host.listTokens()).find((t) => t.label === KEEPER_LABEL)?.triesLeft, 5, 'a correct PIN resets the count');
});

test('a batch stamps through the host with one PIN, each document reported back as it is done; the PIN is wiped in main', async () => {
  const keeper = (await host.listTokens()).find((t) => t.label === KEEPER_LABEL)!;
  const inDir = path.join(world.dir, 'host-batch-in');
  fs.mkdirSync(inDir);
  const inputs = [1, 2, 3].map((i) => { const f = path.join(inDir, `c${i}.pdf`); fs.copyFileSync(world.contractPdf, f); return f; });
  fs.writeFileSync(path.join(inDir, 'c2.pdf'), 'not a pdf');
  const outDir = path.join(world.dir, 'host-batch-out');
  const pin = Buffer.from(KEEPER_PIN);
  const seen: string[] = [];
  const r = await host.stampBatch(
    { inputs, outDir, tokenSerial: keeper.serial, esID: keeper.seals[0].esID, placement: { kind: 'keyword', text: '盖章处', occurrence: 1, offset: { dx: 0, dy: -20 } }, pin },
    { onFile: (f, done, total) => seen.push(`${f.name}:${f.status}:${done}/${total}`) },
  );
  assert.ok(pin.every((b) => b === 0), "main's copy of the PIN is zeroed");
  assert.deepEqual([r.stamped, r.failed], [2, 1]);
  assert.deepEqual(seen, ['c1.pdf:stamped:1/3', 'c2.pdf:failed:2/3', 'c3.pdf:stamped:3/3']);
  assert.equal((await host.verify(path.join(outDir, 'c3.pdf'))).verdict, 'valid');
});

test('the seal picture is made in the host and arrives as PNG bytes', async () => {
  const v = await host.sealPicture({ from: 'text', layout: 'oval', name: '上海示例商贸有限公司', taxNumber: '91310000MA1FL0ABCD' });
  assert.ok(v.png instanceof Uint8Array);
  assert.deepEqual([...v.png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  assert.deepEqual([v.widthMm, v.heightMm], [40, 30]);
});

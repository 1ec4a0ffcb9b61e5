// The keeper's key is a software key here (test/verify/world.ts): cancelling is about the pipeline,
// which must stop before any key — token or not — is asked to sign.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { stampPdf } from '../../src/core/sign';
import { makeWorld, repoRoot, sealPng } from '../verify/world';
import type { Signer } from '../../src/core/signer';

const contract = path.join(repoRoot, 'resources/samples/contract.pdf');

test('a cancel that arrives from elsewhere while the file is being read and prepared stops the stamp before the key signs', async () => {
  const w = await makeWorld('cancel');
  after(() => w.cleanup());
  let signed = 0;
  const signer: Signer = { ...w.keeper.signer, sign: (m, s) => { signed++; return w.keeper.signer.sign(m, s); } };
  const stages: string[] = [];
  const ac = new AbortController();
  // Queued before stamping starts: it can only run if the pipeline gives the event loop a turn.
  setImmediate(() => ac.abort());
  const out = w.file('cancelled.pdf');
  await assert.rejects(stampPdf({
    input: contract, output: out, placement: { kind: 'point', page: 1, x: 300, y: 300 }, sealDer: w.sealDer,
    sealPicture: { type: 'PNG', data: sealPng, widthMm: 40, heightMm: 40 }, signer, signal: ac.signal,
    onProgress: (p) => stages.push(p.stage),
  }), (e: { code?: string }) => e.code === 'STAMP_CANCELLED');
  assert.equal(signed, 0, 'the key was not asked to sign');
  assert.equal(fs.existsSync(out), false);
  assert.ok(!stages.includes('signing'), stages.join(','));
});

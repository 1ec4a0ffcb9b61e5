import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { makeWorld, repoRoot } from './world';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import path from 'node:path';

const contract = path.join(repoRoot, 'resources/samples/contract.pdf');
const sha256 = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

test('the report names the file by its SHA-256, with no stamp, one and two (hashed in the signatures\' pass)', async () => {
  const w = await makeWorld('file-hash');
  after(() => w.cleanup());
  const one = await w.stamp(contract, w.file('one.pdf'));
  const two = await w.stamp(one, w.file('two.pdf'), { kind: 'point', page: 2, x: 200, y: 200 });
  for (const f of [contract, one, two]) {
    const r = verifyPdf(f, { trustRoots: [w.ca.certificate] });
    assert.equal(r.file.sha256, sha256(f), f);
  }
});

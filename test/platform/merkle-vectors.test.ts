/**
 * The proof checkers against the published transparency-dev/merkle vectors (../shared/testdata/merkle,
 * see its NOTICE): every file of both folders, each happy path accepted and each tampered case
 * refused, with both hashers (Web Crypto, as in the browser, and node:crypto, as in the server).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { verifyConsistency, verifyInclusion, webCryptoSha256, type Sha256 } from '../../src/platform/log/merkle';
import { nodeSha256 } from '../../src/platform/log/node-hasher';

const root = path.resolve(__dirname, '../../../shared/testdata/merkle');

function jsonFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? jsonFiles(p) : d.name.endsWith('.json') ? [p] : [];
  }).sort();
}

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const hashers: [string, Sha256][] = [['Web Crypto', webCryptoSha256], ['node:crypto', nodeSha256]];

interface InclusionCase { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; desc: string; wantErr: boolean }
interface ConsistencyCase { size1: number; size2: number; root1: string; root2: string; proof: string[] | null; desc: string; wantErr: boolean }

const inclusionFiles = jsonFiles(path.join(root, 'inclusion'));
const consistencyFiles = jsonFiles(path.join(root, 'consistency'));

test('the vector set is all there (every file is read, none skipped)', () => {
  assert.equal(inclusionFiles.length + consistencyFiles.length, 196);
  assert.ok(inclusionFiles.length > 90 && consistencyFiles.length > 90);
});

for (const [name, sha256] of hashers) {
  test(`inclusion vectors (${name}): happy paths verify, every tampered proof, leaf, index, size and root is refused`, async () => {
    let accepted = 0;
    let refused = 0;
    for (const file of inclusionFiles) {
      const c = JSON.parse(fs.readFileSync(file, 'utf8')) as InclusionCase;
      const r = await verifyInclusion(sha256, c.leafIdx, c.treeSize, b64(c.leafHash), (c.proof ?? []).map(b64), b64(c.root));
      assert.equal(r.ok, !c.wantErr, `${path.relative(root, file)} (${c.desc}): ${r.ok ? 'accepted' : r.code}`);
      if (r.ok) accepted++; else refused++;
    }
    assert.ok(accepted >= 4 && refused > 80, `${accepted} accepted, ${refused} refused`);
  });

  test(`consistency vectors (${name}): happy paths verify, every tampered proof, size and root is refused`, async () => {
    let accepted = 0;
    let refused = 0;
    for (const file of consistencyFiles) {
      const c = JSON.parse(fs.readFileSync(file, 'utf8')) as ConsistencyCase;
      const r = await verifyConsistency(sha256, c.size1, c.size2, b64(c.root1), b64(c.root2), (c.proof ?? []).map(b64));
      assert.equal(r.ok, !c.wantErr, `${path.relative(root, file)} (${c.desc}): ${r.ok ? 'accepted' : r.code}`);
      if (r.ok) accepted++; else refused++;
    }
    assert.ok(accepted >= 6 && refused > 80, `${accepted} accepted, ${refused} refused`);
  });
}

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildGmDemoWorld, type GmDemoWorld } from '../../src/core/app/demo-gm-world';
import { DEMO } from '../../src/core/app/demo-world';
import { decodeSesSignature } from '../../src/core/asn1/ses-signature';
import { loadPemCertificates } from '../../src/core/crypto/pem';
import { GM_PDF_SUBFILTER } from '../../src/core/gm/pdf-profile';
import { ensureGmTokenBuilt } from '../native/gm-token-world';
import { contentsOf, describe, verifyGmSignatures } from './support/gm-world';
import { qpdfCheck } from '../sign/support/stamp-fixtures';

/**
 * `sealdesk demo --gm`'s world, built in this process (the CLI wiring is the lead's): the native GM
 * token under DIR, SM2 keys made on it, an SM2 seal, the contract stamped with the keeper's SM2 key.
 */
const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-gm-demo-'));
let world: GmDemoWorld;
const lines: string[] = [];

before(async () => {
  ensureGmTokenBuilt();
  delete process.env.SEALDESK_GMTOKEN_CONF;
  world = await buildGmDemoWorld(path.join(parent, 'demo'), (l) => lines.push(l));
});
after(() => fs.rmSync(parent, { recursive: true, force: true }));

test('the GM demo stamps the contract with the keeper\'s SM2 key as a GB/T 38540 SES_Signature that verifies against the demo\'s SM2 root', () => {
  const bytes = fs.readFileSync(world.stampedPdf);
  const roots = loadPemCertificates(fs.readFileSync(world.rootPem, 'utf8'));
  const [r] = verifyGmSignatures(bytes, roots);
  assert.ok(r, 'the stamp is a GM signature');
  assert.equal(r.verdict, 'valid', describe(r));
  assert.equal(r.subFilter, GM_PDF_SUBFILTER);
  assert.equal(r.seal?.name, DEMO.sealName);
  assert.equal(r.signer?.commonName, '张三');
  const ses = decodeSesSignature(contentsOf(bytes).der);
  assert.equal(ses.toSign.eseal.signAlgID, '1.2.156.10197.1.501', 'an SM2 seal, signed on the maker card');
  assert.ok(qpdfCheck(world.stampedPdf).ok);
  assert.ok(lines.some((l) => l.includes('SES_Signature')), lines.join('\n'));
});

test('everything lives under DIR: the token, the data dir with the sansec profile, the trust store, and DIR/env for later commands', () => {
  assert.ok(fs.readdirSync(world.tokenDir).some((n) => n.startsWith('slot-')), 'tokens in DIR/gmtoken');
  const config = JSON.parse(fs.readFileSync(path.join(world.home, 'config.json'), 'utf8')) as { vendorProfile?: string; modules: string[] };
  assert.equal(config.vendorProfile, 'sansec');
  assert.deepEqual(config.modules, [world.module]);
  assert.ok(fs.readdirSync(path.join(world.home, 'trust')).length > 0, 'the SM2 root is in the trust store');
  // the env file, sourced by a shell, gives exactly the three variables
  const out = execFileSync('sh', ['-c', `. '${world.envFile}' && printf '%s\\n' "$SEALDESK_HOME" "$SEALDESK_PKCS11_MODULE" "$SEALDESK_GMTOKEN_DIR"`], { encoding: 'utf8', env: {} });
  assert.deepEqual(out.trim().split('\n'), [world.home, world.module, world.tokenDir]);
  const audit = fs.readFileSync(path.join(world.home, 'audit.log'), 'utf8');
  for (const pin of [DEMO.keeperPin, DEMO.makerPin, DEMO.soPin]) assert.ok(!audit.includes(`"${pin}"`), 'no PIN in the audit log');
});

test('a second demo into the same DIR is refused and changes nothing', async () => {
  const before = fs.readFileSync(world.stampedPdf);
  await assert.rejects(buildGmDemoWorld(world.dir), (e: unknown) => (e as { code?: string }).code === 'DEMO_EXISTS');
  assert.ok(fs.readFileSync(world.stampedPdf).equals(before));
});

test('the demo\'s own report (the verification engine) is valid', () => {
  assert.equal(world.report.verdict, 'valid', JSON.stringify(world.report.signatures.map((s) => s.checks), null, 1));
});

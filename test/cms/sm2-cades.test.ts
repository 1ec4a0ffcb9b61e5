import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { buildCadesSignedData } from '../../src/core/cms/build-cades';
import { parseCms } from '../../src/core/cms/parse-cms';
import { verifyCmsSignature } from '../../src/core/cms/verify-cms';
import { OID_SM2_SM3, OID_SM3 } from '../../src/core/cms/oids';
import { checkChain } from '../../src/core/verify/chain';
import { TestPki } from '../crypto/support/test-pki';

/**
 * The GM family end to end in CMS: an SM2 keeper (software key standing in for an SM2 USB-Key, whose
 * signing is tested with the native GM token) signs SM3 content digests; the SM2 signature over the
 * signed attributes and the SM2 certificate chain (links signed with the default ID) verify.
 */
const pki = new TestPki('sealdesk-cms-sm2-');
after(() => pki.cleanup());
const root = pki.root('sm2', 'GM Test Root');
const keeper = pki.issue(root, 'sm2', 'GM Keeper');
const content = Buffer.from('国密签章测试文档 — SM3 over the signed ranges');
const sm3 = (b: Uint8Array): Uint8Array => new Uint8Array(crypto.createHash('sm3').update(b).digest());

test('an SM2 keeper signs an SM3 CAdES signature that verifies, and its GM chain is trusted', async () => {
  const cms = await buildCadesSignedData({ digest: sm3(content), digestAlgorithm: 'sm3', signer: keeper.signer(), signingTime: new Date() });
  const parsed = parseCms(cms);
  assert.equal(parsed.digestAlgorithmOid, OID_SM3);
  assert.equal(parsed.signatureAlgorithm.algorithmId, OID_SM2_SM3);
  const check = verifyCmsSignature(parsed, { content });
  assert.deepEqual(check.problems, []);
  assert.equal(check.signatureValid && check.digestMatches, true);
  assert.equal(checkChain(parsed.signerCertificate!, { intermediates: parsed.certificates, roots: [root.der], at: new Date() }).status, 'trusted');
});

test('an SM2 signature does not survive a changed document or a foreign GM root', async () => {
  const cms = await buildCadesSignedData({ digest: sm3(content), digestAlgorithm: 'sm3', signer: keeper.signer(), signingTime: new Date() });
  const parsed = parseCms(cms);
  const changed = Buffer.from(content);
  changed[0] ^= 1;
  assert.equal(verifyCmsSignature(parsed, { content: changed }).digestMatches, false);
  const forged = new Uint8Array(cms);
  const at = Buffer.from(cms).indexOf(Buffer.from(parsed.signatureValue));
  forged[at + parsed.signatureValue.length - 3] ^= 0x40;
  assert.equal(verifyCmsSignature(parseCms(forged), { content }).signatureValid, false);
  const other = pki.root('sm2', 'Other GM Root');
  assert.equal(checkChain(keeper.der, { intermediates: [], roots: [other.der], at: new Date() }).status, 'untrusted');
});

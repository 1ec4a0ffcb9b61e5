import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { requestTimestamp } from '../../src/core/timestamp/tsa-client';
import { verifyTimestampToken } from '../../src/core/timestamp/verify-timestamp';
import { buildCadesSignedData } from '../../src/core/cms/build-cades';
import { parseCms } from '../../src/core/cms/parse-cms';
import { verifyCmsSignature } from '../../src/core/cms/verify-cms';
import { isSealDeskError } from '../../src/core/errors';
import { startTestTsa, type TestTsa } from '../support/tsa';
import { softwareKeeper } from '../cms/software-signer';

let tsa: TestTsa;
before(async () => { tsa = await startTestTsa(); });
after(async () => { await tsa.close(); });

const signatureValue = new Uint8Array(crypto.randomBytes(256));

test('the loopback TSA stamps a signature value and the token verifies against the TSA root', async () => {
  const before = new Date(Date.now() - 2000);
  const token = await requestTimestamp(signatureValue, { url: tsa.url });
  const v = verifyTimestampToken(token, signatureValue, { trustRoots: [tsa.rootDer] });
  assert.deepEqual(v.problems, []);
  assert.equal(v.imprintMatches, true);
  assert.equal(v.signatureValid, true);
  assert.equal(v.timestampingUsage, true);
  assert.equal(v.chain.status, 'trusted');
  assert.ok(v.genTime && v.genTime >= before && v.genTime <= new Date(Date.now() + 2000), `genTime ${v.genTime?.toISOString()}`);
  assert.deepEqual(v.tsaCertificate, tsa.tsaCertDer);
});

test('openssl ts -verify accepts the token SealDesk fetched', async () => {
  const token = await requestTimestamp(signatureValue, { url: tsa.url });
  const dir = fs.mkdtempSync(path.join(tsa.dir, 'check-'));
  fs.writeFileSync(path.join(dir, 'token.der'), token);
  fs.writeFileSync(path.join(dir, 'data.bin'), signatureValue);
  const r = spawnSync('openssl', ['ts', '-verify', '-data', 'data.bin', '-in', 'token.der', '-token_in', '-CAfile', path.join(tsa.dir, 'root.pem')],
    { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Verification: OK/);
});

test('a token does not vouch for other data', async () => {
  const token = await requestTimestamp(signatureValue, { url: tsa.url });
  const other = new Uint8Array(signatureValue);
  other[0] ^= 0xff;
  const v = verifyTimestampToken(token, other, { trustRoots: [tsa.rootDer] });
  assert.equal(v.imprintMatches, false);
  assert.equal(v.signatureValid, true);
});

test('a TSA whose root is not trusted is reported untrusted, and not checked without roots', async () => {
  const token = await requestTimestamp(signatureValue, { url: tsa.url });
  const stranger = await startTestTsa({ name: 'Stranger TSA' });
  try {
    assert.equal(verifyTimestampToken(token, signatureValue, { trustRoots: [stranger.rootDer] }).chain.status, 'untrusted');
    assert.equal(verifyTimestampToken(token, signatureValue).chain.status, 'not_checked');
  } finally {
    await stranger.close();
  }
});

test('a token whose TSTInfo was altered fails the TSA signature', async () => {
  const token = await requestTimestamp(signatureValue, { url: tsa.url });
  const imprint = crypto.createHash('sha256').update(signatureValue).digest();
  const at = Buffer.from(token).indexOf(imprint);
  assert.ok(at > 0);
  const forged = new Uint8Array(token);
  const otherData = new Uint8Array(crypto.randomBytes(64));
  forged.set(crypto.createHash('sha256').update(otherData).digest(), at);
  const v = verifyTimestampToken(forged, otherData, { trustRoots: [tsa.rootDer] });
  assert.equal(v.imprintMatches, true, 'the forger made the imprint match the other data');
  assert.equal(v.signatureValid, false, 'but the TSA never signed that');
});

test('a PAdES B-T signature carries a signature timestamp over its signature value', async () => {
  const keeper = await softwareKeeper('EC-P256');
  const content = Buffer.from('signed PDF ranges');
  const digest = new Uint8Array(crypto.createHash('sha256').update(content).digest());
  const requests = tsa.requests;
  const cms = await buildCadesSignedData({ digest, digestAlgorithm: 'sha256', signer: keeper.signer, signingTime: new Date(), tsa: { url: tsa.url } });
  assert.equal(tsa.requests, requests + 1);
  const parsed = parseCms(cms);
  assert.ok(parsed.timestampToken, 'unsigned attribute id-aa-signatureTimeStampToken present');
  const check = verifyCmsSignature(parsed, { contentDigest: digest });
  assert.equal(check.signatureValid && check.digestMatches, true);
  const ts = verifyTimestampToken(parsed.timestampToken, parsed.signatureValue, { trustRoots: [tsa.rootDer] });
  assert.deepEqual(ts.problems, []);
  // and OpenSSL still accepts the whole CMS (unsigned attributes are outside the signature)
  const dir = fs.mkdtempSync(path.join(tsa.dir, 'bt-'));
  fs.writeFileSync(path.join(dir, 'sig.der'), cms);
  fs.writeFileSync(path.join(dir, 'content.bin'), content);
  fs.writeFileSync(path.join(dir, 'root.pem'), keeper.ca.certificatePem);
  const r = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'sig.der', '-content', 'content.bin', '-CAfile', 'root.pem',
    '-purpose', 'any', '-out', '/dev/null'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

async function expectTsaError(behaviour: TestTsa['behaviour'], code: string, timeoutMs = 5000): Promise<void> {
  const bad = await startTestTsa({ behaviour });
  try {
    const started = Date.now();
    await assert.rejects(requestTimestamp(signatureValue, { url: bad.url, timeoutMs, maxResponseBytes: 64 * 1024 }), (e: unknown) => {
      assert.ok(isSealDeskError(e), String(e));
      assert.equal(e.code, code);
      assert.ok(e.zh.length > 0 && e.en.length > 0);
      return true;
    });
    assert.ok(Date.now() - started < timeoutMs + 2000, 'bounded in time');
  } finally {
    await bad.close();
  }
}

test('a TSA that rejects the request is a clear TSA_REJECTED error', () => expectTsaError('reject', 'TSA_REJECTED'));
test('a TSA that answers garbage is a clear TSA_BAD_RESPONSE error', () => expectTsaError('garbage', 'TSA_BAD_RESPONSE'));
test('a TSA that never answers times out instead of hanging the stamp', () => expectTsaError('slow', 'TSA_TIMEOUT', 800));
test('a TSA that streams megabytes is cut off at the response size bound', () => expectTsaError('huge', 'TSA_RESPONSE_TOO_LARGE'));
test('an HTTP error from the TSA is reported with its status', () => expectTsaError('http500', 'TSA_HTTP_ERROR'));

test('an unreachable TSA is reported, not thrown as a raw socket error', async () => {
  await assert.rejects(requestTimestamp(signatureValue, { url: 'http://127.0.0.1:1/tsa', timeoutMs: 2000 }),
    (e: unknown) => isSealDeskError(e) && e.code === 'TSA_UNREACHABLE');
});

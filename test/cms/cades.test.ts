import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCadesSignedData } from '../../src/core/cms/build-cades';
import { parseCms } from '../../src/core/cms/parse-cms';
import { verifyCmsSignature } from '../../src/core/cms/verify-cms';
import { OID_ATTR_SESEAL, OID_ATTR_SIGNING_TIME } from '../../src/core/cms/oids';
import { isSealDeskError } from '../../src/core/errors';
import { softwareKeeper } from './software-signer';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-cms-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

const content = Buffer.from('%PDF-1.7 这是一份合同 — the bytes a PDF signature covers\n'.repeat(50));
const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(crypto.createHash('sha256').update(b).digest());
const fakeSeal = new Uint8Array(Buffer.from('3003020104', 'hex'));

function opensslCmsVerify(cms: Uint8Array, signed: Uint8Array, rootPem: string): { ok: boolean; out: string } {
  const dir = fs.mkdtempSync(path.join(work, 'v-'));
  fs.writeFileSync(path.join(dir, 'sig.der'), cms);
  fs.writeFileSync(path.join(dir, 'content.bin'), signed);
  fs.writeFileSync(path.join(dir, 'root.pem'), rootPem);
  const r = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'sig.der', '-content', 'content.bin',
    '-CAfile', 'root.pem', '-purpose', 'any', '-out', '/dev/null'], { cwd: dir, encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

for (const kind of ['RSA', 'RSA-PSS', 'EC-P256'] as const) {
  test(`a ${kind} keeper's detached CAdES signature verifies with openssl cms against the root`, async () => {
    const keeper = await softwareKeeper(kind);
    const cms = await buildCadesSignedData({ digest: sha256(content), digestAlgorithm: 'sha256', signer: keeper.signer, sealDer: fakeSeal, signingTime: new Date() });
    const r = opensslCmsVerify(cms, content, keeper.ca.certificatePem);
    assert.ok(r.ok, r.out);
    assert.match(r.out, /Verification successful/);
  });
}

test('openssl cms rejects the signature when one signed byte changes', async () => {
  const keeper = await softwareKeeper('EC-P256');
  const cms = await buildCadesSignedData({ digest: sha256(content), digestAlgorithm: 'sha256', signer: keeper.signer, signingTime: new Date() });
  const changed = Buffer.from(content);
  changed[100] ^= 0x01;
  assert.equal(opensslCmsVerify(cms, changed, keeper.ca.certificatePem).ok, false);
  const parsed = parseCms(cms);
  const check = verifyCmsSignature(parsed, { content: changed });
  assert.equal(check.digestMatches, false);
  assert.equal(check.signatureValid, true, 'the signature over the attributes is still intact; only the content changed');
});

test('the parsed signature carries the seal, the signer certificate and the PAdES attributes, and no signing-time', async () => {
  const keeper = await softwareKeeper('RSA');
  const cms = await buildCadesSignedData({ digest: sha256(content), digestAlgorithm: 'sha256', signer: keeper.signer, sealDer: fakeSeal, signingTime: new Date() });
  const parsed = parseCms(cms);
  assert.deepEqual(parsed.sealDer, fakeSeal);
  assert.deepEqual(parsed.signerCertificate, keeper.signer.certificate);
  assert.equal(parsed.digestAlgorithm, 'sha256');
  assert.ok(parsed.signedAttributeTypes.includes(OID_ATTR_SESEAL));
  assert.ok(!parsed.signedAttributeTypes.includes(OID_ATTR_SIGNING_TIME), 'PAdES puts the time in /M, not in the CMS');
  assert.equal(parsed.timestampToken, undefined);
  const check = verifyCmsSignature(parsed, { contentDigest: sha256(content) });
  assert.deepEqual(check.problems, []);
  assert.equal(check.signatureValid, true);
  assert.equal(check.digestMatches, true);
  assert.equal(check.signingCertificateMatches, true);
});

test('a seal swapped inside the signed attributes breaks the signer signature', async () => {
  const keeper = await softwareKeeper('EC-P256');
  const cms = await buildCadesSignedData({ digest: sha256(content), digestAlgorithm: 'sha256', signer: keeper.signer, sealDer: fakeSeal, signingTime: new Date() });
  const at = Buffer.from(cms).indexOf(Buffer.from(fakeSeal));
  assert.ok(at > 0);
  const forged = new Uint8Array(cms);
  forged[at + 4] = 0x05; // the seal's version 4 → 5
  const check = verifyCmsSignature(parseCms(forged), { contentDigest: sha256(content) });
  assert.equal(check.signatureValid, false);
  assert.equal(check.digestMatches, true);
  assert.equal(opensslCmsVerify(forged, content, keeper.ca.certificatePem).ok, false);
});

test('a signature from another certificate of the same root does not pass as the embedded signer', async () => {
  const keeper = await softwareKeeper('EC-P256');
  const other = await softwareKeeper('EC-P256', { ca: keeper.ca, subject: 'CN=Other Keeper' });
  const cms = await buildCadesSignedData({ digest: sha256(content), digestAlgorithm: 'sha256',
    signer: { ...keeper.signer, certificate: other.signer.certificate, sign: keeper.signer.sign }, signingTime: new Date() });
  const check = verifyCmsSignature(parseCms(cms), { contentDigest: sha256(content) });
  assert.equal(check.signatureValid, false);
});

test('a /Contents placeholder padded with zeros parses to the exact CMS', async () => {
  const keeper = await softwareKeeper('EC-P256');
  const cms = await buildCadesSignedData({ digest: sha256(content), digestAlgorithm: 'sha256', signer: keeper.signer, signingTime: new Date() });
  const padded = new Uint8Array(cms.length + 4000);
  padded.set(cms);
  assert.deepEqual(parseCms(padded).der, cms);
});

test('malformed signature data is refused with CMS_MALFORMED, never a crash', async () => {
  const keeper = await softwareKeeper('EC-P256');
  const cms = await buildCadesSignedData({ digest: sha256(content), digestAlgorithm: 'sha256', signer: keeper.signer, sealDer: fakeSeal, signingTime: new Date() });
  const corpus: Uint8Array[] = [new Uint8Array(0), new Uint8Array([0x30]), new Uint8Array(Buffer.from('garbage, not DER at all')),
    new Uint8Array([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00]), new Uint8Array(crypto.randomBytes(2000))];
  for (let cut = 1; cut < cms.length; cut += Math.max(1, Math.floor(cms.length / 60))) corpus.push(cms.subarray(0, cut));
  for (let i = 0; i < 300; i++) {
    const flipped = new Uint8Array(cms);
    flipped[Math.floor(Math.random() * flipped.length)] ^= 1 << Math.floor(Math.random() * 8);
    corpus.push(flipped);
  }
  let refused = 0;
  for (const bad of corpus) {
    try {
      verifyCmsSignature(parseCms(bad), { contentDigest: sha256(content), contentDigestAlgorithm: 'sha256' });
    } catch (e) {
      assert.ok(isSealDeskError(e), `unexpected ${String(e)}`);
      assert.equal(e.code, 'CMS_MALFORMED');
      assert.ok(e.zh.length > 0 && e.en.length > 0);
      refused++;
    }
  }
  assert.ok(refused >= 60, 'empty, garbage and truncated inputs are refused');
});

test('a single-bit change anywhere in the signed attributes, the signature value or the signer certificate is detected', async () => {
  const keeper = await softwareKeeper('EC-P256');
  const cms = await buildCadesSignedData({ digest: sha256(content), digestAlgorithm: 'sha256', signer: keeper.signer, sealDer: fakeSeal, signingTime: new Date() });
  const parsed = parseCms(cms);
  const buf = Buffer.from(cms);
  const regions = [
    { name: 'signed attributes', at: buf.indexOf(Buffer.from(parsed.signedAttributesDer!.subarray(1))) - 1, length: parsed.signedAttributesDer!.length },
    { name: 'signature value', at: buf.indexOf(Buffer.from(parsed.signatureValue)), length: parsed.signatureValue.length },
    { name: 'signer certificate', at: buf.indexOf(Buffer.from(keeper.signer.certificate)), length: keeper.signer.certificate.length },
  ];
  for (const region of regions) {
    assert.ok(region.at > 0, region.name);
    for (let i = region.at; i < region.at + region.length; i++) {
      // one bit per byte (rotating) keeps this to a few seconds while touching every byte
      for (const bit of [i % 8]) {
        const forged = new Uint8Array(cms);
        forged[i] ^= 1 << bit;
        let accepted = false;
        try {
          const check = verifyCmsSignature(parseCms(forged), { contentDigest: sha256(content), contentDigestAlgorithm: 'sha256' });
          accepted = check.signatureValid && check.digestMatches && check.problems.length === 0;
        } catch (e) {
          assert.ok(isSealDeskError(e), String(e));
        }
        assert.equal(accepted, false, `bit ${bit} of byte ${i} in the ${region.name} went unnoticed`);
      }
    }
  }
});

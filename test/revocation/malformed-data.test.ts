import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseCertificate } from '../../src/core/crypto/certificate';
import { judgeCrl, parseCrl } from '../../src/core/revocation/crl';
import { judgeOcspResponse } from '../../src/core/revocation/ocsp';
import { createRootCa, issueCertificate } from '../../src/core/pki/certificate-authority';
import { OpensslRevocationAuthority } from '../../src/core/revocation/openssl-revocation-authority';
import { buildOcspRequest } from '../../src/core/revocation/ocsp';
import { boundedFetch } from '../../src/core/revocation/bounded-http';
import os from 'node:os';

/**
 * Hostile revocation data never crashes the verifier: truncations and byte flips of a real OpenSSL
 * OCSP response and CRL, random bytes and deep nesting are each a refusal with a reason, never a throw
 * and never a "good".
 */
test('mangled OCSP responses and CRLs are refused with a reason, never a throw and never believed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-rev-fuzz-'));
  const ca = await createRootCa('CN=Fuzz CA');
  const authority = new OpensslRevocationAuthority({ dir: path.join(dir, 'ca'), caCertificate: ca.certificate, caKeyPkcs8: ca.privateKeyPkcs8 });
  try {
    const { publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = await issueCertificate(ca, { publicKeySpki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })), subject: 'CN=Fuzz Keeper' });
    authority.register(der);
    await authority.start();
    const cert = parseCertificate(der);
    const issuer = parseCertificate(ca.certificate);
    const req = buildOcspRequest(cert, issuer);
    const ocsp = await boundedFetch({ url: authority.ocspUrl, method: 'POST', body: req.der, contentType: 'application/ocsp-request', timeoutMs: 5000, maxBytes: 1 << 20 });
    const crl = authority.publishCrl();
    const good = judgeOcspResponse(ocsp, { cert, issuer, nonce: req.nonce });
    assert.ok(good.ok && good.finding.status === 'good', 'the untouched response is good');
    assert.ok(parseCrl(crl) && judgeCrl(parseCrl(crl)!, { cert, issuer }).ok);
    const variants: Uint8Array[] = [new Uint8Array(0), crypto.randomBytes(300), Buffer.alloc(5000, 0x30), Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]), crypto.randomBytes(20)])];
    for (let n = 1; n < ocsp.length; n += 7) variants.push(ocsp.subarray(0, n));
    for (let i = 0; i < 200; i++) {
      const flipped = Buffer.from(ocsp);
      flipped[crypto.randomInt(flipped.length)] ^= 1 << crypto.randomInt(8);
      variants.push(flipped);
    }
    for (const v of variants) {
      const j = judgeOcspResponse(v, { cert, issuer, nonce: req.nonce });
      // a flip inside the signature's unused parts may leave a valid response; anything else must be refused
      if (j.ok) assert.equal(j.finding.status, 'good');
      else assert.ok(j.problem.en.length > 0);
    }
    let refusedFlips = 0;
    for (let i = 0; i < 200; i++) {
      const flipped = Buffer.from(crl);
      flipped[crypto.randomInt(flipped.length)] ^= 1 << crypto.randomInt(8);
      const p = parseCrl(flipped);
      const j = p ? judgeCrl(p, { cert, issuer }) : undefined;
      if (!j || !j.ok) refusedFlips++;
    }
    assert.ok(refusedFlips > 150, `most flipped CRLs are refused (${refusedFlips}/200)`);
    for (let n = 1; n < crl.length; n += 9) assert.equal(parseCrl(crl.subarray(0, n)), undefined);
  } finally {
    await authority.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

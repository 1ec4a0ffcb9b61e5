import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyChain } from '../../src/core/crypto/chain';
import { parseCertificate } from '../../src/core/crypto/certificate';
import { loadPemCertificates, toPem } from '../../src/core/crypto/pem';
import { DAY, DISTID, TestPki, flipByte, openssl, type TestCert, type TestKeyKind } from './support/test-pki';

const pki = new TestPki();
after(() => pki.cleanup());
// Certificates start when OpenSSL issues them, so "now" is read when each check runs.
const current = (): Date => new Date();

for (const kind of ['sm2', 'rsa', 'ec'] as TestKeyKind[]) {
  describe(`a three-level ${kind.toUpperCase()} PKI`, () => {
    let root: TestCert;
    let ca: TestCert;
    let leaf: TestCert;
    before(() => {
      root = pki.root(kind, `${kind}-root`);
      ca = pki.issue(root, kind, `${kind}-ca`, { ca: true, pathLen: 0, days: 3650 });
      leaf = pki.issue(ca, kind, `${kind}-keeper`);
    });

    test('the keeper certificate chains to the trusted root', () => {
      const r = verifyChain(leaf.der, { intermediates: [ca.der], roots: [root.der], at: current(), keyUsage: 'digitalSignature' });
      assert.deepEqual(r.problems, []);
      assert.equal(r.ok, true);
      assert.equal(r.trusted, true);
      assert.deepEqual(r.chain.map((c) => c.subject.split(',')[0]), [`CN=${kind}-keeper`, `CN=${kind}-ca`, `CN=${kind}-root`]);
    });

    test('OpenSSL agrees, link by link', () => {
      // openssl verify applies distid to the certificate being checked only, so each link is checked alone (gm-formats.md §9).
      const gm = kind === 'sm2' ? ['-vfyopt', DISTID] : [];
      for (const [issuer, subject] of [[root, ca], [ca, leaf]] as const) {
        const out = openssl(['verify', ...gm, '-partial_chain', '-CAfile', issuer.certPath, subject.certPath]).toString();
        assert.match(out, /: OK/);
      }
    });

    test('a tampered keeper certificate fails its link signature', () => {
      // Flip a byte inside the subject name: still parses, no longer matches the CA's signature.
      const offset = Buffer.from(leaf.der).indexOf(Buffer.from(`${kind}-keeper`));
      assert.ok(offset > 0);
      assert.notEqual(parseCertificate(flipByte(leaf.der, offset)).subject, parseCertificate(leaf.der).subject);
      const tampered = flipByte(leaf.der, offset);
      const r = verifyChain(tampered, { intermediates: [ca.der], roots: [root.der], at: current() });
      assert.equal(r.ok, false);
      assert.equal(r.problems[0]?.code, 'CHAIN_SIGNATURE_INVALID');
      assert.match(r.problems[0]!.zh, /签名验证失败/);
    });

    test('without the intermediate, or with another root, the keeper is untrusted', () => {
      const missing = verifyChain(leaf.der, { roots: [root.der], at: current() });
      assert.equal(missing.ok, false);
      assert.equal(missing.problems[0]?.code, 'CHAIN_UNTRUSTED');
      const other = verifyChain(leaf.der, { intermediates: [ca.der], roots: [], at: current() });
      assert.equal(other.trusted, false);
      assert.equal(other.problems[0]?.code, 'CHAIN_UNTRUSTED');
    });

    test('the chain is expired after the keeper certificate ends and not yet valid before it starts', () => {
      const later = verifyChain(leaf.der, { intermediates: [ca.der], roots: [root.der], at: new Date(Date.now() + 900 * DAY) });
      assert.equal(later.ok, false);
      assert.deepEqual(later.problems.map((p) => [p.code, p.index]), [['CERT_EXPIRED', 0]]);
      const earlier = verifyChain(leaf.der, { intermediates: [ca.der], roots: [root.der], at: new Date(Date.now() - 2 * DAY) });
      assert.equal(earlier.ok, false);
      assert.ok(earlier.problems.every((p) => p.code === 'CERT_NOT_YET_VALID'));
      assert.equal(earlier.problems.length, 3);
    });

    test('a certificate without the requested key usage is refused for that use', () => {
      const r = verifyChain(leaf.der, { intermediates: [ca.der], roots: [root.der], at: current(), keyUsage: 'keyEncipherment' });
      assert.equal(r.ok, false);
      assert.deepEqual(r.problems.map((p) => p.code), ['CERT_KEY_USAGE']);
    });
  });
}

describe('issuer rules', () => {
  test('an end-entity certificate cannot act as a CA', () => {
    const root = pki.root('sm2', 'rules-root');
    const notCa = pki.issue(root, 'sm2', 'rules-not-a-ca');
    const victim = pki.issue(notCa, 'sm2', 'rules-victim');
    const r = verifyChain(victim.der, { intermediates: [notCa.der], roots: [root.der], at: current() });
    assert.equal(r.ok, false);
    assert.ok(r.problems.some((p) => p.code === 'CHAIN_ISSUER_NOT_CA' && p.index === 1));
    assert.ok(r.problems.some((p) => p.code === 'CHAIN_ISSUER_KEY_USAGE'));
  });

  test('a pathLen 0 CA cannot have a sub-CA below it', () => {
    const root = pki.root('ec', 'path-root');
    const ca0 = pki.issue(root, 'ec', 'path-ca0', { ca: true, pathLen: 0 });
    const sub = pki.issue(ca0, 'ec', 'path-sub', { ca: true });
    const leaf = pki.issue(sub, 'ec', 'path-leaf');
    const r = verifyChain(leaf.der, { intermediates: [ca0.der, sub.der], roots: [root.der], at: current() });
    assert.equal(r.ok, false);
    assert.deepEqual(r.problems.map((p) => [p.code, p.index]), [['CHAIN_PATH_TOO_LONG', 2]]);
  });

  test('an RSA keeper under an SM2 CA chains across algorithms', () => {
    const root = pki.root('sm2', 'mixed-root');
    const leaf = pki.issue(root, 'rsa', 'mixed-rsa-keeper');
    assert.equal(verifyChain(leaf.der, { roots: [root.der], at: current() }).ok, true);
  });

  test('garbage instead of a certificate is reported, not thrown', () => {
    const r = verifyChain(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), { roots: [], at: current() });
    assert.equal(r.ok, false);
    assert.equal(r.problems[0]?.code, 'CERT_MALFORMED');
  });
});

test('a PEM bundle yields every certificate in order, and the round trip keeps the bytes', () => {
  const a = pki.root('ec', 'pem-a');
  const b = pki.root('sm2', 'pem-b');
  const bundle = `comment\n${a.pem}\n${toPem(b.der)}trailer`;
  const list = loadPemCertificates(bundle);
  assert.equal(list.length, 2);
  assert.deepEqual(list[0], a.der);
  assert.deepEqual(list[1], b.der);
  assert.deepEqual(loadPemCertificates('no certificates here'), []);
  assert.throws(() => loadPemCertificates('-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----'), { code: 'CERT_MALFORMED' });
});

test('an SM2 certificate parses with its SM2 key, usage and names', () => {
  const root = pki.root('sm2', 'parse-root');
  const c = parseCertificate(pki.issue(root, 'sm2', 'parse-leaf').der);
  assert.equal(c.publicKey.kind, 'SM2');
  assert.equal(c.publicKey.keyBits.length, 65);
  assert.equal(c.signatureAlgorithm.oid, '1.2.156.10197.1.501');
  assert.equal(c.basicConstraints?.cA, false);
  assert.deepEqual([...(c.keyUsage ?? [])].sort(), ['digitalSignature', 'nonRepudiation']);
  assert.match(c.issuer, /CN=parse-root/);
});

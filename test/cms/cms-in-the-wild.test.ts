import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as asn1js from 'asn1js';
import { parseCms } from '../../src/core/cms/parse-cms';
import { verifyCmsSignature } from '../../src/core/cms/verify-cms';
import { createRootCa, issueCertificate, toPem, type SoftwareCa } from '../../src/core/pki/certificate-authority';
import { openPdf } from '../../src/core/pdf/document';
import { signedBytes } from '../../src/core/verify/byte-range';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import type { SignatureReport } from '../../src/api/verification-report';
import { classicPdf, workDir } from '../sign/support/stamp-fixtures';
import { buildWildCms } from './support/wild-cms';
import { signPdfWith } from './support/sign-pdf-with';

/**
 * CMS as other signers write it: BER with indefinite lengths, no signed attributes, SHA-1 and short
 * RSA keys, key-type and unknown algorithm OIDs, Ed25519/Ed448, ESS signing-certificate v1/v2 with
 * and without issuerSerial, subjectKeyIdentifier signer ids. Made with openssl cms where openssl
 * writes the variant, with pkijs (support/wild-cms.ts) where no tool does, and taken from pyHanko's
 * own test files. Each case is judged both at the CMS level and, put into a real PDF, by verifyPdf.
 */
const PEERS = '/work/shared/testdata/pdf-peers/pyhanko-tests';
let dir: string;
let ca: SoftwareCa;
let base: Buffer;
const content = Buffer.from('the signed bytes of a contract\n');
const keys: Record<string, { key: crypto.KeyObject; cert: Uint8Array; keyFile: string; certFile: string }> = {};

async function keeper(label: string, pair: crypto.KeyPairKeyObjectResult): Promise<void> {
  const cert = await issueCertificate(ca, { publicKeySpki: new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })), subject: `CN=${label},O=Partner Ltd` });
  const keyFile = path.join(dir, `${label}.key`);
  const certFile = path.join(dir, `${label}.pem`);
  fs.writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  fs.writeFileSync(certFile, toPem(cert, 'CERTIFICATE'));
  keys[label] = { key: pair.privateKey, cert, keyFile, certFile };
}

before(async () => {
  dir = workDir('cms-wild');
  ca = await createRootCa('CN=CMS Wild Test Root');
  await keeper('rsa', crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }));
  await keeper('rsa1024', crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }));
  await keeper('ec', crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  // Ed25519/Ed448 certificates from openssl (self-signed): what matters here is the signature algorithm.
  for (const alg of ['ed25519', 'ed448'] as const) {
    const keyFile = path.join(dir, `${alg}.key`);
    const certFile = path.join(dir, `${alg}.pem`);
    execFileSync('openssl', ['genpkey', '-algorithm', alg, '-out', keyFile]);
    execFileSync('openssl', ['req', '-new', '-x509', '-key', keyFile, '-out', certFile, '-subj', `/CN=${alg} signer`, '-days', '30',
      '-addext', 'subjectKeyIdentifier=hash']);
    const cert = new Uint8Array(new crypto.X509Certificate(fs.readFileSync(certFile)).raw);
    keys[alg] = { key: crypto.createPrivateKey(fs.readFileSync(keyFile)), cert, keyFile, certFile };
  }
  base = fs.readFileSync(await classicPdf(path.join(dir, 'base.pdf'), 1));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function opensslCms(label: string, extra: string[], data: Uint8Array = content): Uint8Array {
  const input = path.join(dir, `data-${crypto.randomUUID()}.bin`);
  const out = `${input}.p7s`;
  fs.writeFileSync(input, data);
  execFileSync('openssl', ['cms', '-sign', '-binary', '-in', input, '-signer', keys[label]!.certFile, '-inkey', keys[label]!.keyFile, '-outform', 'DER', '-out', out, ...extra]);
  return new Uint8Array(fs.readFileSync(out));
}

function check(cms: Uint8Array, data: Uint8Array = content): ReturnType<typeof verifyCmsSignature> {
  return verifyCmsSignature(parseCms(cms), { content: data });
}

/** A one-page PDF signed with the CMS `make` builds over its byte ranges, verified with the test root trusted. */
async function stampedWith(subFilter: string, make: (signed: Uint8Array) => Uint8Array, now?: Date): Promise<SignatureReport> {
  const pdf = await signPdfWith(base, subFilter, make);
  const report = verifyPdf(pdf, { trustRoots: [ca.certificate], now });
  assert.equal(report.signatures.length, 1);
  return report.signatures[0]!;
}

const statusOf = (s: SignatureReport, id: string): string => s.checks.find((c) => c.id === id)!.status;
const messageOf = (s: SignatureReport, id: string): string => s.checks.find((c) => c.id === id)!.message.en;

test('BER with indefinite lengths (openssl cms -stream, as NSS writes) verifies; the signed attributes are the received DER re-tagged as SET', () => {
  const ber = opensslCms('rsa', ['-stream', '-md', 'sha256']);
  assert.deepEqual([...ber.subarray(0, 2)], [0x30, 0x80], 'openssl -stream writes an indefinite length');
  // zero padding after the BER value, as in a PDF placeholder
  const padded = new Uint8Array(Buffer.concat([ber, Buffer.alloc(300)]));
  const parsed = parseCms(padded);
  assert.equal(parsed.der.length, ber.length);
  const attrs = parsed.signedAttributesDer!;
  assert.equal(attrs[0], 0x31);
  const asReceived = Buffer.from(attrs);
  asReceived[0] = 0xa0;
  assert.ok(Buffer.from(ber).indexOf(asReceived) > 0, 'the hashed signed attributes are the bytes in the CMS');
  const r = verifyCmsSignature(parsed, { content });
  assert.equal(r.signatureValid, true, r.problems.join('; '));
  assert.equal(r.digestMatches, true);
});

test('a BER CMS over other bytes, or with its signed attributes changed, is not valid', () => {
  const ber = opensslCms('rsa', ['-stream', '-md', 'sha256']);
  assert.equal(check(ber, Buffer.from('other bytes')).digestMatches, false);
  const parsed = parseCms(ber);
  const forged = Buffer.from(ber);
  const at = forged.indexOf(Buffer.from(parsed.messageDigest!));
  forged[at]! ^= 0x01; // the message-digest value inside the signed attributes
  const r = check(new Uint8Array(forged));
  assert.equal(r.digestMatches, false);
  assert.equal(r.signatureValid, false, 'the signature over the changed signed attributes fails');
});

test('a message-digest written as a BER constructed OCTET STRING (in chunks) is read as the concatenation', () => {
  const cms = buildWildCms({ key: keys.rsa!.key, certificate: keys.rsa!.cert, content, chunkedMessageDigest: true });
  const parsed = parseCms(cms);
  assert.equal(Buffer.from(parsed.messageDigest!).toString('hex'), crypto.createHash('sha256').update(content).digest('hex'));
  const r = check(cms);
  assert.equal(r.digestMatches, true, r.problems.join('; '));
  assert.equal(r.signatureValid, true, r.problems.join('; '));
  assert.equal(check(cms, Buffer.from('other')).digestMatches, false);
});

test('SignedData without signed attributes (openssl cms -noattr) verifies over the content itself; other content does not', () => {
  const cms = opensslCms('rsa', ['-noattr', '-md', 'sha256']);
  const parsed = parseCms(cms);
  assert.equal(parsed.signedAttributesDer, undefined);
  const ok = check(cms);
  assert.equal(ok.hasSignedAttributes, false);
  assert.equal(ok.signatureValid, true, ok.problems.join('; '));
  assert.equal(ok.digestMatches, true);
  const bad = check(cms, Buffer.from('changed content'));
  assert.equal(bad.signatureValid, false);
  assert.equal(bad.unsupportedAlgorithm, undefined);
});

test('no signed attributes: valid under adbe.pkcs7.detached; under ETSI.CAdES.detached a PAdES conformance warning, never "content tampered"', async () => {
  const make = (signed: Uint8Array): Uint8Array => buildWildCms({ key: keys.ec!.key, certificate: keys.ec!.cert, content: signed, signedAttributes: false });
  const pkcs7 = await stampedWith('adbe.pkcs7.detached', make);
  assert.equal(statusOf(pkcs7, 'digest'), 'ok');
  assert.equal(statusOf(pkcs7, 'signature'), 'ok');
  assert.equal(statusOf(pkcs7, 'signer_chain'), 'ok');
  const cades = await stampedWith('ETSI.CAdES.detached', make);
  assert.equal(statusOf(cades, 'digest'), 'ok');
  assert.equal(statusOf(cades, 'signature'), 'warning');
  assert.match(messageOf(cades, 'signature'), /Not PAdES-conformant.*signed attributes/);
  assert.doesNotMatch(cades.checks.map((c) => c.message.en).join(' '), /tampered/);
});

test('no signed attributes over other bytes: the stamp is invalid, and the reason says the signature does not match', async () => {
  const s = await stampedWith('adbe.pkcs7.detached', () => buildWildCms({ key: keys.rsa!.key, certificate: keys.rsa!.cert, content: Buffer.from('not the pdf'), signedAttributes: false }));
  assert.equal(s.verdict, 'invalid');
  assert.equal(statusOf(s, 'signature'), 'failed');
});

test('SHA-1 is a warning naming 2030-12-31, and refused after that date', async () => {
  const cms = opensslCms('rsa', ['-md', 'sha1']);
  assert.deepEqual(check(cms).weakAlgorithms.map((w) => w.what), ['SHA-1']);
  const make = (signed: Uint8Array): Uint8Array => buildWildCms({ key: keys.rsa!.key, certificate: keys.rsa!.cert, content: signed, digest: 'sha1' });
  const today = await stampedWith('ETSI.CAdES.detached', make);
  assert.equal(statusOf(today, 'digest'), 'ok');
  assert.equal(statusOf(today, 'signature'), 'warning');
  assert.match(messageOf(today, 'signature'), /SHA-1 \(2030-12-31\)/);
  const later = await stampedWith('ETSI.CAdES.detached', make, new Date('2031-01-02T00:00:00Z'));
  assert.equal(statusOf(later, 'signature'), 'failed');
  assert.match(messageOf(later, 'signature'), /refused/);
});

test('an RSA-1024 signer key is a weak-algorithm warning; RSA-2048 with SHA-256 is not', async () => {
  const weak = await stampedWith('ETSI.CAdES.detached', (signed) => buildWildCms({ key: keys.rsa1024!.key, certificate: keys.rsa1024!.cert, content: signed }));
  assert.equal(statusOf(weak, 'signature'), 'warning');
  assert.match(messageOf(weak, 'signature'), /RSA-1024 \(2030-12-31\)/);
  const strong = await stampedWith('ETSI.CAdES.detached', (signed) => buildWildCms({ key: keys.rsa!.key, certificate: keys.rsa!.cert, content: signed }));
  assert.equal(statusOf(strong, 'signature'), 'ok');
});

test('id-ecPublicKey written as the signature algorithm is read as ECDSA with the digest algorithm (as OpenSSL does), for an EC key only', () => {
  const asKeyOid = buildWildCms({ key: keys.ec!.key, certificate: keys.ec!.cert, content, signatureAlgorithm: { oid: '1.2.840.10045.2.1' } });
  const r = check(asKeyOid);
  assert.equal(r.signatureValid, true, r.problems.join('; '));
  assert.match(r.algorithm!, /ecdsa-with-SHA256 \(written as id-ecPublicKey\)/);
  assert.equal(check(asKeyOid, Buffer.from('other')).digestMatches, false);
  const onRsa = check(buildWildCms({ key: keys.rsa!.key, certificate: keys.rsa!.cert, content, signatureAlgorithm: { oid: '1.2.840.10045.2.1' } }));
  assert.equal(onRsa.signatureValid, false);
  assert.match(onRsa.unsupportedAlgorithm!, /id-ecPublicKey/);
});

test('Ed25519 verifies (RFC 8419, SHA-512 digest); a forged Ed25519 signature is invalid, not unsupported', () => {
  const cms = buildWildCms({ key: keys.ed25519!.key, certificate: keys.ed25519!.cert, content, digest: 'sha512', sid: 'subjectKeyIdentifier' });
  const r = check(cms);
  assert.equal(r.signatureValid, true, r.problems.join('; '));
  assert.equal(r.algorithm, 'Ed25519');
  const wrongKey = buildWildCms({ key: keys.ed448!.key, certificate: keys.ed25519!.cert, content, digest: 'sha512', signatureAlgorithm: { oid: '1.3.101.112' } });
  const bad = check(wrongKey);
  assert.equal(bad.signatureValid, false);
  assert.equal(bad.unsupportedAlgorithm, undefined);
});

test('unknown algorithms are "unsupported algorithm" in the report, never "signature invalid" or "tampered"; the digest check still runs', async () => {
  const unknownOid = await stampedWith('ETSI.CAdES.detached', (signed) => buildWildCms({ key: keys.rsa!.key, certificate: keys.rsa!.cert, content: signed, signatureAlgorithm: { oid: '1.2.3.4.5.6.7' } }));
  assert.equal(statusOf(unknownOid, 'digest'), 'ok');
  assert.equal(statusOf(unknownOid, 'signature'), 'failed');
  assert.match(messageOf(unknownOid, 'signature'), /^Unsupported algorithm \(signature algorithm 1\.2\.3\.4\.5\.6\.7\)/);
  assert.doesNotMatch(messageOf(unknownOid, 'signature'), /invalid/);
  assert.doesNotMatch(unknownOid.checks.map((c) => c.message.en).join(' '), /tamper/i);

  // RSASSA-PSS with MGF1-SHA512 over SHA-256: written by openssl, not checkable with node:crypto.
  const pss = opensslCms('rsa', ['-md', 'sha256', '-keyopt', 'rsa_padding_mode:pss', '-keyopt', 'rsa_mgf1_md:sha512']);
  assert.match(check(pss).unsupportedAlgorithm!, /RSASSA-PSS/);
  const pssSameHash = opensslCms('rsa', ['-md', 'sha256', '-keyopt', 'rsa_padding_mode:pss', '-keyopt', 'rsa_pss_saltlen:32']);
  assert.equal(check(pssSameHash).signatureValid, true, 'RSASSA-PSS with one hash is checked');
});

test('a digest algorithm SealDesk does not compute (Ed448 with SHAKE256) makes the stamp "unsupported algorithm", not tampered', async () => {
  const s = await stampedWith('ETSI.CAdES.detached', (signed) => {
    const cms = buildWildCms({ key: keys.ed448!.key, certificate: keys.ed448!.cert, content: signed, digest: 'sha512' });
    // rewrite the two digestAlgorithm OIDs to id-shake256 (same length: ...02 03 → ...02 0c)
    const b = Buffer.from(cms);
    const sha512 = Buffer.from('0609608648016503040203', 'hex');
    for (let at = b.indexOf(sha512); at >= 0; at = b.indexOf(sha512, at + 1)) b[at + 10] = 0x0c;
    return new Uint8Array(b);
  });
  assert.equal(s.verdict, 'invalid');
  assert.match(messageOf(s, 'digest'), /Unsupported algorithm/);
  assert.match(messageOf(s, 'signature'), /Unsupported algorithm/);
  assert.doesNotMatch(s.checks.map((c) => c.message.en).join(' '), /tampered/);
});

test('ESS signing-certificate v1 and v2, with and without issuerSerial, and subjectKeyIdentifier signer ids are accepted', () => {
  for (const version of [1, 2] as const) {
    for (const issuerSerial of [false, true]) {
      for (const sid of ['issuerAndSerial', 'subjectKeyIdentifier'] as const) {
        const r = check(buildWildCms({ key: keys.ec!.key, certificate: keys.ec!.cert, content, signingCertificate: { version, issuerSerial }, sid }));
        const what = `v${version} issuerSerial=${issuerSerial} sid=${sid}`;
        assert.equal(r.signatureValid, true, `${what}: ${r.problems.join('; ')}`);
        assert.equal(r.signingCertificateMatches, true, what);
      }
    }
  }
});

test('a signing-certificate attribute that names another certificate fails the signature check', async () => {
  const other = keys.rsa!.cert;
  for (const version of [1, 2] as const) {
    const r = check(buildWildCms({ key: keys.ec!.key, certificate: keys.ec!.cert, extraCertificates: [other], content, signingCertificate: { version, issuerSerial: true, names: other } }));
    assert.equal(r.signingCertificateMatches, false);
    assert.ok(r.problems.some((p) => /names another certificate/.test(p)));
  }
  const s = await stampedWith('ETSI.CAdES.detached', (signed) => buildWildCms({ key: keys.ec!.key, certificate: keys.ec!.cert, extraCertificates: [other], content: signed, signingCertificate: { version: 2, issuerSerial: false, names: other } }));
  assert.equal(s.verdict, 'invalid');
  assert.equal(statusOf(s, 'signature'), 'failed');
  assert.equal(statusOf(s, 'digest'), 'ok');
  assert.match(messageOf(s, 'signature'), /signing-certificate-v2 names another certificate/);
});

test('an issuerSerial whose serial is not the signer certificate\'s fails, though the hash matches', () => {
  const cms = Buffer.from(buildWildCms({ key: keys.ec!.key, certificate: keys.ec!.cert, content, signingCertificate: { version: 2, issuerSerial: true } }));
  const parsed = parseCms(cms);
  const id = parsed.signingCertificate!.certs[0]!;
  assert.ok(id.issuerSerial);
  // flip the last byte of the serial in the attribute: the attribute is re-signed by building anew with a forged serial
  const serial = Buffer.from(id.issuerSerial.serialNumber.valueBlock.valueHexView);
  id.issuerSerial.serialNumber = new asn1js.Integer({ valueHex: Buffer.from(serial.map((b, i) => (i === serial.length - 1 ? b ^ 1 : b))) });
  const r = verifyCmsSignature(parsed, { content });
  assert.equal(r.signingCertificateMatches, false);
});

test('an ESSCertIDv2 hashed with an algorithm SealDesk does not know is "unsupported algorithm", not "another certificate"', () => {
  const r = check(buildWildCms({ key: keys.ec!.key, certificate: keys.ec!.cert, content, signingCertificate: { version: 2, issuerSerial: false, hashAlgorithmOid: '1.2.3.4.99' } }));
  assert.match(r.unsupportedAlgorithm!, /signing-certificate-v2 hash 1\.2\.3\.4\.99/);
  assert.equal(r.signingCertificateMatches, undefined);
  const sha512 = check(buildWildCms({ key: keys.ec!.key, certificate: keys.ec!.cert, content, signingCertificate: { version: 2, issuerSerial: false, hashAlgorithmOid: '2.16.840.1.101.3.4.2.3' } }));
  assert.equal(sha512.signingCertificateMatches, false, 'a SHA-512 ESSCertIDv2 holding a SHA-256 hash names no certificate');
});

test("pyHanko's peer files: no signed attributes, SKI signer id, ESS v1 with and without issuerSerial all verify at the CMS level", () => {
  const files: Array<[string, Partial<ReturnType<typeof verifyCmsSignature>>]> = [
    ['sig-no-signed-attrs.pdf', { hasSignedAttributes: false }],
    ['sig-with-ski-sid.pdf', {}],
    ['pades-with-old-style-signing-cert-attr.pdf', { signingCertificateMatches: true }],
    ['pades-with-old-style-signing-cert-attr-issser.pdf', { signingCertificateMatches: true }],
  ];
  for (const [file, expect] of files) {
    const bytes = fs.readFileSync(path.join(PEERS, file));
    const field = openPdf(bytes).signatureFields()[0]!;
    const parsed = parseCms(field.value!.contents);
    if (file.includes('old-style')) {
      assert.equal(parsed.signingCertificate?.version, 1, file);
      assert.equal(!!parsed.signingCertificate.certs[0]!.issuerSerial, file.includes('issser'), file);
    }
    const r = verifyCmsSignature(parsed, { content: signedBytes(bytes, field.value!.byteRange as [number, number, number, number]) });
    assert.equal(r.signatureValid, true, `${file}: ${r.problems.join('; ')}`);
    assert.equal(r.digestMatches, true, file);
    for (const [k, v] of Object.entries(expect)) assert.equal((r as unknown as Record<string, unknown>)[k], v, `${file} ${k}`);
    const report = verifyPdf(bytes, { trustRoots: [], fileName: file });
    const s = report.signatures[0]!;
    assert.equal(statusOf(s, 'digest'), 'ok', file);
    assert.equal(statusOf(s, 'signature'), 'ok', file);
  }
});

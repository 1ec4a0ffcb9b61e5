import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { OID_GM_DATA, isGmSignature, sniffGmContents } from '../../src/core/gm/pdf-profile';
import { parseGmSignedData } from '../../src/core/gm/gm-signed-data';
import { openPdf } from '../../src/core/pdf/document';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { describe, makeGmWorld, status, verifyGmSignatures, type GmWorld } from './support/gm-world';
import { gmSignedData as gmSignedDataFor, vendorSignedPdf as vendorSignedPdfFor, withIndefiniteLengths } from './support/vendor-signed-pdf';

/**
 * GM/T 0010 SM2 SignedData under /adbe.pkcs7.detached, as Chinese vendors' PDF signers write it
 * (built by ./support/vendor-signed-pdf.ts: pkijs assembles, OpenSSL signs).
 */
let w: GmWorld;
let input: string;
before(async () => {
  w = await makeGmWorld('signeddata');
  input = await classicPdf(w.file('contract.pdf'), 1);
});
after(() => w.cleanup());

interface Options {
  rewrite?: (der: Uint8Array) => Uint8Array;
  digest?: Uint8Array;
  withSeal?: boolean;
  corruptSignature?: boolean;
  rawSignature?: boolean;
}

const signer = () => ({ dir: w.dir, der: w.keeper.der, keyPath: w.keeper.keyPath });
const gmSignedData = (digest: Uint8Array, o: Options = {}) => gmSignedDataFor(signer(), digest, { ...o, sealDer: o.withSeal ? w.sealDer : undefined });
const vendorSignedPdf = (name: string, o: Options = {}) => vendorSignedPdfFor(signer(), input, w.file(name), { ...o, sealDer: o.withSeal ? w.sealDer : undefined });

test('a GM/T 0010 SignedData (SM2 OIDs) under adbe.pkcs7.detached, signed by OpenSSL, verifies: a plain signature without a seal', () => {
  const bytes = vendorSignedPdf('vendor.pdf');
  const v = openPdf(bytes).signatureFields()[0]!.value!;
  assert.equal(v.subFilter, 'adbe.pkcs7.detached');
  assert.equal(sniffGmContents(v.contents), 'gm-signed-data');
  assert.ok(isGmSignature(v), 'recognised as GM by its content type, whatever the SubFilter');
  const [r] = verifyGmSignatures(bytes, [w.root.der]);
  assert.ok(r);
  for (const id of ['byte_range', 'signature', 'signer_chain', 'digest', 'modifications'] as const) assert.equal(status(r, id), 'ok', describe(r));
  assert.equal(status(r, 'seal'), 'warning', 'no seal in a plain GM/T 0010 signature');
  assert.equal(r.verdict, 'warning');
  assert.equal(r.signer?.commonName, 'GM Keeper');
  assert.equal(r.timeSource, 'claimed');
});

test('a GM/T 0010 SignedData carrying the SESeal as a signed attribute verifies valid with the seal checks', () => {
  const [r] = verifyGmSignatures(vendorSignedPdf('vendor-seal.pdf', { withSeal: true }), [w.root.der]);
  assert.equal(r!.verdict, 'valid', describe(r!));
  assert.equal(r!.seal?.name, '国密测试合同专用章');
  assert.equal(status(r!, 'impression'), 'ok');
});

test('a GM/T 0010 SignedData over other bytes fails the digest; a damaged SM2 signature fails the signature', () => {
  const [other] = verifyGmSignatures(vendorSignedPdf('vendor-other.pdf', { digest: crypto.createHash('sm3').update('another document').digest() }), [w.root.der]);
  assert.equal(status(other!, 'digest'), 'failed', describe(other!));
  assert.equal(other!.verdict, 'invalid');
  const [broken] = verifyGmSignatures(vendorSignedPdf('vendor-broken.pdf', { corruptSignature: true }), [w.root.der]);
  assert.equal(status(broken!, 'signature'), 'failed', describe(broken!));
  assert.equal(status(broken!, 'digest'), 'ok');
});

test('the GM/T 0010 parser keeps the received bytes and refuses other content types and digests cleanly', () => {
  const der = gmSignedData(new Uint8Array(32));
  const parsed = parseGmSignedData(Uint8Array.from([...der, 0, 0, 0]));
  assert.deepEqual(Buffer.from(parsed.der), Buffer.from(der));
  assert.equal(parsed.eContentType, OID_GM_DATA);
  const wrongType = Buffer.from(der);
  wrongType[wrongType.indexOf(Buffer.from('2a811ccf55060104020201', 'hex')) + 10] = 0x05; // .2.2 → .2.5 (encryptedData)
  for (const bad of [wrongType, der.subarray(0, 50), Uint8Array.of(0x30, 0x02, 0x05, 0x00)]) {
    assert.throws(() => parseGmSignedData(bad), (e: unknown) => (e as { code?: string }).code === 'CMS_MALFORMED');
  }
});

test('a PDF stamp whose GM/T 0010 SM2 value is 64 raw bytes r‖s (GM/T 0010 / SKF style) verifies through the engine with the habit named; a changed byte in it still fails', () => {
  const bytes = vendorSignedPdf('vendor-raw.pdf', { withSeal: true, rawSignature: true });
  const v = openPdf(bytes).signatureFields()[0]!.value!;
  assert.equal(parseGmSignedData(v.contents).signatureValue.length, 64, 'the value is stored as 64 raw bytes, not DER');
  const report = verifyPdf(bytes, { trustRoots: [w.root.der] });
  const r = report.signatures[0]!;
  for (const id of ['byte_range', 'digest', 'signature', 'signer_chain', 'seal', 'seal_signer'] as const) assert.equal(status(r, id), 'ok', describe(r));
  assert.ok(r.encodingDeviations?.some((d) => /encryptedDigest is 64 raw bytes r‖s instead of DER SEQUENCE\{r, s\}/.test(d.en) && /非标准编码/.test(d.zh)), JSON.stringify(r.encodingDeviations));
  assert.equal(r.verdict, 'warning', 'an accepted vendor habit is a warning, never silent');
  const der = verifyPdf(vendorSignedPdf('vendor-der.pdf', { withSeal: true }), { trustRoots: [w.root.der] }).signatures[0]!;
  assert.equal(der.verdict, 'valid', describe(der));
  assert.equal(der.encodingDeviations, undefined);

  const broken = verifyPdf(vendorSignedPdf('vendor-raw-broken.pdf', { withSeal: true, rawSignature: true, corruptSignature: true }), { trustRoots: [w.root.der] }).signatures[0]!;
  assert.equal(status(broken, 'signature'), 'failed', describe(broken));
  assert.equal(broken.verdict, 'invalid');
});

// ContentInfo, its [0], SignedData, the certificate set, signerInfos, the SignerInfo: what
// BouncyCastle's streaming CMS writers emit with indefinite lengths.
const OUTSIDE_SIGNED = [[], [1], [1, 0], [1, 0, 3], [1, 0, 4], [1, 0, 4, 0]];

test('a GM/T 0010 SignedData written as BER with indefinite lengths (BouncyCastle style) verifies with the habit named; inside the signed attributes it is refused with its reason', () => {
  const bytes = vendorSignedPdf('vendor-ber.pdf', { withSeal: true, rewrite: (der) => withIndefiniteLengths(der, OUTSIDE_SIGNED) });
  const v = openPdf(bytes).signatureFields()[0]!.value!;
  assert.deepEqual([...v.contents.subarray(0, 2)], [0x30, 0x80], 'the ContentInfo has an indefinite length');
  assert.equal(sniffGmContents(v.contents), 'gm-signed-data', 'recognised as GM/T 0010 in its BER form');
  const r = verifyPdf(bytes, { trustRoots: [w.root.der] }).signatures[0]!;
  for (const id of ['byte_range', 'digest', 'signature', 'signer_chain', 'seal', 'seal_signer'] as const) assert.equal(status(r, id), 'ok', describe(r));
  assert.ok(r.encodingDeviations?.some((d) => /uses indefinite lengths \(BER, closed by 00 00\), accepted as BER indefinite lengths outside the signed bytes/.test(d.en) && /非标准编码：/.test(d.zh)), JSON.stringify(r.encodingDeviations));
  assert.equal(r.verdict, 'warning');

  // The signed attributes are what the signer signed (as DER): in BER they are refused, named.
  const inside = vendorSignedPdf('vendor-ber-signed-attrs.pdf', { withSeal: true, rewrite: (der) => withIndefiniteLengths(der, [...OUTSIDE_SIGNED, [1, 0, 4, 0, 3]]) });
  const bad = verifyPdf(inside, { trustRoots: [w.root.der] }).signatures[0]!;
  assert.equal(bad.verdict, 'invalid');
  assert.equal(status(bad, 'signature'), 'failed');
  assert.match(bad.checks.find((c) => c.id === 'signature')!.message.en, /authenticatedAttributes has an indefinite length \(BER\).*refused/);
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID_SM2_SIGN, OID_SM3 } from '../../src/core/asn1/oids';
import { OID_ATTR_CONTENT_TYPE, OID_ATTR_MESSAGE_DIGEST, OID_ATTR_SESEAL, OID_ATTR_SIGNING_TIME } from '../../src/core/cms/oids';
import { OID_GM_DATA, OID_GM_SIGNED_DATA, isGmSignature, sniffGmContents } from '../../src/core/gm/pdf-profile';
import { parseGmSignedData } from '../../src/core/gm/gm-signed-data';
import { openPdf } from '../../src/core/pdf/document';
import { IncrementalUpdate } from '../../src/core/pdf/incremental-writer';
import { addSealAppearance } from '../../src/core/pdf/seal-appearance';
import { embedSignature, prepareSignature } from '../../src/core/pdf/signature-placeholder';
import { classicPdf } from '../sign/support/stamp-fixtures';
import { describe, makeGmWorld, opensslSignSm2, sealPng, status, verifyGmSignatures, type GmWorld } from './support/gm-world';

/**
 * GM/T 0010 SM2 SignedData under /adbe.pkcs7.detached, as Chinese vendors' PDF signers write it
 * (gm-formats.md §1.4, §6). OpenSSL 3.0 cannot write it: `openssl cms -sign -md sm3` with an SM2 key
 * fails ("illegal zero content" in CMS, "signing not supported for this key type" in PKCS#7), and
 * it knows no GM/T 0010 content types anyway. So the structure is assembled here with pkijs, and the
 * SM2 signature over the authenticated attributes is made by OpenSSL (`openssl dgst -sm3 -sigopt
 * distid:1234567812345678`), i.e. an independent implementation signs what SealDesk verifies.
 */
let w: GmWorld;
let input: string;
before(async () => {
  w = await makeGmWorld('signeddata');
  input = await classicPdf(w.file('contract.pdf'), 1);
});
after(() => w.cleanup());

const ab = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer;

interface Options {
  /** Digest to put in messageDigest instead of the real one. */
  digest?: Uint8Array;
  withSeal?: boolean;
  /** Replace the signature value after signing. */
  corruptSignature?: boolean;
}

/** A GM/T 0010 ContentInfo(SignedData) over `digest` (SM3 of the ByteRange), signed by OpenSSL with the keeper key. */
function gmSignedData(digest: Uint8Array, o: Options = {}): Uint8Array {
  const cert = pkijs.Certificate.fromBER(ab(w.keeper.der));
  const attributes = [
    new pkijs.Attribute({ type: OID_ATTR_CONTENT_TYPE, values: [new asn1js.ObjectIdentifier({ value: OID_GM_DATA })] }),
    new pkijs.Attribute({ type: OID_ATTR_SIGNING_TIME, values: [new asn1js.UTCTime({ valueDate: new Date() })] }),
    new pkijs.Attribute({ type: OID_ATTR_MESSAGE_DIGEST, values: [new asn1js.OctetString({ valueHex: ab(o.digest ?? digest) })] }),
  ];
  if (o.withSeal) attributes.push(new pkijs.Attribute({ type: OID_ATTR_SESEAL, values: [new asn1js.OctetString({ valueHex: ab(w.sealDer) })] }));
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });
  const implicit = new Uint8Array(signedAttrs.toSchema().toBER(false));
  const setDer = Uint8Array.from([0x31, ...implicit.subarray(1)]); // what is signed: the SET OF, tagged as a SET
  const signature = opensslSignSm2(w.dir, w.keeper.keyPath, setDer);
  if (o.corruptSignature) signature[signature.length - 3] ^= 0x01;
  const sm3 = new pkijs.AlgorithmIdentifier({ algorithmId: OID_SM3 });
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: sm3,
    signedAttrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SM2_SIGN }),
    signature: new asn1js.OctetString({ valueHex: ab(signature) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1, digestAlgorithms: [sm3], encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID_GM_DATA }),
    certificates: [cert], signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID_GM_SIGNED_DATA, content: signedData.toSchema(true) });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

/** A PDF signed the way GM vendors do it: /Adobe.PPKLite /adbe.pkcs7.detached with GM/T 0010 SignedData. */
function vendorSignedPdf(name: string, o: Options = {}): Buffer {
  const doc = openPdf(fs.readFileSync(input));
  const update = new IncrementalUpdate(doc);
  const appearance = addSealAppearance(update, { picture: { type: 'PNG', data: sealPng }, widthMm: 40, heightMm: 40, pageRotate: 0 });
  const prepared = prepareSignature(doc, update, {
    pageIndex: 0, rect: [200, 200, 200 + appearance.rectWidth, 200 + appearance.rectHeight], appearance: appearance.ref,
    signingTime: new Date(), contentsSize: 16384 + w.sealDer.length, subFilter: 'adbe.pkcs7.detached',
  });
  const [, b, c, d] = prepared.byteRange;
  const digest = crypto.createHash('sm3').update(prepared.bytes.subarray(0, b)).update(prepared.bytes.subarray(c, c + d)).digest();
  embedSignature(prepared, gmSignedData(new Uint8Array(digest), o));
  fs.writeFileSync(w.file(name), prepared.bytes);
  return prepared.bytes;
}

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

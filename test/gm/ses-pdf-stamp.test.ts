import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { decodeSesSignature, encodeSesSignature } from '../../src/core/asn1/ses-signature';
import { OID_SM2_WITH_SM3 } from '../../src/core/asn1/oids';
import { openPdf } from '../../src/core/pdf/document';
import { stampPdf } from '../../src/core/sign';
import { GM_PDF_SUBFILTER, byteRangePropertyInfo } from '../../src/core/gm/pdf-profile';
import { classicPdf, objectStreamPdf, qpdfCheck } from '../sign/support/stamp-fixtures';
import { startTestTsa, type TestTsa } from '../support/tsa';
import { openssl } from '../crypto/support/test-pki';
import {
  contentsOf, describe, makeGmWorld, opensslSignSm2, opensslVerifiesWithCert, status, verifyGmSignatures, type GmWorld,
} from './support/gm-world';

let w: GmWorld;
let input: string;
let stamped: Buffer;
before(async () => {
  w = await makeGmWorld('stamp');
  input = await classicPdf(w.file('contract.pdf'), 2);
  stamped = fs.readFileSync(await w.stamp(input, w.file('stamped.pdf')));
});
after(() => w.cleanup());

test('an SM2 keeper\'s stamp is a GB/T 38540 SES_Signature v4 in /Contents under SealDesk\'s GM SubFilter', () => {
  const sig = openPdf(stamped).signatureFields()[0]!.value!;
  assert.equal(sig.filter, 'Adobe.PPKLite');
  assert.equal(sig.subFilter, GM_PDF_SUBFILTER);
  const ses = decodeSesSignature(contentsOf(stamped).der);
  assert.equal(ses.version, 4);
  assert.equal(ses.toSign.version, 4);
  assert.equal(ses.signatureAlgID, OID_SM2_WITH_SM3);
  assert.deepEqual(Buffer.from(ses.cert), Buffer.from(w.keeper.der), 'the signer certificate is the keeper\'s');
  assert.deepEqual(Buffer.from(ses.toSign.eseal.der), Buffer.from(w.sealDer), 'the seal is embedded byte for byte');
  const range = sig.byteRange as [number, number, number, number];
  assert.equal(ses.toSign.propertyInfo, byteRangePropertyInfo(range));
  assert.equal(ses.toSign.propertyInfo, `ByteRange=[${range.join(' ')}]`);
  const sm3 = crypto.createHash('sm3').update(stamped.subarray(0, range[1])).update(stamped.subarray(range[2], range[2] + range[3])).digest();
  assert.deepEqual(Buffer.from(ses.toSign.dataHash), sm3, 'dataHash = SM3 over the ByteRange bytes');
  assert.ok(ses.toSign.timeInfo && Math.abs(ses.toSign.timeInfo.getTime() - Date.now()) < 10 * 60_000);
  assert.equal(ses.timeStamp, undefined);
  assert.ok(stamped.subarray(0, fs.statSync(input).size).equals(fs.readFileSync(input)), 'an incremental update: the original is a prefix');
  assert.ok(qpdfCheck(w.file('stamped.pdf')).ok);
});

test('the GM stamp verifies valid, with every GB/T 38540 step reported in the standard\'s order', () => {
  const [r] = verifyGmSignatures(stamped, [w.root.der]);
  assert.ok(r);
  assert.equal(r.verdict, 'valid', describe(r));
  assert.deepEqual(r.checks.map((c) => c.id), ['byte_range', 'signature', 'seal_signer', 'seal', 'signer_chain', 'timestamp', 'digest', 'impression', 'revocation', 'modifications']);
  assert.equal(r.seal?.name, '国密测试合同专用章');
  assert.equal(r.signer?.commonName, 'GM Keeper');
  assert.equal(r.subFilter, GM_PDF_SUBFILTER);
  assert.equal(r.page, 1);
  assert.equal(r.coversWholeFile, true);
});

test('without the GM root the stamp is cryptographically sound but its signer unknown: a warning, not valid', () => {
  const [r] = verifyGmSignatures(stamped, []);
  assert.equal(r!.verdict, 'warning', describe(r!));
  assert.equal(status(r!, 'signer_chain'), 'warning');
  assert.equal(status(r!, 'signature'), 'ok');
  assert.equal(status(r!, 'digest'), 'ok');
});

test('OpenSSL 3 verifies the TBS_Sign signature and the seal maker\'s signature split out of the DER SealDesk wrote', () => {
  const ses = decodeSesSignature(contentsOf(stamped).der);
  assert.ok(opensslVerifiesWithCert(w.dir, w.keeper.pem, ses.tbsSignDer, ses.signature), 'TBS_Sign signature');
  const seal = ses.toSign.eseal;
  assert.ok(opensslVerifiesWithCert(w.dir, w.maker.pem, seal.sealInfoDer, seal.signedValue), 'seal signedValue over DER(SES_SealInfo)');
  // and OpenSSL refuses them over other bytes or with another key
  const other = new Uint8Array(ses.tbsSignDer);
  other[other.length - 1] ^= 1;
  assert.ok(!opensslVerifiesWithCert(w.dir, w.keeper.pem, other, ses.signature));
  assert.ok(!opensslVerifiesWithCert(w.dir, w.maker.pem, ses.tbsSignDer, ses.signature));
});

test('SealDesk verifies an SES_Signature whose signature OpenSSL made, and refuses one OpenSSL made with the empty ID', () => {
  const { der, start, end } = contentsOf(stamped);
  const ses = decodeSesSignature(der);
  const byOpenssl = opensslSignSm2(w.dir, w.keeper.keyPath, ses.tbsSignDer);
  const rebuilt = encodeSesSignature({ tbsSignDer: ses.tbsSignDer, cert: ses.cert, signatureAlgID: ses.signatureAlgID, signature: byOpenssl });
  const put = (sesDer: Uint8Array): Buffer => {
    const hexLen = end - start - 2;
    const hex = Buffer.from(sesDer).toString('hex');
    assert.ok(hex.length <= hexLen);
    const out = Buffer.from(stamped);
    out.write(hex.padEnd(hexLen, '0'), start + 1, 'latin1');
    return out;
  };
  const [ok] = verifyGmSignatures(put(rebuilt), [w.root.der]);
  assert.equal(ok!.verdict, 'valid', describe(ok!));
  // OpenSSL 3.0 without distid signs with an empty ID: not a GM/T 0009 signature (gm-formats.md §9)
  fs.writeFileSync(w.file('tbs.bin'), ses.tbsSignDer);
  const emptyId = openssl(['dgst', '-sm3', '-sign', w.keeper.keyPath, w.file('tbs.bin')]);
  const [bad] = verifyGmSignatures(put(encodeSesSignature({ tbsSignDer: ses.tbsSignDer, cert: ses.cert, signatureAlgID: ses.signatureAlgID, signature: emptyId })), [w.root.der]);
  assert.equal(status(bad!, 'signature'), 'failed', describe(bad!));
});

test('a timestamp over the signature value from a loopback TSA is verified and gives the signing time', async () => {
  let tsa: TestTsa | undefined;
  try {
    tsa = await startTestTsa();
    const out = await w.stamp(input, w.file('tsa.pdf'), { tsa: { url: tsa.url } });
    const bytes = fs.readFileSync(out);
    const ses = decodeSesSignature(contentsOf(bytes).der);
    assert.ok(ses.timeStamp, 'the [0] timeStamp is present');
    const [r] = verifyGmSignatures(bytes, [w.root.der, tsa.rootDer]);
    assert.equal(r!.verdict, 'valid', describe(r!));
    assert.equal(status(r!, 'timestamp'), 'ok');
    assert.equal(r!.timeSource, 'timestamp');
    const [untrusted] = verifyGmSignatures(bytes, [w.root.der]);
    assert.equal(status(untrusted!, 'timestamp'), 'warning', 'an unknown TSA is a warning');
  } finally {
    await tsa?.close();
  }
});

test('a second GM stamp leaves the first valid and reported as followed by an allowed change', async () => {
  const twice = fs.readFileSync(await w.stamp(w.file('stamped.pdf'), w.file('twice.pdf'), { placement: { kind: 'point', page: 2, x: 200, y: 200 } }));
  const reports = verifyGmSignatures(twice, [w.root.der]);
  assert.equal(reports.length, 2);
  for (const r of reports) assert.equal(r.verdict, 'valid', describe(r));
  assert.equal(reports[0]!.coversWholeFile, false);
  assert.equal(reports[0]!.modifications.every((m) => m.kind === 'allowed'), true);
  assert.ok(qpdfCheck(w.file('twice.pdf')).ok);
});

test('GM stamping works on a file with object streams', async () => {
  const src = await objectStreamPdf(w.file('objstm.pdf'));
  const [r] = verifyGmSignatures(fs.readFileSync(await w.stamp(src, w.file('objstm-stamped.pdf'))), [w.root.der]);
  assert.equal(r!.verdict, 'valid', describe(r!));
});

test('an SM2 key can still ask for a PAdES (CMS) stamp, and a non-SM2 key cannot ask for a GM one', async () => {
  await stampPdf({ input, output: w.file('cms.pdf'), placement: { kind: 'point', page: 1, x: 100, y: 100 }, sealDer: w.sealDer,
    sealPicture: { type: 'PNG', data: fs.readFileSync('test/fixtures/pdf/seal-red.png'), widthMm: 40, heightMm: 40 }, signer: w.keeper.signer(), format: 'pades' });
  assert.equal(openPdf(fs.readFileSync(w.file('cms.pdf'))).signatureFields()[0]!.value!.subFilter, 'ETSI.CAdES.detached');
  const ec = w.pki.issue(w.root, 'ec', 'EC Keeper');
  await assert.rejects(stampPdf({ input, output: w.file('no.pdf'), placement: { kind: 'point', page: 1, x: 100, y: 100 }, sealDer: w.sealDer,
    sealPicture: { type: 'PNG', data: fs.readFileSync('test/fixtures/pdf/seal-red.png'), widthMm: 40, heightMm: 40 }, signer: ec.signer(), format: 'gm' }),
  (e: unknown) => (e as { code?: string }).code === 'GM_KEY_REQUIRED');
  assert.ok(!fs.existsSync(w.file('no.pdf')));
});

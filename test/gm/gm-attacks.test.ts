import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { decodeSesSignature, encodeSesSignature, encodeTbsSign } from '../../src/core/asn1/ses-signature';
import { openPdf } from '../../src/core/pdf/document';
import { sealOfGmSignature, verifyGmSignature } from '../../src/core/gm/verify-gm-signature';
import { isGmSignature, sniffGmContents } from '../../src/core/gm/pdf-profile';
import type { CheckId, SignatureReport } from '../../src/api/verification-report';
import { appendUpdate, buildPdf } from '../pdf/support/handmade-pdf';
import { contentsOf, describe, makeGmWorld, status, verifyGmSignatures, type GmWorld } from './support/gm-world';

/**
 * The attacks of the PDF issue, run against the GM profile: each starts from a real SM2 stamp
 * (SES_Signature v4) and must be reported invalid with the check that catches it.
 */
let w: GmWorld;
let stamped: Buffer;
before(async () => {
  w = await makeGmWorld('attacks');
  fs.writeFileSync(w.file('base.pdf'), contract('Pay 100 yuan'));
  stamped = fs.readFileSync(await w.stamp(w.file('base.pdf'), w.file('stamped.pdf'), { placement: { kind: 'point', page: 1, x: 400, y: 200 } }));
});
after(() => w.cleanup());

function contract(text: string): Buffer {
  const content = `BT /F1 18 Tf 72 700 Td (${text}) Tj ET`;
  return buildPdf([
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>' },
    { num: 3, body: '<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>' },
    { num: 4, body: `<< /Length ${content.length} >>\nstream\n${content}\nendstream` },
    { num: 5, body: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' },
  ], '<< /Size 6 /Root 1 0 R >>');
}

function verifyOne(bytes: Uint8Array, index = 0): SignatureReport {
  const reports = verifyGmSignatures(bytes, [w.root.der]);
  assert.ok(reports[index], 'the GM signature is found');
  return reports[index]!;
}

function expectInvalid(r: SignatureReport, failed: CheckId, pattern?: RegExp): void {
  assert.equal(r.verdict, 'invalid', describe(r));
  const c = r.checks.find((x) => x.id === failed);
  assert.equal(c?.status, 'failed', `${failed} should fail:\n${describe(r)}`);
  if (pattern) assert.match(`${c!.message.zh} ${c!.message.en}`, pattern);
}

/** /Contents of `file` replaced by `der` (hex, zero-padded). */
function withContents(file: Buffer, der: Uint8Array, index = 0): Buffer {
  const { start, end } = contentsOf(file, index);
  const hex = Buffer.from(der).toString('hex');
  assert.ok(hex.length <= end - start - 2, 'fits the placeholder');
  const out = Buffer.from(file);
  out.write(hex.padEnd(end - start - 2, '0'), start + 1, 'latin1');
  return out;
}

test('the untouched GM-stamped contract is valid (the baseline every attack starts from)', () => {
  assert.equal(verifyOne(stamped).verdict, 'valid', describe(verifyOne(stamped)));
});

test('a byte flipped inside the signed range breaks the SM3 data hash; the SM2 signature itself stays intact', () => {
  const forged = Buffer.from(stamped);
  const at = forged.indexOf('Pay 100 yuan');
  forged[at + 4] = '9'.charCodeAt(0);
  const r = verifyOne(forged);
  expectInvalid(r, 'digest', /data hash does not match/);
  assert.equal(status(r, 'signature'), 'ok');
});

test('a page-content change appended as an incremental update is "modified after stamping"', () => {
  const content = 'BT /F1 18 Tf 72 700 Td (Pay 900000 yuan) Tj ET';
  const forged = appendUpdate(stamped, [{ num: 4, body: `<< /Length ${content.length} >>\nstream\n${content}\nendstream` }], `<< /Size ${openPdf(stamped).size} /Root 1 0 R >>`);
  const r = verifyOne(forged);
  expectInvalid(r, 'modifications', /Document modified after stamping: the content of page 1 changed/);
  assert.equal(status(r, 'digest'), 'ok', 'the signed revision itself is intact');
});

test('a catalog pointed elsewhere after stamping unhooks the stamp from the form and is caught', () => {
  const forged = appendUpdate(stamped, [{ num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' }], `<< /Size ${openPdf(stamped).size} /Root 1 0 R >>`);
  // the new catalog has no /AcroForm: the engine finds such stamps by scanning; here we take the old field
  const old = openPdf(stamped).signatureFields()[0]!;
  const doc = openPdf(forged);
  const r = verifyGmSignature(doc, { ...old, value: { ...old.value! } }, { trustRoots: [w.root.der], now: new Date() });
  expectInvalid(r, 'modifications', /no longer part of the document's form/);
});

test('a /ByteRange moved off the /Contents (signature wrapping) is caught', () => {
  const forged = Buffer.from(stamped);
  const text = forged.toString('latin1');
  const m = /\/ByteRange\s*\[([^\]]*)\]/.exec(text)!;
  const [, b, c, d] = m[1]!.trim().split(/\s+/).map(Number) as [number, number, number, number];
  const moved = `0 ${b - 100} ${c - 100} ${d + 100}`.padEnd(m[1]!.length, ' ');
  forged.write(moved, m.index + m[0].indexOf('[') + 1, 'latin1');
  expectInvalid(verifyOne(forged), 'byte_range', /signature wrapping/);
});

test('a GM signature copied from another document fails the data hash and names its range', async () => {
  fs.writeFileSync(w.file('other.pdf'), contract('A completely different contract'));
  const other = fs.readFileSync(await w.stamp(w.file('other.pdf'), w.file('other-stamped.pdf'), { placement: { kind: 'point', page: 1, x: 400, y: 200 } }));
  const forged = withContents(stamped, contentsOf(other).der);
  const r = verifyOne(forged);
  expectInvalid(r, 'digest', /is not this signature's \/ByteRange/);
  assert.equal(status(r, 'signature'), 'ok', 'the copied SES_Signature is genuine — for another document');
});

test('a copied SES_Signature re-signed over this file\'s hash but naming another range is still refused', async () => {
  // Someone with the key could sign the right hash; the range in propertyInfo must still be this /ByteRange.
  const ses = decodeSesSignature(contentsOf(stamped).der);
  const tbs = encodeTbsSign({ version: 4, esealDer: ses.toSign.eseal.der, timeInfo: ses.toSign.timeInfo!, dataHash: ses.toSign.dataHash, propertyInfo: 'ByteRange=[0 1 2 3]' });
  const sig = await w.keeper.signer().sign(tbs);
  const r = verifyOne(withContents(stamped, encodeSesSignature({ tbsSignDer: tbs, cert: ses.cert, signatureAlgID: ses.signatureAlgID, signature: sig })));
  expectInvalid(r, 'digest', /is not this signature's \/ByteRange/);
  assert.equal(status(r, 'signature'), 'ok');
});

test('a /Contents swapped in from the other GM stamp of the same file fails both stamps', async () => {
  const twice = fs.readFileSync(await w.stamp(w.file('stamped.pdf'), w.file('twice.pdf'), { placement: { kind: 'point', page: 1, x: 150, y: 150 } }));
  assert.ok(verifyGmSignatures(twice, [w.root.der]).every((r) => r.verdict === 'valid'));
  const forged = withContents(twice, contentsOf(twice, 1).der, 0);
  const reports = verifyGmSignatures(forged, [w.root.der]);
  assert.equal(reports.length, 2);
  for (const r of reports) expectInvalid(r, 'digest');
});

test('a stamp made with a key the seal does not list fails the seal-holder check', async () => {
  const thief = w.pki.issue(w.root, 'sm2', 'Not The Keeper');
  const out = await w.stamp(w.file('base.pdf'), w.file('thief.pdf'), { signer: thief.signer() });
  expectInvalid(verifyOne(fs.readFileSync(out)), 'seal_signer', /not listed in the seal/);
});

test('a seal whose maker signature was altered fails the seal check', () => {
  const ses = decodeSesSignature(contentsOf(stamped).der);
  const seal = Buffer.from(ses.toSign.eseal.der);
  const nameAt = seal.indexOf(Buffer.from('国密测试'));
  assert.ok(nameAt > 0);
  seal.write('伪造', nameAt, 'utf8'); // same byte length: still parses
  const tbs = encodeTbsSign({ version: 4, esealDer: seal, timeInfo: ses.toSign.timeInfo!, dataHash: ses.toSign.dataHash, propertyInfo: ses.toSign.propertyInfo });
  // the attacker cannot re-sign TBS_Sign without the keeper key: the signature check fails too
  const r = verifyOne(withContents(stamped, encodeSesSignature({ tbsSignDer: tbs, cert: ses.cert, signatureAlgID: ses.signatureAlgID, signature: ses.signature })));
  expectInvalid(r, 'seal', /maker's signature does not verify/);
  expectInvalid(r, 'signature');
});

test('malformed SES_Signature data in /Contents is refused cleanly as a failed signature, never a crash', () => {
  const der = contentsOf(stamped).der;
  const cases: Uint8Array[] = [
    der.subarray(0, der.length - 7), // truncated
    Uint8Array.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30, 0x03, 0x02, 0x01, 0x04]), // huge declared length
    Uint8Array.from([0x30, 0x06, 0x30, 0x04, 0x02, 0x02, 0x00, 0x04]), // TBS_Sign without fields
    Uint8Array.from([...Array(200)].flatMap(() => [0x30, 0x80])), // deep indefinite nesting
    (() => { const b = new Uint8Array(der); b[40] ^= 0xff; return b; })(), // a tag destroyed inside the seal
    encodeSesSignature({ tbsSignDer: Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x04]), cert: new Uint8Array(10), signatureAlgID: '1.2.3', signature: new Uint8Array(3) }),
  ];
  for (const bad of cases) {
    const forged = withContents(stamped, bad);
    const v = openPdf(forged).signatureFields()[0]!.value!;
    assert.ok(isGmSignature(v), 'the SubFilter still routes it to the GM verifier');
    const r = verifyOne(forged);
    expectInvalid(r, 'signature');
    assert.ok(r.checks.find((c) => c.id === 'signature')!.message.en.length > 0);
  }
});

test('only GM contents are sniffed as GM: a PKCS#7/CMS ContentInfo and garbage are not', () => {
  assert.equal(sniffGmContents(contentsOf(stamped).der), 'ses-signature');
  assert.equal(sniffGmContents(Uint8Array.from([0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02])), undefined);
  for (const g of [new Uint8Array(0), Uint8Array.of(0x30), Uint8Array.of(0xff, 0xff), Uint8Array.of(0x30, 0x85, 1, 2, 3, 4, 5)]) assert.equal(sniffGmContents(g), undefined);
});

test('the seal inside a GM stamp is available to the copied-seal scan; unreadable contents give none', () => {
  const v = openPdf(stamped).signatureFields()[0]!.value!;
  assert.equal(sealOfGmSignature(v.contents)?.eSealInfo.property.name, '国密测试合同专用章');
  assert.equal(sealOfGmSignature(Uint8Array.of(0x30, 0x03, 0x30, 0x01, 0x02)), undefined);
});

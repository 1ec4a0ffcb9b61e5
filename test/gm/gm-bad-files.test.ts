import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { derBitString, derIa5, derInteger, derOctetString, derOid, derSequence, tlv } from '../../src/core/asn1/der';
import { OID_SM2_WITH_SM3 } from '../../src/core/asn1/oids';
import { decodeSesSignature } from '../../src/core/asn1/ses-signature';
import { isSealDeskError } from '../../src/core/errors';
import { GM_PDF_SUBFILTER, byteRangePropertyInfo, isGmSignature } from '../../src/core/gm/pdf-profile';
import { openPdf } from '../../src/core/pdf/document';
import type { Signer } from '../../src/core/signer';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import { appendUpdate, objectStreamPdf, onePagePdf } from '../pdf/support/handmade-pdf';
import { gmFile } from '../asn1/support/gm-fixtures';
import { contentsOf, makeGmWorld, sealPng, type GmWorld } from './support/gm-world';

/**
 * Robustness of the GM profile (issue 5: "the attack and bad-input tests of the PDF issue also run
 * for the GM profile"). A software SM2 key stands in for the keeper's USB-Key, as in the other
 * test/gm tests (SoftHSM2 has no SM2; the native GM token has its own tests): what is under test is
 * that stamping refuses bad files before any key is used, and that verifying never throws on a bad
 * SES_Signature.
 *
 * The bad-file corpus of test/pdf/bad-files.test.ts is built there and not exported, so the kinds
 * it covers (empty, not a PDF, garbage, truncated, broken xref, wrong /Length, reference loops, deep
 * nesting, huge sizes, encrypted) are made here from a GM-stamped contract: the file a second keeper
 * would stamp next, damaged in each of those ways, mostly inside or after the SM2 stamp's revision.
 */
let w: GmWorld;
let stamped: Buffer;
before(async () => {
  w = await makeGmWorld('bad-files');
  fs.writeFileSync(w.file('base.pdf'), onePagePdf());
  stamped = fs.readFileSync(await w.stamp(w.file('base.pdf'), w.file('stamped.pdf'), { placement: { kind: 'point', page: 1, x: 400, y: 200 } }));
});
after(() => w.cleanup());

const size = (b: Buffer): number => openPdf(b).size;
const latin1 = (b: Buffer): string => b.toString('latin1');
const lastIndex = (b: Buffer, s: string): number => latin1(b).lastIndexOf(s);
/** A further revision on the stamped contract (the trailer gets /Prev). */
const after1 = (objects: Array<{ num: number; body: string }>, trailer = `<< /Size ${size(stamped)} /Root 1 0 R >>`): Buffer => appendUpdate(stamped, objects, trailer);

/**
 * `file` with its text from `at` on rewritten by `edit`, which must change it. Every edit below
 * changes only text after the last xref keyword, so no offset the file gives moves.
 */
function tail(at: number, edit: (text: string) => string, file: Buffer = stamped): Buffer {
  const t = latin1(file).slice(at);
  const changed = edit(t);
  assert.notEqual(changed, t, 'the corpus edit applied');
  return Buffer.concat([file.subarray(0, at), Buffer.from(changed, 'latin1')]);
}

interface BadFile {
  name: string;
  bytes: Buffer;
  /** Why it must be refused: the reader names the actual damage, not some later symptom. */
  reason: RegExp;
  code: 'PDF_MALFORMED' | 'PDF_ENCRYPTED';
}

function corpus(): BadFile[] {
  const bad = (name: string, bytes: Buffer, reason: RegExp, code: BadFile['code'] = 'PDF_MALFORMED'): BadFile => ({ name, bytes, reason, code });
  const span = openPdf(stamped).signatureFields()[0]!.value!.contentsSpan;
  const lastXref = lastIndex(stamped, '\nxref\n') + 1;
  const lastTrailer = lastIndex(stamped, 'trailer');
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(latin1(stamped))!;
  const enc = w.file('encrypted-source.pdf');
  fs.writeFileSync(enc, stamped);
  execFileSync('qpdf', ['--encrypt', 'user', 'owner', '256', '--', enc, w.file('encrypted.pdf')]);
  // The stamp's xref section with every offset moved 7 bytes (the object numbers stay).
  const shifted = tail(lastXref, (t) => t.replace(/(\d{10}) 00000 n/g, (_m, o: string) => `${String(Number(o) + 7).padStart(10, '0')} 00000 n`));
  return [
    bad('empty', Buffer.alloc(0), /"%PDF-" header/),
    bad('a bare SES_Signature (a GM stamp\'s /Contents) instead of a PDF', Buffer.from(contentsOf(stamped).der), /"%PDF-" header/),
    bad('an OFD package (zip) instead of a PDF', Buffer.from(gmFile('v4signed.ofd')), /"%PDF-" header/),
    bad('a PDF header followed by a PNG image', Buffer.concat([Buffer.from('%PDF-1.7\n'), sealPng]), /startxref/),
    bad('cut inside the SES_Signature hex of /Contents', stamped.subarray(0, Math.floor((span.start + span.end) / 2)), /startxref/),
    bad('cut inside the stamp revision\'s xref table', stamped.subarray(0, lastXref + 30), /startxref/),
    bad('cut inside the stamp revision\'s trailer', stamped.subarray(0, lastTrailer + 12), /startxref/),
    bad('cut inside the final %%EOF', stamped.subarray(0, stamped.length - 3), /truncated/),
    bad('the stamp revision\'s xref offsets shifted', shifted, /expected|wrong object/),
    bad('startxref pointing into the SES_Signature hex', Buffer.concat([stamped.subarray(0, startxref.index), Buffer.from(`startxref\n${span.start + 200}\n%%EOF\n`)]), /expected|xref/),
    bad('an xref subsection of the stamp claiming more entries than the file', tail(lastXref, (t) => t.replace(/^xref(\r?\n)(\d+) \d+/, 'xref$1$2 999999999')), /larger than the file/),
    bad('a later revision whose stream /Length runs past the end of the file', after1([{ num: 4, body: '<< /Length 999999999999 >>\nstream\nBT ET\nendstream' }]), /past the end/),
    bad('a later revision whose stream /Length is too short', after1([{ num: 4, body: '<< /Length 2 >>\nstream\nBT /F1 18 Tf (Pay 900 yuan) Tj ET\nendstream' }]), /endstream/),
    bad('a later revision that makes the page tree its own child', after1([{ num: 2, body: '<< /Type /Pages /Kids [2 0 R] /Count 1 >>' }]), /loop/),
    bad('a later revision whose stream /Length refers to itself', after1([{ num: 4, body: '<< /Length 4 0 R >>\nstream\nq Q\nendstream' }]), /loop/),
    bad('a later trailer whose /Prev points at its own xref', (() => {
      const next = after1([{ num: 5, body: '<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>' }]);
      const own = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(latin1(next))![1]!;
      return tail(stamped.length, (t) => t.replace(`/Prev ${startxref[1]!} >>`, `/Prev ${own} >>`), next);
    })(), /loop/),
    bad('a later revision with arrays nested 100,000 deep', after1([{ num: 5, body: `<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Deep ${'['.repeat(100000)}${']'.repeat(100000)} >>` }]), /nested too deeply/),
    bad('a later trailer with a huge /Size', after1([{ num: 5, body: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' }], '<< /Size 999999999999 /Root 1 0 R >>'), /\/Size/),
    bad('an object stream claiming a billion objects', objectStreamPdf({ n: '1000000000' }), /object stream header/),
    bad('the GM-stamped contract encrypted', fs.readFileSync(w.file('encrypted.pdf')), /encrypted/, 'PDF_ENCRYPTED'),
  ];
}

/** The SM2 keeper key, counting what it is asked to sign: a refused file must never reach the key. */
function countingSigner(): { signer: Signer; calls: () => number } {
  const inner = w.keeper.signer();
  let n = 0;
  return {
    signer: { certificate: inner.certificate, keyAlgorithm: inner.keyAlgorithm, defaultScheme: inner.defaultScheme, sign: (m, s) => { n++; return inner.sign(m, s); } },
    calls: () => n,
  };
}

const sha256 = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

test('stamping the good GM-stamped contract a second time with the SM2 key works, so the refusals below are about the damage', async () => {
  assert.equal(verifyPdf(stamped, { trustRoots: [w.root.der] }).verdict, 'valid');
  const { signer, calls } = countingSigner();
  const out = await w.stamp(w.file('stamped.pdf'), w.file('restamped.pdf'), { signer, placement: { kind: 'point', page: 1, x: 150, y: 150 } });
  assert.equal(calls(), 1);
  const r = verifyPdf(fs.readFileSync(out), { trustRoots: [w.root.der] });
  assert.equal(r.verdict, 'valid', renderReportText(r));
  assert.deepEqual(r.signatures.map((s) => s.subFilter), [GM_PDF_SUBFILTER, GM_PDF_SUBFILTER]);
});

test('every damaged or hostile file is refused by SM2 stamping with its SealDeskError code, quickly, before the key signs, leaving no output and the input untouched', async () => {
  const files = corpus();
  assert.ok(files.length >= 20);
  for (const { name, bytes, reason, code } of files) {
    const input = w.file(`bad-${name.replace(/[^a-z0-9]+/gi, '-')}.pdf`);
    const output = `${input}.stamped.pdf`;
    fs.writeFileSync(input, bytes);
    const before = sha256(input);
    const { signer, calls } = countingSigner();
    const t0 = Date.now();
    await assert.rejects(w.stamp(input, output, { signer }), (e: unknown) => {
      assert.ok(isSealDeskError(e), `${name}: not a SealDeskError: ${String(e)}`);
      assert.equal(e.code, code, `${name}: ${e.code} ${e.en}`);
      assert.ok(e.zh.length > 0 && e.en.length > 0, `${name}: a message in both languages`);
      assert.match(String(e.details.reason ?? e.en), reason, `${name}: refused for another reason: ${e.en}`);
      return true;
    }, `${name}: stamping did not refuse`);
    const took = Date.now() - t0;
    assert.ok(took < 5000, `${name} took ${took} ms`);
    assert.equal(calls(), 0, `${name}: the SM2 key was asked to sign a file that is refused`);
    assert.equal(fs.existsSync(output), false, `${name}: an output file was written`);
    assert.equal(sha256(input), before, `${name}: the input was changed`);
  }
});

test('verifying each damaged file refuses it with its SealDeskError, or — damage in a revision after the stamp — reports the GM stamp "modified after stamping"; never another exception, quickly', () => {
  for (const { name, bytes, code } of corpus()) {
    const t0 = Date.now();
    try {
      const r = verifyPdf(bytes, { trustRoots: [w.root.der] });
      assert.notEqual(r.verdict, 'valid', `${name}: a damaged file verified as valid:\n${renderReportText(r)}`);
      for (const s of r.signatures) {
        assert.equal(s.subFilter, GM_PDF_SUBFILTER);
        assert.equal(s.checks.find((c) => c.id === 'modifications')?.status, 'failed', `${name}:\n${renderReportText(r)}`);
        assert.equal(s.checks.find((c) => c.id === 'digest')?.status, 'ok', `${name}: the stamp's own revision is intact:\n${renderReportText(r)}`);
      }
    } catch (e) {
      assert.ok(isSealDeskError(e), `${name}: not a SealDeskError: ${String(e)}`);
      assert.equal(e.code, code, `${name}: ${e.code}`);
    }
    assert.ok(Date.now() - t0 < 5000, `${name} took ${Date.now() - t0} ms`);
  }
});

// ---- malformed SES_Signature data in /Contents ----------------------------------------------------
// gm-attacks.test.ts covers one truncation, an outer 4-byte huge length, an empty TBS_Sign, deep
// indefinite nesting, a destroyed tag in the seal and a v4 with a garbage certificate; these are the rest.

/** The stamped contract with /Contents holding `der`, then zero padding (as a signer writes it). */
function withSesContents(der: Uint8Array, what = 'the variant'): Buffer {
  const { start, end } = contentsOf(stamped);
  const room = end - start - 2;
  const hex = Buffer.from(der).toString('hex');
  assert.ok(hex.length <= room, `${what} (${der.length} bytes) fits the placeholder (${room / 2} bytes)`);
  const out = Buffer.from(stamped);
  out.write(hex.padEnd(room, '0'), start + 1, 'latin1');
  return out;
}

/** A copy of `der` with `bytes` written at `at`. */
function patched(der: Uint8Array, at: number, bytes: number[]): Uint8Array {
  const out = Uint8Array.from(der);
  out.set(bytes, at);
  return out;
}

/** Offset and header length of the DER element `depth` levels down (the first child at each level). */
function headerAt(der: Uint8Array, depth: number): { at: number; headerLength: number } {
  let at = 0;
  for (let d = 0; ; d++) {
    const first = der[at + 1]!;
    const headerLength = first < 0x80 ? 2 : 2 + (first & 0x7f);
    if (d === depth) return { at, headerLength };
    at += headerLength;
  }
}

const utc = (d: Date): Uint8Array => tlv(0x17, new TextEncoder().encode(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));

/**
 * A GM/T 0031-2014 (v1) SES_Signature over this file's ByteRange, signed by the real SM2 keeper key,
 * whose signer certificate (inside TBS_Sign in v1) is `cert`.
 */
async function v1WithCert(cert: Uint8Array): Promise<Uint8Array> {
  const ses = decodeSesSignature(contentsOf(stamped).der);
  const [a, b, c, d] = openPdf(stamped).signatureFields()[0]!.value!.byteRange as [number, number, number, number];
  const hash = crypto.createHash('sm3').update(stamped.subarray(a, a + b)).update(stamped.subarray(c, c + d)).digest();
  const tbs = derSequence(derInteger(1), ses.toSign.eseal.der, derBitString(utc(new Date())), derBitString(hash),
    derIa5(byteRangePropertyInfo([a, b, c, d])), derOctetString(cert), derOid(OID_SM2_WITH_SM3));
  return derSequence(tbs, derBitString(await w.keeper.signer().sign(tbs)));
}

test('malformed SES_Signature data in a GM stamp\'s /Contents is a report with the signature check failed, never a throw', async () => {
  const der = contentsOf(stamped).der;
  const outer = headerAt(der, 0);
  const tbs = headerAt(der, 1);
  const lengthField = (h: { at: number; headerLength: number }, fill: number): number[] => [der[h.at + 1]!, ...Array<number>(h.headerLength - 2).fill(fill)];
  assert.ok(outer.headerLength >= 3 && tbs.headerLength >= 3, 'the stamp is large enough for long-form lengths');
  const malformed = /malformed/;
  const cases: Array<[string, Uint8Array, RegExp]> = [
    // Cut short, then zero-padded as /Contents is: a header alone, inside TBS_Sign, mid-seal; one
    // byte short still parses (the padding fills it) but no longer carries the signer's signature.
    ...[1, 2, outer.headerLength, outer.headerLength + tbs.headerLength + 3, Math.floor(der.length / 2)].map(
      (n): [string, Uint8Array, RegExp] => [`truncated to ${n} of ${der.length} bytes`, der.subarray(0, n), malformed]),
    [`truncated to ${der.length - 1} of ${der.length} bytes`, der.subarray(0, der.length - 1), /signature does not match|malformed/],
    ['outer tag SET instead of SEQUENCE', patched(der, 0, [0x31]), malformed],
    ['outer tag OCTET STRING', patched(der, 0, [0x04]), malformed],
    ['outer tag context [0]', patched(der, 0, [0xa0]), malformed],
    ['outer tag primitive (constructed bit cleared)', patched(der, 0, [0x10]), malformed],
    ['outer length larger than /Contents', patched(der, outer.at + 1, lengthField(outer, 0xff)), malformed],
    ['TBS_Sign length larger than the SES_Signature', patched(der, tbs.at + 1, lengthField(tbs, 0xff)), malformed],
    ['outer length in 8 bytes', Uint8Array.from([0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...der.subarray(outer.headerLength)]), malformed],
    ['outer indefinite length (BER, not DER)', Uint8Array.from([0x30, 0x80, ...der.subarray(outer.headerLength), 0x00, 0x00]), malformed],
    ['trailing garbage after the SES_Signature', Uint8Array.from([...der, 0xde, 0xad, 0xbe, 0xef]), /bytes after the signature/],
    ['a second DER element after the SES_Signature', Uint8Array.from([...der, 0x30, 0x03, 0x02, 0x01, 0x04]), /bytes after the signature/],
    ['a v1 SES_Signature whose signer certificate is garbage', await v1WithCert(crypto.createHash('sha512').update('not a certificate').digest()), /certificate/],
    ['a v1 SES_Signature whose signer certificate is cut in half', await v1WithCert(w.keeper.der.subarray(0, w.keeper.der.length >> 1)), /certificate/],
    ['a v1 SES_Signature whose signer certificate is empty', await v1WithCert(new Uint8Array(0)), /certificate/],
  ];
  for (const [name, bad, why] of cases) {
    const forged = withSesContents(bad, name);
    assert.ok(isGmSignature(openPdf(forged).signatureFields()[0]!.value!), `${name}: routed to the GM verifier`);
    const t0 = Date.now();
    let r;
    try {
      r = verifyPdf(forged, { trustRoots: [w.root.der] });
    } catch (e) {
      assert.fail(`${name}: verifyPdf threw instead of reporting: ${String(e)}`);
    }
    assert.ok(Date.now() - t0 < 5000, `${name} took ${Date.now() - t0} ms`);
    assert.equal(r.verdict, 'invalid', `${name}:\n${renderReportText(r)}`);
    assert.equal(r.signatures.length, 1, name);
    const check = r.signatures[0]!.checks.find((c) => c.id === 'signature');
    assert.equal(check?.status, 'failed', `${name}: the signature check should fail:\n${renderReportText(r)}`);
    assert.ok(check.message.zh.length > 0, name);
    assert.match(check.message.en, why, name);
  }
});

test('the v1 builder above makes a stamp that verifies with the real certificate, so the garbage certificate is what fails', async () => {
  const r = verifyPdf(withSesContents(await v1WithCert(w.keeper.der)), { trustRoots: [w.root.der] });
  const s = r.signatures[0]!;
  assert.equal(s.checks.find((c) => c.id === 'signature')?.status, 'ok', renderReportText(r));
  assert.equal(s.checks.find((c) => c.id === 'digest')?.status, 'ok', renderReportText(r));
  assert.equal(s.checks.find((c) => c.id === 'seal_signer')?.status, 'ok', renderReportText(r));
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import type { CheckId, ModificationLevel, SignatureReport, VerificationReport } from '../../src/api/verification-report';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';

/**
 * Signed PDFs from other signers (../shared/testdata/pdf-peers, see its README): SealDesk's
 * verdict on each must match what pyHanko's own tests assert — integrity and modification level;
 * trust apart, since pyHanko's test certificates have expired. Files that pyHanko calls
 * suspicious must be flagged, naming what changed.
 */

const peers = path.resolve(__dirname, '../../../shared/testdata/pdf-peers');

function pem(file: string): Uint8Array {
  const text = fs.readFileSync(file, 'utf8');
  return Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

const roots = [pem(path.join(peers, 'pyhanko-tests/testing-ca-root.pem')), pem(path.join(peers, 'pyhanko-tests/selfsigned.cert.pem')), pem(path.join(peers, 'pyhanko-signed/test-root.pem'))];

function verify(file: string): VerificationReport {
  return verifyPdf(fs.readFileSync(path.join(peers, file)), { trustRoots: roots, fileName: path.basename(file) });
}

function status(s: SignatureReport, id: CheckId): string | undefined {
  return s.checks.find((c) => c.id === id)?.status;
}

/** The signed bytes and the signer's signature over them are intact. */
function assertIntact(r: VerificationReport, s: SignatureReport): void {
  for (const id of ['byte_range', 'digest', 'signature'] as CheckId[]) assert.equal(status(s, id), 'ok', `${s.field} ${id}\n${renderReportText(r)}`);
}

function assertLevel(r: VerificationReport, s: SignatureReport, level: ModificationLevel): void {
  assert.equal(status(s, 'modifications'), 'ok', renderReportText(r));
  assert.equal(s.modificationLevel, level, renderReportText(r));
}

function assertFlagged(r: VerificationReport, s: SignatureReport, what: RegExp): void {
  const c = s.checks.find((x) => x.id === 'modifications')!;
  assert.equal(c.status, 'failed', renderReportText(r));
  assert.equal(s.verdict, 'invalid');
  assert.equal(s.modificationLevel, 'other');
  assert.match(c.message.en, what);
}

function sig(r: VerificationReport, field: string): SignatureReport {
  const s = r.signatures.find((x) => x.field === field);
  assert.ok(s, `no signature ${field} in ${r.signatures.map((x) => x.field).join(', ')}`);
  return s;
}

function rules(s: SignatureReport): string[] {
  return [...new Set(s.modifications.filter((m) => m.kind === 'allowed').map((m) => m.rule ?? '?'))];
}

test('signed twice with Adobe Reader (linearized, xref streams): the first signature is intact, later changes are form filling', () => {
  for (const [file, first] of [['minimal-two-fields-signed-twice.pdf', 'Sig2'], ['minimal-signed-twice-second-created.pdf', 'Sig1'], ['minimal-signed-twice-both-created.pdf', 'Signature2']] as const) {
    const r = verify(`pyhanko-tests/${file}`);
    const s = sig(r, first);
    assertIntact(r, s);
    assertLevel(r, s, 'form_filling');
    // Acrobat also rewrites the XMP metadata and /Info's ModDate when it signs
    assert.ok(rules(s).includes('signer-bookkeeping') && rules(s).includes('document-info'), `${file}: ${rules(s).join(', ')}`);
    assert.equal(r.signatures.length, 2);
    for (const x of r.signatures) assertIntact(r, x);
  }
});

test('a later signer adding or updating the catalog\'s /Extensions keeps the first signature valid (form filling level)', () => {
  for (const file of ['extensions-direct.pdf', 'extensions-indirect.pdf', 'extensions-update-direct.pdf', 'extensions-update-indirect.pdf']) {
    const r = verify(`pyhanko-tests/${file}`);
    const s = sig(r, 'Sig1');
    assertIntact(r, s);
    assertLevel(r, s, 'form_filling');
    assert.ok(rules(s).includes('signer-bookkeeping'), `${file}: ${rules(s).join(', ')}`);
    assert.ok(s.modifications.some((m) => m.rule === 'signer-bookkeeping' && /\/Extensions/.test(m.description.en)), file);
  }
});

test('an /Extensions object also reachable under another catalog key is flagged, naming that key', () => {
  const r = verify('pyhanko-tests/extensions-indirect-not-all-paths.pdf');
  const s = sig(r, 'Sig1');
  assertIntact(r, s);
  assertFlagged(r, s, /DontOverrideMe/);
});

test('signing a field prepared empty (new value and appearance, in place or new) is form filling', () => {
  for (const file of ['form-update-override-appearance-stream.pdf', 'form-update-override-appearance-stream-ap-indirect.pdf', 'form-update-no-override-appearance-stream-ap-indirect.pdf', 'form-update-original-ap-type-wrong.pdf']) {
    const r = verify(`pyhanko-tests/${file}`);
    const s = sig(r, 'Sig1');
    assertIntact(r, s);
    assertLevel(r, s, 'form_filling');
    assert.ok(rules(s).includes('sign-prepared-field'), `${file}: ${rules(s).join(', ')}`);
    assertIntact(r, sig(r, 'Sig2'));
  }
});

test('a "form fill" that clobbers an appearance shared with a catalog or trailer entry is flagged, naming /FooBar', () => {
  for (const file of ['form-update-override-appearance-stream-sneaky.pdf', 'form-update-override-appearance-stream-ap-indirect-sneaky.pdf', 'form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf', 'form-update-ap-indirect-sneaky-trailer.pdf']) {
    const r = verify(`pyhanko-tests/${file}`);
    const s = sig(r, 'Sig1');
    assertIntact(r, s);
    assertFlagged(r, s, /\.FooBar/);
  }
});

test('a signature whose ByteRange does not cover the file the standard way is not a valid stamp', () => {
  for (const file of ['tail-uncovered.pdf', 'signature-gap-too-big.pdf', 'one-byterange.pdf', 'weird-byterange.pdf']) {
    const r = verify(`pyhanko-tests/coverage-anomalies/${file}`);
    assert.equal(r.signatures.length, 1);
    const s = r.signatures[0]!;
    assert.equal(s.verdict, 'invalid', file);
    assert.equal(status(s, 'byte_range'), 'failed', file);
  }
});

test('valid single signatures from pyHanko\'s tests: ESS signing-certificate v1, SubjectKeyIdentifier signer id, a certification with indirect references', () => {
  for (const file of ['pades-with-old-style-signing-cert-attr.pdf', 'pades-with-old-style-signing-cert-attr-issser.pdf', 'sig-with-ski-sid.pdf', 'certified-with-indirect-refs-in-dir.pdf']) {
    const r = verify(`pyhanko-tests/${file}`);
    const s = sig(r, 'Sig1');
    assertIntact(r, s);
    assertLevel(r, s, 'none');
  }
});

test('a CMS signature without signed attributes is intact (adbe.pkcs7.detached), nothing changed after it', () => {
  const r = verify('pyhanko-tests/sig-no-signed-attrs.pdf');
  assertIntact(r, sig(r, 'Sig1'));
  assertLevel(r, sig(r, 'Sig1'), 'none');
});

test('widgets as separate annotations under a field\'s /Kids: both signatures valid', () => {
  const r = verify('pyhanko-tests/separate-annots-kids-indir.pdf');
  const first = sig(r, 'Sig1');
  assertIntact(r, first);
  assertLevel(r, first, 'form_filling');
  assert.deepEqual(rules(first), ['later-stamp']);
  assertIntact(r, sig(r, 'Sig2'));
  assertLevel(r, sig(r, 'Sig2'), 'none');
});

test('PAdES B-LTA: a /DSS and a document timestamp added later keep the signature valid; the change is an LTV update', () => {
  const r = verify('pyhanko-tests/pades-lta-dss-indirect-arrs-test.pdf');
  const s = sig(r, 'Sig1');
  assertIntact(r, s);
  assertLevel(r, s, 'ltv');
  assert.ok(rules(s).includes('dss') && rules(s).includes('document-timestamp'), rules(s).join(', '));
  assert.ok(!rules(s).includes('later-stamp'), 'a document timestamp is not a further stamp');
  // the second file: another signature after the DSS, and the DSS arrays updated in place
  const r2 = verify('pyhanko-tests/pades-lta-dss-indirect-arrs-test-2.pdf');
  assertLevel(r2, sig(r2, 'Sig1'), 'form_filling');
  assertIntact(r2, sig(r2, 'Sig2'));
  assertLevel(r2, sig(r2, 'Sig2'), 'ltv');
  assert.ok(rules(sig(r2, 'Sig2')).includes('dss'));
});

test('every file pyHanko signed for this project verifies: intact, trusted under test-root.pem, nothing modified', () => {
  for (const file of fs.readdirSync(path.join(peers, 'pyhanko-signed')).filter((f) => f.endsWith('.pdf'))) {
    const r = verify(`pyhanko-signed/${file}`);
    assert.notEqual(r.verdict, 'invalid', renderReportText(r));
    assert.ok(r.signatures.length >= 1, file);
    for (const s of r.signatures) {
      assertIntact(r, s);
      assert.equal(status(s, 'signer_chain'), 'ok', `${file} ${s.field}`);
      assert.equal(status(s, 'modifications'), 'ok', `${file} ${s.field}`);
    }
  }
  // pyHanko's second signature also updates /Info's ModDate: the first stays valid
  const twice = verify('pyhanko-signed/pyhanko-rsa-twice.pdf');
  const first = twice.signatures[0]!;
  assertLevel(twice, first, 'form_filling');
  assert.ok(rules(first).includes('document-info'), rules(first).join(', '));
  // the text report names the level and the rules that allowed the changes
  const text = renderReportText(twice);
  assert.match(text, /Modification level: .*form filling/);
  assert.match(text, /Allowed by rules: .*later-stamp/);
});

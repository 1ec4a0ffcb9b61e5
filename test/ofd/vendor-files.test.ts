import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CheckId, VerificationReport } from '../../src/api/verification-report';
import { decodeSesSignature } from '../../src/core/asn1/ses-signature';
import { verifyOfd } from '../../src/core/ofd/verify-ofd';
import { renderReportText } from '../../src/core/verify/render-report';
import {
  VENDOR_FILES, contentOffset, referencedFiles, str, unzip, vendorBytes, withFlippedByte, zip, type Files, type VendorFile,
} from './support/ofd-files';

/**
 * The acceptance of issue 5 on the real vendor-signed invoices of ../shared/testdata/gm (GB/T 38540
 * v4 seals, SM2): they verify with signatures and seals cryptographically valid and an unknown
 * identity (their roots are not in the trust store), and any changed byte of a protected file or of
 * Signature.xml makes them invalid with the check that catches it.
 */
const SIGNATURE_XML = 'Doc_0/Signs/Sign_0/Signature.xml';
const SIGNED_VALUE = 'Doc_0/Signs/Sign_0/SignedValue.dat';

function verifyFiles(files: Files): VerificationReport {
  return verifyOfd(zip(files), { trustRoots: [] });
}

function status(report: VerificationReport, id: CheckId): string | undefined {
  return report.signatures[0]?.checks.find((c) => c.id === id)?.status;
}

for (const name of VENDOR_FILES) {
  test(`${name}: the vendor stamp verifies, its identity unknown to this trust store (verdict warning)`, () => {
    const report = verifyOfd(vendorBytes(name), { trustRoots: [], fileName: name });
    assert.equal(report.verdict, 'warning', renderReportText(report));
    assert.equal(report.signatures.length, 1);
    const s = report.signatures[0]!;
    const byId = Object.fromEntries(s.checks.map((c) => [c.id, c.status]));
    assert.deepEqual(byId, {
      byte_range: 'ok', digest: 'ok', signature: 'ok', signer_chain: 'warning', seal: 'warning',
      seal_signer: 'ok', impression: 'ok', timestamp: 'not_checked', modifications: 'ok',
    });
    assert.equal(s.verdict, 'warning');
    assert.match(s.checks.find((c) => c.id === 'signer_chain')!.message.en, /Identity unknown/);
    // The seal's own problem is only its unknown maker root: the maker signature verified.
    assert.match(s.checks.find((c) => c.id === 'seal')!.message.en, /maker signature verifies/);
    assert.equal(s.page, 1);
    assert.deepEqual(s.rect, [90, 8, 120, 28]);
    assert.ok(s.seal && s.seal.esID.length > 0 && s.seal.name.includes('税务局'));
    assert.ok(s.signer?.commonName.includes('税务局'));
    assert.ok(s.signingTime?.startsWith('2020-10-'));
    assert.equal(s.coversWholeFile, true);
    assert.deepEqual(report.warnings, []);
  });

  test(`${name}: OpenSSL 3 agrees that the signer's SM2 signature over TBS_Sign verifies`, () => {
    const ses = decodeSesSignature(unzip(vendorBytes(name))[SIGNED_VALUE]!);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-ofd-openssl-'));
    try {
      fs.writeFileSync(path.join(dir, 'tbs.der'), ses.tbsSignDer);
      fs.writeFileSync(path.join(dir, 'sig.der'), ses.signature);
      fs.writeFileSync(path.join(dir, 'cert.der'), ses.cert);
      execFileSync('openssl', ['x509', '-inform', 'DER', '-in', path.join(dir, 'cert.der'), '-out', path.join(dir, 'cert.pem')]);
      const out = execFileSync('openssl', ['pkeyutl', '-verify', '-certin', '-inkey', path.join(dir, 'cert.pem'), '-rawin', '-in', path.join(dir, 'tbs.der'),
        '-digest', 'sm3', '-sigfile', path.join(dir, 'sig.der'), '-pkeyopt', 'distid:1234567812345678']).toString();
      assert.match(out, /Signature Verified Successfully/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: a changed byte in any protected file makes the stamp invalid ("later changes" failed)`, () => {
    const files = unzip(vendorBytes(name));
    const refs = referencedFiles(files[SIGNATURE_XML]!);
    assert.ok(refs.length >= 10, 'the invoice protects its files');
    for (const ref of refs) {
      const tampered = withFlippedByte(files, ref, contentOffset(ref, files[ref]!));
      const report = verifyFiles(tampered);
      assert.equal(report.verdict, 'invalid', `${ref}: ${renderReportText(report)}`);
      assert.equal(status(report, 'modifications'), 'failed', ref);
      assert.deepEqual(report.signatures[0]!.modifications.map((m) => m.object), [ref], ref);
      // Only that file changed: the stamp itself still verifies.
      assert.equal(status(report, 'signature'), 'ok', ref);
      assert.equal(status(report, 'digest'), 'ok', ref);
    }
  });

  test(`${name}: a changed byte anywhere in Signature.xml makes the stamp invalid ("integrity" failed)`, () => {
    const files = unzip(vendorBytes(name));
    const xml = files[SIGNATURE_XML]!;
    // Evenly spread positions plus the sensitive spots: the SignedValue path, a FileRef, a CheckValue, a tag name.
    const text = str(xml);
    const spots = [text.indexOf('SignedValue.dat'), text.indexOf('FileRef="') + 12, text.indexOf('<ofd:CheckValue>') + 18, text.indexOf('StampAnnot') + 2, 0, xml.length - 1];
    const positions = [...new Set([...spots, ...Array.from({ length: 32 }, (_, i) => Math.floor((i * xml.length) / 32))])];
    for (const at of positions) {
      const report = verifyFiles(withFlippedByte(files, SIGNATURE_XML, at));
      assert.equal(report.verdict, 'invalid', `byte ${at}: ${renderReportText(report)}`);
      assert.equal(status(report, 'digest'), 'failed', `byte ${at}`);
    }
  });

  test(`${name}: a changed byte in SignedValue.dat is invalid, never valid`, () => {
    const files = unzip(vendorBytes(name));
    const sv = files[SIGNED_VALUE]!;
    for (let i = 0; i < 32; i++) {
      const at = Math.floor((i * sv.length) / 32);
      const report = verifyFiles(withFlippedByte(files, SIGNED_VALUE, at));
      assert.equal(report.verdict, 'invalid', `byte ${at}: ${renderReportText(report)}`);
      const failed = report.signatures[0]!.checks.filter((c) => c.status === 'failed').map((c) => c.id);
      assert.ok(failed.some((id) => ['signature', 'seal', 'seal_signer', 'digest', 'byte_range'].includes(id)), `byte ${at}: ${failed.join(',')}`);
    }
  });
}

test('a stamp moved into another file is invalid: v4signed.ofd\'s stamp on signedFile.ofd', () => {
  const target = unzip(vendorBytes('signedFile.ofd'));
  const source = unzip(vendorBytes('v4signed.ofd'));
  const report = verifyFiles({ ...target, [SIGNED_VALUE]: source[SIGNED_VALUE]! });
  assert.equal(report.verdict, 'invalid');
  assert.equal(status(report, 'digest'), 'failed');
  // The moved stamp is a genuine one: its own signature still verifies.
  assert.equal(status(report, 'signature'), 'ok');
});

test('a stamp and its Signature.xml moved together into another invoice are invalid (its References do not match)', () => {
  const target = unzip(vendorBytes('signedFile.ofd'));
  const source = unzip(vendorBytes('v4signed.ofd'));
  const report = verifyFiles({ ...target, [SIGNED_VALUE]: source[SIGNED_VALUE]!, [SIGNATURE_XML]: source[SIGNATURE_XML]! });
  assert.equal(report.verdict, 'invalid');
  assert.equal(status(report, 'digest'), 'ok');
  assert.equal(status(report, 'modifications'), 'failed');
});

test('a file added to a stamped invoice is reported as not protected by any stamp', () => {
  const files = unzip(vendorBytes('v4signed.ofd'));
  const report = verifyFiles({ ...files, 'Doc_0/Pages/Page_1/Content.xml': new TextEncoder().encode('<ofd:Page/>') });
  assert.equal(report.verdict, 'warning');
  assert.equal(report.signatures[0]!.coversWholeFile, false);
  const w = report.warnings.find((x) => x.id === 'unsigned_changes');
  assert.ok(w, JSON.stringify(report.warnings));
  assert.match(w.message.en, /Doc_0\/Pages\/Page_1\/Content\.xml/);
});

test('the vendor files verify as they are on disk: never modified by the tests', () => {
  for (const name of VENDOR_FILES as VendorFile[]) {
    const size = { 'v4signed.ofd': 13841, 'signedFile.ofd': 14095 }[name];
    assert.equal(vendorBytes(name).length, size, name);
  }
});

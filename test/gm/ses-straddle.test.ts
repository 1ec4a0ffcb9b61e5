/**
 * A straddle seal made with an SM2 key is a GB/T 38540 SES_Signature whose widgets are the strips:
 * it verifies, each strip is checked against its slice, and a removed page is named — the same
 * straddle rules as for PAdES. SM2 keys and certificates come from OpenSSL (test/gm/support).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openPdf } from '../../src/core/pdf/document';
import { IncrementalUpdate } from '../../src/core/pdf/incremental-writer';
import { array, withEntries, type PdfRef } from '../../src/core/pdf/objects';
import { GM_PDF_SUBFILTER } from '../../src/core/gm/pdf-profile';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { pageBook } from '../sign/support/page-book';
import { qpdfCheck } from '../sign/support/stamp-fixtures';
import { makeGmWorld, type GmWorld } from './support/gm-world';

let w: GmWorld;
let stamped: string;
before(async () => {
  w = await makeGmWorld('straddle');
  const input = await pageBook(w.file('book.pdf'), [{}, { rotate: 90 }, {}]);
  stamped = await w.stamp(input, w.file('book-straddle.pdf'), { placement: { kind: 'straddle', pages: 'all', edge: 'left' } });
});
after(() => w.cleanup());

test('an SM2 straddle seal is one GB/T 38540 signature with three strips; impression and straddle checks pass', () => {
  const doc = openPdf(fs.readFileSync(stamped));
  const [field] = doc.signatureFields();
  assert.equal(field!.value!.subFilter, GM_PDF_SUBFILTER);
  assert.equal(field!.widgets.length, 3);
  const r = verifyPdf(stamped, { trustRoots: [w.root.der] });
  assert.equal(r.verdict, 'valid', JSON.stringify(r.signatures[0]?.checks, null, 1));
  const checks = r.signatures[0]!.checks;
  assert.equal(checks.find((c) => c.id === 'impression')?.status, 'ok');
  assert.equal(checks.find((c) => c.id === 'straddle')?.status, 'ok');
  assert.ok(qpdfCheck(stamped).ok);
});

test('removing the second page from the SM2 straddle seal names page 2', () => {
  const doc = openPdf(fs.readFileSync(stamped));
  const u = new IncrementalUpdate(doc);
  const root = doc.catalog.get('Pages') as PdfRef;
  const pages = doc.pages();
  u.set(root, withEntries(doc.resolveDict(root)!, { Kids: array([pages[0]!.ref, pages[2]!.ref]), Count: 2 }));
  const out = w.file('book-removed.pdf');
  fs.writeFileSync(out, u.write().bytes);
  const r = verifyPdf(out, { trustRoots: [w.root.der] });
  assert.equal(r.verdict, 'invalid');
  const c = r.signatures[0]!.checks.find((x) => x.id === 'straddle')!;
  assert.equal(c.status, 'failed');
  assert.match(c.message.zh, /第 2 页已被删除/);
});

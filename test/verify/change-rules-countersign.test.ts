import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import { openPdf } from '../../src/core/pdf/document';
import { IncrementalUpdate } from '../../src/core/pdf/incremental-writer';
import { PdfDict, PdfRef, array, dict, withEntries } from '../../src/core/pdf/objects';
import { buildPdf } from '../pdf/support/handmade-pdf';
import { pdfsig } from '../sign/support/stamp-fixtures';
import { makeWorld, type World } from './world';

/**
 * SealDesk stamping after another signer, on files the way other signers write them. An
 * openssl-based signer (as iText does) keeps the /AcroForm as a direct dictionary in the catalog;
 * SealDesk's stamp then moves it into an object of its own. That must stay an allowed change (rule
 * "acroform-indirect"), so the partner's signature stays valid in SealDesk and in pdfsig.
 */
let world: World;
before(async () => { world = await makeWorld('countersign'); });
after(() => world.cleanup());

const CONTENTS_HEX = 8192 * 2;

function pdfNow(): string {
  return `D:${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** A contract signed by `openssl cms` (adbe.pkcs7.detached) with its AcroForm direct in the catalog. */
function partnerSigned(): { file: string; cert: Uint8Array } {
  const dir = world.dir;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=Partner Signer/O=Openssl Based Signer Ltd',
    '-days', '30', '-keyout', `${dir}/partner.key`, '-out', `${dir}/partner.pem`], { stdio: 'ignore' });
  const text = 'BT /F1 18 Tf 72 760 Td (Framework agreement) Tj ET BT /F1 12 Tf 72 720 Td (Signed by the partner first.) Tj ET';
  const placeholderRange = `[0 ${'0'.repeat(10)} ${'0'.repeat(10)} ${'0'.repeat(10)}]`;
  const unsigned = buildPdf([
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /SigFlags 3 >> >>' },
    { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>' },
    { num: 3, body: '<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R] >>' },
    { num: 4, body: `<< /Length ${text.length} >>\nstream\n${text}\nendstream` },
    { num: 5, body: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' },
    { num: 6, body: '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Partner) /Rect [0 0 0 0] /F 132 /P 3 0 R /V 7 0 R >>' },
    { num: 7, body: `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /M (${pdfNow()}) /ByteRange ${placeholderRange} /Contents <${'0'.repeat(CONTENTS_HEX)}> >>` },
  ], '<< /Size 8 /Root 1 0 R >>');
  const s = unsigned.toString('latin1');
  const cs = s.indexOf('/Contents <') + '/Contents '.length;
  const ce = cs + CONTENTS_HEX + 2;
  const range = `[0 ${String(cs).padStart(10, '0')} ${String(ce).padStart(10, '0')} ${String(unsigned.length - ce).padStart(10, '0')}]`;
  const bytes = Buffer.from(s.replace(placeholderRange, range), 'latin1');
  fs.writeFileSync(`${dir}/partner-data.bin`, Buffer.concat([bytes.subarray(0, cs), bytes.subarray(ce)]));
  execFileSync('openssl', ['cms', '-sign', '-binary', '-md', 'sha256', '-nosmimecap', '-outform', 'DER', '-in', `${dir}/partner-data.bin`,
    '-signer', `${dir}/partner.pem`, '-inkey', `${dir}/partner.key`, '-out', `${dir}/partner.p7s`]);
  const cms = fs.readFileSync(`${dir}/partner.p7s`).toString('hex');
  assert.ok(cms.length <= CONTENTS_HEX);
  bytes.write(cms.padEnd(CONTENTS_HEX, '0'), cs + 1, 'latin1');
  const file = world.file('partner-signed.pdf');
  fs.writeFileSync(file, bytes);
  const pem = fs.readFileSync(`${dir}/partner.pem`, 'utf8');
  return { file, cert: Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64') };
}

test("SealDesk's stamp over a partner signature whose AcroForm is direct keeps the partner's signature valid (SealDesk and pdfsig)", async () => {
  const partner = partnerSigned();
  const roots = [partner.cert, world.ca.certificate];
  const before = verifyPdf(fs.readFileSync(partner.file), { trustRoots: roots });
  // a plain signature (no seal) is at best "valid with warnings"
  assert.equal(before.verdict, 'warning', renderReportText(before));
  for (const id of ['digest', 'signature', 'signer_chain'] as const) assert.equal(before.signatures[0]!.checks.find((c) => c.id === id)?.status, 'ok', renderReportText(before));
  assert.ok(openPdf(fs.readFileSync(partner.file)).catalog.get('AcroForm') instanceof PdfDict, 'the partner wrote a direct AcroForm');

  const out = await world.stamp(partner.file, world.file('countersigned.pdf'), { kind: 'point', page: 1, x: 300, y: 400 });
  const bytes = fs.readFileSync(out);
  assert.ok(openPdf(bytes).catalog.get('AcroForm') instanceof PdfRef, "SealDesk's update moved the AcroForm into an object of its own");
  const r = verifyPdf(bytes, { trustRoots: roots });
  assert.equal(r.verdict, 'warning', renderReportText(r));
  assert.equal(r.signatures.length, 2);
  assert.equal(r.signatures[1]!.verdict, 'valid', 'the SealDesk stamp');
  const first = r.signatures[0]!;
  assert.equal(first.field, 'Partner');
  assert.equal(first.checks.find((c) => c.id === 'modifications')?.status, 'ok');
  assert.equal(first.modificationLevel, 'form_filling');
  assert.ok(first.modifications.some((m) => m.rule === 'acroform-indirect'), renderReportText(r));
  assert.ok(first.modifications.some((m) => m.rule === 'later-stamp'), renderReportText(r));
  const ps = pdfsig(out);
  assert.equal(ps.total, 2, ps.text);
  assert.equal(ps.valid, 2, ps.text);
});

test('the same direct AcroForm moved into an object whose content differs (a field dropped) is a modification', async () => {
  const partner = partnerSigned();
  const doc = openPdf(fs.readFileSync(partner.file));
  const u = new IncrementalUpdate(doc);
  const acro = u.add(dict({ Fields: array([]), SigFlags: 3 }));
  u.set(doc.trailer.get('Root') as PdfRef, withEntries(doc.catalog, { AcroForm: acro }));
  const r = verifyPdf(u.write().bytes, { trustRoots: [partner.cert] });
  const s = r.signatures.find((x) => x.field === 'Partner' || /removed/.test(x.field))!;
  assert.equal(s.verdict, 'invalid', renderReportText(r));
  assert.ok(s.modifications.some((m) => m.kind === 'disallowed' && /a form field was removed or replaced|no longer part of the document's form/.test(m.description.en)), renderReportText(r));
});

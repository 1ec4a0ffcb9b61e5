import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import { openPdf, type PdfDocument } from '../../src/core/pdf/document';
import { IncrementalUpdate, RawBody } from '../../src/core/pdf/incremental-writer';
import { PdfRef, PdfStream, array, dict, name, textString, withEntries } from '../../src/core/pdf/objects';
import type { ModificationLevel, SignatureReport } from '../../src/api/verification-report';
import { appendUpdate, onePagePdf } from '../pdf/support/handmade-pdf';
import { makeWorld, type World } from './world';

/**
 * What signers and writers add after a stamp that renders nothing: each change is allowed by a
 * named rule, listed in the report with it, and sets the stamp's modification level. The same
 * entries abused (a DSS that lists the page's content, an XMP stream that is page content, an
 * /Extensions that is no extension) are modifications.
 */
let world: World;
let stamped: Buffer;
before(async () => {
  world = await makeWorld('rules');
  fs.writeFileSync(world.file('base.pdf'), onePagePdf({ content: 'BT /F1 24 Tf 72 700 Td (Pay 100 yuan) Tj ET' }));
  stamped = fs.readFileSync(await world.stamp(world.file('base.pdf'), world.file('stamped.pdf')));
});
after(() => world.cleanup());

function edit(change: (doc: PdfDocument, u: IncrementalUpdate) => void): SignatureReport {
  const doc = openPdf(stamped);
  const u = new IncrementalUpdate(doc);
  change(doc, u);
  const r = verifyPdf(u.write().bytes, { trustRoots: [world.ca.certificate] });
  assert.equal(r.signatures.length, 1, renderReportText(r));
  return r.signatures[0]!;
}

function expectAllowed(s: SignatureReport, rule: string, level: ModificationLevel): void {
  assert.equal(s.verdict, 'valid', JSON.stringify(s.modifications, null, 1));
  assert.equal(s.modificationLevel, level);
  assert.ok(s.modifications.some((m) => m.kind === 'allowed' && m.rule === rule), `${rule}: ${JSON.stringify(s.modifications.map((m) => [m.kind, m.rule, m.description.en]))}`);
  assert.ok(s.modifications.every((m) => m.kind === 'allowed'));
}

function expectModified(s: SignatureReport, what: RegExp): void {
  assert.equal(s.verdict, 'invalid');
  assert.equal(s.modificationLevel, 'other');
  assert.ok(s.modifications.some((m) => m.kind === 'disallowed' && what.test(m.description.en)), JSON.stringify(s.modifications.map((m) => [m.kind, m.description.en])));
}

const catalogRef = (doc: PdfDocument): PdfRef => doc.trailer.get('Root') as PdfRef;
const stream = (d: Record<string, Parameters<typeof dict>[0][string]>, body: string): PdfStream => new PdfStream(dict(d), Buffer.from(body, 'latin1'), { start: -1, end: -1 });

test('a null object and objects nothing refers to (a font with its descriptor) keep the stamp unmodified: rules null-object and unused-object', () => {
  const s = edit((_doc, u) => {
    u.add(new RawBody(Buffer.from('null')));
    const desc = u.add(dict({ Type: name('FontDescriptor'), FontName: name('Courier'), Flags: 32 }));
    u.add(dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Courier'), FontDescriptor: desc }));
  });
  expectAllowed(s, 'null-object', 'none');
  expectAllowed(s, 'unused-object', 'none');
});

test('/Info updated (ModDate, Producer) is document-info at the LTV level; /Info as a stream is a modification', () => {
  const size = openPdf(stamped).size;
  const root = (openPdf(stamped).trailer.get('Root') as PdfRef).num;
  const withInfo = (body: string): SignatureReport => {
    const r = verifyPdf(appendUpdate(stamped, [{ num: size, body }], `<< /Size ${size + 1} /Root ${root} 0 R /Info ${size} 0 R >>`), { trustRoots: [world.ca.certificate] });
    return r.signatures[0]!;
  };
  expectAllowed(withInfo('<< /ModDate (D:20260101000000Z) /Producer (Another signer 1.0) >>'), 'document-info', 'ltv');
  expectModified(withInfo('<< /Subtype /Form /BBox [0 0 10 10] /Length 14 >>\nstream\n0 0 10 10 re f\nendstream'), /the document information \(\/Info\) changed: it was replaced by a stream/);
});

test('catalog /Version, /Extensions, /MarkInfo and a new XMP /Metadata are signer bookkeeping (LTV level)', () => {
  const s = edit((doc, u) => {
    const xmp = u.add(stream({ Type: name('Metadata'), Subtype: name('XML') }, '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"/><?xpacket end="w"?>'));
    u.set(catalogRef(doc), withEntries(doc.catalog, {
      Version: name('2.0'), MarkInfo: dict({ Marked: true }), Metadata: xmp,
      Extensions: dict({ ESIC: dict({ Type: name('DeveloperExtensions'), BaseVersion: name('1.7'), ExtensionLevel: 2 }) }),
    }));
  });
  expectAllowed(s, 'signer-bookkeeping', 'ltv');
  assert.ok(s.modifications.some((m) => /\/Extensions|\/Metadata/.test(m.description.en)));
});

test('an /Extensions entry that is not an extension declaration, or an XMP stream that is the page content, is a modification', () => {
  expectModified(edit((doc, u) => {
    u.set(catalogRef(doc), withEntries(doc.catalog, { Extensions: dict({ ADBE: dict({ OpenAction: name('Print') }) }) }));
  }), /\/Extensions \/ADBE is not an extension declaration/);
  expectModified(edit((doc, u) => {
    const content = doc.pages()[0]!.dict.get('Contents') as PdfRef;
    u.set(content, stream({ Type: name('Metadata'), Subtype: name('XML') }, 'BT /F1 24 Tf 72 700 Td (Pay 900 yuan) Tj ET'));
    u.set(catalogRef(doc), withEntries(doc.catalog, { Metadata: content }));
  }), /content of page 1 changed/);
});

test('a /DSS with certificates and a /VRI is an LTV update (rule dss); a DSS listing the page content it rewrites is a modification', () => {
  expectAllowed(edit((doc, u) => {
    const cert = u.add(stream({}, 'certificate bytes'));
    const certs = u.add(array([cert]));
    u.set(catalogRef(doc), withEntries(doc.catalog, { DSS: u.add(dict({ Certs: certs, VRI: dict({ ABCDEF: dict({ Cert: array([cert]) }) }) })) }));
  }), 'dss', 'ltv');
  expectModified(edit((doc, u) => {
    const content = doc.pages()[0]!.dict.get('Contents') as PdfRef;
    u.set(content, stream({}, 'BT /F1 24 Tf 72 700 Td (Pay 900 yuan) Tj ET'));
    u.set(catalogRef(doc), withEntries(doc.catalog, { DSS: dict({ Certs: array([content]) }) }));
  }), /content of page 1 changed|is also used by object/);
});

test('/DA and /DR added to the AcroForm are bookkeeping; a font of /DR replaced is a modification', () => {
  const acroOf = (doc: PdfDocument): PdfRef => doc.catalog.get('AcroForm') as PdfRef;
  expectAllowed(edit((doc, u) => {
    const helv = u.add(dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Helvetica') }));
    u.set(acroOf(doc), withEntries(doc.resolveDict(acroOf(doc))!, { DA: textString('/Helv 0 Tf 0 g'), DR: dict({ Font: dict({ Helv: helv }) }) }));
  }), 'signer-bookkeeping', 'ltv');
  const withDr = (() => {
    const doc = openPdf(stamped);
    const u = new IncrementalUpdate(doc);
    const helv = u.add(dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Helvetica') }));
    u.set(acroOf(doc), withEntries(doc.resolveDict(acroOf(doc))!, { DR: dict({ Font: dict({ Helv: helv }) }) }));
    return u.write().bytes;
  })();
  const doc = openPdf(withDr);
  const u = new IncrementalUpdate(doc);
  const other = u.add(dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Courier') }));
  u.set(acroOf(doc), withEntries(doc.resolveDict(acroOf(doc))!, { DR: dict({ Font: dict({ Helv: other }) }) }));
  const r = verifyPdf(u.write().bytes, { trustRoots: [world.ca.certificate] });
  expectModified(r.signatures[0]!, /font \/Helv was replaced or removed/);
});

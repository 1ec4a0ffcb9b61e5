/**
 * 骑缝章 end to end: the seal cut into one strip per page on the chosen edge, one signature whose
 * widgets are the strips, checked by SealDesk's verifier, poppler's pdfsig and qpdf; the strips'
 * pixels put back together are the seal picture. Software keys stand in for the USB-Key (token
 * signing is tested in test/pkcs11); everything else is real.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { stampPdf } from '../../src/core/sign';
import { openPdf } from '../../src/core/pdf';
import { imageXObjectToRgba } from '../../src/core/pdf/image-xobject';
import { decodePng } from '../../src/core/image';
import { readStripMark } from '../../src/core/sign/straddle-marker';
import { imagesIn } from '../../src/core/verify/impression';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { makeWorld, repoRoot, sealPng } from '../verify/world';
import { pageBook } from './support/page-book';
import { pdfsig, qpdfCheck, renderPage, sha256File } from './support/stamp-fixtures';
import { createRootCa } from '../../src/core/pki/certificate-authority';
import { makeSeal } from '../../src/core/seal/make-seal';
import { decodeSeal } from '../../src/core/asn1/ses-seal';
import { softwareKeeper } from '../cms/software-signer';

const worldP = makeWorld('straddle');
after(async () => (await worldP).cleanup());

async function straddle(name: string, pages: Parameters<typeof pageBook>[1], placement: { pages?: string; edge?: 'right' | 'left' | 'top' | 'bottom'; offsetMm?: number } = {}): Promise<{ input: string; output: string }> {
  const w = await worldP;
  const input = await pageBook(w.file(`${name}.pdf`), pages);
  const output = w.file(`${name}-straddle.pdf`);
  await w.stamp(input, output, { kind: 'straddle', pages: placement.pages ?? 'all', edge: placement.edge ?? 'right', ...(placement.offsetMm === undefined ? {} : { offsetMm: placement.offsetMm }) });
  return { input, output };
}

async function assertVerifies(output: string, strips: number): Promise<void> {
  const w = await worldP;
  const report = verifyPdf(output, { trustRoots: [w.ca.certificate] });
  assert.equal(report.verdict, 'valid', JSON.stringify(report.signatures.map((s) => s.checks), null, 1));
  const [sig] = report.signatures;
  assert.equal(report.signatures.length, 1, 'one signature carries all strips');
  assert.equal(sig!.checks.find((c) => c.id === 'straddle')?.status, 'ok');
  assert.equal(sig!.checks.find((c) => c.id === 'impression')?.status, 'ok');
  assert.equal(sig!.impressions?.length, strips);
  const ps = pdfsig(output);
  assert.equal(ps.total, 1, ps.text);
  assert.equal(ps.valid, 1, ps.text);
  const q = qpdfCheck(output);
  assert.ok(q.ok, q.text);
}

/** The strips' pixels, in range order, laid side by side (or stacked) are the seal picture again. */
function assertStripsRebuildTheSeal(output: string, edge: 'right' | 'left' | 'top' | 'bottom'): void {
  const doc = openPdf(fs.readFileSync(output));
  const [field] = doc.signatureFields();
  const strips = field!.widgets.map((wd) => ({ mark: readStripMark(doc, wd.dict)!, image: imageXObjectToRgba(doc, imagesIn(doc, wd.appearance!.dict.get('Resources'))[0]!.stream) }));
  const seal = decodePng(sealPng);
  const vertical = edge === 'right' || edge === 'left';
  // The innermost strip is on the first page: left-to-right for the right edge, mirrored for the left.
  const ordered = [...strips].sort((a, b) => a.mark.index - b.mark.index);
  if (edge === 'left' || edge === 'top') ordered.reverse();
  let at = 0;
  for (const s of ordered) {
    for (let y = 0; y < s.image.height; y++) {
      for (let x = 0; x < s.image.width; x++) {
        const sx = vertical ? at + x : x;
        const sy = vertical ? y : at + y;
        const o = (y * s.image.width + x) * 4;
        const so = (sy * seal.width + sx) * 4;
        assert.equal(s.image.rgba[o + 3], seal.rgba[so + 3], `alpha at (${sx}, ${sy})`);
      }
    }
    at += vertical ? s.image.width : s.image.height;
  }
  assert.equal(at, vertical ? seal.width : seal.height, 'the strips together are as wide as the seal');
}

test('a straddle seal over 2 pages is one signature with a strip on the right edge of each page; SealDesk, pdfsig and qpdf accept it', async () => {
  const w = await worldP;
  const input = await pageBook(w.file('two.pdf'), 2);
  const before = sha256File(input);
  const output = w.file('two-straddle.pdf');
  const r = await stampPdf({
    input, output, placement: { kind: 'straddle', pages: 'all', edge: 'right' }, sealDer: w.sealDer,
    sealPicture: { type: 'PNG', data: sealPng, widthMm: 40, heightMm: 40 }, signer: w.keeper.signer,
  });
  assert.equal(sha256File(input), before, 'the original is untouched');
  assert.deepEqual(r.stamps.map((s) => s.page), [1, 2]);
  assert.equal(new Set(r.stamps.map((s) => s.fieldName)).size, 1);
  // Each strip is half the seal's 40 mm wide, flush with the right edge of the A4 page, centred vertically.
  for (const s of r.stamps) {
    assert.ok(Math.abs(s.rect[2] - 595.28) < 0.02, `flush right: ${s.rect}`);
    assert.ok(Math.abs(s.rect[2] - s.rect[0] - 20 * 72 / 25.4) < 0.5, `a strip is half the seal wide: ${s.rect}`);
    assert.ok(Math.abs((s.rect[1] + s.rect[3]) / 2 - 841.89 / 2) < 0.02);
  }
  await assertVerifies(output, 2);
  assertStripsRebuildTheSeal(output, 'right');
});

test('a straddle seal over 5 pages of odd sizes, rotated and cropped, sits on the edge as each page is shown', async () => {
  const specs = [{}, { rotate: 90 as const }, { size: [300, 520] as [number, number], cropBox: [20, 30, 250, 460] as [number, number, number, number] }, { rotate: 270 as const, size: [420, 595] as [number, number] }, { rotate: 180 as const }];
  const { output } = await straddle('five', specs);
  await assertVerifies(output, 5);
  assertStripsRebuildTheSeal(output, 'right');
  // Rendered as a reader shows it: the red ink touches the right edge of every page, and only there.
  const w = await worldP;
  for (let p = 1; p <= 5; p++) {
    const png = decodePng(fs.readFileSync(renderPage(output, p, 36, w.file(`five-p${p}`))));
    const red = (x: number, y: number): boolean => { const o = (y * png.width + x) * 4; return png.rgba[o]! > 150 && png.rgba[o + 1]! < 110 && png.rgba[o + 2]! < 110; };
    // Each strip is 8 mm wide (40 mm / 5), at 36 dpi about 11 pixels.
    const strip = Math.round((8 / 25.4) * 36);
    let nearEdge = 0;
    let leftHalf = 0;
    for (let y = 0; y < png.height; y++) {
      for (let x = png.width - strip; x < png.width; x++) if (red(x, y)) nearEdge++;
      for (let x = 0; x < png.width - strip - 1; x++) if (red(x, y)) leftHalf++;
    }
    assert.ok(nearEdge > 20, `page ${p}: red ink within the strip at the right edge (${nearEdge} pixels)`);
    assert.equal(leftHalf, 0, `page ${p}: no ink anywhere else on the page`);
  }
});

test('a straddle seal over 30 pages verifies, and each edge works (left, top, bottom, with an offset)', async () => {
  const { output } = await straddle('thirty', 30);
  await assertVerifies(output, 30);
  assertStripsRebuildTheSeal(output, 'right');
  for (const edge of ['left', 'top', 'bottom'] as const) {
    const r = await straddle(`three-${edge}`, [{}, { rotate: 90 }, {}], { edge, offsetMm: 60 });
    await assertVerifies(r.output, 3);
    assertStripsRebuildTheSeal(r.output, edge);
  }
});

test('a straddle seal over one page is refused with its reason, and nothing is written', async () => {
  const w = await worldP;
  const input = await pageBook(w.file('single.pdf'), 3);
  for (const pages of ['2', 'even']) {
    const output = w.file(`single-${pages}.pdf`);
    await assert.rejects(w.stamp(input, output, { kind: 'straddle', pages, edge: 'right' }), (e: { code?: string; zh?: string; en?: string }) => {
      assert.equal(e.code, 'STRADDLE_NEEDS_TWO_PAGES');
      assert.match(e.zh!, /至少要盖在两页上/);
      assert.match(e.en!, /at least two pages/);
      return true;
    });
    assert.equal(fs.existsSync(output), false);
  }
  await assert.rejects(w.stamp(input, w.file('single-bad.pdf'), { kind: 'straddle', pages: '2-9', edge: 'right' }), (e: { code?: string }) => e.code === 'PLACEMENT_INVALID');
  await assert.rejects(w.stamp(input, w.file('single-off.pdf'), { kind: 'straddle', pages: 'all', edge: 'right', offsetMm: 290 }), (e: { code?: string }) => e.code === 'PLACEMENT_INVALID');
});

test('a seal whose picture is a JPEG is cut into strips too, and each strip verifies against its slice of the decoded JPEG', async () => {
  const w = await worldP;
  const jpg = w.file('seal.jpg');
  execFileSync('convert', [path.join(repoRoot, 'test/fixtures/pdf/seal-red.png'), '-background', 'white', '-flatten', '-quality', '90', jpg]);
  const ca = await createRootCa('CN=SealDesk JPEG Straddle Root');
  const keeper = await softwareKeeper('EC-P256', { ca, subject: 'CN=李四,O=SealDesk 演示有限公司' });
  const maker = await softwareKeeper('EC-P256', { ca, subject: 'CN=Seal Maker,O=SealDesk Seal Center' });
  const now = new Date();
  const made = await makeSeal({
    maker: maker.signer, keeper: { certificate: keeper.signer.certificate, seals: [] }, trustRoots: [ca.certificate], now,
    name: 'SealDesk 演示有限公司合同专用章', type: 4, validStart: new Date(now.getTime() - 86400_000), validEnd: new Date(now.getTime() + 86400_000),
    image: { bytes: fs.readFileSync(jpg), widthMm: 40, heightMm: 40 }, vendorId: 'SealDesk',
  });
  const picture = decodeSeal(made.der).eSealInfo.picture;
  assert.match(picture.type.toUpperCase(), /JPE?G/);
  const input = await pageBook(w.file('jpeg.pdf'), 3);
  const output = w.file('jpeg-straddle.pdf');
  await stampPdf({ input, output, placement: { kind: 'straddle', pages: 'all', edge: 'right' }, sealDer: made.der, sealPicture: { type: picture.type, data: picture.data, widthMm: 40, heightMm: 40 }, signer: keeper.signer });
  const report = verifyPdf(output, { trustRoots: [ca.certificate] });
  assert.equal(report.verdict, 'valid', JSON.stringify(report.signatures[0]?.checks, null, 1));
  assert.equal(report.signatures[0]!.checks.find((c) => c.id === 'impression')?.status, 'ok');
  assert.equal(pdfsig(output).valid, 1);
});

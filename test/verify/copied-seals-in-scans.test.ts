import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PDFDocument } from 'pdf-lib';
import type { FileWarning, VerificationReport } from '../../src/api/verification-report';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { makeWorld, type World } from './world';
import { convert, otherRoundSealPng, sealPngPath } from './copied-seals-fixtures';

/**
 * A seal inside a scanned page — the paper contract stamped by hand, scanned to one JPEG and put
 * in a PDF with no electronic stamp — is a copied seal too: found inside the big picture, named
 * when it is a known seal, flagged as seal-like otherwise, and reported where it lies on the page.
 * The scans are made by ImageMagick (`convert`: paper, black text, the seal composited over it,
 * JPEG at quality 80), as a scanner's software would write them; PDFs by pdf-lib.
 */

let world: World;
before(async () => { world = await makeWorld('copied-seals-scans'); });
after(() => world.cleanup());

const verifyBytes = (bytes: Uint8Array): VerificationReport => verifyPdf(bytes, { trustRoots: [world.ca.certificate], sealCatalog: [world.sealDer] });
const copies = (r: VerificationReport): FileWarning[] => r.warnings.filter((w) => w.id === 'copied_seal_image');
const unchecked = (r: VerificationReport): FileWarning[] => r.warnings.filter((w) => w.id === 'image_not_checked');

interface Scan { width: number; height: number; seal?: { png: string; x: number; y: number; side: number }; redHeading?: boolean }

/** A scanned A4 page as JPEG: lines of black text, optionally a seal stamped over them. */
function scanJpeg(name: string, s: Scan): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < 30; i++) lines.push('-draw', `text ${Math.round(s.width * 0.08)},${Math.round(s.height * (0.08 + i * 0.028))} 'Clause ${i + 1}: the parties agree to the terms set out in this contract.'`);
  const args = ['-size', `${s.width}x${s.height}`, 'xc:#f7f5f0', '-fill', '#202020', '-pointsize', String(Math.round(s.width / 60)), ...lines];
  if (s.redHeading) args.push('-fill', '#c8102e', '-pointsize', String(Math.round(s.width / 25)), '-draw', `text ${Math.round(s.width * 0.3)},${Math.round(s.height * 0.05)} 'PURCHASE CONTRACT'`);
  if (s.seal) args.push('(', s.seal.png, '-resize', `${s.seal.side}x${s.seal.side}`, ')', '-geometry', `+${s.seal.x}+${s.seal.y}`, '-composite');
  args.push('-quality', '80');
  return convert(world.dir, args, name);
}

async function scannedPdf(jpeg: Buffer): Promise<Uint8Array> {
  const d = await PDFDocument.create();
  d.addPage([595, 842]).drawImage(await d.embedJpg(jpeg), { x: 0, y: 0, width: 595, height: 842 });
  return d.save();
}

/** The page rectangle of a pixel box of a full-page scan. */
function pageBox(s: Scan, x0: number, y0: number, x1: number, y1: number): [number, number, number, number] {
  return [(x0 / s.width) * 595, 842 - (y1 / s.height) * 842, (x1 / s.width) * 595, 842 - (y0 / s.height) * 842];
}

function assertAround(rect: number[] | undefined, expected: number[], slack: number): void {
  assert.ok(rect);
  rect.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= slack, `rect ${JSON.stringify(rect)} is not around ${JSON.stringify(expected.map((n) => Math.round(n)))}`));
}

test('a known seal stamped on a 200-dpi scanned page (no electronic stamp) is named as a copy, at its place on the page', async () => {
  const s: Scan = { width: 1654, height: 2339, seal: { png: sealPngPath, x: 1000, y: 1500, side: 315 } };
  const r = verifyBytes(await scannedPdf(scanJpeg('scan-200.jpg', s)));
  const found = copies(r);
  assert.equal(found.length, 1, JSON.stringify(r.warnings));
  const w = found[0]!;
  assert.equal(w.copiedSeal?.match, 'known_seal');
  assert.equal(w.copiedSeal?.esID, world.esID);
  assert.equal(w.page, 1);
  assert.match(w.message.zh, /疑似复制的印章图像：SealDesk 演示有限公司合同专用章/);
  // Where the seal lies on the page, not the whole page the scan covers.
  assertAround(w.rect, pageBox(s, 1000, 1500, 1315, 1815), 14);
  assert.equal(unchecked(r).length, 0);
  assert.equal(r.verdict, 'warning');
});

test('a 300-dpi scan is checked within the default budget rather than given up, and another company\'s seal on it is seal-like, not named', async () => {
  const s: Scan = { width: 2480, height: 3508, seal: { png: otherRoundSealPng, x: 300, y: 2600, side: 470 } };
  const r = verifyBytes(await scannedPdf(scanJpeg('scan-300.jpg', s)));
  assert.deepEqual(unchecked(r), [], 'no "image not checked": the scan was searched');
  const found = copies(r);
  assert.equal(found.length, 1, JSON.stringify(r.warnings));
  assert.equal(found[0]!.copiedSeal?.match, 'seal_like');
  assert.equal(found[0]!.copiedSeal?.esID, undefined);
  assertAround(found[0]!.rect, pageBox(s, 300, 2600, 770, 3070), 14);
});

test('a scanned page with black text and a red heading but no seal shows no copied seal', async () => {
  const r = verifyBytes(await scannedPdf(scanJpeg('scan-plain.jpg', { width: 1654, height: 2339, redHeading: true })));
  assert.deepEqual(copies(r), []);
  assert.deepEqual(unchecked(r), []);
});

test('two seals on one scan are both reported, each at its own place', async () => {
  const one = scanJpeg('scan-one.jpg', { width: 1654, height: 2339, seal: { png: sealPngPath, x: 200, y: 300, side: 300 } });
  const two = convert(world.dir, [`${world.dir}/scan-one.jpg`, '(', otherRoundSealPng, '-resize', '300x300', ')', '-geometry', '+1100+1800', '-composite', '-quality', '80'], 'scan-two.jpg');
  assert.ok(one.length > 0);
  const r = verifyBytes(await scannedPdf(two));
  const found = copies(r).sort((a, b) => b.rect![1] - a.rect![1]);
  assert.equal(found.length, 2, JSON.stringify(r.warnings));
  assert.equal(found[0]!.copiedSeal?.match, 'known_seal', 'the upper one is the known seal');
  assert.equal(found[1]!.copiedSeal?.match, 'seal_like');
});

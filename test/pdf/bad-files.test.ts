/**
 * The robustness corpus: damaged and hostile files must end in a clear SealDeskError (PDF_MALFORMED
 * or PDF_ENCRYPTED) — never a crash, never a hang, never an output file. Each file goes through
 * the reader (xref, pages, form fields, every object) and through the stamping pipeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { openPdf } from '../../src/core/pdf';
import { stampPdf } from '../../src/core/sign';
import { isSealDeskError } from '../../src/core/errors';
import { softwareKeeper } from '../cms/software-signer';
import { buildPdf, objectStreamPdf, onePagePdf } from './support/handmade-pdf';
import { classicPdf, sealDer, sealPicture, workDir } from '../sign/support/stamp-fixtures';

const dir = workDir('bad-files');

function seededGarbage(n: number, seed: string): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * 32 < n; i++) out.push(crypto.createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(out).subarray(0, n);
}

/** Replaces the first match in a file's text, keeping everything else byte for byte. */
function edit(bytes: Buffer, from: string | RegExp, to: string): Buffer {
  const s = bytes.toString('latin1');
  const out = s.replace(from, to);
  assert.notEqual(out, s, `corpus edit did not apply: ${String(from)}`);
  return Buffer.from(out, 'latin1');
}

async function corpus(): Promise<Map<string, Buffer>> {
  const good = fs.readFileSync(await classicPdf(path.join(dir, 'good.pdf'), 2));
  const simple = onePagePdf();
  const c = new Map<string, Buffer>();
  c.set('empty', Buffer.alloc(0));
  c.set('plain text', Buffer.from('这不是 PDF 文件 / this is not a PDF\n'));
  c.set('garbage', seededGarbage(65536, 'garbage'));
  c.set('garbage after a PDF header', Buffer.concat([Buffer.from('%PDF-1.7\n'), seededGarbage(65536, 'hdr')]));
  for (const f of [0.1, 0.5, 0.9]) c.set(`truncated at ${f * 100}%`, good.subarray(0, Math.floor(good.length * f)));
  c.set('truncated inside %%EOF', good.subarray(0, good.length - 3));
  c.set('broken xref (offsets shifted)', Buffer.from(simple.toString('latin1')
    .replace(/(\d{10}) 00000 n/g, (_m, o: string) => `${String(Number(o) + 7).padStart(10, '0')} 00000 n`), 'latin1'));
  c.set('startxref into the middle of an object', edit(simple, /startxref\n\d+/, 'startxref\n40'));
  c.set('xref entry count larger than the file', edit(simple, 'xref\n0 1\n', 'xref\n0 999999999\n'));
  c.set('/Length past the end of the file', onePagePdf({ length: '999999999999' }));
  c.set('/Length too short', onePagePdf({ length: '7' }));
  c.set('/Length too long', onePagePdf({ length: '60' }));
  c.set('huge trailer /Size', edit(simple, '/Size 6', '/Size 999999999999'));
  c.set('page tree loop', buildPdf([
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    { num: 3, body: '<< /Type /Pages /Kids [2 0 R] /Count 1 >>' },
  ], '<< /Size 4 /Root 1 0 R >>'));
  c.set('stream /Length refers to itself', buildPdf([
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    { num: 3, body: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>' },
    { num: 4, body: '<< /Length 4 0 R >>\nstream\nq Q\nendstream' },
  ], '<< /Size 5 /Root 1 0 R >>'));
  c.set('references that point at each other', buildPdf([
    { num: 1, body: '<< /Type /Catalog /Pages 5 0 R >>' },
    { num: 5, body: '6 0 R' },
    { num: 6, body: '5 0 R' },
  ], '<< /Size 7 /Root 1 0 R >>'));
  const prevLoop = Buffer.from(simple);
  const startxref = /startxref\n(\d+)/.exec(simple.toString('latin1'))![1]!;
  c.set('/Prev pointing to its own xref', edit(prevLoop, '/Root 1 0 R >>', `/Root 1 0 R /Prev ${startxref} >>`));
  c.set('deeply nested arrays', buildPdf([
    { num: 1, body: `<< /Type /Catalog /Pages 2 0 R /Deep ${'['.repeat(100000)}${']'.repeat(100000)} >>` },
    { num: 2, body: '<< /Type /Pages /Kids [] /Count 0 >>' },
  ], '<< /Size 3 /Root 1 0 R >>'));
  c.set('object stream claiming a billion objects', objectStreamPdf({ n: '1000000000' }));
  const enc = path.join(dir, 'encrypted.pdf');
  execFileSync('qpdf', ['--encrypt', 'user', 'owner', '256', '--', path.join(dir, 'good.pdf'), enc]);
  c.set('encrypted', fs.readFileSync(enc));
  return c;
}

/** Why each file must be refused: the reader names the actual damage, not some later symptom. */
const expectedReason: Record<string, RegExp> = {
  'empty': /"%PDF-" header/, 'plain text': /"%PDF-" header/, 'garbage': /"%PDF-" header/,
  'garbage after a PDF header': /startxref/,
  'truncated at 10%': /startxref/, 'truncated at 50%': /startxref/, 'truncated at 90%': /startxref/,
  'truncated inside %%EOF': /truncated/,
  'broken xref (offsets shifted)': /expected|wrong object/,
  'startxref into the middle of an object': /expected|xref/,
  'xref entry count larger than the file': /larger than the file/,
  '/Length past the end of the file': /past the end/,
  '/Length too short': /endstream/, '/Length too long': /endstream/,
  'huge trailer /Size': /\/Size/,
  'page tree loop': /loop/, 'stream /Length refers to itself': /loop/, 'references that point at each other': /loop/,
  '/Prev pointing to its own xref': /loop/,
  'deeply nested arrays': /nested too deeply/,
  'object stream claiming a billion objects': /object stream header/,
  'encrypted': /./,
};

function readEverything(bytes: Uint8Array): void {
  const doc = openPdf(bytes);
  doc.pages();
  doc.signatureFields();
  doc.checkAllObjects();
}

test('every damaged or hostile file is refused with a clear error, quickly, by the reader and by stamping', async () => {
  const files = await corpus();
  const { signer } = await softwareKeeper('EC-P256');
  for (const [name, bytes] of files) {
    const t0 = Date.now();
    assert.throws(() => readEverything(bytes), (e: unknown) => {
      assert.ok(isSealDeskError(e), `${name}: not a SealDeskError: ${String(e)}`);
      assert.ok(['PDF_MALFORMED', 'PDF_ENCRYPTED'].includes(e.code), `${name}: code ${e.code}`);
      assert.ok(e.zh.length > 0 && e.en.length > 0);
      assert.equal(e.code === 'PDF_ENCRYPTED', name === 'encrypted', `${name}: ${e.code}`);
      assert.match(String(e.details.reason ?? e.en), expectedReason[name]!, `${name}: refused for another reason`);
      return true;
    }, `${name} was accepted`);
    assert.ok(Date.now() - t0 < 5000, `${name} took ${Date.now() - t0} ms`);

    const input = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.pdf`);
    const output = `${input}.stamped.pdf`;
    fs.writeFileSync(input, bytes);
    await assert.rejects(stampPdf({ input, output, placement: { kind: 'point', page: 1, x: 100, y: 100 }, sealDer, sealPicture, signer }),
      (e: unknown) => isSealDeskError(e) && ['PDF_MALFORMED', 'PDF_ENCRYPTED'].includes(e.code), `${name}: stamping did not refuse clearly`);
    assert.equal(fs.existsSync(output), false, `${name}: an output file was written`);
  }
});

test('the good file the corpus is made from is accepted, so the refusals above are about the damage', async () => {
  const bytes = fs.readFileSync(path.join(dir, 'good.pdf'));
  assert.doesNotThrow(() => readEverything(bytes));
  assert.doesNotThrow(() => readEverything(onePagePdf()));
  const objstm = openPdf(objectStreamPdf());
  assert.equal(objstm.pages().length, 1);
  assert.equal(objstm.revisions[0]!.entries.get(3)?.type, 'compressed');
});

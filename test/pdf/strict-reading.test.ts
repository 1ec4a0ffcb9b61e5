import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { stampPdf } from '../../src/core/sign';
import type { Signer } from '../../src/core/signer';
import { isSealDeskError } from '../../src/core/errors';
import { openPdf } from '../../src/core/pdf/document';
import { revisionAnomalies } from '../../src/core/pdf/revision-anomalies';
import { PdfRef, PdfStream } from '../../src/core/pdf/objects';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import { buildPdf, onePagePdf } from './support/handmade-pdf';
import { makeWorld, sealPng, type World } from '../verify/world';
import { Forge, objectStream, offsetOf, stream } from '../verify/support/forge';
import { COURIER, FORGED_TEXT, contractObjects, lastBody, sizeOf } from '../verify/support/structural-forgeries';

/**
 * The signer's gate: a file whose structure can be read more than one way is refused before the
 * key is asked to sign (so before the PIN: the app asks for it when the token signs), with a
 * code and a message in both languages, no output, and the input untouched. A seal on a file
 * two readers read differently would vouch for whichever document the reader happens to show.
 */
let world: World;
let stamped: Buffer;
before(async () => {
  world = await makeWorld('strict-reading');
  fs.writeFileSync(world.file('base.pdf'), buildPdf(contractObjects(), '<< /Size 6 /Root 1 0 R >>'));
  stamped = fs.readFileSync(await world.stamp(world.file('base.pdf'), world.file('stamped.pdf'), { kind: 'point', page: 1, x: 400, y: 200 }));
});
after(() => world.cleanup());

function countingSigner(): { signer: Signer; calls: () => number } {
  const inner = world.keeper.signer;
  let n = 0;
  return {
    signer: { certificate: inner.certificate, keyAlgorithm: inner.keyAlgorithm, defaultScheme: inner.defaultScheme, sign: (m, s) => { n++; return inner.sign(m, s); } },
    calls: () => n,
  };
}

async function stampWith(bytes: Buffer, name: string, signer: Signer): Promise<{ input: string; output: string }> {
  const input = world.file(`${name.replace(/[^a-z0-9]+/gi, '-')}.pdf`);
  const output = `${input}.stamped.pdf`;
  fs.writeFileSync(input, bytes);
  await stampPdf({
    input, output, placement: { kind: 'point', page: 1, x: 150, y: 150 }, sealDer: world.sealDer,
    sealPicture: { type: 'PNG', data: sealPng, widthMm: 40, heightMm: 40 }, signer,
  });
  return { input, output };
}

const sha256 = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

interface Ambiguous { name: string; bytes: Buffer; code: 'PDF_AMBIGUOUS' | 'PDF_MALFORMED'; reason: RegExp }

function corpus(): Ambiguous[] {
  const simple = onePagePdf();
  const n = sizeOf(stamped);
  const trailer = `<< /Size ${n + 5} /Root 1 0 R >>`;
  const zero = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace(/(\d{10}) 00000 n/g, '0000000000 00000 n'), 'latin1');
  const list: Ambiguous[] = [
    { name: 'an xref whose every offset is 0', bytes: zero(simple), code: 'PDF_MALFORMED', reason: /wrong object/ },
    { name: 'a stamped file whose update has every offset 0', bytes: (() => {
      const f = new Forge(stamped);
      f.obj(5, COURIER);
      return f.table([[4, 0], [5, 0]], trailer).bytes();
    })(), code: 'PDF_MALFORMED', reason: /wrong object|expected/ },
    { name: 'two xref entries swapped (each offset holds the other object)', bytes: (() => {
      const s = simple.toString('latin1');
      const o4 = String(offsetOf(simple, 4)).padStart(10, '0');
      const o5 = String(offsetOf(simple, 5)).padStart(10, '0');
      return Buffer.from(s.replace(`${o4} 00000 n`, 'XXXX').replace(`${o5} 00000 n`, `${o4} 00000 n`).replace('XXXX', `${o5} 00000 n`), 'latin1');
    })(), code: 'PDF_MALFORMED', reason: /wrong object/ },
  ];
  const update = (build: (f: Forge) => Forge): Buffer => build(new Forge(stamped)).bytes();
  list.push(
    { name: 'an object listed twice in one xref section', bytes: update((f) => f.table([[4, offsetOf(stamped, 4)], [4, f.obj(4, stream(FORGED_TEXT))]], trailer)), code: 'PDF_AMBIGUOUS', reason: /defines object 4 twice/ },
    { name: 'an object listed twice in an xref stream', bytes: update((f) => f.xrefStream(n, [[5, 1, offsetOf(stamped, 5), 0], [5, 1, f.obj(5, COURIER), 0]], trailer)), code: 'PDF_AMBIGUOUS', reason: /defines object 5 twice/ },
    { name: 'objects appended after the last %%EOF', bytes: update((f) => { f.obj(4, stream(FORGED_TEXT)); return f; }), code: 'PDF_AMBIGUOUS', reason: /appended after the last %%EOF/ },
    { name: 'an object in an update its xref does not index', bytes: update((f) => { f.obj(4, stream(FORGED_TEXT)); return f.table([[5, f.obj(5, COURIER)]], trailer); }), code: 'PDF_AMBIGUOUS', reason: /does not index/ },
    { name: 'an unused number indexed at another object\'s header', bytes: update((f) => f.table([[n + 1, f.obj(4, stream(FORGED_TEXT))]], trailer)), code: 'PDF_MALFORMED', reason: /wrong object/ },
    { name: 'an object twice in one object stream', bytes: update((f) => {
      const at = f.obj(n + 1, objectStream([[5, COURIER], [5, COURIER.replace('Courier', 'Times-Roman')]]));
      return f.xrefStream(n, [[5, 2, n + 1, 0], [n + 1, 1, at, 0]], trailer);
    }), code: 'PDF_AMBIGUOUS', reason: /contains object 5 twice/ },
    { name: 'an xref stream entry pointing at another object\'s slot of an object stream', bytes: update((f) => {
      const at = f.obj(n + 1, objectStream([[5, COURIER], [n + 2, COURIER]]));
      return f.xrefStream(n, [[5, 2, n + 1, 1], [n + 1, 1, at, 0], [n + 2, 2, n + 1, 1]], trailer);
    }), code: 'PDF_AMBIGUOUS', reason: /at index 1 of object stream/ },
  );
  // A key written twice in the dictionaries the stamp rewrites or depends on.
  const page = lastBody(stamped, 3);
  const catalog = lastBody(stamped, 1);
  const rewrite = (num: number, body: string, tr = trailer): Buffer => update((f) => f.table([[num, f.obj(num, body)]], tr));
  list.push(
    { name: 'the trailer with /Root twice', bytes: update((f) => f.table([[5, f.obj(5, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>')]], `<< /Size ${n + 5} /Root 1 0 R /Root 1 0 R >>`)), code: 'PDF_AMBIGUOUS', reason: /trailer has the key \/Root twice/ },
    { name: 'the catalog with /Pages twice', bytes: rewrite(1, catalog.replace(/>>\s*$/, '/Pages 2 0 R >>')), code: 'PDF_AMBIGUOUS', reason: /object 1 0 has the key \/Pages twice/ },
    { name: 'the page with /Contents twice', bytes: rewrite(3, page.replace(/>>\s*$/, '/Contents 4 0 R >>')), code: 'PDF_AMBIGUOUS', reason: /object 3 0 has the key \/Contents twice/ },
    { name: 'the page tree node with /Kids twice', bytes: rewrite(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] /Kids [3 0 R] >>'), code: 'PDF_AMBIGUOUS', reason: /object 2 0 has the key \/Kids twice/ },
    { name: 'a single-revision file whose page has /MediaBox twice', bytes: onePagePdf({ pageExtra: '/MediaBox [0 0 595 842] /MediaBox [0 0 300 300]' }), code: 'PDF_AMBIGUOUS', reason: /has the key \/MediaBox twice/ },
  );
  const acro = /\/AcroForm\s+(\d+) 0 R/.exec(catalog);
  if (acro) {
    const num = Number(acro[1]);
    list.push({ name: 'the AcroForm with /Fields twice', bytes: rewrite(num, lastBody(stamped, num).replace(/>>\s*$/, '/Fields [] >>')), code: 'PDF_AMBIGUOUS', reason: /has the key \/Fields twice/ });
  }
  return list;
}

test('the stamped contract can be stamped again, and a repeated key deep inside a font or trailing junk does not stop stamping', async () => {
  const { signer, calls } = countingSigner();
  const { output } = await stampWith(stamped, 'good', signer);
  assert.equal(calls(), 1);
  assert.equal(verifyPdf(fs.readFileSync(output), { trustRoots: [world.ca.certificate] }).verdict, 'valid');
  // A font dictionary of the original with a key twice: a verifier's finding for updates, not for
  // the original a keeper is asked to stamp (which the stamp then covers as it is).
  const fontDup = buildPdf(contractObjects().map((o) => (o.num === 5 ? { num: 5, body: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /BaseFont /Helvetica >>' } : o)), '<< /Size 6 /Root 1 0 R >>');
  const a = await stampWith(fontDup, 'font-dup', countingSigner().signer);
  const r = verifyPdf(fs.readFileSync(a.output), { trustRoots: [world.ca.certificate] });
  assert.equal(r.verdict, 'valid', renderReportText(r));
  const junk = Buffer.concat([stamped, Buffer.from('some junk that is not an object\n')]);
  const b = await stampWith(junk, 'junk', countingSigner().signer);
  const r2 = verifyPdf(fs.readFileSync(b.output), { trustRoots: [world.ca.certificate] });
  assert.equal(r2.signatures.length, 2);
  assert.equal(r2.signatures[1]!.verdict, 'valid', 'the new stamp covers the junk');
  assert.equal(r2.signatures[0]!.verdict, 'invalid', 'the first stamp did not sign the junk');
});

test('a file whose structure is ambiguous is refused before the key signs, with a code and both languages, no output, input untouched', async () => {
  const files = corpus();
  assert.ok(files.length >= 14);
  for (const f of files) {
    const { signer, calls } = countingSigner();
    const hash = sha256(f.bytes);
    let paths: { input: string; output: string } | undefined;
    const input = world.file(`${f.name.replace(/[^a-z0-9]+/gi, '-')}.pdf`);
    await assert.rejects(async () => { paths = await stampWith(f.bytes, f.name, signer); }, (e: unknown) => {
      assert.ok(isSealDeskError(e), `${f.name}: ${String(e)}`);
      assert.equal(e.code, f.code, `${f.name}: ${e.code} ${e.en}`);
      assert.ok(e.zh.length > 0 && e.en.length > 0 && /[\u4e00-\u9fff]/.test(e.zh), `${f.name}: both languages`);
      assert.match(`${String(e.details.reason)} ${e.en}`, f.reason, `${f.name}: refused for another reason: ${e.en}`);
      return true;
    }, `${f.name} was stamped`);
    assert.equal(paths, undefined);
    assert.equal(calls(), 0, `${f.name}: the key was asked to sign`);
    assert.equal(fs.existsSync(`${input}.stamped.pdf`), false, `${f.name}: an output was written`);
    assert.equal(sha256(fs.readFileSync(input)), hash, `${f.name}: the input changed`);
  }
});

test('the reader records what it kept and what it saw twice: last key wins, first xref entry wins, both recorded', () => {
  const doc = openPdf(onePagePdf({ pageExtra: '/Rotate 90 /Rotate 180' }));
  assert.equal(doc.pages()[0]!.rotate, 180, 'as poppler, MuPDF and pdf.js read it');
  assert.deepEqual(doc.pages()[0]!.dict.duplicateKeys, ['Rotate']);
  const f = new Forge(stamped);
  const forged = f.obj(4, stream(FORGED_TEXT));
  const twice = openPdf(f.table([[4, offsetOf(stamped, 4)], [4, forged]], `<< /Size ${sizeOf(stamped)} /Root 1 0 R >>`).bytes());
  const last = twice.revisions.length - 1;
  assert.equal(twice.offsetOf(4), offsetOf(stamped, 4), 'the first entry of a section is the one poppler and MuPDF take');
  const found = revisionAnomalies(twice).filter((a) => a.revision === last).map((a) => a.code);
  assert.ok(found.includes('duplicate-xref-entry') && found.includes('unindexed-object'), found.join(', '));
  assert.deepEqual(revisionAnomalies(openPdf(stamped)), [], 'SealDesk\'s own stamp revision reads strictly clean');
});

test('files written by pyHanko (its own test corpus), qpdf (object streams, linearized) and SealDesk read strictly clean: no false findings', async () => {
  const peers = '/work/shared/testdata/pdf-peers';
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const f of fs.readdirSync(d)) {
      const p = `${d}/${f}`;
      if (fs.statSync(p).isDirectory()) walk(p); else if (f.endsWith('.pdf')) files.push(p);
    }
  };
  walk(peers);
  assert.ok(files.length >= 25, 'the pyHanko corpus is there');
  for (const f of files) {
    const found = revisionAnomalies(openPdf(fs.readFileSync(f)));
    assert.deepEqual(found.map((a) => `${a.code} ${a.message.en}`), [], f);
  }
  for (const args of [['--object-streams=generate'], ['--linearize'], ['--linearize', '--object-streams=generate']]) {
    const out = world.file(`qpdf${args.join('')}.pdf`);
    execFileSync('qpdf', [...args, world.file('base.pdf'), out]);
    const once = await world.stamp(out, `${out}.1.pdf`, { kind: 'point', page: 1, x: 400, y: 200 });
    const twice = await world.stamp(once, `${out}.2.pdf`, { kind: 'point', page: 1, x: 150, y: 150 });
    assert.deepEqual(revisionAnomalies(openPdf(fs.readFileSync(twice))), [], `qpdf ${args.join(' ')}, stamped twice`);
    assert.equal(verifyPdf(fs.readFileSync(twice), { trustRoots: [world.ca.certificate] }).verdict, 'valid');
  }
});

test('a stream with an indirect /Length is read as each revision sees its length: an update that shortens the length object changes the newest view only, and the stamp is invalid', async () => {
  // The content carries an "endstream" inside its data, so a shorter /Length still ends on one.
  const content = 'BT /F1 18 Tf 72 700 Td (Pay 100 yuan) Tj ET\nendstream\nBT /F1 18 Tf 72 650 Td (and the buyer keeps the goods) Tj ET';
  const objects = contractObjects().map((o) => (o.num === 4 ? { num: 4, body: `<< /Length 6 0 R >>\nstream\n${content}\nendstream` } : o));
  fs.writeFileSync(world.file('indirect-length.pdf'), buildPdf([...objects, { num: 6, body: String(content.length) }], '<< /Size 7 /Root 1 0 R >>'));
  const signed = fs.readFileSync(await world.stamp(world.file('indirect-length.pdf'), world.file('indirect-length-stamped.pdf'), { kind: 'point', page: 1, x: 400, y: 200 }));
  const f = new Forge(signed);
  const shorter = f.obj(6, String(content.indexOf('\nendstream')));
  const forged = f.table([[6, shorter]], `<< /Size ${sizeOf(signed)} /Root 1 0 R >>`).bytes();
  const doc = openPdf(forged);
  const stampRevision = doc.revisions.length - 2;
  const page = doc.pages()[0]!;
  assert.ok(Buffer.from(doc.pageContent(page)).toString('latin1').includes('Pay 100 yuan'));
  const content4 = (rev?: number): string => {
    const s = doc.getObject(new PdfRef(4, 0), { revision: rev });
    assert.ok(s instanceof PdfStream);
    return Buffer.from(s.raw).toString('latin1');
  };
  assert.equal(content4(stampRevision), content, 'the signed revision reads the whole stream');
  assert.equal(content4(), content.slice(0, content.indexOf('\nendstream')), 'the newest revision reads the shortened stream');
  const r = verifyPdf(forged, { trustRoots: [world.ca.certificate] });
  assert.equal(r.verdict, 'invalid', renderReportText(r));
  const mods = r.signatures[0]!.checks.find((c) => c.id === 'modifications')!;
  assert.equal(mods.status, 'failed', mods.message.en);
});

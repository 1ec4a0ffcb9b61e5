/**
 * The straddle check names the page: a straddle seal whose pages are removed, swapped or replaced
 * — by an incremental update that keeps the signed revision, or by qpdf rewriting the whole file —
 * fails verification with the page's number; a later ordinary stamp keeps it valid. The stamps are
 * made with software keys (token signing is tested in test/pkcs11); the tampering is real PDF
 * editing (SealDesk's own incremental writer, qpdf).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { openPdf } from '../../src/core/pdf';
import { IncrementalUpdate } from '../../src/core/pdf/incremental-writer';
import { PdfStream, array, dict, withEntries } from '../../src/core/pdf/objects';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import type { SignatureReport } from '../../src/api/verification-report';
import { makeWorld } from './world';
import { pageBook } from '../sign/support/page-book';
import { pdfsig } from '../sign/support/stamp-fixtures';

const worldP = makeWorld('straddle-verify');
after(async () => (await worldP).cleanup());

let stampedP: Promise<string> | undefined;
/** A 5-page agreement with a straddle seal over all pages, made once. */
function stamped(): Promise<string> {
  stampedP ??= (async () => {
    const w = await worldP;
    const input = await pageBook(w.file('agreement.pdf'), 5);
    return w.stamp(input, w.file('agreement-straddle.pdf'), { kind: 'straddle', pages: 'all', edge: 'right' });
  })();
  return stampedP;
}

async function report(file: string): Promise<{ verdict: string; sig: SignatureReport }> {
  const w = await worldP;
  const r = verifyPdf(file, { trustRoots: [w.ca.certificate] });
  const sig = r.signatures.find((s) => s.checks.some((c) => c.id === 'straddle'));
  assert.ok(sig, 'the straddle seal is recognised');
  return { verdict: r.verdict, sig };
}

function straddleCheck(sig: SignatureReport): { status: string; en: string; zh: string } {
  const c = sig.checks.find((x) => x.id === 'straddle')!;
  return { status: c.status, en: c.message.en, zh: c.message.zh };
}

/** Edits the stamped file by an incremental update: the signed revision stays byte for byte. */
async function editIncrementally(name: string, edit: (doc: ReturnType<typeof openPdf>, update: IncrementalUpdate) => void): Promise<string> {
  const w = await worldP;
  const doc = openPdf(fs.readFileSync(await stamped()));
  const update = new IncrementalUpdate(doc);
  edit(doc, update);
  const out = w.file(name);
  fs.writeFileSync(out, update.write().bytes);
  return out;
}

function setKids(doc: ReturnType<typeof openPdf>, update: IncrementalUpdate, order: number[]): void {
  const root = doc.catalog.get('Pages') as Parameters<IncrementalUpdate['set']>[0];
  const pages = doc.pages();
  update.set(root, withEntries(doc.resolveDict(root)!, { Kids: array(order.map((i) => pages[i]!.ref)), Count: order.length }));
}

test('the stamped agreement is valid, its straddle check passes', async () => {
  const { verdict, sig } = await report(await stamped());
  assert.equal(verdict, 'valid');
  assert.equal(straddleCheck(sig).status, 'ok');
});

test('removing page 3 by an incremental update fails the straddle check, naming page 3', async () => {
  const out = await editIncrementally('removed.pdf', (doc, u) => setKids(doc, u, [0, 1, 3, 4]));
  const { verdict, sig } = await report(out);
  assert.equal(verdict, 'invalid');
  const c = straddleCheck(sig);
  assert.equal(c.status, 'failed');
  assert.match(c.en, /page 3 was removed/);
  assert.match(c.zh, /第 3 页已被删除/);
  assert.doesNotMatch(c.en, /page 4/, 'the pages after it merely moved up: only the removed one is named');
});

test('swapping pages 2 and 3 fails the straddle check, naming both', async () => {
  const out = await editIncrementally('swapped.pdf', (doc, u) => setKids(doc, u, [0, 2, 1, 3, 4]));
  const c = straddleCheck((await report(out)).sig);
  assert.equal(c.status, 'failed');
  assert.match(c.en, /page 2 was moved to position 3/);
  assert.match(c.en, /page 3 was moved to position 2/);
});

test("replacing page 4's content, or page 4 itself, fails the straddle check, naming page 4", async () => {
  const content = await editIncrementally('new-content.pdf', (doc, u) => {
    const page = doc.pages()[3]!;
    const body = Buffer.from('BT /F1 18 Tf 40 400 Td (Page 4, rewritten after stamping) Tj ET');
    const d = dict({ Length: body.length });
    const ref = u.add(new PdfStream(d, body, d.span));
    u.set(page.ref, withEntries(page.dict, { Contents: ref }));
  });
  const c1 = straddleCheck((await report(content)).sig);
  assert.equal(c1.status, 'failed');
  assert.match(c1.en, /the content of page 4 was replaced/);

  const other = await editIncrementally('other-page.pdf', (doc, u) => {
    const pages = doc.pages();
    const page = pages[3]!;
    const newPage = u.add(withEntries(page.dict, { Annots: array([]) }));
    const root = doc.catalog.get('Pages') as Parameters<IncrementalUpdate['set']>[0];
    u.set(root, withEntries(doc.resolveDict(root)!, { Kids: array(pages.map((p, i) => (i === 3 ? newPage : p.ref))) }));
  });
  const c2 = straddleCheck((await report(other)).sig);
  assert.equal(c2.status, 'failed');
  assert.match(c2.en, /page 4 was replaced by another page/);
});

test('pages removed, swapped or replaced with qpdf (the whole file rewritten) are still named', async () => {
  const w = await worldP;
  const src = await stamped();
  const qpdf = (out: string, ...pages: string[]): string => {
    execFileSync('qpdf', [src, '--pages', ...pages, '--', w.file(out)]);
    return w.file(out);
  };
  const removed = straddleCheck((await report(qpdf('q-removed.pdf', src, '1-2,4-5'))).sig);
  assert.match(removed.en, /page 3 is missing or was replaced/);
  const swapped = straddleCheck((await report(qpdf('q-swapped.pdf', src, '1,3,2,4-5'))).sig);
  assert.match(swapped.en, /page 2 was moved to position 3/);
  const foreign = await pageBook(w.file('foreign.pdf'), [{}, {}, {}, { label: 'A different page four' }, {}]);
  const replaced = straddleCheck((await report(qpdf('q-replaced.pdf', src, '1-3', foreign, '4', src, '5'))).sig);
  assert.match(replaced.en, /page 4 is missing or was replaced/);
  for (const c of [removed, swapped, replaced]) assert.equal(c.status, 'failed');
});

test('a later ordinary stamp keeps the straddle seal valid, in SealDesk and in pdfsig', async () => {
  const w = await worldP;
  const out = await w.stamp(await stamped(), w.file('countersigned.pdf'), { kind: 'point', page: 3, x: 200, y: 300 });
  const r = verifyPdf(out, { trustRoots: [w.ca.certificate] });
  assert.equal(r.verdict, 'valid', JSON.stringify(r.signatures.map((s) => s.checks.filter((c) => c.status !== 'ok')), null, 1));
  assert.equal(r.signatures.length, 2);
  assert.equal(straddleCheck(r.signatures[0]!).status, 'ok');
  const ps = pdfsig(out);
  assert.equal(ps.valid, 2, ps.text);
});

test('a strip whose picture is swapped for the whole seal in a later update fails the impression check, naming its page', async () => {
  const w = await worldP;
  const out = await editIncrementally('whole-seal-strip.pdf', (doc, u) => {
    const field = doc.signatureFields()[0]!;
    const widget = field.widgets[1]!;
    const first = field.widgets[0]!;
    // The strip of page 2 now shows page 1's strip: a picture of the seal, but not its slice.
    u.set(widget.ref!, withEntries(widget.dict, { AP: dict({ N: first.appearanceRef! }) }));
  });
  const r = verifyPdf(out, { trustRoots: [w.ca.certificate] });
  assert.equal(r.verdict, 'invalid');
  const imp = r.signatures[0]!.checks.find((c) => c.id === 'impression')!;
  assert.equal(imp.status, 'failed');
  assert.match(imp.message.en, /page 2: straddle strip 2\/5/);
});

test('a page inserted between pages 2 and 3 fails the straddle check, saying where', async () => {
  const out = await editIncrementally('inserted.pdf', (doc, u) => {
    const pages = doc.pages();
    const extra = u.add(withEntries(pages[0]!.dict, { Annots: array([]) }));
    const root = doc.catalog.get('Pages') as Parameters<IncrementalUpdate['set']>[0];
    const kids = pages.map((p) => p.ref as Parameters<typeof array>[0][number]);
    kids.splice(2, 0, extra);
    u.set(root, withEntries(doc.resolveDict(root)!, { Kids: array(kids), Count: kids.length }));
  });
  const c = straddleCheck((await report(out)).sig);
  assert.equal(c.status, 'failed');
  assert.match(c.en, /1 page\(s\) were inserted between page 2 and page 3/);
  assert.doesNotMatch(c.en, /moved/);
});

test('a straddle seal stamped after an ordinary stamp keeps the earlier stamp valid (its strips pass the later-stamp rule)', async () => {
  const w = await worldP;
  const input = await pageBook(w.file('first-then-straddle.pdf'), 3);
  const first = await w.stamp(input, w.file('first.pdf'), { kind: 'point', page: 1, x: 200, y: 300 });
  const out = await w.stamp(first, w.file('first-then-straddle-out.pdf'), { kind: 'straddle', pages: 'all', edge: 'right' });
  const r = verifyPdf(out, { trustRoots: [w.ca.certificate] });
  assert.equal(r.verdict, 'valid', JSON.stringify(r.signatures.map((s) => s.checks.filter((c) => c.status !== 'ok')), null, 1));
  assert.equal(r.signatures[0]!.modificationLevel, 'form_filling');
  assert.ok(r.signatures[0]!.modifications.every((m) => m.kind === 'allowed' && m.rule === 'later-stamp'));
  const ps = pdfsig(out);
  assert.equal(ps.valid, 2, ps.text);
  const several = await w.stamp(first, w.file('first-then-pages.pdf'), { kind: 'pages', pages: 'all', x: 300, y: 500 });
  assert.equal(verifyPdf(several, { trustRoots: [w.ca.certificate] }).verdict, 'valid');
});

// A big scan reaches pdf.js by byte ranges, not whole: the first page is drawn after a small part
// of the file has been read, and the stamped copy is shown without reading the original's bytes
// again. Playwright drives Debian's Chromium over the BUILT renderer; the e2e server answers
// document data with the same function as Electron's app:// protocol handler
// (src/main/document-ranges.ts) and notes every request, which is what these tests look at.
// No timings are asserted (bench/startup.ts measures first-page and banner times).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { writeGeneratedPdf } from '../../bench/generated-pdf';
import { RANGE_CHUNK_SIZE } from '../../src/renderer/document-ranges';
import type { DocumentRequest } from './support/api-server';
import { dragSealOnto, openInUi, useDemoUi, type Ui } from './support/ui';
import { KEEPER_PIN, type DemoWorld } from './support/world';

let world: DemoWorld;
let ui: Ui;
useDemoUi((w, u) => {
  world = w;
  ui = u;
}, 'sealdesk-e2e-ranges-');

const PAGES = 300;
const MB = 1024 * 1024;
let scan: string | undefined;

/** A 30 MB, 300-page scan-like file (one full-page pseudo-random grey image per page). */
function bigScan(): string {
  if (!scan) {
    scan = path.join(world.dir, 'scan.pdf');
    writeGeneratedPdf(scan, { name: 'scan', pages: PAGES, targetBytes: 30 * MB });
  }
  return scan;
}

const shownDocId = (): Promise<string | null> => ui.page.locator('[data-testid=docname]').getAttribute('data-doc-id');
const requestsFor = (docId: string): DocumentRequest[] => ui.server.documentRequests.filter((r) => r.docId === docId);
const served = (rs: DocumentRequest[]): number => rs.reduce((n, r) => n + r.bytes, 0);

test('the first page of a 30 MB, 300-page scan is drawn after a small part of the file was read, by range requests', async () => {
  const file = bigScan();
  const size = fs.statSync(file).size;
  await openInUi(ui, file); // returns once a page is drawn
  const docId = (await shownDocId())!;
  const first = requestsFor(docId);
  assert.ok(first.length > 0, 'the document was read through the document data path');
  // The page tree (every page dictionary sits directly under the root /Pages, as scanners write it)
  // arrives in the first response, so pdf.js's walk over all 300 of them before page 1 costs no round trips.
  const [tree, ...ranges] = first;
  assert.equal(tree!.path, `/document/${docId}/page-tree`, `the first read is the page tree: ${JSON.stringify(tree)}`);
  assert.equal(tree!.status, 200);
  assert.ok(tree!.bytes >= PAGES * 100 && tree!.bytes <= 4 * MB + 64 * 1024, `the page tree answer holds every page dictionary and stays under its cap: ${tree!.bytes} bytes`);
  assert.ok(ranges.every((r) => r.range !== null && r.status === 206), `every other read is a range request answered 206: ${JSON.stringify(ranges.slice(0, 5))}`);
  assert.ok(ranges.length < PAGES / 10, `page 1 of ${PAGES} pages was drawn after ${ranges.length} range requests besides the page tree (one per page dictionary without it)`);
  assert.ok(served(first) < size / 10, `when the first page was drawn, ${served(first)} of ${size} bytes had been read`);

  // The verification banner comes while the rest of the file stays where it is.
  await ui.page.locator('[data-testid=banner]:not([data-verdict=pending])').waitFor({ timeout: 120_000 });

  // The last page is fetched when it is wanted, still without the pages in between.
  await ui.page.fill('[data-testid=page-jump]', String(PAGES));
  await ui.page.locator(`.page[data-page="${PAGES}"][data-rendered=yes]`).waitFor({ timeout: 60_000 });
  const afterJump = requestsFor(docId);
  assert.ok(served(afterJump) < size / 4, `after a jump to the last page ${served(afterJump)} of ${size} bytes were read`);
  assert.ok(afterJump.some((r) => Number(/bytes=(\d+)-/.exec(r.range!)?.[1]) > size / 2), 'the last page came from the end of the file');
});

test('a range outside the file is refused and a document nobody opened is not served', async () => {
  const docId = (await shownDocId())!;
  const answer = await ui.page.evaluate(async (id) => {
    const past = await fetch(`document/${id}`, { headers: { Range: 'bytes=999999999-' } });
    const unknown = await fetch(`document/${'0'.repeat(24)}`, { headers: { Range: 'bytes=0-9' } });
    const notId = await fetch('document/..%2F..%2Fetc%2Fpasswd', { headers: { Range: 'bytes=0-9' } });
    return [past.status, past.headers.get('content-range'), unknown.status, notId.status];
  }, docId);
  assert.deepEqual(answer.slice(0, 3), [416, `bytes */${fs.statSync(bigScan()).size}`, 404]);
  assert.equal(answer[3], 404);
});

test('after stamping, the stamped copy is shown reading only what stamping appended', async () => {
  const original = path.join(world.dir, 'scan-small.pdf');
  writeGeneratedPdf(original, { name: 'scan-small', pages: 40, targetBytes: 8 * MB });
  await openInUi(ui, original);
  const originalId = (await shownDocId())!;
  await dragSealOnto(ui, 0.5, 0.4);
  const output = path.join(world.dir, 'scan-small-stamped.pdf');
  ui.server.dialogs.save.push(output);
  await ui.page.locator('[data-testid=placed-sample]').click({ button: 'right' });
  await ui.page.locator('[data-testid=context-menu] button', { hasText: '文档签章' }).click();
  await ui.page.locator('[data-testid=pin-dialog]').waitFor();
  await ui.page.fill('[data-testid=pin-input]', KEEPER_PIN);
  await ui.page.click('[data-testid=pin-ok]');
  await ui.page.locator('[data-testid=docname]', { hasText: path.basename(output) }).waitFor({ timeout: 120_000 });
  await ui.page.locator('[data-testid=banner][data-verdict=valid]').waitFor({ timeout: 120_000 });
  await ui.page.locator('.page[data-page="1"][data-rendered=yes]').waitFor({ timeout: 60_000 });

  const stampedId = (await shownDocId())!;
  assert.notEqual(stampedId, originalId);
  const appended = fs.statSync(output).size - fs.statSync(original).size;
  const copy = requestsFor(stampedId);
  assert.ok(copy.length > 0);
  // The copy's reads are the appended update and the chunk it shares a boundary with; the original's
  // pages come from what the renderer already had (src/renderer/document-ranges.ts).
  assert.ok(served(copy) <= appended + 2 * RANGE_CHUNK_SIZE, `the stamped copy read ${served(copy)} bytes; stamping appended ${appended}`);
  assert.ok(copy.every((r) => Number(/bytes=(\d+)-/.exec(r.range!)?.[1]) >= fs.statSync(original).size - RANGE_CHUNK_SIZE), `only the end of the copy was read: ${copy.map((r) => r.range).join(', ')}`);
});

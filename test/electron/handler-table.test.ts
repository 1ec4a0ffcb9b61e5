// The handler table main uses (and the e2e server too), with a recording CoreGateway: these tests
// are about what main does around core — the PIN bytes, cancelling, where a stamp may be saved —
// so the core is replaced by a fake here; the real core is exercised by the e2e tests.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Placement } from '../../src/api/contract';
import { createApiHandlers, invokeOperation, type Dialogs } from '../../src/main/api-handlers';
import type { CoreGateway, StampHooks, StampJob } from '../../src/main/core-gateway';
import { DocumentRegistry } from '../../src/main/document-registry';
import { SealDeskError } from '../../src/core/errors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-handlers-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const original = path.join(dir, '合同.pdf');
fs.writeFileSync(original, '%PDF-1.7\n%%EOF\n');

function world(stamp: (job: StampJob, hooks: StampHooks) => Promise<{ output: string; fields: string[] }>) {
  const dialogs = { open: [] as string[], save: [] as string[], proposed: [] as string[] };
  const d: Dialogs = {
    chooseOpenPdf: async () => dialogs.open.shift() ?? null,
    chooseSavePdf: async (p) => {
      dialogs.proposed.push(p);
      return dialogs.save.shift() ?? null;
    },
    chooseTrustRoot: async () => null,
    chooseSaveReport: async () => null,
    chooseSaveCsv: async () => null,
    choosePlatformRoot: async () => null,
    chooseOpenPdfs: async () => [],
    chooseDirectory: async () => null,
    chooseSealScan: async () => null,
    chooseSavePng: async () => null,
  };
  const unused = async () => assert.fail('not used here');
  const core = { stamp, listTokens: unused, verify: unused, findKeyword: unused, trustAdd: unused, trustList: unused, auditList: unused, settingsGet: unused, settingsSet: unused } as unknown as CoreGateway;
  const documents = new DocumentRegistry();
  return { table: createApiHandlers({ core, dialogs: d, documents, htmlToPdf: unused }), dialogs, documents };
}

const at: Placement = { kind: 'point', page: 1, x: 100, y: 100 };

async function prepared(w: ReturnType<typeof world>, output = path.join(dir, 'out.pdf')) {
  w.dialogs.open.push(original);
  const doc = (await w.table.openDocument({}))!;
  w.dialogs.save.push(output);
  const out = (await w.table.chooseStampOutput({ docId: doc.docId }))!;
  return { doc, out };
}

test('the PIN bytes a stamp request carried are zeroed once core has them, whether the stamp works or not', async () => {
  for (const outcome of ['ok', 'wrong-pin'] as const) {
    let seen: Buffer | undefined;
    const w = world(async (job) => {
      seen = job.pin;
      assert.equal(job.pin.toString(), '123456', 'core gets the PIN');
      if (outcome === 'wrong-pin') throw new SealDeskError('PIN_INCORRECT', '密码错误', 'Wrong PIN', { details: { triesLeft: 4 } });
      fs.writeFileSync(job.output, 'stamped');
      return { output: job.output, fields: ['Sig1'] };
    });
    const { doc, out } = await prepared(w, path.join(dir, `out-${outcome}.pdf`));
    const pin = new TextEncoder().encode('123456');
    const r = await invokeOperation(w.table, 'stamp', { jobId: `j-${outcome}`, docId: doc.docId, outputId: out.outputId, tokenSerial: 's1', esID: 'e1', placement: at, pin });
    assert.equal(r.ok, outcome === 'ok');
    if (!r.ok) assert.equal(r.error.details?.triesLeft, 4);
    assert.ok(pin.every((b) => b === 0), 'the request bytes are wiped');
    assert.ok(seen && seen.every((b) => b === 0), "main's copy is wiped");
  }
});

test('cancel works before the token is asked to sign, and is refused once it signs', async () => {
  let release!: () => void;
  const w = world(async (_job, hooks) => {
    hooks.onProgress?.('hashing', 0.5);
    await new Promise<void>((r) => (release = r));
    if (hooks.signal?.aborted) throw new SealDeskError('STAMP_CANCELLED', '签章已取消', 'Stamping was cancelled');
    hooks.onProgress?.('signing', 0.7);
    await new Promise<void>((r) => (release = r));
    return { output: path.join(dir, 'never'), fields: [] };
  });
  const { doc, out } = await prepared(w);
  const running = invokeOperation(w.table, 'stamp', { jobId: 'c1', docId: doc.docId, outputId: out.outputId, tokenSerial: 's', esID: 'e', placement: at, pin: new Uint8Array([0x31]) });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(await w.table.stampProgress({ jobId: 'c1' }), { stage: 'hashing', fraction: 0.5 });
  assert.deepEqual(await w.table.cancelStamp({ jobId: 'c1' }), { cancelled: true });
  release();
  const r = await running;
  assert.equal(!r.ok && r.error.code, 'STAMP_CANCELLED');

  const w2 = world(async (_job, hooks) => {
    hooks.onProgress?.('signing', 0.7);
    await new Promise<void>((r) => (release = r));
    if (hooks.signal?.aborted) assert.fail('a signing token was interrupted');
    return { output: original, fields: ['Sig1'] };
  });
  const p2 = await prepared(w2);
  const running2 = invokeOperation(w2.table, 'stamp', { jobId: 'c2', docId: p2.doc.docId, outputId: p2.out.outputId, tokenSerial: 's', esID: 'e', placement: at, pin: new Uint8Array([0x31]) });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(await w2.table.cancelStamp({ jobId: 'c2' }), { cancelled: false });
  release();
  assert.equal((await running2).ok, true);
});

test('the save dialog proposes a new name next to the original, and the original itself is refused', async () => {
  const w = world(async () => assert.fail('no stamp'));
  w.dialogs.open.push(original);
  const doc = (await w.table.openDocument({}))!;
  w.dialogs.save.push(original);
  const r = await invokeOperation(w.table, 'chooseStampOutput', { docId: doc.docId });
  assert.equal(!r.ok && r.error.code, 'OUTPUT_IS_ORIGINAL');
  assert.equal(w.dialogs.proposed.length, 1);
  assert.notEqual(path.resolve(w.dialogs.proposed[0]), path.resolve(original));
  assert.equal(path.dirname(w.dialogs.proposed[0]), dir);
  assert.match(path.basename(w.dialogs.proposed[0]), /^合同-已签章/);
});

test('a stamp can only go to an output chosen in the dialog for that same document', async () => {
  const w = world(async () => assert.fail('core must not be reached'));
  const { doc } = await prepared(w);
  w.dialogs.open.push(original);
  const other = (await w.table.openDocument({}))!;
  w.dialogs.save.push(path.join(dir, 'x.pdf'));
  const forOther = (await w.table.chooseStampOutput({ docId: other.docId }))!;
  const r = await invokeOperation(w.table, 'stamp', { jobId: 'o1', docId: doc.docId, outputId: forOther.outputId, tokenSerial: 's', esID: 'e', placement: at, pin: new Uint8Array([0x31]) });
  assert.equal(!r.ok && r.error.code, 'OUTPUT_UNKNOWN');
  const r2 = await invokeOperation(w.table, 'readDocument', { docId: 'ffffffffffffffffffffffff' });
  assert.equal(!r2.ok && r2.error.code, 'DOCUMENT_UNKNOWN');
});

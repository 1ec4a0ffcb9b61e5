// The IPC layer without Electron: a fake ipcMain collects the generated handlers, and each is called
// as a sandboxed page would (an event with a senderFrame). The handler table behind is a recording
// fake here because these tests are about who may call and with what, not about the core.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SealDeskError } from '../../src/core/errors';
import { DROPPED_FILE_CHANNEL, OPERATION_NAMES, channelOf } from '../../src/api/contract';
import type { HandlerTable } from '../../src/main/api-handlers';
import { DocumentRegistry } from '../../src/main/document-registry';
import { registerIpcHandlers, type InvokeEventLike } from '../../src/main/ipc';
import { APP_ENTRY } from '../../src/main/security';

type Listener = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

function setup() {
  const handlers = new Map<string, Listener>();
  const reached: { op: string; req: unknown }[] = [];
  const table = Object.fromEntries(OPERATION_NAMES.map((op) => [op, async (req: unknown) => {
    reached.push({ op, req });
    return op === 'readDocument' ? new Uint8Array([1]) : null;
  }])) as unknown as HandlerTable;
  const documents = new DocumentRegistry();
  const channels = registerIpcHandlers({ handle: (c, l) => void handlers.set(c, l) }, table, documents);
  const invoke = (channel: string, event: InvokeEventLike, req: unknown) => handlers.get(channel)!(event, req);
  return { handlers, reached, channels, invoke, documents };
}

const fromApp: InvokeEventLike = { senderFrame: { url: APP_ENTRY } };

test('there is exactly one handler per contract operation, plus the dropped-file channel', () => {
  const { channels } = setup();
  assert.deepEqual([...channels].sort(), [...OPERATION_NAMES.map(channelOf), DROPPED_FILE_CHANNEL].sort());
});

test('a message from anything but our own top-level app:// page is refused before any handler runs', async () => {
  const { invoke, reached } = setup();
  const strangers: InvokeEventLike[] = [
    { senderFrame: null },
    {},
    { senderFrame: { url: 'file:///home/user/evil.html' } },
    { senderFrame: { url: 'https://example.com/' } },
    { senderFrame: { url: 'app://evil/index.html' } },
    { senderFrame: { url: APP_ENTRY, parent: { url: APP_ENTRY } } },
  ];
  for (const ev of strangers) {
    for (const op of OPERATION_NAMES) {
      const r = (await invoke(channelOf(op), ev, {})) as { ok: boolean; error?: { code: string } };
      assert.equal(r.ok, false);
      assert.equal(r.error?.code, 'SENDER_REFUSED');
    }
    const d = (await invoke(DROPPED_FILE_CHANNEL, ev, { path: '/etc/passwd.pdf' })) as { ok: boolean; error?: { code: string } };
    assert.equal(d.error?.code, 'SENDER_REFUSED');
  }
  assert.equal(reached.length, 0);
});

test('malformed requests from our own page are refused with the field named, never reaching core', async () => {
  const { invoke, reached } = setup();
  const cases: [string, unknown][] = [
    ['readDocument', { docId: '../../etc/passwd' }],
    ['readDocument', { docId: 42 }],
    ['readDocument', { docId: 'abc', path: '/etc/passwd' }],
    ['readDocument', null],
    ['verifyDocument', 'abc'],
    ['stamp', { jobId: 'j1', docId: 'd', outputId: 'o', tokenSerial: 's', esID: 'e', placement: { kind: 'point', page: 0, x: 1, y: 1 }, pin: new Uint8Array([1]) }],
    ['stamp', { jobId: 'j1', docId: 'd', outputId: 'o', tokenSerial: 's', esID: 'e', placement: { kind: 'point', page: 1, x: Number.NaN, y: 1 }, pin: new Uint8Array([1]) }],
    ['stamp', { jobId: 'j1', docId: 'd', outputId: 'o', tokenSerial: 's', esID: 'e', placement: { kind: 'point', page: 1, x: 1, y: 1 }, pin: '123456' }],
    ['stamp', { jobId: 'j1', docId: 'd', outputId: 'o', tokenSerial: 's', esID: 'e', placement: { kind: 'point', page: 1, x: 1, y: 1 }, pin: new Uint8Array(100_000) }],
    ['stamp', { jobId: 'j1', docId: 'd', outputId: 'o', tokenSerial: 's', esID: 'e', placement: { kind: 'keyword', text: '', occurrence: 1 }, pin: new Uint8Array([1]) }],
    ['stamp', { jobId: 'j1', docId: 'd', outputId: 'o', tokenSerial: 's', esID: 'e', placement: { kind: 'nowhere' }, pin: new Uint8Array([1]) }],
    ['stamp', { jobId: 'j1', docId: 'd', outputId: 'o', tokenSerial: 's', esID: 'e', placement: { kind: 'straddle', pages: 'all', edge: 'middle' }, pin: new Uint8Array([1]) }],
    ['stamp', { jobId: 'j1', docId: 'd', outputId: 'o', tokenSerial: 's', esID: 'e', placement: { kind: 'straddle', pages: 'all', edge: 'right', offsetMm: -5 }, pin: new Uint8Array([1]) }],
    ['stamp', { jobId: 'j1', docId: 'd', outputId: 'o', tokenSerial: 's', esID: 'e', placement: { kind: 'straddle', pages: '', edge: 'right' }, pin: new Uint8Array([1]) }],
    ['stamp', { jobId: 'j1', docId: 'd', outputId: 'o', tokenSerial: 's', esID: 'e', placement: { kind: 'pages', pages: 'odd', x: 1 }, pin: new Uint8Array([1]) }],
    ['stamp', { jobId: 'j1', docId: 'd', outputId: 'o', tokenSerial: 's', esID: 'e', placement: { kind: 'keyword', text: '盖章处', occurrence: 'all', offset: ['a', 1] }, pin: new Uint8Array([1]) }],
    ['auditList', { limit: -1 }],
    ['auditList', { limit: 1e9 }],
    ['settingsSet', { modulePaths: ['relative/libfoo.so'], language: 'zh' }],
    ['settingsSet', { modulePaths: [], language: 'fr' }],
    ['settingsSet', { modulePaths: '/usr/lib/x.so', language: 'zh' }],
    ['openDocument', { path: '/etc/passwd' }],
    ['exportReport', { docId: 'abc', language: 'zh', target: '/tmp/x.html' }],
  ];
  for (const [op, req] of cases) {
    const r = (await invoke(channelOf(op as 'readDocument'), fromApp, req)) as { ok: boolean; error?: { code: string; zh: string; en: string } };
    assert.equal(r.ok, false, `${op} ${JSON.stringify(req, (_k, v) => (v instanceof Uint8Array ? `bytes(${v.length})` : v))}`);
    assert.equal(r.error?.code, 'REQUEST_INVALID');
    assert.ok(r.error?.zh && r.error.en);
  }
  assert.equal(reached.length, 0);
});

test('a well-formed request from our own page reaches its handler, with exactly the validated fields', async () => {
  const { invoke, reached } = setup();
  const r = (await invoke(channelOf('readDocument'), fromApp, { docId: 'abc123' })) as { ok: boolean; value: Uint8Array };
  assert.equal(r.ok, true);
  assert.deepEqual(reached, [{ op: 'readDocument', req: { docId: 'abc123' } }]);
});

test('an error thrown for a PIN never carries the PIN back to the page', async () => {
  const handlers = new Map<string, Listener>();
  const table = Object.fromEntries(OPERATION_NAMES.map((op) => [op, async () => {
    throw new SealDeskError('PIN_INCORRECT', '口令错误', 'Wrong PIN', { details: { triesLeft: 3 } });
  }])) as unknown as HandlerTable;
  registerIpcHandlers({ handle: (c, l) => void handlers.set(c, l) }, table, new DocumentRegistry());
  const pin = new TextEncoder().encode('987123');
  const req = { jobId: 'j1', docId: 'd1', outputId: 'o1', tokenSerial: 's', esID: 'e', placement: { kind: 'point', page: 1, x: 1, y: 1 }, pin };
  const r = (await handlers.get(channelOf('stamp'))!(fromApp, req)) as { ok: false; error: { code: string; details?: { triesLeft?: number } } };
  assert.equal(r.error.code, 'PIN_INCORRECT');
  assert.equal(r.error.details?.triesLeft, 3);
  assert.ok(!JSON.stringify(r).includes('987123'));
});

test('a dropped file opens only as an absolute path to a PDF that exists', async () => {
  const { invoke, documents } = setup();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-drop-test-'));
  const pdf = path.join(dir, '合同.pdf');
  fs.writeFileSync(pdf, '%PDF-1.7\n');
  try {
    const ok = (await invoke(DROPPED_FILE_CHANNEL, fromApp, { path: pdf })) as { ok: true; value: { docId: string; name: string } };
    assert.equal(ok.ok, true);
    assert.equal(ok.value.name, '合同.pdf');
    assert.equal(documents.pathOf(ok.value.docId), pdf);
    for (const bad of [{ path: 'relative.pdf' }, { path: '/etc/passwd' }, { path: `${dir}/missing.pdf` }, { path: pdf, extra: 1 }, null]) {
      const r = (await invoke(DROPPED_FILE_CHANNEL, fromApp, bad)) as { ok: boolean };
      assert.equal(r.ok, false, JSON.stringify(bad));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('documents are reachable only by the ids main handed out', () => {
  const docs = new DocumentRegistry();
  assert.throws(() => docs.pathOf('0123456789abcdef01234567'), { code: 'DOCUMENT_UNKNOWN' });
});

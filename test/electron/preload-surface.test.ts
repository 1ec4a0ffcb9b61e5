// The preload's surface, without Electron: the preload is bundled exactly as scripts/build.mjs does
// and run against a FAKE `electron` module (contextBridge, ipcRenderer, webUtils recorders), because
// the Electron binary is not available here. What page script gets is what exposeInMainWorld received.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import { build } from 'esbuild';
import { DROPPED_FILE_CHANNEL, EVENT_CHANNEL, EXPOSED_FUNCTIONS, OPERATION_NAMES, channelOf } from '../../src/api/contract';

class FakeFile {
  constructor(readonly name: string) {}
}

async function loadPreload() {
  const out = await build({
    entryPoints: [path.join(__dirname, '../../src/preload/preload.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
  });
  const code = out.outputFiles[0].text;
  const exposed: { key: string; api: Record<string, unknown> }[] = [];
  const invokes: { channel: string; args: unknown[] }[] = [];
  const listeners: { channel: string; fn: unknown }[] = [];
  const fakeElectron = {
    contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.push({ key, api }) },
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => {
        invokes.push({ channel, args });
        return { ok: true, value: null };
      },
      on: (channel: string, fn: unknown) => listeners.push({ channel, fn }),
      removeListener: () => undefined,
      send: () => assert.fail('the preload never uses fire-and-forget send'),
    },
    webUtils: { getPathForFile: (f: FakeFile) => (f.name === 'real.pdf' ? '/home/keeper/real.pdf' : '') },
  };
  const requested: string[] = [];
  const fakeRequire = (id: string) => {
    requested.push(id);
    if (id === 'electron') return fakeElectron;
    throw new Error(`sandboxed preload may not require ${id}`);
  };
  const module = { exports: {} };
  // Run with only what a sandboxed preload has: require('electron'), and File from the page.
  vm.runInNewContext(code, { require: fakeRequire, module, exports: module.exports, File: FakeFile, console });
  return { exposed, invokes, listeners, requested };
}

test('the preload exposes exactly one function per contract operation and nothing else', async () => {
  const { exposed, requested } = await loadPreload();
  assert.equal(exposed.length, 1);
  assert.equal(exposed[0].key, 'sealdesk');
  assert.deepEqual(Object.keys(exposed[0].api).sort(), [...EXPOSED_FUNCTIONS].sort());
  for (const v of Object.values(exposed[0].api)) assert.equal(typeof v, 'function');
  assert.ok(Object.isFrozen(exposed[0].api));
  assert.deepEqual([...new Set(requested)], ['electron'], 'a sandboxed preload requires nothing but electron');
});

test('ipcRenderer itself never reaches the page, not even through a return value', async () => {
  const { exposed } = await loadPreload();
  const api = exposed[0].api as Record<string, (...a: unknown[]) => unknown>;
  assert.ok(!('ipcRenderer' in api) && !('invoke' in api) && !('send' in api));
  const unsubscribe = api.onEvent(() => undefined);
  assert.equal(typeof unsubscribe, 'function');
  assert.equal((unsubscribe as () => unknown)(), undefined);
});

test('each operation goes to its own channel with exactly one argument', async () => {
  const { exposed, invokes } = await loadPreload();
  const api = exposed[0].api as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const op of OPERATION_NAMES) await api[op]({ docId: 'x' }, 'smuggled', 'more');
  assert.deepEqual(invokes.map((i) => i.channel), OPERATION_NAMES.map(channelOf));
  for (const i of invokes) assert.equal(i.args.length, 1);
});

test('a dropped file is opened by the path of a real file only; script-made objects get nothing', async () => {
  const { exposed, invokes, listeners } = await loadPreload();
  const api = exposed[0].api as Record<string, (...a: unknown[]) => Promise<{ ok: boolean; error?: { code: string } }>>;
  const forged = await api.openDroppedFile({ name: 'real.pdf' });
  assert.equal(forged.ok, false);
  const made = await api.openDroppedFile(new FakeFile('made-in-script.pdf'));
  assert.equal(made.error?.code, 'DROP_NOT_A_FILE');
  assert.equal(invokes.length, 0);
  await api.openDroppedFile(new FakeFile('real.pdf'));
  // Compared as JSON: the preload's objects come from another realm (vm), with other prototypes.
  assert.equal(JSON.stringify(invokes), JSON.stringify([{ channel: DROPPED_FILE_CHANNEL, args: [{ path: '/home/keeper/real.pdf' }] }]));
  api.onEvent(() => undefined);
  assert.deepEqual(listeners.map((l) => l.channel), [EVENT_CHANNEL]);
});

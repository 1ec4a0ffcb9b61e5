// What page script may ask of the seal platform operations (issue #9), through the one validator per
// request every transport runs first: a bad request never reaches the handler, and says which field.
// The handler table is a recording fake: the real platform calls are the e2e tests' (platform-desk).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPERATION_NAMES } from '../../src/api/contract';
import { invokeOperation, type HandlerTable } from '../../src/main/api-handlers';

function recording() {
  const reached: { op: string; req: unknown }[] = [];
  const table = Object.fromEntries(OPERATION_NAMES.map((op) => [op, async (req: unknown) => {
    reached.push({ op, req });
    return null;
  }])) as unknown as HandlerTable;
  return { reached, call: (op: string, req: unknown) => invokeOperation(table, op, req) };
}

test('a platform address must be https: an http, javascript: or empty address is refused before anything is asked', async () => {
  const r = recording();
  for (const url of ['http://127.0.0.1:8443', 'javascript:alert(1)', '', 'https://', ' https://x']) {
    const res = await r.call('platformUse', { url });
    assert.equal(res.ok, false, url);
    assert.equal(!res.ok && res.error.code, 'REQUEST_INVALID');
    assert.match(!res.ok ? res.error.zh : '', /platformUse\.url/);
  }
  assert.equal(r.reached.length, 0, 'no dialog was shown, no platform asked');
  assert.equal((await r.call('platformUse', { url: 'https://seals.example.cn:8443' })).ok, true);
  assert.deepEqual(r.reached, [{ op: 'platformUse', req: { url: 'https://seals.example.cn:8443' } }]);
});

test('the seal states are asked for a list of at most 64 seal ids of strings; no root file path can be passed from the page', async () => {
  const r = recording();
  const bad: unknown[] = [{}, { esIDs: 'E1' }, { esIDs: [1] }, { esIDs: [''] }, { esIDs: Array.from({ length: 65 }, (_, i) => `E${i}`) }, { esIDs: ['E1'], extra: 1 }];
  for (const req of bad) assert.equal((await r.call('sealStates', req)).ok, false, JSON.stringify(req).slice(0, 60));
  assert.equal((await r.call('platformUse', { url: 'https://a.example', rootFile: '/etc/passwd' })).ok, false, 'the root CA file comes only from the dialog');
  assert.equal((await r.call('platformRemove', { force: true })).ok, false);
  assert.equal(r.reached.length, 0);
  assert.equal((await r.call('sealStates', { esIDs: ['E1', 'E2'] })).ok, true);
  assert.equal((await r.call('platformGet', {})).ok, true);
  assert.deepEqual(r.reached.map((x) => x.op), ['sealStates', 'platformGet']);
});

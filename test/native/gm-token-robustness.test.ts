import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as pkcs11js from 'pkcs11js';
import { ROBUSTNESS_CHECK, failsWith, freshGmToken, initGmToken, openPkcs11js, runInChild, type GmTokenWorld } from './gm-token-world';

// Bad input must give a CKR_ code, never a crash or a hang. NULL pointers and raw handles cannot be
// passed through pkcs11js, so native/tests/robustness-check.c calls the module directly from C.

let world: GmTokenWorld;
let p11: pkcs11js.PKCS11;

before(() => {
  world = freshGmToken();
  p11 = openPkcs11js(world);
});

after(() => {
  try {
    p11?.C_Finalize();
  } finally {
    world?.cleanup();
  }
});

function runHarness(wrapper: string[] = []): { status: number | null; out: string } {
  const dir = fs.mkdtempSync(path.join(world.dir, 'harness-'));
  const [cmd, ...args] = [...wrapper, ROBUSTNESS_CHECK, world.module];
  const r = spawnSync(cmd, args, { env: { ...process.env, SEALDESK_GMTOKEN_DIR: dir, SEALDESK_GMTOKEN_CONF: '' }, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const valgrindSkip = spawnSync('valgrind', ['--version']).status !== 0 ? 'valgrind is not installed here'
  : process.env.SEALDESK_GMTOKEN_TEST_MODULE ? 'another module build is under test (valgrind cannot run an ASan build)' : false;

describe('bad arguments to the GM test token', () => {
  test('NULL pointers, wrong handles, short buffers and damaged files get CKR_ codes from C, never a crash', () => {
    const { status, out } = runHarness();
    assert.match(out, /\b(\d{3,}) checks, 0 failed/, out.split('\n').filter((l) => l.startsWith('FAIL')).join('\n'));
    assert.equal(status, 0);
  });

  test('the same calls run clean under valgrind (no invalid access, no leak)', { skip: valgrindSkip }, () => {
    const { status, out } = runHarness(['valgrind', '-q', '--error-exitcode=9', '--leak-check=full', '--errors-for-leak-kinds=definite']);
    assert.match(out, /0 failed/);
    assert.equal(status, 0, out.split('\n').filter((l) => l.startsWith('==')).slice(0, 30).join('\n'));
  });

  test('through pkcs11js: closed sessions, operations never started and unknown mechanisms are refused', () => {
    const { slot } = initGmToken(p11, { label: 'bad args', soPin: '12121212', userPin: '343434' });
    const s = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    assert.equal(failsWith(() => p11.C_Sign(s, Buffer.alloc(32), Buffer.alloc(64))), pkcs11js.CKR_OPERATION_NOT_INITIALIZED);
    assert.equal(failsWith(() => p11.C_DigestFinal(s, Buffer.alloc(32))), pkcs11js.CKR_OPERATION_NOT_INITIALIZED);
    assert.equal(failsWith(() => p11.C_FindObjects(s, 5)), pkcs11js.CKR_OPERATION_NOT_INITIALIZED);
    assert.equal(failsWith(() => p11.C_DigestInit(s, { mechanism: pkcs11js.CKM_SHA256 })), pkcs11js.CKR_MECHANISM_INVALID);
    assert.equal(failsWith(() => p11.C_Login(s, pkcs11js.CKU_USER, 'x'.repeat(300))), pkcs11js.CKR_PIN_LEN_RANGE);
    assert.equal(failsWith(() => p11.C_SignInit(s, { mechanism: 0x80008103 }, Buffer.from([1, 0, 0x10, 0, 0, 0, 0, 0]))), pkcs11js.CKR_USER_NOT_LOGGED_IN);
    assert.equal(failsWith(() => p11.C_CreateObject(s, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }])), pkcs11js.CKR_ATTRIBUTE_VALUE_INVALID);
    assert.equal(failsWith(() => p11.C_WaitForSlotEvent(pkcs11js.CKF_DONT_BLOCK)), pkcs11js.CKR_FUNCTION_NOT_SUPPORTED);
    p11.C_CloseSession(s);
    assert.equal(failsWith(() => p11.C_GetSessionInfo(s)), pkcs11js.CKR_SESSION_HANDLE_INVALID);
    assert.equal(failsWith(() => p11.C_Login(s, pkcs11js.CKU_USER, '343434')), pkcs11js.CKR_SESSION_HANDLE_INVALID);
    // the free slot holds an uninitialized token: no session on it
    const free = p11.C_GetSlotList(true).at(-1)!;
    assert.equal(failsWith(() => p11.C_OpenSession(free, pkcs11js.CKF_SERIAL_SESSION)), pkcs11js.CKR_TOKEN_NOT_RECOGNIZED);
  });

  test('a broken token config makes C_Initialize fail with CKR_GENERAL_ERROR and a reason, not a crash', async () => {
    const conf = path.join(world.dir, 'bad.conf');
    fs.writeFileSync(conf, `directories.tokendir = ${world.tokenDir}\nmax_pin_tries = lots\n`);
    await assert.rejects(runInChild(world, { steps: [{ op: 'flags' }] }, { ...world.env, SEALDESK_GMTOKEN_CONF: conf }), /max_pin_tries must be a number[\s\S]*CKR_GENERAL_ERROR/);
    fs.writeFileSync(conf, 'profile = ibm\n');
    await assert.rejects(runInChild(world, { steps: [{ op: 'flags' }] }, { ...world.env, SEALDESK_GMTOKEN_CONF: conf }), /SEALDESK_GMTOKEN_DIR/);
    fs.writeFileSync(conf, `directories.tokendir = ${world.tokenDir}\nprofile = acme\n`);
    await assert.rejects(runInChild(world, { steps: [{ op: 'flags' }] }, { ...world.env, SEALDESK_GMTOKEN_CONF: conf }), /profile must be sansec or ibm/);
  });
});

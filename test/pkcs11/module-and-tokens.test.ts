import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as pkcs11js from 'pkcs11js';
import {
  closeModule, findToken, listTokens, mapPkcs11Error, openModule, resolveModulePath, withSession, withUserLogin,
  type Pkcs11Module,
} from '../../src/core/pkcs11';
import { SealDeskError } from '../../src/core/errors';
import { freshSoftHsm, SOFTHSM_MODULE, type SoftHsmWorld } from '../support/softhsm';
import { createTestToken, type TestToken } from '../support/tokens';

const code = (c: string) => (e: unknown) => e instanceof SealDeskError && e.code === c;

describe('loading a PKCS#11 module', () => {
  test('the module path comes from --module, then SEALDESK_PKCS11_MODULE, then the config', () => {
    const env = { SEALDESK_PKCS11_MODULE: '/env/lib.so' };
    assert.equal(resolveModulePath({ module: '/cli/lib.so', env, configModule: '/cfg/lib.so' }), '/cli/lib.so');
    assert.equal(resolveModulePath({ env, configModule: '/cfg/lib.so' }), '/env/lib.so');
    assert.equal(resolveModulePath({ env: {}, configModule: '/cfg/lib.so' }), '/cfg/lib.so');
    assert.throws(() => resolveModulePath({ env: {} }), code('MODULE_NOT_CONFIGURED'));
  });

  test('a module path that does not exist is a clear MODULE_NOT_FOUND', () => {
    assert.throws(() => openModule('/nonexistent/libvendor-pkcs11.so'), (e: unknown) => {
      assert.ok(e instanceof SealDeskError);
      assert.equal(e.code, 'MODULE_NOT_FOUND');
      assert.match(e.zh, /找不到 PKCS#11 模块/);
      assert.match(e.en, /libvendor-pkcs11\.so/);
      return true;
    });
  });

  test('a file that is not a PKCS#11 library is MODULE_LOAD_FAILED, for text files and for other shared libraries', () => {
    const world = freshSoftHsm();
    try {
      const text = path.join(world.dir, 'not-a-library.so');
      fs.writeFileSync(text, 'hello');
      assert.throws(() => openModule(text), code('MODULE_LOAD_FAILED'));
      // A real shared library without C_GetFunctionList.
      const libz = ['/usr/lib/x86_64-linux-gnu/libz.so.1', '/lib/x86_64-linux-gnu/libz.so.1', '/usr/lib/aarch64-linux-gnu/libz.so.1'].find((p) => fs.existsSync(p));
      if (libz) assert.throws(() => openModule(libz), code('MODULE_LOAD_FAILED'));
      assert.throws(() => openModule(world.dir), code('MODULE_LOAD_FAILED'));
    } finally {
      world.cleanup();
    }
  });
});

test('a PKCS#11 library that fails to initialize (SoftHSM2 with a missing configuration) is MODULE_LOAD_FAILED', () => {
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = '/nonexistent/softhsm2.conf';
  try {
    assert.throws(() => openModule(SOFTHSM_MODULE), (e: unknown) => e instanceof SealDeskError && e.code === 'MODULE_LOAD_FAILED' && /CKR_/.test(e.en));
  } finally {
    if (previous === undefined) delete process.env.SOFTHSM2_CONF; else process.env.SOFTHSM2_CONF = previous;
  }
});

describe('tokens on a real SoftHSM2', () => {
  let world: SoftHsmWorld;
  let keeper: TestToken;
  let other: TestToken;
  let mod: Pkcs11Module;

  before(async () => {
    world = freshSoftHsm();
    keeper = await createTestToken({ world, label: 'KEEPER-A', algorithm: 'EC-P256' });
    other = await createTestToken({ world, label: 'KEEPER-B', algorithm: 'EC-P256', ca: keeper.ca });
    mod = keeper.mod;
  });
  after(() => {
    closeModule(mod);
    world.cleanup();
  });

  test('the module is loaded once per process: opening it again returns the same initialized module', () => {
    const again = openModule(world.module);
    assert.equal(again, mod);
    closeModule(again);
    assert.equal(mod.closed, false, 'one close of two opens keeps it loaded');
    assert.ok(listTokens(mod).length >= 2);
  });

  test('listing shows label, serial, manufacturer, model and decoded flags of each initialized token', () => {
    const tokens = listTokens(mod);
    assert.deepEqual(tokens.map((t) => t.label).sort(), ['KEEPER-A', 'KEEPER-B']);
    for (const t of tokens) {
      assert.match(t.serial, /^[0-9a-f]{16}$/);
      assert.equal(t.manufacturer, 'SoftHSM project');
      assert.match(t.model, /SoftHSM/);
      assert.equal(t.present, true);
      assert.equal(t.flags.tokenInitialized, true);
      assert.equal(t.flags.userPinInitialized, true);
      assert.equal(t.flags.loginRequired, true);
      assert.equal(t.flags.userPinLocked, false);
      assert.equal(t.flags.raw & 0x400, 0x400);
    }
    const withFree = listTokens(mod, { includeUninitialized: true });
    assert.equal(withFree.filter((t) => !t.flags.tokenInitialized).length, 1, 'SoftHSM offers one free slot');
  });

  test('a token is selected by label or by serial', () => {
    assert.equal(findToken(mod, 'KEEPER-A').serial, keeper.token.serial);
    assert.equal(findToken(mod, other.token.serial).label, 'KEEPER-B');
  });

  test('a token that is not there asks the keeper to insert the seal USB-Key', () => {
    assert.throws(() => findToken(mod, 'NO-SUCH-KEY'), (e: unknown) => {
      assert.ok(e instanceof SealDeskError);
      assert.equal(e.code, 'TOKEN_NOT_PRESENT');
      assert.equal(e.zh, '请插入电子印章卡');
      assert.equal(e.en, 'Please insert the seal USB-Key');
      return true;
    });
  });

  test('two tokens and no name given is ambiguous, with the candidates in the message', () => {
    assert.throws(() => findToken(mod), (e: unknown) => {
      assert.ok(e instanceof SealDeskError);
      assert.equal(e.code, 'TOKEN_AMBIGUOUS');
      assert.match(e.en, /KEEPER-A/);
      assert.match(e.en, /KEEPER-B/);
      return true;
    });
  });

  test('the right PIN logs in: the private key becomes visible, and afterwards the session is logged out and closed', async () => {
    const pin = keeper.pin();
    let handle: Buffer | undefined;
    const privateKeys = await withUserLogin(mod, keeper.token, pin, (s) => {
      handle = s.handle;
      assert.equal(mod.lib.C_GetSessionInfo(s.handle).state, 1 /* CKS_RO_USER_FUNCTIONS */);
      mod.lib.C_FindObjectsInit(s.handle, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }]);
      const found = mod.lib.C_FindObjects(s.handle, 10);
      mod.lib.C_FindObjectsFinal(s.handle);
      return found.length;
    });
    assert.equal(privateKeys, 1);
    assert.ok(pin.every((b) => b === 0), 'the PIN buffer is zeroed after use');
    assert.throws(() => mod.lib.C_GetSessionInfo(handle as Buffer), /CKR_SESSION_HANDLE_INVALID/);
    assert.equal(mod.openSessions, 0);
    // Logged out: a new public session cannot see the private key.
    const visible = await withSession(mod, keeper.token, {}, (s) => {
      mod.lib.C_FindObjectsInit(s.handle, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }]);
      const found = mod.lib.C_FindObjects(s.handle, 10);
      mod.lib.C_FindObjectsFinal(s.handle);
      return found.length;
    });
    assert.equal(visible, 0);
  });

  test('when the work inside a login fails, the session is still logged out and closed', async () => {
    let handle: Buffer | undefined;
    await assert.rejects(withUserLogin(mod, keeper.token, keeper.pin(), async (s) => {
      handle = s.handle;
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('stamping failed half-way');
    }), /stamping failed half-way/);
    assert.throws(() => mod.lib.C_GetSessionInfo(handle as Buffer), /CKR_SESSION_HANDLE_INVALID/);
    assert.equal(mod.openSessions, 0);
    // and the token accepts a new login at once (no CKR_USER_ALREADY_LOGGED_IN left behind)
    assert.equal(await withUserLogin(mod, keeper.token, keeper.pin(), () => 'ok'), 'ok');
  });

  test('a native PKCS#11 failure becomes a SealDesk error with a code and both languages', async () => {
    const stale = await withSession(mod, keeper.token, {}, (s) => s.handle);
    let caught: unknown;
    try { mod.lib.C_GetSessionInfo(stale); } catch (e) { caught = e; }
    const mapped = mapPkcs11Error(caught, 'reading the session');
    assert.equal(mapped.code, 'SESSION_CLOSED');
    assert.match(mapped.zh, /会话已失效/);
    assert.match(mapped.en, /session/);
    assert.equal(mapped.details.ckr, 'CKR_SESSION_HANDLE_INVALID');
  });
});

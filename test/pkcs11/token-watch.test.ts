import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { closeModule, findToken, probeTokens, watchTokens, withUserLogin, type TokenChange, type TokenInfo } from '../../src/core/pkcs11';
import { SealDeskError } from '../../src/core/errors';
import { freshSoftHsm, type SoftHsmWorld } from '../support/softhsm';
import { createTestToken, type TestToken } from '../support/tokens';

/**
 * "Inserting" and "removing" a SoftHSM2 USB-Key is moving its token directory into and out of the
 * configured token dir: exactly what SoftHSM sees when a token appears or disappears.
 */
function tokenDirOf(world: SoftHsmWorld, serial: string, where = world.tokenDir): string {
  // SoftHSM names a token's directory by a UUID whose last 16 hex digits are the serial.
  const name = fs.readdirSync(where).find((d) => d.replace(/-/g, '').endsWith(serial));
  assert.ok(name, `token dir for ${serial}`);
  return path.join(where, name);
}

describe('noticing USB-Keys being inserted and removed', () => {
  let world: SoftHsmWorld;
  let a: TestToken;
  let b: TestToken;
  let parked: string;

  before(async () => {
    world = freshSoftHsm();
    a = await createTestToken({ world, label: 'WATCH-A' });
    b = await createTestToken({ world, label: 'WATCH-B', ca: a.ca });
    parked = path.join(world.dir, 'unplugged');
    fs.mkdirSync(parked);
  });
  after(() => {
    closeModule(a.mod);
    world.cleanup();
  });

  test('a fresh process sees exactly the initialized tokens', async () => {
    const tokens = await probeTokens(world.module);
    assert.deepEqual(tokens.map((t) => t.label).sort(), ['WATCH-A', 'WATCH-B']);
  });

  test('the watcher reports the tokens present, then a removal and a re-insertion, and the in-process module follows', async () => {
    const events: { tokens: TokenInfo[]; change: TokenChange }[] = [];
    let wake: (() => void) | undefined;
    const next = async (): Promise<{ tokens: TokenInfo[]; change: TokenChange }> => {
      const deadline = Date.now() + 15_000;
      while (events.length === 0) {
        if (Date.now() > deadline) throw new Error('no token change reported within 15 s');
        await new Promise<void>((r) => { wake = r; setTimeout(r, 100); });
      }
      return events.shift() as { tokens: TokenInfo[]; change: TokenChange };
    };
    const errors: unknown[] = [];
    const stop = watchTokens(a.mod, { intervalMs: 100, onError: (e) => errors.push(e) }, (tokens, change) => {
      events.push({ tokens, change });
      wake?.();
    });
    try {
      const initial = await next();
      assert.deepEqual(initial.change.inserted.map((t) => t.label).sort(), ['WATCH-A', 'WATCH-B']);
      assert.deepEqual(initial.change.removed, []);

      const dir = tokenDirOf(world, b.token.serial);
      const away = path.join(parked, path.basename(dir));
      fs.renameSync(dir, away);
      const removal = await next();
      assert.deepEqual(removal.change.removed.map((t) => t.serial), [b.token.serial]);
      assert.deepEqual(removal.change.inserted, []);
      assert.deepEqual(removal.tokens.map((t) => t.label), ['WATCH-A']);
      assert.throws(() => findToken(a.mod, 'WATCH-B'), (e: unknown) => e instanceof SealDeskError && e.code === 'TOKEN_NOT_PRESENT');

      fs.renameSync(away, dir);
      const insertion = await next();
      assert.deepEqual(insertion.change.inserted.map((t) => t.serial), [b.token.serial]);
      assert.deepEqual(insertion.tokens.map((t) => t.label).sort(), ['WATCH-A', 'WATCH-B']);
      const back = findToken(a.mod, 'WATCH-B');
      assert.equal(back.serial, b.token.serial);
      assert.equal(await withUserLogin(a.mod, back, b.pin(), () => 'logged in'), 'logged in');
      assert.deepEqual(errors, []);
    } finally {
      stop();
    }
    // Nothing is reported after stop().
    const count = events.length;
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(events.length, count);
  });

  test('a token removed while SealDesk holds no session is reported missing by findToken, without a watcher', () => {
    const dir = tokenDirOf(world, a.token.serial);
    const away = path.join(parked, path.basename(dir));
    fs.renameSync(dir, away);
    try {
      assert.throws(() => findToken(a.mod, a.token.serial), (e: unknown) => e instanceof SealDeskError && e.code === 'TOKEN_NOT_PRESENT');
    } finally {
      fs.renameSync(away, dir);
    }
    assert.equal(findToken(a.mod, a.token.serial).label, 'WATCH-A');
  });

  test('a probe of a module that cannot load is reported as an error, not a crash', async () => {
    await assert.rejects(probeTokens(path.join(world.dir, 'missing.so')), (e: unknown) => e instanceof SealDeskError && e.code === 'TOKEN_PROBE_FAILED');
  });
});

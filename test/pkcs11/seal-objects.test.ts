import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  closeModule, deleteSealObject, readSealObjects, withSession, withUserLogin, writeSealObject,
} from '../../src/core/pkcs11';
import { ckaIdFromSealObjectId, sealObjectId } from '../../src/core/pkcs11/seal-objects';
import { SealDeskError } from '../../src/core/errors';
import { freshSoftHsm, type SoftHsmWorld } from '../support/softhsm';
import { createTestToken, type TestToken } from '../support/tokens';

// A real vendor seal (GB/T 38540 SESeal DER) as the payload; the token stores bytes, it does not parse them.
const REAL_SEAL = fs.readFileSync('/work/shared/testdata/gm/SESealData.DER');

describe('seals stored on the keeper token as public data objects', () => {
  let world: SoftHsmWorld;
  let t: TestToken;

  before(async () => {
    world = freshSoftHsm();
    t = await createTestToken({ world, label: 'SEAL-KEEPER', ckaId: '00a1' });
  });
  after(() => {
    closeModule(t.mod);
    world.cleanup();
  });

  test('the CKA_ID travels in a valid DER OID under SealDesk\'s 2.25 arc, leading zero bytes kept', () => {
    for (const id of ['00a1', '01', 'ff00ff', '000000']) assert.equal(ckaIdFromSealObjectId(sealObjectId(id)), id);
    const oidFile = path.join(world.dir, 'seal-oid.der');
    fs.writeFileSync(oidFile, sealObjectId('00a1'));
    const parsed = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-in', oidFile], { encoding: 'utf8' });
    assert.match(parsed, /OBJECT\s+:2\.25\.319903065090108815443191995734304672699\.\d+/);
    assert.equal(ckaIdFromSealObjectId(Buffer.from('06082a8648ce3d030107', 'hex')), undefined, 'another OID is not a seal id');
    assert.throws(() => sealObjectId('xyz'), (e: unknown) => e instanceof SealDeskError && e.code === 'CKA_ID_INVALID');
  });

  test('a seal written to the token reads back byte for byte, tied to its key by CKA_ID, and is listed without a PIN', async () => {
    await withUserLogin(t.mod, t.token, t.pin(), (s) => {
      writeSealObject(s, { ckaId: t.ckaId, label: '合同专用章', der: REAL_SEAL });
      writeSealObject(s, { ckaId: 'beef', label: 'other seal', der: Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]) });
    }, { readWrite: true });
    const seen = await withSession(t.mod, t.token, {}, (s) => readSealObjects(s));
    const mine = seen.find((x) => x.ckaId === t.ckaId);
    assert.ok(mine, 'the seal is found by CKA_ID without logging in');
    assert.equal(mine.label, '合同专用章');
    assert.deepEqual(Buffer.from(mine.der), REAL_SEAL);
    assert.deepEqual(seen.map((x) => x.ckaId).sort(), ['00a1', 'beef']);
  });

  test('deleting removes only the seals of that CKA_ID', async () => {
    const removed = await withUserLogin(t.mod, t.token, t.pin(), (s) => deleteSealObject(s, { ckaId: 'beef' }), { readWrite: true });
    assert.equal(removed, 1);
    const left = await withSession(t.mod, t.token, {}, (s) => readSealObjects(s));
    assert.deepEqual(left.map((x) => x.ckaId), ['00a1']);
  });

  test('writing in a read-only session is refused with a clear error', async () => {
    await withUserLogin(t.mod, t.token, t.pin(), (s) => {
      assert.throws(() => writeSealObject(s, { ckaId: '02', label: 'x', der: REAL_SEAL }), (e: unknown) => e instanceof SealDeskError && e.code === 'TOKEN_WRITE_PROTECTED');
      assert.throws(() => writeSealObject(s, { ckaId: '02', label: 'x', der: new Uint8Array() }), (e: unknown) => e instanceof SealDeskError && e.code === 'SEAL_EMPTY');
    });
  });
});

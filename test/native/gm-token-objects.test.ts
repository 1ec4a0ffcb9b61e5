import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as pkcs11js from 'pkcs11js';
import { failsWith, freshGmToken, initGmToken, openPkcs11js, runInChild, type GmTokenWorld } from './gm-token-world';

// Seals (CKO_DATA) and certificates on the GM test token: stored as files, found by CKA_ID from
// another process, hidden when private, gone when destroyed or when the key is pulled out.

const SO_PIN = '11223344';
const USER_PIN = '556677';
const RW = pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION;

let world: GmTokenWorld;
let p11: pkcs11js.PKCS11;
let certDer: Buffer;

before(() => {
  world = freshGmToken();
  p11 = openPkcs11js(world);
  // a real SM2 certificate, made by OpenSSL with the GM default ID
  const key = path.join(world.dir, 'k.pem');
  const cert = path.join(world.dir, 'c.der');
  execFileSync('openssl', ['genpkey', '-algorithm', 'SM2', '-out', key]);
  execFileSync('openssl', ['req', '-new', '-x509', '-key', key, '-sm3', '-sigopt', 'distid:1234567812345678', '-subj', '/CN=印章保管人/O=SealDesk',
    '-days', '30', '-outform', 'DER', '-out', cert, '-utf8']);
  certDer = fs.readFileSync(cert);
});

after(() => {
  try {
    p11?.C_Finalize();
  } finally {
    world?.cleanup();
  }
});

function withSession<T>(slot: Buffer, flags: number, fn: (s: Buffer) => T, pin?: string): T {
  const s = p11.C_OpenSession(slot, flags);
  try {
    if (pin) p11.C_Login(s, pkcs11js.CKU_USER, pin);
    return fn(s);
  } finally {
    p11.C_CloseSession(s);
  }
}

function find(s: Buffer, template: pkcs11js.Template): Buffer[] {
  p11.C_FindObjectsInit(s, template);
  const found = p11.C_FindObjects(s, 100);
  p11.C_FindObjectsFinal(s);
  return found;
}

function sealObject(id: Buffer, der: Buffer, opts: { private?: boolean; token?: boolean } = {}): pkcs11js.Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
    { type: pkcs11js.CKA_TOKEN, value: opts.token ?? true },
    { type: pkcs11js.CKA_PRIVATE, value: opts.private ?? false },
    { type: pkcs11js.CKA_APPLICATION, value: 'SealDesk SESeal' },
    { type: pkcs11js.CKA_ID, value: id },
    { type: pkcs11js.CKA_LABEL, value: '合同专用章' },
    { type: pkcs11js.CKA_VALUE, value: der },
  ];
}

describe('objects on the GM test token', () => {
  test('a seal and a certificate written by one process are found by CKA_ID in the next', async () => {
    const { slot, serial } = initGmToken(p11, { label: 'objects', soPin: SO_PIN, userPin: USER_PIN });
    const id = crypto.randomBytes(8);
    const seal = crypto.randomBytes(3000); // the bytes of a seal; the token stores, it does not parse
    withSession(slot, RW, (s) => {
      p11.C_CreateObject(s, sealObject(id, seal));
      p11.C_CreateObject(s, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
        { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_ID, value: id },
        { type: pkcs11js.CKA_LABEL, value: 'keeper certificate' },
        { type: pkcs11js.CKA_VALUE, value: certDer },
      ]);
    }, USER_PIN);
    const [objects] = await runInChild(world, { serial, steps: [{ op: 'find', id: id.toString('hex') }] }) as Array<Array<{ class: number; label: string; value: string }>>;
    const byClass = new Map(objects.map((o) => [o.class, o]));
    assert.equal(objects.length, 2);
    assert.equal(byClass.get(pkcs11js.CKO_DATA)?.value, seal.toString('hex'));
    assert.equal(byClass.get(pkcs11js.CKO_DATA)?.label, '合同专用章');
    assert.equal(byClass.get(pkcs11js.CKO_CERTIFICATE)?.value, certDer.toString('hex'));
    // and OpenSSL still reads the certificate that came back
    const back = path.join(world.dir, 'back.der');
    fs.writeFileSync(back, Buffer.from(byClass.get(pkcs11js.CKO_CERTIFICATE)!.value, 'hex'));
    assert.match(execFileSync('openssl', ['x509', '-inform', 'DER', '-in', back, '-noout', '-subject', '-nameopt', 'utf8']).toString(), /印章保管人/);
  });

  test('a private seal object is hidden until the keeper logs in', async () => {
    const { slot, serial } = initGmToken(p11, { label: 'private', soPin: SO_PIN, userPin: USER_PIN });
    const id = crypto.randomBytes(4);
    withSession(slot, RW, (s) => p11.C_CreateObject(s, sealObject(id, Buffer.from('secret seal'), { private: true })), USER_PIN);
    assert.equal(withSession(slot, pkcs11js.CKF_SERIAL_SESSION, (s) => find(s, [{ type: pkcs11js.CKA_ID, value: id }]).length), 0);
    assert.equal(withSession(slot, pkcs11js.CKF_SERIAL_SESSION, (s) => find(s, [{ type: pkcs11js.CKA_ID, value: id }]).length, USER_PIN), 1);
    const [other] = await runInChild(world, { serial, steps: [{ op: 'find', id: id.toString('hex') }] });
    assert.deepEqual(other, [], 'another process without a login sees nothing');
    // writing a private object needs the login too
    assert.equal(withSession(slot, RW, (s) => failsWith(() => p11.C_CreateObject(s, sealObject(id, Buffer.from('x'), { private: true })))),
      pkcs11js.CKR_USER_NOT_LOGGED_IN);
  });

  test('a read-only session cannot write to the token; session objects vanish with their session', () => {
    const { slot } = initGmToken(p11, { label: 'readonly', soPin: SO_PIN, userPin: USER_PIN });
    const id = crypto.randomBytes(4);
    const ro = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    try {
      assert.equal(failsWith(() => p11.C_CreateObject(ro, sealObject(id, Buffer.from('x')))), pkcs11js.CKR_SESSION_READ_ONLY);
      const h = p11.C_CreateObject(ro, sealObject(id, Buffer.from('temporary'), { token: false }));
      assert.equal(find(ro, [{ type: pkcs11js.CKA_ID, value: id }]).length, 1);
      const [v] = p11.C_GetAttributeValue(ro, h, [{ type: pkcs11js.CKA_VALUE }]);
      assert.equal((v.value as Buffer).toString(), 'temporary');
    } finally {
      p11.C_CloseSession(ro);
    }
    assert.equal(withSession(slot, pkcs11js.CKF_SERIAL_SESSION, (s) => find(s, [{ type: pkcs11js.CKA_ID, value: id }]).length), 0);
  });

  test('relabelling and deleting a seal object are seen by the next process; its class cannot change', async () => {
    const { slot, serial } = initGmToken(p11, { label: 'edit', soPin: SO_PIN, userPin: USER_PIN });
    const id = crypto.randomBytes(4);
    const h = withSession(slot, RW, (s) => p11.C_CreateObject(s, sealObject(id, Buffer.from('seal v1'))), USER_PIN);
    withSession(slot, RW, (s) => {
      p11.C_SetAttributeValue(s, h, [{ type: pkcs11js.CKA_LABEL, value: '财务专用章' }, { type: pkcs11js.CKA_VALUE, value: Buffer.from('seal v2') }]);
      assert.equal(failsWith(() => p11.C_SetAttributeValue(s, h, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE }])), pkcs11js.CKR_ATTRIBUTE_READ_ONLY);
    }, USER_PIN);
    const [seen] = await runInChild(world, { serial, steps: [{ op: 'find', id: id.toString('hex') }] }) as Array<Array<{ label: string; value: string }>>;
    assert.equal(seen[0].label, '财务专用章');
    assert.equal(Buffer.from(seen[0].value, 'hex').toString(), 'seal v2');
    withSession(slot, RW, (s) => p11.C_DestroyObject(s, h), USER_PIN);
    const [gone] = await runInChild(world, { serial, steps: [{ op: 'find', id: id.toString('hex') }] });
    assert.deepEqual(gone, []);
  });

  test('re-initializing a token needs its SO PIN and wipes its objects; a wrong SO PIN changes nothing', () => {
    const { slot } = initGmToken(p11, { label: 'reinit', soPin: SO_PIN, userPin: USER_PIN });
    const id = crypto.randomBytes(4);
    withSession(slot, RW, (s) => p11.C_CreateObject(s, sealObject(id, Buffer.from('seal'))), USER_PIN);
    assert.equal(failsWith(() => p11.C_InitToken(slot, '99999999', 'hijack')), pkcs11js.CKR_PIN_INCORRECT);
    assert.equal(p11.C_GetTokenInfo(slot).label.trim(), 'reinit');
    assert.equal(withSession(slot, pkcs11js.CKF_SERIAL_SESSION, (s) => find(s, [{ type: pkcs11js.CKA_ID, value: id }]).length), 1);
    p11.C_InitToken(slot, SO_PIN, 'fresh');
    const info = p11.C_GetTokenInfo(slot);
    assert.equal(info.label.trim(), 'fresh');
    assert.equal(info.flags & pkcs11js.CKF_USER_PIN_INITIALIZED, 0);
    assert.equal(withSession(slot, pkcs11js.CKF_SERIAL_SESSION, (s) => find(s, [{ type: pkcs11js.CKA_ID, value: id }]).length), 0);
  });

  test('pulling the key out: its sessions answer CKR_DEVICE_REMOVED and it leaves the slot list', () => {
    const { slot, serial } = initGmToken(p11, { label: 'removable', soPin: SO_PIN, userPin: USER_PIN });
    const s = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    const slotId = (p11.C_GetSessionInfo(s).slotID as Buffer).readUInt32LE(0);
    fs.rmSync(path.join(world.tokenDir, `slot-${slotId}`), { recursive: true });
    assert.equal(failsWith(() => p11.C_GetSessionInfo(s)), pkcs11js.CKR_DEVICE_REMOVED);
    const serials = p11.C_GetSlotList(true).map((x) => p11.C_GetTokenInfo(x).serialNumber.trim());
    assert.ok(!serials.includes(serial));
    p11.C_CloseSession(s);
  });
});

import * as pkcs11js from 'pkcs11js';
import { SealDeskError } from '../errors';
import { attribute, ckaIdBytes, findObjects } from './key-objects';
import { p11 } from './pkcs11-errors';
import type { TokenSession } from './session';

/**
 * Seals (DER SESeal) stored on the keeper's token as CKO_DATA objects, public so that the seals
 * on a token can be listed without a PIN, tagged with CKA_APPLICATION "SealDesk SESeal".
 *
 * A seal belongs to the key pair with the same CKA_ID. PKCS#11 does not define CKA_ID for data
 * objects and SoftHSM2 refuses it (CKR_ATTRIBUTE_TYPE_INVALID), so the id travels in the one
 * identifying attribute data objects do have, CKA_OBJECT_ID: the OID
 * 2.25.319903065090108815443191995734304672699.<n>, where 2.25.<uuid> is SealDesk's own arc (no
 * registration needed) and n is the integer with the bytes 01 || CKA_ID (the 01 keeps leading
 * zero bytes). When a vendor's tool stored a CKA_ID on the object, that wins.
 */
export const SEAL_APPLICATION = 'SealDesk SESeal';
const SEALDESK_ARC = 319903065090108815443191995734304672699n;

export interface SealObject {
  ckaId: string;
  label: string;
  der: Uint8Array;
}

function base128(n: bigint): number[] {
  const out = [Number(n & 0x7fn)];
  for (let v = n >> 7n; v > 0n; v >>= 7n) out.unshift(Number(v & 0x7fn) | 0x80);
  return out;
}

/** DER OBJECT IDENTIFIER carrying a CKA_ID under SealDesk's arc. */
export function sealObjectId(ckaIdHex: string): Buffer {
  const n = BigInt(`0x01${ckaIdBytes(ckaIdHex).toString('hex')}`);
  const body = [2 * 40 + 25, ...base128(SEALDESK_ARC), ...base128(n)];
  if (body.length > 127) throw new SealDeskError('CKA_ID_INVALID', 'CKA_ID 过长', 'CKA_ID is too long');
  return Buffer.from([0x06, body.length, ...body]);
}

/** The CKA_ID (hex) inside a SealDesk seal OID, or undefined for any other OID. */
export function ckaIdFromSealObjectId(oid: Buffer): string | undefined {
  if (oid.length < 3 || oid[0] !== 0x06 || oid[1] !== oid.length - 2 || oid[2] !== 105) return undefined;
  const arcs: bigint[] = [];
  let v = 0n;
  for (const byte of oid.subarray(3)) {
    v = (v << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) { arcs.push(v); v = 0n; }
  }
  if (arcs.length !== 2 || arcs[0] !== SEALDESK_ARC) return undefined;
  // 01 || id as an integer prints as "1" followed by the id's hex digits.
  const hex = arcs[1].toString(16);
  if (!hex.startsWith('1') || hex.length % 2 !== 1 || hex.length < 3) return undefined;
  return hex.slice(1);
}

function sealTemplate(): pkcs11js.Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
    { type: pkcs11js.CKA_APPLICATION, value: SEAL_APPLICATION },
  ];
}

function readOne(session: TokenSession, obj: Buffer): SealObject | undefined {
  const idAttr = attribute(session, obj, pkcs11js.CKA_ID);
  const oid = attribute(session, obj, pkcs11js.CKA_OBJECT_ID);
  const ckaId = idAttr && idAttr.length > 0 ? idAttr.toString('hex') : oid ? ckaIdFromSealObjectId(oid) : undefined;
  const der = attribute(session, obj, pkcs11js.CKA_VALUE);
  if (ckaId === undefined || !der) return undefined;
  return { ckaId, label: attribute(session, obj, pkcs11js.CKA_LABEL)?.toString('utf8') ?? '', der: new Uint8Array(der) };
}

/** Every seal on the token (no PIN needed: the objects are public). Unreadable objects are skipped. */
export function readSealObjects(session: TokenSession): SealObject[] {
  const out: SealObject[] = [];
  for (const obj of findObjects(session, sealTemplate(), 1024)) {
    const s = p11('reading a seal object', () => readOne(session, obj));
    if (s) out.push(s);
  }
  return out;
}

/** Stores a seal on the token (read/write session). Size is the token's business: it answers CKR_DEVICE_MEMORY. */
export function writeSealObject(session: TokenSession, seal: SealObject): void {
  if (!(seal.der instanceof Uint8Array) || seal.der.length === 0) {
    throw new SealDeskError('SEAL_EMPTY', '印章数据为空', 'The seal data is empty');
  }
  p11('storing the seal on the USB-Key', () => session.lib.C_CreateObject(session.handle, [
    ...sealTemplate(),
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: false },
    { type: pkcs11js.CKA_MODIFIABLE, value: true },
    { type: pkcs11js.CKA_LABEL, value: seal.label },
    { type: pkcs11js.CKA_OBJECT_ID, value: sealObjectId(seal.ckaId) },
    { type: pkcs11js.CKA_VALUE, value: Buffer.from(seal.der) },
  ]), { ckaId: seal.ckaId });
}

/** Removes the seals with this CKA_ID (and label, when given). Returns how many were removed. */
export function deleteSealObject(session: TokenSession, which: { ckaId: string; label?: string }): number {
  const want = ckaIdBytes(which.ckaId).toString('hex');
  let removed = 0;
  for (const obj of findObjects(session, sealTemplate(), 1024)) {
    const s = readOne(session, obj);
    if (!s || s.ckaId !== want || (which.label !== undefined && s.label !== which.label)) continue;
    p11('removing a seal from the USB-Key', () => session.lib.C_DestroyObject(session.handle, obj));
    removed++;
  }
  return removed;
}

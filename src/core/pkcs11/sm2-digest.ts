import crypto from 'node:crypto';
import { SM2_DEFAULT_ID } from '../crypto/sm2';
import { uncompressedPoint } from './key-encoding';

/**
 * The SM2 signing input for tokens whose mechanism wants e rather than the message
 * (gm-formats.md §4): Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA), e = SM3(Z || M).
 */
const CURVE = Buffer.from(
  'FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC' + // a
  '28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93' + // b
  '32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7' + // xG
  'BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0', // yG
  'hex');

/** Z for a public key given as 04||x||y (or CKA_EC_POINT's DER OCTET STRING around it). */
export function sm2Z(publicPoint: Uint8Array, id: string = SM2_DEFAULT_ID): Buffer {
  const p = uncompressedPoint(Buffer.from(publicPoint));
  const idBytes = Buffer.from(id, 'utf8');
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(idBytes.length * 8);
  return crypto.createHash('sm3').update(Buffer.concat([entl, idBytes, CURVE, p.subarray(1)])).digest();
}

/** e = SM3(Z || M). */
export function sm2E(publicPoint: Uint8Array, message: Uint8Array, id: string = SM2_DEFAULT_ID): Buffer {
  return crypto.createHash('sm3').update(sm2Z(publicPoint, id)).update(message).digest();
}

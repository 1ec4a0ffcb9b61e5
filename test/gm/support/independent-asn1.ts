/**
 * An analysis of GM structures that owes nothing to SealDesk's decoder: the tree comes from
 * `openssl asn1parse` (offsets, header and content lengths), the signature check from
 * `openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678` over the exact
 * bytes cut out of the file, and the SM3 digests from `openssl dgst -sm3`. A raw 64-byte r‖s value
 * is turned into DER here, by this file's own few lines, so OpenSSL can read it.
 * Tests derive their expected verdicts from this, never from what SealDesk printed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Node {
  offset: number;
  depth: number;
  headerLength: number;
  length: number;
  constructed: boolean;
  /** openssl's name of the tag: SEQUENCE, INTEGER, BIT STRING, cont [ 0 ] … */
  tag: string;
  /** what openssl printed after the colon (string values, OID names, integers in hex). */
  value: string;
  children: Node[];
}

/** The DER tree of `bytes` as openssl asn1parse reads it (throws when openssl refuses the input). */
export function asn1Tree(bytes: Uint8Array): Node {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-asn1-'));
  try {
    const file = path.join(dir, 'in.der');
    fs.writeFileSync(file, bytes);
    const out = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-in', file], { maxBuffer: 64 * 1024 * 1024 }).toString('latin1');
    const nodes: Node[] = [];
    for (const line of out.split('\n')) {
      const m = /^\s*(\d+):d=(\d+)\s+hl=\s*(\d+)\s+l=\s*(\d+)\s+(cons|prim):\s+([^:]*?)\s*(?::(.*))?$/.exec(line);
      if (!m) continue;
      nodes.push({ offset: +m[1]!, depth: +m[2]!, headerLength: +m[3]!, length: +m[4]!, constructed: m[5] === 'cons', tag: m[6]!.replace('[HEX DUMP]', '').trim(), value: (m[7] ?? '').trim(), children: [] });
    }
    const root = nodes[0];
    if (!root) throw new Error('openssl asn1parse printed nothing');
    const stack: Node[] = [root];
    for (const n of nodes.slice(1)) {
      if (n.depth === 0) break; // bytes after the value (a PDF /Contents' zero padding)
      while (stack.length > n.depth) stack.pop();
      stack[stack.length - 1]!.children.push(n);
      stack.push(n);
    }
    return root;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The whole TLV of a node (the exact bytes received). */
export const tlvOf = (bytes: Uint8Array, n: Node): Uint8Array => bytes.subarray(n.offset, n.offset + n.headerLength + n.length);
/** The content octets of a node. */
export const contentOf = (bytes: Uint8Array, n: Node): Uint8Array => bytes.subarray(n.offset + n.headerLength, n.offset + n.headerLength + n.length);

/** child by index path, e.g. at(root, 0, 1) */
export function at(n: Node, ...path: number[]): Node {
  let cur = n;
  for (const i of path) {
    const next = cur.children[i];
    if (!next) throw new Error(`no child ${i} under the ${cur.tag} at ${cur.offset}`);
    cur = next;
  }
  return cur;
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  return [0x82, n >> 8, n & 0xff];
}

function derUnsigned(bytes: Uint8Array): number[] {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const v = [...bytes.subarray(i)];
  if (v[0]! & 0x80) v.unshift(0);
  return [0x02, ...derLength(v.length), ...v];
}

/**
 * A signature value as OpenSSL wants it: DER SEQUENCE{r, s}. A 64-byte raw r‖s is encoded here;
 * a DER value whose INTEGERs carry superfluous leading zeros is re-encoded minimally.
 */
export function sm2SignatureDer(value: Uint8Array): Uint8Array {
  if (value.length === 64) {
    const body = [...derUnsigned(value.subarray(0, 32)), ...derUnsigned(value.subarray(32))];
    return Uint8Array.from([0x30, ...derLength(body.length), ...body]);
  }
  const tree = asn1Tree(value);
  const [r, s] = tree.children;
  if (!r || !s) throw new Error('not SEQUENCE{r, s}');
  const body = [...derUnsigned(contentOf(value, r)), ...derUnsigned(contentOf(value, s))];
  return Uint8Array.from([0x30, ...derLength(body.length), ...body]);
}

/** The BIT STRING's payload after its unused-bits byte, and that byte. */
export function bitStringPayload(bytes: Uint8Array, n: Node): { unusedBits: number; payload: Uint8Array } {
  const c = contentOf(bytes, n);
  return { unusedBits: c[0]!, payload: c.subarray(1) };
}

/** OpenSSL's verdict on an SM2-with-SM3 signature (default ID) by the key of `certDer` over `data`. */
export function opensslSm2Verifies(certDer: Uint8Array, data: Uint8Array, signatureValue: Uint8Array): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealdesk-sm2-'));
  try {
    fs.writeFileSync(path.join(dir, 'cert.der'), certDer);
    fs.writeFileSync(path.join(dir, 'data.bin'), data);
    fs.writeFileSync(path.join(dir, 'sig.der'), sm2SignatureDer(signatureValue));
    execFileSync('openssl', ['x509', '-inform', 'DER', '-in', path.join(dir, 'cert.der'), '-out', path.join(dir, 'cert.pem')], { stdio: 'pipe' });
    try {
      const out = execFileSync('openssl', ['pkeyutl', '-verify', '-certin', '-inkey', path.join(dir, 'cert.pem'), '-rawin', '-in', path.join(dir, 'data.bin'),
        '-digest', 'sm3', '-sigfile', path.join(dir, 'sig.der'), '-pkeyopt', 'distid:1234567812345678'], { stdio: 'pipe' }).toString();
      return /Signature Verified Successfully/.test(out);
    } catch {
      return false;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function opensslSm3(data: Uint8Array): string {
  return execFileSync('openssl', ['dgst', '-sm3', '-r'], { input: data }).toString().split(' ')[0]!.trim();
}

/** notBefore/notAfter of a DER certificate, as openssl prints them. */
export function opensslValidity(certDer: Uint8Array): { notBefore: Date; notAfter: Date; subject: string } {
  const out = execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-startdate', '-enddate', '-subject', '-nameopt', 'utf8'], { input: certDer }).toString();
  const nb = /notBefore=(.*)/.exec(out)![1]!;
  const na = /notAfter=(.*)/.exec(out)![1]!;
  return { notBefore: new Date(nb), notAfter: new Date(na), subject: /subject=(.*)/.exec(out)![1]!.trim() };
}

/** Validity and key usage of a DER certificate, from `openssl x509 -text`. */
export function opensslCertInfo(certDer: Uint8Array): { notBefore: Date; notAfter: Date; keyUsage?: string[] } {
  const out = execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text', '-nameopt', 'utf8'], { input: certDer }).toString();
  const nb = /Not Before\s*:\s*(.*)/.exec(out)![1]!;
  const na = /Not After\s*:\s*(.*)/.exec(out)![1]!;
  const ku = /X509v3 Key Usage:.*\n\s*(.*)/.exec(out)?.[1];
  return { notBefore: new Date(nb), notAfter: new Date(na), ...(ku ? { keyUsage: ku.split(',').map((s) => s.trim()) } : {}) };
}

/** A UTCTime / GeneralizedTime as openssl prints it ("220323035327Z", "20240328073226Z"). */
export function asn1Time(text: string): Date {
  const t = text.trim();
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(t);
  if (!m) throw new Error(`not a time: ${t}`);
  const year = m[1]!.length === 2 ? (Number(m[1]) < 50 ? 2000 + Number(m[1]) : 1900 + Number(m[1])) : Number(m[1]);
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

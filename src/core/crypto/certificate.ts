/**
 * X.509 certificates as SealDesk needs them: the exact TBS bytes and signature for chain checks,
 * raw issuer/subject names for path building, validity, basicConstraints, key usage, and the public
 * key classified as RSA, EC P-256 or SM2. Parsed with asn1js from the received DER (re-encoding a
 * certificate would break its signature), so SM2 certificates parse like any other.
 */
import * as asn1js from 'asn1js';
import { SealDeskError } from '../errors';
import { DerFields, decodeDer, derOf } from '../asn1/der';
import { OID_EC_PUBLIC_KEY, OID_P256, OID_RSA_ENCRYPTION, OID_RSASSA_PSS, OID_SM2 } from '../asn1/oids';

export type KeyUsageName =
  | 'digitalSignature' | 'nonRepudiation' | 'keyEncipherment' | 'dataEncipherment' | 'keyAgreement'
  | 'keyCertSign' | 'cRLSign' | 'encipherOnly' | 'decipherOnly';

const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement',
  'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
];

export type PublicKeyKind = 'RSA' | 'EC-P256' | 'EC' | 'SM2' | 'unknown';

export interface PublicKeyInfo {
  kind: PublicKeyKind;
  /** SubjectPublicKeyInfo DER as received. */
  spki: Uint8Array;
  /** Key bits: the EC point (04‖x‖y) for EC/SM2, the RSAPublicKey DER for RSA. */
  keyBits: Uint8Array;
  /** Curve OID for EC keys. */
  curve?: string;
}

export interface AlgorithmId {
  oid: string;
  /** DER of the parameters, when present (RSASSA-PSS needs them). */
  params?: Uint8Array;
}

export interface ParsedCertificate {
  der: Uint8Array;
  /** Exact TBSCertificate bytes: what the issuer signed. */
  tbsDer: Uint8Array;
  signatureAlgorithm: AlgorithmId;
  signatureValue: Uint8Array;
  serialHex: string;
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  issuer: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  publicKey: PublicKeyInfo;
  /** basicConstraints; undefined when the extension is absent. */
  basicConstraints?: { cA: boolean; pathLen?: number };
  /** keyUsage; undefined when the extension is absent (then any usage is allowed, RFC 5280 §4.2.1.3). */
  keyUsage?: Set<KeyUsageName>;
  selfIssued: boolean;
}

const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';

const DN_LABELS: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber', '1.2.840.113549.1.9.1': 'emailAddress',
};

/**
 * Certificates already parsed, by their exact DER: the same roots, seal makers and signers recur in
 * every file of a batch (`sealdesk verify FILE...`) and in every stamp of a file. Callers treat the
 * result as read-only. Bounded, oldest dropped first; failures are not kept.
 */
const parsed = new Map<string, ParsedCertificate>();
const PARSED_MAX = 256;

/** Parses a DER certificate; anything that is not one ⇒ SealDeskError CERT_MALFORMED. */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
  const known = parsed.get(key);
  if (known) return known;
  // A copy: the parsed fields are views into the bytes parsed, which must not keep a whole CMS or file alive.
  const cert = parseCertificateDer(Uint8Array.from(der));
  if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value!);
  parsed.set(key, cert);
  return cert;
}

function parseCertificateDer(der: Uint8Array): ParsedCertificate {
  const f = new DerFields('certificate');
  const root = decodeDer(der, 'certificate');
  const top = f.sequence(root, 'Certificate', 3);
  const tbs = f.sequence(top[0], 'TBSCertificate', 6);
  let i = 0;
  if (f.isContext(tbs[0], 0)) i = 1; // [0] EXPLICIT version
  const serial = tbs[i];
  if (!(serial instanceof asn1js.Integer)) f.fail('serialNumber is not an INTEGER');
  const issuerBlock = tbs[i + 2]!;
  const validity = f.sequence(tbs[i + 3], 'validity', 2);
  const subjectBlock = tbs[i + 4]!;
  f.sequence(issuerBlock, 'issuer');
  f.sequence(subjectBlock, 'subject');
  const publicKey = parsePublicKey(tbs[i + 5], f);
  const exts = parseExtensions(tbs.slice(i + 6), f);
  const issuerDer = derOf(issuerBlock);
  const subjectDer = derOf(subjectBlock);
  return {
    der: derOf(root),
    tbsDer: derOf(top[0]!),
    signatureAlgorithm: parseAlgorithm(top[1], f, 'signatureAlgorithm'),
    signatureValue: f.bits(top[2], 'signatureValue'),
    serialHex: Buffer.from((serial as asn1js.Integer).valueBlock.valueHexView).toString('hex'),
    issuerDer,
    subjectDer,
    issuer: formatName(issuerBlock),
    subject: formatName(subjectBlock),
    notBefore: f.time(validity[0], 'notBefore'),
    notAfter: f.time(validity[1], 'notAfter'),
    publicKey,
    ...exts,
    selfIssued: Buffer.compare(Buffer.from(issuerDer), Buffer.from(subjectDer)) === 0,
  };
}

/** Like parseCertificate, but undefined instead of an error (for lists where bad entries are skipped). */
export function tryParseCertificate(der: Uint8Array): ParsedCertificate | undefined {
  try {
    return parseCertificate(der);
  } catch (e) {
    if (e instanceof SealDeskError) return undefined;
    throw e;
  }
}

export function parseAlgorithm(block: asn1js.AsnType | undefined, f: DerFields, what: string): AlgorithmId {
  const items = f.sequence(block, what, 1);
  const oid = f.oid(items[0], `${what}.algorithm`);
  const p = items[1];
  const params = p && !(p instanceof asn1js.Null) ? derOf(p) : undefined;
  return params ? { oid, params } : { oid };
}

/** Classifies a SubjectPublicKeyInfo. */
export function parsePublicKey(block: asn1js.AsnType | undefined, f: DerFields): PublicKeyInfo {
  const items = f.sequence(block, 'subjectPublicKeyInfo', 2);
  const alg = parseAlgorithm(items[0], f, 'subjectPublicKeyInfo.algorithm');
  const keyBits = f.bits(items[1], 'subjectPublicKey');
  const spki = derOf(block!);
  if (alg.oid === OID_RSA_ENCRYPTION || alg.oid === OID_RSASSA_PSS) return { kind: 'RSA', spki, keyBits };
  if (alg.oid === OID_SM2) return { kind: 'SM2', spki, keyBits, curve: OID_SM2 };
  if (alg.oid === OID_EC_PUBLIC_KEY) {
    let curve: string | undefined;
    if (alg.params) {
      const pb = asn1js.fromBER(alg.params).result;
      if (pb instanceof asn1js.ObjectIdentifier) curve = pb.getValue();
    }
    if (curve === OID_SM2) return { kind: 'SM2', spki, keyBits, curve };
    return { kind: curve === OID_P256 ? 'EC-P256' : 'EC', spki, keyBits, curve };
  }
  return { kind: 'unknown', spki, keyBits };
}

function parseExtensions(rest: asn1js.AsnType[], f: DerFields): Pick<ParsedCertificate, 'basicConstraints' | 'keyUsage'> {
  const out: Pick<ParsedCertificate, 'basicConstraints' | 'keyUsage'> = {};
  const wrapper = rest.find((b) => f.isContext(b, 3));
  if (!wrapper) return out;
  const inner = f.children(wrapper, 'extensions');
  const list = f.sequence(inner[0], 'extensions');
  for (const [n, ext] of list.entries()) {
    const e = f.sequence(ext, `extension[${n}]`, 2);
    const id = f.oid(e[0], `extension[${n}].extnID`);
    const value = f.octets(e[e.length - 1], `extension[${n}].extnValue`);
    if (id === OID_BASIC_CONSTRAINTS) {
      const bc = f.sequence(decodeDer(value, 'certificate'), 'basicConstraints');
      let cA = false;
      let pathLen: number | undefined;
      for (const item of bc) {
        if (item instanceof asn1js.Boolean) cA = item.getValue();
        else if (item instanceof asn1js.Integer) pathLen = f.integer(item, 'pathLenConstraint');
      }
      out.basicConstraints = pathLen === undefined ? { cA } : { cA, pathLen };
    } else if (id === OID_KEY_USAGE) {
      const bits = f.namedBits(decodeDer(value, 'certificate'), 'keyUsage');
      const usage = new Set<KeyUsageName>();
      KEY_USAGE_BITS.forEach((name, bit) => {
        const byte = bits[bit >> 3];
        if (byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0) usage.add(name);
      });
      out.keyUsage = usage;
    }
  }
  return out;
}

/** "CN=..., O=..., C=..." for messages and reports (not for comparisons: those use the raw DER). */
function formatName(block: asn1js.AsnType): string {
  const parts: string[] = [];
  for (const rdn of childrenOf(block)) {
    for (const atv of childrenOf(rdn)) {
      const pair = childrenOf(atv);
      const type = pair[0] instanceof asn1js.ObjectIdentifier ? pair[0].getValue() : '?';
      const v = pair[1];
      let text = '';
      if (v instanceof asn1js.PrintableString || v instanceof asn1js.IA5String || v instanceof asn1js.TeletexString) text = v.getValue();
      else if (v instanceof asn1js.Utf8String || v instanceof asn1js.BmpString) text = v.valueBlock.value;
      parts.push(`${DN_LABELS[type] ?? type}=${text}`);
    }
  }
  return parts.join(', ');
}

function childrenOf(block: asn1js.AsnType | undefined): asn1js.AsnType[] {
  if (!block || !block.idBlock.isConstructed) return [];
  const value = (block as asn1js.Constructed).valueBlock.value;
  return Array.isArray(value) ? value : [];
}

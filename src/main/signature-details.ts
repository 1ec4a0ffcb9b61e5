/**
 * What a signature carries beyond the report, for the certificate dialog and the exported report:
 * its certificates (the signer's first, then each issuer found in the signature or in the trust
 * store, described for a person: subject, issuer, serial, validity, key and signature algorithms,
 * SHA-256 fingerprint) and its seal's picture and maker. Reading only: every verdict about them is
 * core's (the report's checks).
 */
import crypto from 'node:crypto';
import type { CertificateView, SignatureDetails } from '../api/contract';
import { decodeSeal } from '../core/asn1/ses-seal';
import { decodeSesSignature } from '../core/asn1/ses-signature';
import { derValueLength } from '../core/cms/der';
import { parseCms } from '../core/cms/parse-cms';
import { tryParseCertificate, type ParsedCertificate } from '../core/crypto/certificate';
import { parseGmSignedData, sealOfGmSignature } from '../core/gm';
import { openPdf } from '../core/pdf/document';

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'SHA256withRSA',
  '1.2.840.113549.1.1.12': 'SHA384withRSA',
  '1.2.840.113549.1.1.13': 'SHA512withRSA',
  '1.2.840.113549.1.1.5': 'SHA1withRSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.3.2': 'SHA256withECDSA',
  '1.2.840.10045.4.3.3': 'SHA384withECDSA',
  '1.2.156.10197.1.501': 'SM3withSM2',
};

function keyAlgorithm(c: ParsedCertificate): string {
  const k = c.publicKey;
  if (k.kind === 'RSA') return `RSA ${rsaBits(k.keyBits)}`;
  if (k.kind === 'SM2') return 'SM2';
  if (k.kind === 'EC-P256') return 'ECDSA P-256';
  if (k.kind === 'EC') return `ECDSA (${k.curve ?? '?'})`;
  return '?';
}

function rsaBits(rsaPublicKeyDer: Uint8Array): string {
  try {
    const key = crypto.createPublicKey({ key: Buffer.from(rsaPublicKeyDer), format: 'der', type: 'pkcs1' });
    return `${key.asymmetricKeyDetails?.modulusLength ?? ''}`;
  } catch {
    return '';
  }
}

function describe(c: ParsedCertificate, trusted: boolean): CertificateView {
  return {
    subject: c.subject,
    issuer: c.issuer,
    serialNumber: c.serialHex,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    keyAlgorithm: keyAlgorithm(c),
    signatureAlgorithm: SIGNATURE_ALGORITHMS[c.signatureAlgorithm.oid] ?? c.signatureAlgorithm.oid,
    sha256: crypto.createHash('sha256').update(c.der).digest('hex'),
    isCa: c.basicConstraints?.cA === true,
    selfSigned: c.selfIssued,
    trusted,
  };
}

/** The signer certificate, the other certificates and the seal in a signature's /Contents (PAdES CMS or GB/T 38540). */
function partsOf(contents: Uint8Array): { signer?: Uint8Array; others: Uint8Array[]; sealDer?: Uint8Array } {
  for (const parse of [parseCms, parseGmSignedData]) {
    try {
      const cms = parse(contents);
      return { signer: cms.signerCertificate, others: cms.certificates, sealDer: cms.sealDer };
    } catch {
      /* not this format */
    }
  }
  try {
    // A GB/T 38540 SES_Signature: the DER value at the start of /Contents (zero padding follows it).
    const ses = contents.subarray(0, derValueLength(contents));
    return { signer: decodeSesSignature(ses).cert, others: [], sealDer: sealOfGmSignature(contents)?.der };
  } catch {
    return { others: [] };
  }
}

function sealOf(sealDer: Uint8Array | undefined): SignatureDetails['seal'] {
  if (!sealDer) return undefined;
  try {
    const seal = decodeSeal(sealDer);
    const pic = seal.eSealInfo.picture;
    const type = pic.type.toUpperCase();
    const maker = tryParseCertificate(seal.cert);
    return {
      pictureType: type === 'PNG' ? 'png' : type === 'JPG' || type === 'JPEG' ? 'jpeg' : 'other',
      picture: pic.data,
      widthMm: pic.width,
      heightMm: pic.height,
      maker: maker?.subject,
    };
  } catch {
    return undefined;
  }
}

/** One signature field's certificates (signer first) and seal; trustRoots are the trust store's DER certificates. */
export function signatureDetails(bytes: Uint8Array, field: string, trustRoots: Uint8Array[]): SignatureDetails {
  const doc = openPdf(bytes);
  const f = doc.signatureFields().find((x) => x.name === field && x.value);
  if (!f?.value) return { certificates: [] };
  const parts = partsOf(f.value.contents);
  return { certificates: chainOf(parts.signer, parts.others, trustRoots), seal: sealOf(parts.sealDer) };
}

function chainOf(signer: Uint8Array | undefined, others: Uint8Array[], trustRoots: Uint8Array[]): CertificateView[] {
  const pool = others.flatMap((d) => tryParseCertificate(d) ?? []);
  const roots = trustRoots.flatMap((d) => tryParseCertificate(d) ?? []);
  const leaf = signer ? tryParseCertificate(signer) : pool[0];
  if (!leaf) return [];
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
  const chain: CertificateView[] = [];
  let at: ParsedCertificate | undefined = leaf;
  const seen: Uint8Array[] = [];
  while (at && chain.length < 10 && !seen.some((d) => same(d, at!.der))) {
    seen.push(at.der);
    const cur: ParsedCertificate = at;
    chain.push(describe(cur, roots.some((r) => same(r.der, cur.der))));
    if (cur.selfIssued) break;
    at = roots.find((r) => same(r.subjectDer, cur.issuerDer)) ?? pool.find((p) => same(p.subjectDer, cur.issuerDer));
  }
  return chain;
}

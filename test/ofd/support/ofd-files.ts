/**
 * OFD packages for tests: the real vendor files of ../shared/testdata/gm (read, never modified;
 * mutations are made on copies in memory), and small OFDs stamped here with SM2 keys from OpenSSL
 * (TestPki) so that cases the vendor files cannot show (trusted root, Seal.esl, two stamps,
 * Type="Sign", a seal used by someone else) are built from real signatures too.
 *
 * Packages are unzipped and zipped with fflate, independently of SealDesk's own ZIP reader.
 */
import fs from 'node:fs';
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { derExplicit, derInteger, derOctetString, derOid, derSequence, tlv } from '../../../src/core/asn1/der';
import { OID_SM2_SIGN, OID_SM3 } from '../../../src/core/asn1/oids';
import { parseCertificate } from '../../../src/core/crypto/certificate';
import { sm2PrivateKeyFromPem, sm2Sign } from '../../../src/core/crypto/sm2';
import { OID_GM_DATA, OID_GM_SIGNED_DATA } from '../../../src/core/gm/pdf-profile';
import { encodeSesSignature, encodeTbsSign } from '../../../src/core/asn1/ses-signature';
import { OID_SM2_WITH_SM3 } from '../../../src/core/asn1/oids';
import { digest, sm3 } from '../../../src/core/crypto/digest';
import { makeSeal } from '../../../src/core/seal/make-seal';
import type { Signer } from '../../../src/core/signer';
import { TestPki, type TestCert } from '../../crypto/support/test-pki';

export const GM_DIR = path.resolve(__dirname, '../../../../shared/testdata/gm');
export type VendorFile = 'v4signed.ofd' | 'signedFile.ofd';
export const VENDOR_FILES: VendorFile[] = ['v4signed.ofd', 'signedFile.ofd'];

export type Files = Record<string, Uint8Array>;

export function vendorBytes(name: VendorFile): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(GM_DIR, name)));
}

export function unzip(bytes: Uint8Array): Files {
  return unzipSync(bytes);
}

export function zip(files: Files): Uint8Array {
  return zipSync(files, { level: 6 });
}

export const text = (s: string): Uint8Array => strToU8(s);
export const str = (b: Uint8Array): string => strFromU8(b);
export const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** A copy of `files` with the lowest bit of one byte of `name` flipped. */
export function withFlippedByte(files: Files, name: string, offset: number): Files {
  const data = new Uint8Array(files[name]!);
  data[offset] = data[offset]! ^ 0x01;
  return { ...files, [name]: data };
}

/**
 * An offset inside character data of an XML file (a letter or digit right after a '>'), where a
 * flipped low bit keeps the XML well-formed, so the change is judged by the digests and not by the
 * parser; for other files the middle byte.
 */
export function contentOffset(name: string, data: Uint8Array): number {
  if (name.endsWith('.xml')) {
    for (let i = 1; i < data.length; i++) {
      const c = data[i]!;
      const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
      if (data[i - 1] === 0x3e && alnum) return i;
    }
  }
  return Math.floor(data.length / 2);
}

/** The FileRefs of a Signature.xml (test-side reading, independent of src/core/ofd/xml.ts). */
export function referencedFiles(signatureXml: Uint8Array): string[] {
  return [...str(signatureXml).matchAll(/FileRef="([^"]+)"/g)].map((m) => m[1]!.replace(/^\//, ''));
}

// ---- OFDs stamped here -------------------------------------------------------------------------

export interface GmPki {
  pki: TestPki;
  root: TestCert;
  maker: TestCert;
  keeper: TestCert;
  /** A second keeper, not listed in the seal. */
  stranger: TestCert;
  cleanup(): void;
}

export function makeGmPki(): GmPki {
  const pki = new TestPki('sealdesk-ofd-');
  const root = pki.root('sm2', 'OFD Test Root');
  const maker = pki.issue(root, 'sm2', 'Seal Maker');
  const keeper = pki.issue(root, 'sm2', 'Seal Keeper');
  const stranger = pki.issue(root, 'sm2', 'Someone Else');
  return { pki, root, maker, keeper, stranger, cleanup: () => pki.cleanup() };
}

export const SEAL_PNG = new Uint8Array(fs.readFileSync(path.resolve(__dirname, '../../fixtures/pdf/seal-red.png')));

export async function makeTestSeal(g: GmPki, o: { now?: Date; validStart?: Date; validEnd?: Date } = {}): Promise<Uint8Array> {
  const now = o.now ?? new Date();
  const made = await makeSeal({
    maker: g.maker.signer(),
    keeper: { certificate: g.keeper.der, seals: [] },
    trustRoots: [g.root.der],
    now,
    name: '测试合同专用章',
    type: 4,
    validStart: o.validStart ?? new Date(now.getTime() - 86_400_000),
    validEnd: o.validEnd ?? new Date(now.getTime() + 365 * 86_400_000),
    image: { bytes: SEAL_PNG, widthMm: 40, heightMm: 40 },
    vendorId: 'SealDeskTest',
  });
  return made.der;
}

/** An unsigned two-page OFD: OFD.xml, Document.xml, two page contents, a resource. */
export function baseDocument(): Files {
  return {
    'OFD.xml': text('<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" DocType="OFD" Version="1.1"><ofd:DocBody><ofd:DocInfo><ofd:DocID>sealdesk-test</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'),
    'Doc_0/Document.xml': text('<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages><ofd:Page ID="7" BaseLoc="Pages/Page_0/Content.xml"/><ofd:Page ID="9" BaseLoc="Pages/Page_1/Content.xml"/></ofd:Pages></ofd:Document>'),
    'Doc_0/Pages/Page_0/Content.xml': text('<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="1"><ofd:TextObject ID="2" Boundary="20 20 170 10"><ofd:TextCode X="0" Y="8">甲方应支付人民币壹佰元整</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>'),
    'Doc_0/Pages/Page_1/Content.xml': text('<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="3"><ofd:TextObject ID="4" Boundary="20 20 170 10"><ofd:TextCode X="0" Y="8">签章页</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>'),
    'Doc_0/Res/logo.png': SEAL_PNG,
  };
}

export interface StampOptions {
  signer: Signer;
  sealDer: Uint8Array;
  /** Which Sign_N directory (default: the next free one). */
  index?: number;
  /** Files to protect (default: every file already in the package except the Signs directory). */
  references?: string[];
  /** How FileRefs are written: absolute ("/Doc_0/…", default) or relative to Doc_0 ("Pages/…"). */
  refStyle?: 'absolute' | 'document-relative';
  checkMethod?: string;
  pageRef?: string;
  boundary?: string;
  /** Also write Seal.esl (this content, or the seal itself when true). */
  sealFile?: boolean | Uint8Array;
  /** TBS_Sign.propertyInfo (default: the absolute path of this Signature.xml). */
  propertyInfo?: string;
  time?: Date;
  type?: 'Seal' | 'Sign';
  /** An RFC 3161 token over the signature value, written as SES_Signature.timeStamp. */
  timestamp?: (signature: Uint8Array) => Promise<Uint8Array>;
  /** For Type="Sign": the SignedValue.dat to write (built by the caller from Signature.xml). */
  signValue?: (signatureXml: Uint8Array) => Promise<Uint8Array>;
}

/**
 * Adds a stamp as an OFD writer does: Signature.xml with the References' SM3 digests and a
 * StampAnnot, SignedValue.dat = SES_Signature v4 whose dataHash is SM3(Signature.xml) signed by the
 * keeper over DER(TBS_Sign), and the entry in Signatures.xml (created, and named in OFD.xml, on the
 * first stamp).
 */
export async function stamp(input: Files, o: StampOptions): Promise<Files> {
  const files: Files = { ...input };
  let index = o.index ?? 0;
  while (o.index === undefined && files[`Doc_0/Signs/Sign_${index}/Signature.xml`]) index++;
  const dir = `Doc_0/Signs/Sign_${index}`;
  const refs = o.references ?? Object.keys(input).filter((n) => !n.startsWith('Doc_0/Signs/'));
  if (!str(files['OFD.xml']!).includes('<ofd:Signatures>')) {
    files['OFD.xml'] = text(str(files['OFD.xml']!).replace('</ofd:DocRoot>', '</ofd:DocRoot><ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>'));
    if (!o.references) refs.push('OFD.xml');
  }
  const fileRef = (n: string): string => (o.refStyle === 'document-relative' && n.startsWith('Doc_0/') ? n.slice('Doc_0/'.length) : `/${n}`);
  const alg = /sha-?256/i.test(o.checkMethod ?? '') ? 'sha256' : 'sm3';
  const refXml = [...new Set(refs)].map((n) => `<ofd:Reference FileRef="${fileRef(n)}"><ofd:CheckValue>${b64(digest(alg, files[n]!))}</ofd:CheckValue></ofd:Reference>`).join('');
  if (o.sealFile) files[`${dir}/Seal.esl`] = o.sealFile === true ? o.sealDer : o.sealFile;
  const time = o.time ?? new Date();
  const signatureXml = text('<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Signature xmlns:ofd="http://www.ofdspec.org/2016"><ofd:SignedInfo>'
    + '<ofd:Provider ProviderName="SealDesk test" Version="1.0" Company="SealDesk"/>'
    + `<ofd:SignatureMethod>${OID_SM2_WITH_SM3}</ofd:SignatureMethod><ofd:SignatureDateTime>${time.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z</ofd:SignatureDateTime>`
    + `<ofd:References CheckMethod="${o.checkMethod ?? '1.2.156.10197.1.401'}">${refXml}</ofd:References>`
    + `<ofd:StampAnnot ID="1" PageRef="${o.pageRef ?? '9'}" Boundary="${o.boundary ?? '120.5 200 40 40'}"/>`
    + (o.sealFile ? `<ofd:Seal><ofd:BaseLoc>/${dir}/Seal.esl</ofd:BaseLoc></ofd:Seal>` : '')
    + `</ofd:SignedInfo><ofd:SignedValue>/${dir}/SignedValue.dat</ofd:SignedValue></ofd:Signature>`);
  files[`${dir}/Signature.xml`] = signatureXml;
  if (o.type === 'Sign') {
    files[`${dir}/SignedValue.dat`] = await o.signValue!(signatureXml);
  } else {
    const tbsSignDer = encodeTbsSign({ esealDer: o.sealDer, timeInfo: time, dataHash: sm3(signatureXml), propertyInfo: o.propertyInfo ?? `/${dir}/Signature.xml` });
    const signature = await o.signer.sign(tbsSignDer, 'sm2-sm3');
    const timeStamp = o.timestamp ? await o.timestamp(signature) : undefined;
    files[`${dir}/SignedValue.dat`] = encodeSesSignature({ tbsSignDer, cert: o.signer.certificate, signatureAlgID: OID_SM2_WITH_SM3, signature, timeStamp });
  }
  const list = files['Doc_0/Signs/Signatures.xml'] ? str(files['Doc_0/Signs/Signatures.xml']!) : '<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016"><ofd:MaxSignId>0</ofd:MaxSignId></ofd:Signatures>';
  const id = String(index + 1);
  files['Doc_0/Signs/Signatures.xml'] = text(list
    .replace(/<ofd:MaxSignId>\d+<\/ofd:MaxSignId>/, `<ofd:MaxSignId>${id}</ofd:MaxSignId>`)
    .replace('</ofd:Signatures>', `<ofd:Signature ID="${id}" Type="${o.type ?? 'Seal'}" BaseLoc="Sign_${index}/Signature.xml"/></ofd:Signatures>`));
  return files;
}

// ---- GM/T 0010 SignedData (Type="Sign") ---------------------------------------------------------

export function privateKeyOf(c: TestCert): string {
  return sm2PrivateKeyFromPem(fs.readFileSync(c.keyPath, 'utf8'));
}

/** GM/T 0010 SignedData as ofdrw's GBT35275DSContainer writes it: content = SM3(Signature.xml), signed directly. */
export function gmSignedData(signer: TestCert, signatureXml: Uint8Array, signWhat?: Uint8Array, form: 'der' | 'raw-rs' = 'der'): Uint8Array {
  const cert = parseCertificate(signer.der);
  const content = sm3(signatureXml);
  const der = sm2Sign(signWhat ?? content, privateKeyOf(signer));
  // 'raw-rs': the 64-byte r‖s some GM/T 0010 writers store (SKF devices return that form).
  const signature = form === 'der' ? der : rawRs(der);
  const algSm3 = derSequence(derOid(OID_SM3));
  const signerInfo = derSequence(
    derInteger(1),
    derSequence(cert.issuerDer, tlv(0x02, Buffer.from(cert.serialHex.length % 2 ? `0${cert.serialHex}` : cert.serialHex, 'hex'))),
    algSm3,
    derSequence(derOid(OID_SM2_SIGN)),
    derOctetString(signature),
  );
  const signedData = derSequence(
    derInteger(1),
    tlv(0x31, algSm3),
    derSequence(derOid(OID_GM_DATA), derExplicit(0, derOctetString(content))),
    tlv(0xa0, signer.der),
    tlv(0x31, signerInfo),
  );
  return derSequence(derOid(OID_GM_SIGNED_DATA), derExplicit(0, signedData));
}

/** DER SEQUENCE{r, s} → 64 bytes r‖s. */
export function rawRs(der: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  let p = 2;
  for (let i = 0; i < 2; i++) {
    const len = der[p + 1]!;
    let v = der.subarray(p + 2, p + 2 + len);
    if (v[0] === 0) v = v.subarray(1);
    out.set(v, 32 * (i + 1) - v.length);
    p += 2 + len;
  }
  return out;
}

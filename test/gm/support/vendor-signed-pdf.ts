/**
 * A PDF signed the way GM vendors do it (gm-formats.md §1.4, §6): /Adobe.PPKLite
 * /adbe.pkcs7.detached whose /Contents is a GM/T 0010 ContentInfo(SignedData). OpenSSL 3.0 cannot
 * write it: `openssl cms -sign -md sm3` with an SM2 key fails ("illegal zero content" in CMS,
 * "signing not supported for this key type" in PKCS#7), and it knows no GM/T 0010 content types
 * anyway. So the structure is assembled here with pkijs, and the SM2 signature over the
 * authenticated attributes is made by OpenSSL (`openssl dgst -sm3 -sigopt distid:1234567812345678`),
 * i.e. an independent implementation signs what SealDesk verifies.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID_SM2_SIGN, OID_SM3 } from '../../../src/core/asn1/oids';
import { OID_ATTR_CONTENT_TYPE, OID_ATTR_MESSAGE_DIGEST, OID_ATTR_SESEAL, OID_ATTR_SIGNING_TIME } from '../../../src/core/cms/oids';
import { OID_GM_DATA, OID_GM_SIGNED_DATA } from '../../../src/core/gm/pdf-profile';
import { openPdf } from '../../../src/core/pdf/document';
import { IncrementalUpdate } from '../../../src/core/pdf/incremental-writer';
import { addSealAppearance } from '../../../src/core/pdf/seal-appearance';
import { embedSignature, prepareSignature } from '../../../src/core/pdf/signature-placeholder';
import { rawRs } from '../../ofd/support/ofd-files';
import { opensslSignSm2, sealPng } from './gm-world';

const ab = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer;

/** Who signs: the keeper's certificate (DER) and key file, and the working directory for OpenSSL. */
export interface VendorSigner {
  dir: string;
  der: Uint8Array;
  keyPath: string;
}

export interface VendorOptions {
  /** Digest to put in messageDigest instead of the real one. */
  digest?: Uint8Array;
  /** The SESeal to carry as a signed attribute. */
  sealDer?: Uint8Array;
  /** Replace the signature value after signing. */
  corruptSignature?: boolean;
  /** Store the SM2 value as 64 raw bytes r‖s (as SKF/SDF devices return it) instead of DER. */
  rawSignature?: boolean;
  /** Rewrites the finished ContentInfo DER (e.g. into BER) before it goes into /Contents. */
  rewrite?: (der: Uint8Array) => Uint8Array;
}

/** A GM/T 0010 ContentInfo(SignedData) over `digest` (SM3 of the ByteRange), signed by OpenSSL with the keeper key. */
export function gmSignedData(signer: VendorSigner, digest: Uint8Array, o: VendorOptions = {}): Uint8Array {
  const cert = pkijs.Certificate.fromBER(ab(signer.der));
  const attributes = [
    new pkijs.Attribute({ type: OID_ATTR_CONTENT_TYPE, values: [new asn1js.ObjectIdentifier({ value: OID_GM_DATA })] }),
    new pkijs.Attribute({ type: OID_ATTR_SIGNING_TIME, values: [new asn1js.UTCTime({ valueDate: new Date() })] }),
    new pkijs.Attribute({ type: OID_ATTR_MESSAGE_DIGEST, values: [new asn1js.OctetString({ valueHex: ab(o.digest ?? digest) })] }),
  ];
  if (o.sealDer) attributes.push(new pkijs.Attribute({ type: OID_ATTR_SESEAL, values: [new asn1js.OctetString({ valueHex: ab(o.sealDer) })] }));
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });
  const implicit = new Uint8Array(signedAttrs.toSchema().toBER(false));
  const setDer = Uint8Array.from([0x31, ...implicit.subarray(1)]); // what is signed: the SET OF, tagged as a SET
  let signature = opensslSignSm2(signer.dir, signer.keyPath, setDer);
  if (o.rawSignature) signature = rawRs(signature);
  if (o.corruptSignature) signature[signature.length - 3] ^= 0x01;
  const sm3 = new pkijs.AlgorithmIdentifier({ algorithmId: OID_SM3 });
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: sm3,
    signedAttrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SM2_SIGN }),
    signature: new asn1js.OctetString({ valueHex: ab(signature) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1, digestAlgorithms: [sm3], encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID_GM_DATA }),
    certificates: [cert], signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID_GM_SIGNED_DATA, content: signedData.toSchema(true) });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

/** Signs `input` (a PDF file) vendor-style into `output`; returns the bytes written. */
export function vendorSignedPdf(signer: VendorSigner, input: string, output: string, o: VendorOptions = {}): Buffer {
  const doc = openPdf(fs.readFileSync(input));
  const update = new IncrementalUpdate(doc);
  const appearance = addSealAppearance(update, { picture: { type: 'PNG', data: sealPng }, widthMm: 40, heightMm: 40, pageRotate: 0 });
  const prepared = prepareSignature(doc, update, {
    pageIndex: 0, rect: [200, 200, 200 + appearance.rectWidth, 200 + appearance.rectHeight], appearance: appearance.ref,
    signingTime: new Date(), contentsSize: 16384 + (o.sealDer?.length ?? 0), subFilter: 'adbe.pkcs7.detached',
  });
  const [, b, c, d] = prepared.byteRange;
  const digest = crypto.createHash('sm3').update(prepared.bytes.subarray(0, b)).update(prepared.bytes.subarray(c, c + d)).digest();
  const der = gmSignedData(signer, new Uint8Array(digest), o);
  embedSignature(prepared, o.rewrite ? o.rewrite(der) : der);
  fs.writeFileSync(output, prepared.bytes);
  return prepared.bytes;
}

/**
 * The same value as BER: every constructed TLV on one of `paths` (child indexes from the root; []
 * is the root) re-emitted with an indefinite length and an end-of-contents, the way BouncyCastle's
 * BERSequence / BERTaggedObject write them; everything else byte for byte as it was.
 */
export function withIndefiniteLengths(der: Uint8Array, paths: number[][]): Uint8Array {
  const on = new Set(paths.map((p) => p.join('.')));
  const emit = (block: asn1js.AsnType, path: number[]): Uint8Array => {
    const raw = new Uint8Array(block.valueBeforeDecodeView);
    if (!on.has(path.join('.'))) return raw;
    const header = raw.subarray(0, block.idBlock.blockLength);
    const kids = (block as asn1js.Constructed).valueBlock.value.map((k, i) => emit(k, [...path, i]));
    return Uint8Array.from([...header, 0x80, ...kids.flatMap((k) => [...k]), 0x00, 0x00]);
  };
  return emit(asn1js.fromBER(ab(der)).result, []);
}

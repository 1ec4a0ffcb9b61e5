import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as asn1js from 'asn1js';
import { concatBytes, derBitString, derIa5, derInteger, derOctetString, derOid, derSequence, derUtf8, tlv } from '../../src/core/asn1/der';
import { OID_SM2_WITH_SM3 } from '../../src/core/asn1/oids';
import { decodeSeal, encodeSeal } from '../../src/core/asn1/ses-seal';
import { decodeSesSignature, encodeTbsSign } from '../../src/core/asn1/ses-signature';
import { sm3 } from '../../src/core/crypto/digest';
import { isSealDeskError } from '../../src/core/errors';
import { verifyOfd } from '../../src/core/ofd/verify-ofd';
import { checkSesSignature } from '../../src/core/ses/ses-checks';
import { verifySeal } from '../../src/core/seal/verify-seal';
import { baseDocument, gmSignedData, makeGmPki, makeTestSeal, rawRs, stamp, zip, type GmPki } from '../ofd/support/ofd-files';
import { opensslSm2Verifies } from './support/independent-asn1';

/**
 * Strictness kept while reading the vendor habits (issue 11): each habit, applied to a seal and a
 * stamp SealDesk made, is read with a warning that names it, and the stamp still verifies (also by
 * OpenSSL, over the very bytes); the same habit where it would change the signed bytes, or a second
 * encoding with another meaning, is refused with its reason. The trust root is known here, so
 * without a habit every check is ok.
 */
let g: GmPki;
let sealDer: Uint8Array;
const ORIGINAL = new TextEncoder().encode('<ofd:Signature>the protected original</ofd:Signature>');
let NOW: Date;

before(async () => {
  g = makeGmPki();
  // After the certificates were issued (they start now): the stamps are made at this time.
  NOW = new Date(Date.now() + 2000);
  sealDer = await makeTestSeal(g);
});
after(() => g.cleanup());

const children = (der: Uint8Array): Uint8Array[] => {
  const r = asn1js.fromBER(der);
  return (r.result as asn1js.Sequence).valueBlock.value.map((b) => new Uint8Array(b.valueBeforeDecodeView));
};
/** A BIT STRING TLV with any unused-bits byte. */
const bitString = (unused: number, payload: Uint8Array): Uint8Array => tlv(0x03, concatBytes([Uint8Array.of(unused), payload]));

/** A seal like `sealDer` whose signedValue BIT STRING is `signedValueTlv` (the SealInfo, and so the maker signature's message, unchanged). */
function sealWithValue(signedValueTlv: Uint8Array): Uint8Array {
  const [info, cert, alg] = children(sealDer);
  return derSequence(info!, cert!, alg!, signedValueTlv);
}

interface StampParts { eseal?: Uint8Array; tbs?: Uint8Array; signatureTlv?: (sig: Uint8Array) => Uint8Array; outerHeader?: (body: Uint8Array) => Uint8Array }

/** A v4 SES_Signature signed by the keeper, with any part replaced by a vendor form. */
async function makeStamp(p: StampParts = {}): Promise<{ der: Uint8Array; tbs: Uint8Array; signature: Uint8Array }> {
  const tbs = p.tbs ?? encodeTbsSign({ esealDer: p.eseal ?? sealDer, timeInfo: NOW, dataHash: sm3(ORIGINAL), propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml' });
  const signature = await g.keeper.signer().sign(tbs, 'sm2-sm3');
  const body = concatBytes([tbs, derOctetString(g.keeper.der), derOid(OID_SM2_WITH_SM3), (p.signatureTlv ?? derBitString)(signature)]);
  return { der: p.outerHeader ? p.outerHeader(body) : tlv(0x30, body), tbs, signature };
}

function check(der: Uint8Array) {
  const ses = decodeSesSignature(der);
  return checkSesSignature(ses, ORIGINAL, { trustRoots: [g.root.der], now: NOW });
}

const statuses = (o: ReturnType<typeof check>): Record<string, string> => Object.fromEntries(o.checks.map((c) => [c.id, c.status]));
const ALL_OK = { signature: 'ok', seal_signer: 'ok', seal: 'ok', signer_chain: 'ok', timestamp: 'not_checked', digest: 'ok' };
const deviations = (o: ReturnType<typeof check>): string[] => (o.facts.encodingDeviations ?? []).map((d) => d.en);

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(isSealDeskError(e), String(e));
    return `${e.code}: ${e.en}`;
  }
  return assert.fail('was not refused');
}

test('a SealDesk stamp has no deviation and verifies fully', async () => {
  const o = check((await makeStamp()).der);
  assert.deepEqual(statuses(o), ALL_OK);
  assert.deepEqual(deviations(o), []);
});

test('raw r‖s as the seal maker\'s signature (格尔): read with its warning; OpenSSL agrees the bytes verify', async () => {
  const seal = decodeSeal(sealDer);
  const raw = rawRs(seal.signedValue);
  const vendorSeal = sealWithValue(derBitString(raw));
  const o = check((await makeStamp({ eseal: vendorSeal })).der);
  assert.deepEqual(statuses(o), ALL_OK);
  assert.ok(deviations(o).some((d) => /SESeal\.signedValue is 64 raw bytes r‖s instead of DER SEQUENCE\{r, s\}, accepted as raw r‖s/.test(d)), deviations(o).join('\n'));
  assert.equal(opensslSm2Verifies(g.maker.der, seal.sealInfoDer, raw), true);
});

test('raw r‖s as the stamp signature (TONGZHIWEIYE): read with its warning', async () => {
  const s = await makeStamp({ signatureTlv: (sig) => derBitString(rawRs(sig)) });
  const o = check(s.der);
  assert.deepEqual(statuses(o), ALL_OK);
  assert.ok(deviations(o).some((d) => /SES_Signature\.signature is 64 raw bytes r‖s/.test(d)));
});

test('a superfluous leading zero in r is read as the same r; a negative r (a second meaning) is refused', async () => {
  // Sign until r is below 2^255 (no zero byte needed) for the padded case, and at or above it for the negative one.
  let padded: Uint8Array | undefined;
  let negative: Uint8Array | undefined;
  for (let i = 0; i < 40 && (!padded || !negative); i++) {
    const s = await makeStamp({
      signatureTlv: (sig) => {
        const [r, sv] = children(sig);
        const rv = r!.subarray(2);
        if (rv[0] === 0 && !negative) {
          negative = new Uint8Array(0); // marker: built below from this signature
          return derBitString(derSequence(tlv(0x02, rv.subarray(1)), sv!));
        }
        if (rv[0]! < 0x80 && rv[0] !== 0 && !padded) {
          padded = new Uint8Array(0);
          return derBitString(derSequence(tlv(0x02, concatBytes([Uint8Array.of(0), rv])), sv!));
        }
        return derBitString(sig);
      },
    });
    const o = check(s.der);
    const devs = deviations(o);
    if (padded?.length === 0) {
      padded = s.der;
      assert.deepEqual(statuses(o), ALL_OK);
      assert.ok(devs.some((d) => /SES_Signature\.signature has INTEGERs r, s with superfluous leading zero bytes/.test(d)), devs.join('\n'));
    }
    if (negative?.length === 0) {
      negative = s.der;
      assert.equal(statuses(o).signature, 'failed');
      assert.match(o.checks.find((c) => c.id === 'signature')!.message.en, /negative INTEGER.*two readings, refused/);
    }
  }
  assert.ok(padded && padded.length > 0 && negative && negative.length > 0, 'both cases were met');
});

test('a BIT STRING declaring unused bits over whole bytes (JHSEC, DAISHUN) is read as those bytes; 8 unused bits or none to drop is refused', async () => {
  const seal = decodeSeal(sealDer);
  const o = check((await makeStamp({ eseal: sealWithValue(bitString(3, seal.signedValue)), signatureTlv: (sig) => bitString(1, sig) })).der);
  assert.deepEqual(statuses(o), ALL_OK);
  assert.ok(deviations(o).some((d) => /SESeal\.signedValue declares 3 unused bits though it carries whole bytes, accepted as whole bytes \(kept exactly as received\)/.test(d)));
  assert.ok(deviations(o).some((d) => /SES_Signature\.signature declares 1 unused bits/.test(d)));
  assert.match(refusal(() => decodeSeal(sealWithValue(bitString(8, seal.signedValue)))), /SEAL_MALFORMED: .*(8 unused bits|unused bits for BitString must be in range 0-7)/i);
  assert.match(refusal(() => decodeSeal(sealWithValue(bitString(4, new Uint8Array(0))))), /SEAL_MALFORMED: .*unused bits of an empty value/);
});

/** OID content octets for dotted text, computed here with BigInt (arcs of any size). */
function oidTlv(text: string, nonMinimal = false): Uint8Array {
  const arcs = text.split('.').map(BigInt);
  const out: number[] = [];
  const sub = (v: bigint): number[] => {
    const b = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) b.unshift(Number(v & 0x7fn) | 0x80);
    return b;
  };
  out.push(...sub(arcs[0]! * 40n + arcs[1]!));
  for (const a of arcs.slice(2)) out.push(...(nonMinimal && a === arcs[arcs.length - 1] ? [0x80, ...sub(a)] : sub(a)));
  return tlv(0x06, Uint8Array.from(out));
}

/** The SealDesk seal's SES_SealInfo with one ExtData appended, signed again by the maker. */
async function sealWithExtension(oid: Uint8Array): Promise<Uint8Array> {
  const seal = decodeSeal(sealDer);
  const info = derSequence(...children(seal.sealInfoDer), derSequence(derSequence(oid, derOctetString(new TextEncoder().encode('{"app":"x"}')))));
  const value = await g.maker.signer().sign(info, 'sm2-sm3');
  return encodeSeal({ sealInfoDer: info, cert: seal.cert, signAlgID: seal.signAlgID, signedValue: value });
}

test('an OID arc above 2^53 (四川CA) is kept as exact text and named; a non-minimal sub-identifier (a second encoding) is refused', async () => {
  const big = '1.3.6.1.4.1.1740623164284604419';
  const seal = decodeSeal(await sealWithExtension(oidTlv(big)));
  assert.equal(seal.eSealInfo.extDatas[0]!.extnID, big);
  assert.ok(seal.deviations.some((d) => d.en.includes(`(${big}) has an arc above 2^53, accepted as its exact decimal text`)));
  assert.equal(verifySeal(seal, { trustRoots: [g.root.der], at: NOW }).checks.find((c) => c.id === 'maker-signature')?.status, 'ok');
});

test('a non-minimal OID sub-identifier is refused even with a valid maker signature over it', async () => {
  const der = await sealWithExtension(oidTlv('1.3.6.1.4.1.99999', true));
  assert.match(refusal(() => decodeSeal(der)), /SEAL_MALFORMED: .*extnID is not a valid OBJECT IDENTIFIER/);
});

const utc = (d: Date): Uint8Array => tlv(0x17, new TextEncoder().encode(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'));

/** A GM/T 0031-2014 (v1) seal: SealInfo without certListType, the maker signing SEQUENCE{SealInfo, cert, alg}. */
async function v1Seal(certListEntry: Uint8Array, listType?: number): Promise<Uint8Array> {
  const from = new Date(NOW.getTime() - 86_400_000);
  const to = new Date(NOW.getTime() + 86_400_000 * 30);
  const property = listType === undefined
    ? derSequence(derInteger(1), derUtf8('测试章'), derSequence(certListEntry), utc(from), utc(from), utc(to))
    : derSequence(derInteger(1), derUtf8('测试章'), derInteger(listType), derSequence(certListEntry), tlv(0x18, new TextEncoder().encode('20200101000000Z')), tlv(0x18, new TextEncoder().encode('20200101000000Z')), tlv(0x18, new TextEncoder().encode('20990101000000Z')));
  const picture = derSequence(derIa5('PNG'), derOctetString(decodeSeal(sealDer).eSealInfo.picture.data), derInteger(40), derInteger(40));
  const info = derSequence(derSequence(derIa5('ES'), derInteger(listType === undefined ? 1 : 4), derIa5('dms360.cn')), derIa5('esID-1'), property, picture);
  const cert = derOctetString(g.maker.der);
  const alg = derOid(OID_SM2_WITH_SM3);
  if (listType !== undefined) {
    return encodeSeal({ sealInfoDer: info, cert: g.maker.der, signAlgID: OID_SM2_WITH_SM3, signedValue: await g.maker.signer().sign(info, 'sm2-sm3') });
  }
  const value = await g.maker.signer().sign(derSequence(info, cert, alg), 'sm2-sm3');
  return derSequence(info, derSequence(cert, alg, derBitString(value)));
}

test('a v1 seal whose certList holds an IA5String id (dms360) is read with its warning and the keeper unmatched; in a GB/T 38540 seal it is refused', async () => {
  const v1 = decodeSeal(await v1Seal(derIa5('1')));
  assert.equal(v1.version, 1);
  assert.ok(v1.deviations.some((d) => /property\.certList\[0\] is a string where an OCTET STRING \(a certificate\) is due/.test(d.en)));
  assert.equal(verifySeal(v1, { trustRoots: [g.root.der], at: NOW }).checks.find((c) => c.id === 'maker-signature')?.status, 'ok');
  const o = check((await makeStamp({ eseal: v1.der })).der);
  assert.equal(statuses(o).seal_signer, 'warning');
  assert.match(o.checks.find((c) => c.id === 'seal_signer')!.message.en, /lists only certificate ids "1"/);
  // GB/T 38540 (certListType 1) has no room for an id: refused.
  const seal4WithIa5 = await v1Seal(derIa5('1'), 1);
  assert.match(refusal(() => decodeSeal(seal4WithIa5)), /SEAL_MALFORMED: .*certList\[0\] is a string, not the DER certificate GB\/T 38540 requires/);
});

/** The same TLV with its length written in the long form (BER, not DER). */
function longLength(der: Uint8Array): Uint8Array {
  const r = asn1js.fromBER(der).result;
  const content = new Uint8Array(r.valueBeforeDecodeView).subarray(r.idBlock.blockLength + r.lenBlock.blockLength);
  const n = content.length;
  return concatBytes([Uint8Array.of(der[0]!, 0x84, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff), content]);
}

test('BER lengths outside the signed bytes are read with a warning; inside TBS_Sign they are refused', async () => {
  const outside = await makeStamp({ outerHeader: (body) => longLength(tlv(0x30, body)) });
  const o = check(outside.der);
  assert.deepEqual(statuses(o), ALL_OK);
  assert.ok(deviations(o).some((d) => /lengths not in the shortest form \(BER\), accepted as BER lengths outside the signed bytes/.test(d)));

  // The same habit inside TBS_Sign (propertyInfo's length in long form), signed as it stands.
  const [version, eseal, time, hash, prop] = children(encodeTbsSign({ esealDer: sealDer, timeInfo: NOW, dataHash: sm3(ORIGINAL), propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml' }));
  const tbs = derSequence(version!, eseal!, time!, hash!, longLength(prop!));
  const inside = await makeStamp({ tbs });
  assert.equal(opensslSm2Verifies(g.keeper.der, tbs, inside.signature), true, 'the signature itself is sound');
  assert.match(refusal(() => decodeSesSignature(inside.der)), /SIGNATURE_MALFORMED: .*inside TBS_Sign .*not in the shortest form.*re-encode/);
});

test('an OFD stamp with a vendor habit is valid with a warning that names it, even under a trusted root', async () => {
  const seal = decodeSeal(sealDer);
  const vendorSeal = sealWithValue(derBitString(rawRs(seal.signedValue)));
  const files = await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer: vendorSeal, sealFile: true });
  const report = verifyOfd(zip(files), { trustRoots: [g.root.der] });
  const s = report.signatures[0]!;
  assert.ok(s.checks.every((c) => c.status === 'ok' || c.status === 'not_checked'), JSON.stringify(s.checks));
  assert.equal(s.verdict, 'warning');
  assert.ok(s.encodingDeviations?.some((d) => /raw bytes r‖s/.test(d.en) && /非标准编码/.test(d.zh)));
  const plain = verifyOfd(zip(await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer })), { trustRoots: [g.root.der] });
  assert.equal(plain.signatures[0]!.verdict, 'valid');
  assert.equal(plain.signatures[0]!.encodingDeviations, undefined);
});

test('an OFD Type="Sign" GM/T 0010 SignedData whose SM2 value is raw r‖s verifies with the habit named; a changed Signature.xml still fails', async () => {
  const files = await stamp(baseDocument(), { signer: g.keeper.signer(), sealDer, type: 'Sign', signValue: async (xml) => gmSignedData(g.keeper, xml, undefined, 'raw-rs') });
  const s = verifyOfd(zip(files), { trustRoots: [g.root.der] }).signatures[0]!;
  assert.equal(s.checks.find((c) => c.id === 'signature')?.status, 'ok', JSON.stringify(s.checks));
  assert.equal(s.checks.find((c) => c.id === 'digest')?.status, 'ok');
  assert.ok(s.encodingDeviations?.some((d) => /SignerInfo\.encryptedDigest is 64 raw bytes r‖s/.test(d.en)));
  assert.equal(s.verdict, 'warning');
  const xml = new TextDecoder().decode(files['Doc_0/Signs/Sign_0/Signature.xml']!).replace('SealDesk test', 'SealDesk tesT');
  const changed = verifyOfd(zip({ ...files, 'Doc_0/Signs/Sign_0/Signature.xml': new TextEncoder().encode(xml) }), { trustRoots: [g.root.der] }).signatures[0]!;
  assert.equal(changed.verdict, 'invalid');
});

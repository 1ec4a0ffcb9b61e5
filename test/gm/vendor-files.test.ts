import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { SignatureReport, VerificationReport } from '../../src/api/verification-report';
import { verifyOfd } from '../../src/core/ofd/verify-ofd';
import { inspectSealFile, type Inspection } from '../../src/core/ses/inspect';
import { verifyPdf } from '../../src/core/verify/verify-pdf';
import { renderReportText } from '../../src/core/verify/render-report';
import { opensslSm3 } from './support/independent-asn1';
import {
  expectedScope, expectedSealStatuses, expectedSesStatuses, ofdStamps, sealFacts, sesFacts, signedDataFacts, type Status,
} from './support/vendor-analysis';
import { asn1Tree } from './support/independent-asn1';

/**
 * Every file of ../shared/testdata/gm-vendor (SOURCES.md), each with the verdict an independent
 * analysis gives (support/vendor-analysis.ts: openssl asn1parse, openssl pkeyutl with the default
 * SM2 ID over the exact bytes, openssl dgst -sm3, openssl x509): SealDesk must agree check by check.
 * The trust store is empty, so genuine files verify with "identity unknown" (warning). REASONS says,
 * in words, why each file ends as it does; the assertions below check those words against the facts.
 */
const DIR = path.resolve(__dirname, '../../../shared/testdata/gm-vendor');
const bytesOf = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(DIR, name)));
const NOW = new Date('2026-12-04T00:00:00Z');

/** Why each file's verdict is what it is (found by the analysis, not by reading SealDesk's output). */
const REASONS: Record<string, string> = {
  'antchain_SignScaleError.ofd': 'genuine 蚂蚁链 tax stamp; the name is an ofdrw converter rendering bug: the seal picture is itself an OFD page (type "ofd", 34×26 mm) that the converter drew at a wrong scale — nothing signed is wrong',
  'daishun_test2.ofd': 'the SES_Signature belongs to another document: its propertyInfo names /Doc_0/Signs/Sign_2/Signature.xml and its dataHash is not SM3 of this Sign_0/Signature.xml; the seal itself verifies (with a BIT STRING unused-bits quirk)',
  'daishun_test2_eseal.der': 'DAISHUN seal whose signedValue BIT STRING declares 1 unused bit over whole bytes; the maker signature verifies; expired 2022-06-07',
  'dms360_n.ofd': 'iOFD 2.1.1 v1 stamp: the seal verifies (certList holds the IA5String "1"), but the stamp signature verifies over no GB/T construction, dataHash is not SM3(Signature.xml), and the signer certificate allows only keyCertSign/cRLSign',
  'dms360_n_Seal.esl': 'dms360 v1 seal, certList = [IA5String "1"] instead of certificates; maker signature over SEQUENCE{SealInfo, cert, alg} verifies; valid until 2029',
  'fzz_seal.sel': 'ofdpdfsigner seal, maker signature verifies; expired 2026-04-08',
  'gomain_1.ofd': 'genuine GOMAIN invoice stamp',
  'gomain_999.ofd': 'genuine GOMAIN invoice stamp (other files of the package are unprotected)',
  'gomain_draw_param_ref.ofd': 'genuine GOMAIN/百望 test stamp',
  'gomain_invoice_example_edited.ofd': 'copy of v4signed with Doc_0/Document.xml edited after stamping: its SM3 no longer equals the CheckValue',
  'gomain_ofdsharp_Seal.esl': 'GOMAIN/百望 test seal, maker signature verifies; createDate before the maker certificate (judged from its start); expired 2023-02-25',
  'gomain_ofdsharp_SignedValue.dat': 'GOMAIN SES_Signature v4, every signature verifies; no original beside it',
  'gomain_ofdsharp_test1.ofd': 'genuine GOMAIN 江苏 invoice stamp; seal createDate 2019-10-11 precedes the maker certificate (2019-10-16)',
  'gomain_signedFile.ofd': 'genuine GOMAIN 江苏 invoice stamp; seal createDate precedes the maker certificate',
  'gomain_v4signed.ofd': 'genuine GOMAIN 重庆 invoice stamp',
  'gomain_xilou_invoice.ofd': 'genuine GOMAIN 重庆 invoice stamp',
  'gomain_xilou_invoice.pdf': 'genuine GOMAIN PDF invoice, SES_Signature v4 in /Contents, dataHash = SM3 of the ByteRange',
  'gomain_zsbk.ofd': 'two genuine stamps, but both pages (Content.xml) were edited after stamping',
  'hebeigede_SESealData.DER': 'HebeiGede test seal: the maker signature verifies under no construction (gm-formats.md); expired 2021',
  'jhsec_00101.ofd': 'JHSEC v1-shaped stamp (header version 4): three BIT STRINGs declare unused bits over whole bytes, propertyInfo is blank; every signature and digest verifies',
  'jhsec_00101_SignedValue.dat': 'same SES_Signature as inside 00101.ofd',
  'jhsec_00101_eseal.der': 'the v1 seal of 00101.ofd; signData declares 3 unused bits; expired 2022-09-07',
  'koal_Seal.esl': '格尔 seal with a 64-byte raw r‖s maker signature that verifies; valid until 2026-11-21',
  'koal_many-ofd.ofd': 'three genuine 格尔 stamps, raw r‖s seal signatures',
  'koal_output.ofd': 'three genuine 格尔 stamps and a fourth listed stamp whose SignedValue.dat is missing',
  'koal_test-1.ofd': 'genuine 格尔 stamp, but Page_0/Content.xml was edited after stamping',
  'koal_test.ofd': 'genuine 格尔 stamp',
  'ofdrw-gen_13_riding_seal.ofd': 'made by ofdrw in 2026 with test certificates that expired in 2022: signer certificate expired at the signing time, seal expired',
  'ofdrw-gen_14_digital_sign.ofd': 'made by ofdrw in 2026 with test certificates that expired in 2022',
  'ofdrw_DigitalSign.ofd': 'a bare SM2 signature value without any certificate: nobody can tell who signed',
  'ofdrw_SESV4SignDoc.ofd': 'made by ofdrw in 2026 with test certificates that expired in 2022',
  'ofdrw_SignedValueV4.dat': 'ofdrw SES_Signature v4 of 2020, every signature verifies; no original beside it',
  'ofdrw_SignedValueV5.dat': 'ofdrw SES_Signature (TBS version 5), every signature verifies; no original beside it',
  'ofdrw_UserV1.esl': 'ofdrw v1 seal, maker signature over SEQUENCE{SealInfo, cert, alg} verifies; expired 2022',
  'ofdrw_UserV4.esl': 'ofdrw v4 seal, maker signature verifies; expired 2022',
  'ofdrw_UserV5.esl': 'ofdrw v5 seal made in 2026 with a maker certificate that expired in 2022',
  'ofdrw_UserV5_ts.esl': 'ofdrw v5 seal with a timeStamp, made in 2026 with a maker certificate that expired in 2022',
  'ofdrw_V4RideRight.ofd': 'genuine ofdrw riding-seal stamp of 2020',
  'ofdrw_allprotected.ofd': 'genuine ofdrw stamp protecting every file',
  'ofdrw_h.ofd': 'two ofdrw stamps; the first protects Doc_0/Signs/Signatures.xml, which the second stamp rewrote: the first is broken, the second verifies',
  'ofdrw_hello-integrity.ofd': 'GM/T 0099 integrity protection (OFDEntries.xml, GM/T 0010 SignedData over it) whose signature verifies, made in 2023 with a certificate that expired in 2022',
  'scca_seal.gb38540': '四川CA seal with an extension OID arc above 2^53 (1.3.6.1.4.1.1740623164284604419); maker signature verifies; expired 2024-12-28',
  'tongzhiweiye_keyword_Sign_1_SignedValue.dat': 'TONGZHIWEIYE SES_Signature v4 whose stamp signature is 64 raw bytes r‖s; verifies',
  'topsec_testImageNotFound.ofd': 'two genuine Type=Sign GM/T 0010 signatures; the name is a rendering test: DocumentRes_1.xml puts image_135.PNG under BaseLoc "Res_0", where the package has no such file (it sits in Doc_0/Res/) — nothing signed is wrong',
  'topsec_testImageOverridePage.ofd': 'two genuine Type=Sign GM/T 0010 signatures',
  'topsec_testPathClip.ofd': 'two genuine Type=Sign GM/T 0010 signatures',
};

test('every file in gm-vendor has a stated reason, and every reason a file', () => {
  const files = fs.readdirSync(DIR).filter((n) => n !== 'SOURCES.md').sort();
  assert.deepEqual(files, Object.keys(REASONS).sort());
});

const statusOf = (s: SignatureReport, id: string): Status | undefined => s.checks.find((c) => c.id === id)?.status;
const worst = (statuses: Array<'valid' | 'warning' | 'invalid'>): 'valid' | 'warning' | 'invalid' =>
  statuses.includes('invalid') ? 'invalid' : statuses.includes('warning') ? 'warning' : 'valid';
const verdictOf = (statuses: Status[]): 'valid' | 'warning' | 'invalid' => statuses.includes('failed') ? 'invalid' : statuses.includes('warning') ? 'warning' : 'valid';

/** The OFD Type=Seal stamp's expected statuses, from the facts alone. */
function expectedOfdSeal(st: ReturnType<typeof ofdStamps>[number]): Record<string, Status> {
  const f = sesFacts(st.signedValue!);
  return {
    ...expectedSesStatuses(f),
    byte_range: expectedScope(f.propertyInfo, st.entry),
    digest: f.dataHashHex === st.signatureXmlSm3 ? 'ok' : 'failed',
    modifications: st.references.every((r) => r.matches) ? 'ok' : 'failed',
    ...(st.sealEsl ? { impression: Buffer.from(st.sealEsl).equals(Buffer.from(sealDerOf(st.signedValue!))) ? 'ok' : 'failed' } : {}),
  };
}

function sealDerOf(ses: Uint8Array): Uint8Array {
  const t = asn1Tree(ses);
  const seal = t.children[0]!.children[1]!;
  return ses.subarray(seal.offset, seal.offset + seal.headerLength + seal.length);
}

/** GM/T 0010 Type=Sign: signature and digest from the SignedData; the certificate at the signing time. */
function expectedOfdSign(st: ReturnType<typeof ofdStamps>[number]): Record<string, Status> {
  const f = signedDataFacts(st.signedValue!, st.signatureXml!);
  const claimed = f.signingTime ?? parseSignatureDateTime(st.signatureDateTime) ?? NOW;
  return {
    signature: f.signatureVerifies ? 'ok' : 'failed',
    digest: f.digestMatches ? 'ok' : 'failed',
    signer_chain: claimed >= f.signer.notBefore && claimed <= f.signer.notAfter ? 'warning' : 'failed',
    modifications: st.references.every((r) => r.matches) ? 'ok' : 'failed',
  };
}

function parseSignatureDateTime(t: string | undefined): Date | undefined {
  const m = t && /^(\d{4})-?(\d{2})-?(\d{2})[ T]?(\d{2}):?(\d{2}):?(\d{2})(Z?)/.exec(t.trim());
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ? 'Z' : '+08:00'}`) : undefined;
}

function assertStamp(report: SignatureReport, expected: Record<string, Status>, where: string): void {
  for (const [id, status] of Object.entries(expected)) assert.equal(statusOf(report, id), status, `${where}: ${id}\n${JSON.stringify(report.checks.find((c) => c.id === id)?.message)}`);
  // An accepted vendor habit is a warning too: it is never hidden behind "valid".
  const derived = verdictOf([...report.checks.map((c) => c.status), ...(report.encodingDeviations?.length ? ['warning' as const] : [])]);
  assert.equal(report.verdict, derived, where);
}

const ofdFiles = Object.keys(REASONS).filter((n) => n.endsWith('.ofd'));
for (const name of ofdFiles) {
  test(`${name}: ${REASONS[name]}`, () => {
    const bytes = bytesOf(name);
    const files = unzipSync(bytes);
    const stamps = ofdStamps(files);
    const report: VerificationReport = verifyOfd(bytes, { trustRoots: [], fileName: name, now: NOW });
    const text = renderReportText(report);
    const listed = report.signatures.filter((s) => s.field !== 'GM/T 0099 integrity protection');
    assert.equal(listed.length, stamps.length, text);
    const expectedVerdicts: Array<'valid' | 'warning' | 'invalid'> = [];
    stamps.forEach((st, i) => {
      const s = listed[i]!;
      if (!st.signedValue) {
        // A listed stamp whose signed value is missing: invalid with that reason, the others verified.
        assert.equal(s.verdict, 'invalid', text);
        assert.match(statusOf(s, 'signature') === 'failed' ? s.checks.find((c) => c.id === 'signature')!.message.en : '', /signed value/);
        expectedVerdicts.push('invalid');
        return;
      }
      if (st.type === 'Sign' && asn1Tree(st.signedValue).children.every((c) => c.tag === 'INTEGER')) {
        // a bare SM2 value SEQUENCE{r, s}: no certificate, so nobody can tell who signed
        assert.equal(statusOf(s, 'signature'), 'failed', text);
        assert.match(s.checks.find((c) => c.id === 'signature')!.message.en, /without the signer's certificate/);
      } else {
        assertStamp(s, st.type === 'Sign' ? expectedOfdSign(st) : expectedOfdSeal(st), `${name} stamp ${st.id}\n${text}`);
      }
      expectedVerdicts.push(s.verdict);
      assert.equal(s.format?.ofdSignType, st.type, text);
      if (st.type === 'Seal') {
        const f = sesFacts(st.signedValue);
        assert.equal(s.sealVersion, f.seal.version);
        assert.equal(s.algorithms?.signature, 'SM2-with-SM3');
        // The SM3 digests are shown: the dataHash as signed and the recomputed one of Signature.xml.
        assert.ok(s.algorithms?.digests?.some((d) => d.hex === f.dataHashHex), text);
        assert.ok(s.algorithms?.digests?.some((d) => d.hex === st.signatureXmlSm3), text);
        assert.equal(s.timeBasis?.signerCertificateAt, f.signingTime.toISOString());
        // Every vendor habit found independently is named in the report.
        for (const field of f.unusedBits) assert.ok(s.encodingDeviations?.some((d) => d.en.includes(field) && /unused bits/.test(d.en)), `${field}\n${text}`);
        if (f.seal.rawSignature) assert.ok(s.encodingDeviations?.some((d) => /raw bytes r‖s/.test(d.en) && d.en.includes('SESeal.signedValue')), text);
        if (f.rawSignature) assert.ok(s.encodingDeviations?.some((d) => /raw bytes r‖s/.test(d.en) && d.en.includes('SES_Signature.signature')), text);
        if (f.seal.certIds.length > 0) assert.ok(s.encodingDeviations?.some((d) => /certList\[0\]/.test(d.en)), text);
        if (f.unusedBits.length === 0 && !f.seal.rawSignature && !f.rawSignature && f.seal.certIds.length === 0) {
          assert.ok(!(s.encodingDeviations ?? []).some((d) => /unused bits|r‖s|certList/.test(d.en)), text);
        }
      }
    });
    const integrity = report.signatures.find((s) => s.field === 'GM/T 0099 integrity protection');
    if (files['OFDEntries.xml']) {
      assert.ok(integrity, text);
      const f = signedDataFacts(files['signedvalue.dat']!, files['OFDEntries.xml']);
      assert.equal(statusOf(integrity!, 'signature'), f.signatureVerifies ? 'ok' : 'failed', text);
      assert.equal(statusOf(integrity!, 'digest'), f.digestMatches ? 'ok' : 'failed', text);
      const at = f.signingTime ?? NOW;
      assert.equal(statusOf(integrity!, 'signer_chain'), at >= f.signer.notBefore && at <= f.signer.notAfter ? 'warning' : 'failed', text);
      assert.equal(statusOf(integrity!, 'modifications'), 'ok', text);
      assert.ok(!report.warnings.some((w) => w.id === 'no_signatures'), 'integrity data is never reported as "no stamp"');
      expectedVerdicts.push(integrity!.verdict);
    } else {
      assert.equal(integrity, undefined);
    }
    assert.equal(report.verdict, worst(expectedVerdicts), text);
  });
}

/** The facts the reasons above name, checked on their own. */
test('the reasons hold: edited, copied and re-rendered files fail or pass for exactly that', () => {
  const refsOf = (n: string) => ofdStamps(unzipSync(bytesOf(n)));
  assert.deepEqual(refsOf('gomain_invoice_example_edited.ofd')[0]!.references.filter((r) => !r.matches).map((r) => r.file), ['Doc_0/Document.xml']);
  assert.deepEqual(refsOf('koal_test-1.ofd')[0]!.references.filter((r) => !r.matches).map((r) => r.file), ['Doc_0/Pages/Page_0/Content.xml']);
  for (const st of refsOf('gomain_zsbk.ofd')) assert.ok(st.references.some((r) => !r.matches && /Content\.xml$/.test(r.file)));
  const h = refsOf('ofdrw_h.ofd');
  assert.deepEqual(h[0]!.references.filter((r) => !r.matches).map((r) => r.file), ['Doc_0/Signs/Signatures.xml']);
  assert.ok(h[1]!.references.every((r) => r.matches));
  const daishun = refsOf('daishun_test2.ofd')[0]!;
  const d = sesFacts(daishun.signedValue!);
  assert.equal(d.propertyInfo, '/Doc_0/Signs/Sign_2/Signature.xml');
  assert.notEqual(d.dataHashHex, daishun.signatureXmlSm3);
  assert.ok(d.signatureVerifies && d.seal.makerSignatureVerifies);
  const dms = sesFacts(refsOf('dms360_n.ofd')[0]!.signedValue!);
  assert.equal(dms.signatureVerifies, false);
  assert.deepEqual(dms.signer.keyUsage, ['Certificate Sign', 'CRL Sign']);
  assert.deepEqual(dms.seal.certIds, ['1']);
  // SignScaleError: the picture is a vector OFD page of 34×26 mm in a StampAnnot of that size — a rendering matter only.
  const ant = refsOf('antchain_SignScaleError.ofd')[0]!;
  const antFacts = sesFacts(ant.signedValue!);
  assert.equal(antFacts.seal.picture.type, 'ofd');
  assert.deepEqual([antFacts.seal.picture.widthMm, antFacts.seal.picture.heightMm], [34, 26]);
  assert.equal(ant.boundary, '87 4 34 26');
  // testImageNotFound: the image a resource file names is not where its BaseLoc says, not a protected-file change.
  const tin = unzipSync(bytesOf('topsec_testImageNotFound.ofd'));
  const res = Buffer.from(tin['Doc_0/DocumentRes_1.xml']!).toString('utf8');
  assert.match(res, /BaseLoc="Res_0"[\s\S]*<ofd:MediaFile>image_135\.PNG<\/ofd:MediaFile>/);
  assert.equal(tin['Doc_0/Res_0/image_135.PNG'], undefined);
  assert.ok(tin['Doc_0/Res/image_135.PNG']);
  // koal_output: the fourth stamp is listed, its SignedValue.dat is not in the package.
  const out = refsOf('koal_output.ofd');
  assert.equal(out.length, 4);
  assert.equal(out.filter((s) => !s.signedValue).length, 1);
});

const sealFiles = Object.keys(REASONS).filter((n) => /\.(esl|der|DER|sel|gb38540)$/.test(n));
for (const name of sealFiles) {
  test(`${name} (seal inspect): ${REASONS[name]}`, () => {
    const bytes = bytesOf(name);
    const x: Inspection = inspectSealFile(bytes, { trustRoots: [], now: NOW, fileName: name });
    const facts = sealFacts(bytes, asn1Tree(bytes));
    assert.equal(x.kind, 'SESeal');
    assert.equal(x.seal.version, facts.version);
    const expected = expectedSealStatuses(facts, NOW);
    for (const [id, status] of Object.entries(expected)) assert.equal(x.checks.find((c) => c.id === id)?.status, status, `${id}: ${JSON.stringify(x.checks)}`);
    assert.equal(x.verdict, verdictOf([...x.checks.map((c) => c.status), ...(x.encodingDeviations.length ? ['warning' as const] : [])]));
    assert.equal(x.seal.picture.bytes, facts.picture.bytes);
    assert.deepEqual([x.seal.picture.widthMm, x.seal.picture.heightMm], [facts.picture.widthMm, facts.picture.heightMm]);
    assert.equal(x.seal.createDate, facts.createDate.toISOString());
    assert.equal(x.seal.certIds.length, facts.certIds.length);
    for (const field of facts.unusedBits) assert.ok(x.encodingDeviations.some((d) => d.en.includes(field)), field);
    if (facts.rawSignature) assert.ok(x.encodingDeviations.some((d) => /raw bytes r‖s/.test(d.en)));
  });
}

test('scca_seal.gb38540: the extension OID above 2^53 is read exactly and named', () => {
  const x = inspectSealFile(bytesOf('scca_seal.gb38540'), { trustRoots: [], now: NOW });
  assert.equal(x.seal.extDatas[0]!.extnID, '1.3.6.1.4.1.1740623164284604419');
  assert.ok(x.encodingDeviations.some((d) => /arc above 2\^53/.test(d.en)));
});

const datFiles = Object.keys(REASONS).filter((n) => n.endsWith('.dat'));
for (const name of datFiles) {
  test(`${name} (seal inspect): ${REASONS[name]}`, () => {
    const bytes = bytesOf(name);
    const x = inspectSealFile(bytes, { trustRoots: [], now: NOW, fileName: name });
    const f = sesFacts(bytes);
    assert.equal(x.kind, 'SES_Signature');
    assert.equal(x.signature?.version, f.version === 5 ? 5 : f.elements === 2 ? 1 : x.signature?.version);
    for (const [id, status] of Object.entries(expectedSesStatuses(f))) assert.equal(x.checks.find((c) => c.id === id)?.status, status, `${id}: ${JSON.stringify(x.checks.find((c) => c.id === id))}`);
    assert.equal(x.checks.find((c) => c.id === 'digest')?.status, 'not_checked');
    assert.equal(x.signature?.dataHashHex, f.dataHashHex);
    if (f.rawSignature) assert.ok(x.encodingDeviations.some((d) => /raw bytes r‖s/.test(d.en) && d.en.includes('SES_Signature.signature')));
  });
}

test(`gomain_xilou_invoice.pdf: ${REASONS['gomain_xilou_invoice.pdf']}`, () => {
  const bytes = bytesOf('gomain_xilou_invoice.pdf');
  const text = Buffer.from(bytes).toString('latin1');
  const br = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text)!.slice(1).map(Number) as [number, number, number, number];
  const contents = new Uint8Array(Buffer.from(text.slice(br[1] + 1, br[2] - 1), 'hex'));
  const root = asn1Tree(contents);
  const der = contents.subarray(0, root.headerLength + root.length);
  const f = sesFacts(der);
  const signed = Buffer.concat([bytes.subarray(br[0], br[0] + br[1]), bytes.subarray(br[2], br[2] + br[3])]);
  const report = verifyPdf(bytes, { trustRoots: [], now: NOW });
  const s = report.signatures[0]!;
  assertStamp(s, { ...expectedSesStatuses(f), digest: opensslSm3(signed) === f.dataHashHex ? 'ok' : 'failed' }, renderReportText(report));
  assert.equal(s.format?.name, 'GB/T 38540 SES_Signature v4');
  assert.equal(s.sealVersion, 4);
  assert.ok(s.algorithms?.digests?.some((d) => d.algorithm === 'SM3' && d.hex === opensslSm3(signed)));
  assert.equal(report.verdict, s.verdict);
});
